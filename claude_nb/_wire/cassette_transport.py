"""The httpx transports that record a cassette and replay it (sync and async twins).

A session with a cassette gets its own httpx client (``cassette_client``) whose transport is a
``CassetteTransport``: nothing is patched process-wide (vcrpy patches httpx for the whole
process, which must not happen in a user's kernel, and does not replay stream timing). So the
retries, SSE decoding, accumulation, the ledger and the footer all run as they do live; only
the bytes come from the file. The client does not read proxy variables itself
(``trust_env=False``: a proxy mount would bypass the cassette), its live transport does.

    request -> normalised (``_wire.cassette``) -> recorded?  yes: replayed (HandlerTransport,
               at the recorded pace times ``1/speed``), with ``x-claude-nb-replayed``
                                                  no:  replay mode or no key: CassetteError
                                                       else sent live; the answer recorded
                                                       as it streams, written when complete

Sent live after replayed turns, a request loses the replayed thinking blocks: their signatures
belong to the recording account. The request is matched and recorded as the session built it.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from claude_nb._config import Settings
from claude_nb._wire.cassette import (
    REPLAYED_HEADER,
    Cassette,
    Exchange,
    keep_response_headers,
    normalise_request,
)
from claude_nb._wire.handler_transport import AsyncHandlerTransport, HandlerTransport
from claude_nb._wire.sse import SSEDecoder
from claude_nb._wire.transport import make_timeout

__all__ = ["AsyncCassetteTransport", "CassetteTransport", "cassette_client"]


@dataclass(frozen=True)
class _Chunk:
    delay: float
    data: bytes


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    chunks: list[_Chunk] | None = None
    first_byte_delay: float = 0.0
    drop: bool = False


def _replayed(exchange: Exchange, cassette: Cassette) -> _Answer:
    """The recorded answer as a handler answer, paced at ``cassette.speed``."""
    scale = 1 / cassette.speed if cassette.speed > 0 else 0.0
    headers = [*exchange.headers.items(), (REPLAYED_HEADER, cassette.name)]
    if exchange.events is None:
        body = json.dumps(exchange.body, ensure_ascii=False).encode()
        return _Answer(exchange.status, headers, body, first_byte_delay=exchange.elapsed * scale)
    chunks, previous = [], 0.0
    for at, data, name in exchange.events:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        payload = f"event: {name}\ndata: {text}\n\n".encode()
        chunks.append(_Chunk(max(0.0, at - previous) * scale, payload))
        previous = at
    return _Answer(exchange.status, headers, chunks=chunks)


def _without_thinking(body: bytes, replayed: set[str]) -> bytes:
    """The body without the thinking blocks a replay produced (another account signed them)."""
    if not replayed:
        return body
    try:
        value = json.loads(body)
    except ValueError:
        return body
    messages = value.get("messages") if isinstance(value, dict) else None
    if not isinstance(messages, list):
        return body
    dropped = False
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list) or message.get("role") != "assistant":
            continue
        kept = [
            block
            for block in content
            if not (
                isinstance(block, dict)
                and block.get("type") in ("thinking", "redacted_thinking")
                and (block.get("signature") in replayed or block.get("data") in replayed)
            )
        ]
        dropped = dropped or len(kept) != len(content)
        message["content"] = kept or [{"type": "text", "text": "(replayed thinking)"}]
    return json.dumps(value, ensure_ascii=False).encode() if dropped else body


class _Recorder:
    """Collects a live answer as it passes; writes the exchange once it is complete."""

    def __init__(
        self, cassette: Cassette, request: dict[str, Any], started: float, response: httpx.Response
    ) -> None:
        self.cassette, self.request, self.started = cassette, request, started
        self.status = response.status_code
        self.headers = keep_response_headers(response.headers.multi_items())
        self.streamed = "text/event-stream" in response.headers.get("content-type", "")
        self.decoder = SSEDecoder()
        self.events: list[tuple[float, Any, str]] = []
        self.raw = bytearray()

    def feed(self, chunk: bytes) -> None:
        if not self.streamed:
            self.raw += chunk
            return
        at = time.monotonic() - self.started
        for event in self.decoder.feed(chunk):
            self._add(at, event.data, event.event)

    def _add(self, at: float, data: str, name: str) -> None:
        try:
            value: Any = json.loads(data)
        except ValueError:
            value = data
        self.events.append(
            (at, value, name or (value.get("type", "") if isinstance(value, dict) else ""))
        )

    def done(self) -> None:
        elapsed = time.monotonic() - self.started
        body: Any = None
        if self.streamed:
            for event in self.decoder.flush():
                self._add(elapsed, event.data, event.event)
        else:
            try:
                body = json.loads(bytes(self.raw))
            except ValueError:
                body = bytes(self.raw).decode("utf-8", "replace")
        events = self.events if self.streamed else None
        exchange = Exchange(self.request, self.status, self.headers, events, body, elapsed)
        self.cassette.record(exchange)


class _RecordingStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, recorder: _Recorder) -> None:
        self.inner, self.recorder = inner, recorder

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.recorder.feed(chunk)
            yield chunk
        self.recorder.done()  # only a complete answer is recorded

    def close(self) -> None:
        self.inner.close()


class _AsyncRecordingStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, recorder: _Recorder) -> None:
        self.inner, self.recorder = inner, recorder

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.recorder.feed(chunk)
            yield chunk
        self.recorder.done()

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class _Base:
    cassette: Cassette
    live: Any = None  # the live transport; None: answer from the cassette only

    def _normalised(self, request: httpx.Request, body: bytes) -> dict[str, Any]:
        url = request.url
        return normalise_request(
            request.method,
            url.path,
            url.query.decode("ascii"),
            request.headers,
            body,
            self.cassette.secrets,
        )

    def _live_request(self, request: httpx.Request, body: bytes) -> httpx.Request:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        headers["accept-encoding"] = "identity"  # the recorder reads the bytes as they come
        content = _without_thinking(body, self.cassette.replayed_thinking)
        return httpx.Request(
            request.method,
            request.url,
            headers=headers,
            content=content,
            extensions=request.extensions,
        )

    def _wrap(
        self, request: httpx.Request, response: httpx.Response, stream: Any
    ) -> httpx.Response:
        return httpx.Response(
            response.status_code,
            headers=response.headers.multi_items(),
            stream=stream,
            request=request,
            extensions=response.extensions,
        )


class CassetteTransport(_Base, httpx.BaseTransport):
    """A sync transport answering from a cassette, recording live answers as it goes."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Replay the recorded answer, or send live and record, or raise ``CassetteError``."""
        body = request.read()
        normal = self._normalised(request, body)
        exchange = self.cassette.find(normal)
        if exchange is not None:
            answer = _replayed(exchange, self.cassette)
            return HandlerTransport(lambda *_: answer).handle_request(request)
        if self.live is None:
            raise self.cassette.miss(normal)
        started = time.monotonic()
        response = self.live.handle_request(self._live_request(request, body))
        recorder = _Recorder(self.cassette, normal, started, response)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return self._wrap(request, response, _RecordingStream(response.stream, recorder))

    def close(self) -> None:
        """Close the live transport."""
        if self.live is not None:
            self.live.close()


