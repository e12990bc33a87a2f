"""The emulator as an in-process httpx transport (sync and async twins).

Only the I/O loop is duplicated: the sync stream sleeps between chunks, the async one awaits
``asyncio.sleep``. A ``drop-before-headers`` fault raises ``httpx.RemoteProtocolError`` as a
closed connection would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

from claude_nb.emulator._wire import Chunk, EmulatorResponse

if TYPE_CHECKING:
    from claude_nb.emulator._core import Emulator

__all__ = ["AsyncEmulatorTransport", "EmulatorTransport"]

DROPPED = "Server disconnected without sending a response."


class _SyncChunks(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[Chunk]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if chunk.delay > 0:
                time.sleep(chunk.delay)
            yield chunk.data


class _AsyncChunks(httpx.AsyncByteStream):
    def __init__(self, chunks: Iterator[Chunk]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            if chunk.delay > 0:
                await asyncio.sleep(chunk.delay)
            yield chunk.data


def _target(request: httpx.Request) -> str:
    return request.url.raw_path.decode("ascii")


def _headers(request: httpx.Request) -> dict[str, str]:
    return {name: value for name, value in request.headers.items()}


def _response(
    answer: EmulatorResponse, request: httpx.Request, asynchronous: bool
) -> httpx.Response:
    if answer.chunks is None:
        return httpx.Response(
            answer.status, headers=answer.headers, content=answer.body, request=request
        )
    stream: httpx.SyncByteStream | httpx.AsyncByteStream = (
        _AsyncChunks(answer.chunks) if asynchronous else _SyncChunks(answer.chunks)
    )
    return httpx.Response(answer.status, headers=answer.headers, stream=stream, request=request)


class EmulatorTransport(httpx.BaseTransport):
    """``httpx.Client(transport=EmulatorTransport(emulator))`` talks to the emulator."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the emulator core."""
        answer = self.emulator.handle(
            request.method, _target(request), _headers(request), request.read()
        )
        if answer.first_byte_delay > 0:
            time.sleep(answer.first_byte_delay)
        if answer.drop:
            raise httpx.RemoteProtocolError(DROPPED, request=request)
        return _response(answer, request, asynchronous=False)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncClient(transport=AsyncEmulatorTransport(emulator))``."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the emulator core."""
        body = await request.aread()
        answer = self.emulator.handle(request.method, _target(request), _headers(request), body)
        if answer.first_byte_delay > 0:
            await asyncio.sleep(answer.first_byte_delay)
        if answer.drop:
            raise httpx.RemoteProtocolError(DROPPED, request=request)
        return _response(answer, request, asynchronous=True)
