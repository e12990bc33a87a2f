"""An in-process httpx transport over a handler callable (sync and async twins).

As ``httpx.MockTransport`` does, the transport takes a plain callable and never knows who
answers: ``HandlerTransport(emulator.handle)`` puts the offline emulator behind an
``httpx.Client`` without the emulator importing httpx (or anything of the client).

A handler takes ``(method, target, headers, body)`` and returns an answer with ``status``,
``headers``, ``body``, ``chunks`` (a streamed body, or None), ``first_byte_delay`` and
``drop``. Only the I/O loop is written twice: the sync stream sleeps between chunks, the
async one awaits ``asyncio.sleep``. ``drop`` raises ``httpx.RemoteProtocolError`` as a
closed connection would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol

import httpx

__all__ = ["AsyncHandlerTransport", "Handler", "HandlerAnswer", "HandlerTransport"]


class Chunk(Protocol):
    """A piece of a streamed body: wait ``delay`` seconds, then send ``data``."""

    @property
    def delay(self) -> float: ...

    @property
    def data(self) -> bytes: ...


class HandlerAnswer(Protocol):
    """What a handler returns: one HTTP answer, independent of how it is served."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Sequence[tuple[str, str]]: ...

    @property
    def body(self) -> bytes: ...

    @property
    def chunks(self) -> Iterable[Chunk] | None: ...

    @property
    def first_byte_delay(self) -> float: ...

    @property
    def drop(self) -> bool: ...


Handler = Callable[[str, str, Mapping[str, str], bytes], HandlerAnswer]
"""``handler(method, target, headers, body) -> answer``."""

DROPPED = "Server disconnected without sending a response."


class _SyncChunks(httpx.SyncByteStream):
    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if chunk.delay > 0:
                time.sleep(chunk.delay)
            yield chunk.data


class _AsyncChunks(httpx.AsyncByteStream):
    def __init__(self, chunks: Iterable[Chunk]) -> None:
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


def _response(answer: HandlerAnswer, request: httpx.Request, asynchronous: bool) -> httpx.Response:
    headers = list(answer.headers)
    if answer.chunks is None:
        return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)
    stream: httpx.SyncByteStream | httpx.AsyncByteStream = (
        _AsyncChunks(answer.chunks) if asynchronous else _SyncChunks(answer.chunks)
    )
    return httpx.Response(answer.status, headers=headers, stream=stream, request=request)


class HandlerTransport(httpx.BaseTransport):
    """``httpx.Client(transport=HandlerTransport(emulator.handle))`` talks to the handler."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the handler."""
        answer = self.handler(request.method, _target(request), _headers(request), request.read())
        if answer.first_byte_delay > 0:
            time.sleep(answer.first_byte_delay)
        if answer.drop:
            raise httpx.RemoteProtocolError(DROPPED, request=request)
        return _response(answer, request, asynchronous=False)


class AsyncHandlerTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncClient(transport=AsyncHandlerTransport(emulator.handle))``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` from the handler."""
        body = await request.aread()
        answer = self.handler(request.method, _target(request), _headers(request), body)
        if answer.first_byte_delay > 0:
            await asyncio.sleep(answer.first_byte_delay)
        if answer.drop:
            raise httpx.RemoteProtocolError(DROPPED, request=request)
        return _response(answer, request, asynchronous=True)