class AsyncCassetteTransport(_Base, httpx.AsyncBaseTransport):
    """The async twin of ``CassetteTransport``."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Replay the recorded answer, or send live and record, or raise ``CassetteError``."""
        body = await request.aread()
        normal = self._normalised(request, body)
        exchange = self.cassette.find(normal)
        if exchange is not None:
            answer = _replayed(exchange, self.cassette)
            return await AsyncHandlerTransport(lambda *_: answer).handle_async_request(request)
        if self.live is None:
            raise self.cassette.miss(normal)
        started = time.monotonic()
        response = await self.live.handle_async_request(self._live_request(request, body))
        recorder = _Recorder(self.cassette, normal, started, response)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return self._wrap(request, response, _AsyncRecordingStream(response.stream, recorder))

    async def aclose(self) -> None:
        """Close the live transport."""
        if self.live is not None:
            await self.live.aclose()


def _proxy_for(url: str) -> str | None:
    """The environment's proxy for ``url`` (the client itself reads none: see the docstring)."""
    target = httpx.URL(url)
    if urllib.request.proxy_bypass(target.host):
        return None
    return urllib.request.getproxies().get(target.scheme)


def cassette_client(
    settings: Settings, cassette: Cassette, asynchronous: bool
) -> httpx.Client | httpx.AsyncClient:
    """An httpx client for ``settings`` whose every request goes through ``cassette``.

    Live requests (``record``, and ``auto`` with a key or a base URL) go to the network; in
    ``replay`` mode, or offline, nothing can: an unrecorded request is a ``CassetteError``.
    """
    live: Any = None
    if cassette.mode != "replay" and not settings.offline:
        proxy = _proxy_for(settings.base_url)
        live = (httpx.AsyncHTTPTransport if asynchronous else httpx.HTTPTransport)(proxy=proxy)
    options: dict[str, Any] = {
        "base_url": settings.base_url,
        "timeout": make_timeout(settings),
        "follow_redirects": False,
        "trust_env": False,
    }
    if asynchronous:
        return httpx.AsyncClient(transport=AsyncCassetteTransport(cassette, live), **options)
    return httpx.Client(transport=CassetteTransport(cassette, live), **options)
