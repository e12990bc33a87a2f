"""The I/O loops: one request (streamed or not) with retries, sync and async.

Everything that decides is pure and shared: headers and bodies (``_wire.request``), SSE decoding
(``_wire.sse``), accumulation (``_wire.stream``), the retry policy (``_wire.retry``) and error
building (``_wire.transport.status_error``). ``MessagesClient`` and ``AsyncMessagesClient``
duplicate only the loops that touch the network; ``tests/unit/wire/test_parity.py`` runs the
same fixtures through both. Responses are closed in ``finally`` (the httpx ``stream`` context),
KeyboardInterrupt included, and the caller's ``on_event`` runs on the calling thread after every
event.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from claude_nb._config import Settings
from claude_nb._exceptions import APIError, IncompleteStreamError, MalformedStreamError
from claude_nb._wire.request import COUNT_TOKENS_PATH, MESSAGES_PATH, MODELS_PATH, build_headers
from claude_nb._wire.retry import is_retryable, retry_delay
from claude_nb._wire.sse import ServerSentEvent, SSEDecoder
from claude_nb._wire.stream import MessageSnapshot, accumulate
from claude_nb._wire.transport import map_httpx_errors, status_error

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncMessagesClient", "CallResult", "EventCallback", "MessagesClient"]

EventCallback = Callable[[MessageSnapshot], None]
"""Called with the snapshot after every decoded event."""

ResultT = TypeVar("ResultT")


@dataclass
class CallResult(Generic[ResultT]):
    """What a successful call returns.

    Attributes:
        value: The final message dict (or the decoded JSON for other endpoints).
        request_id: The ``request-id`` response header, or None.
        retries: How many retries it took.
    """

    value: ResultT
    request_id: str | None = None
    retries: int = 0


@dataclass
class _Attempt:
    """What one attempt learned, for the retry decision."""

    headers: Mapping[str, str] | None = None
    snapshot: MessageSnapshot = field(default_factory=MessageSnapshot)


def _partial(snapshot: MessageSnapshot) -> dict[str, Any] | None:
    """What an attempt received, for its error (None before ``message_start``)."""
    message = snapshot.message
    return message if message.get("id") else None


class _BaseMessagesClient:
    """The shared, pure half of both clients."""

    def __init__(self, settings: Settings, *, random_value: Callable[[], float]) -> None:
        self.settings = settings
        self._random = random_value

    def _headers(self, stream: bool) -> dict[str, str]:
        return build_headers(self.settings, stream=stream)

    def _retry_delay(self, error: APIError, attempt: _Attempt, retries: int) -> float | None:
        """Seconds to wait before the next try, or None to give up."""
        if retries >= self.settings.max_retries:
            return None
        if not is_retryable(error, attempt.headers, started=attempt.snapshot.started):
            return None
        return retry_delay(retries, attempt.headers, self._random())

    @staticmethod
    def _keep_partial(error: APIError, attempt: _Attempt) -> None:
        """Attach what the attempt received to an error raised without it."""
        if error.partial is None:
            error.partial = _partial(attempt.snapshot)

    def _check_response(
        self, attempt: _Attempt, status: int, headers: Mapping[str, str], content: bytes | None
    ) -> None:
        attempt.headers = {name.lower(): value for name, value in headers.items()}
        attempt.snapshot.request_id = attempt.headers.get("request-id")
        if status >= 400:
            raise status_error(status, attempt.headers, content or b"")

    @staticmethod
    def _check_event_stream(attempt: _Attempt) -> None:
        content_type = (attempt.headers or {}).get("content-type", "")
        if "text/event-stream" not in content_type:
            raise MalformedStreamError(
                f"expected an event stream, got content-type {content_type or 'none'!r}"
            )

    @staticmethod
    def _apply(
        attempt: _Attempt, events: list[ServerSentEvent], on_event: EventCallback | None
    ) -> None:
        snapshot = attempt.snapshot
        for sse in events:
            if not sse.data:
                continue
            try:
                event = json.loads(sse.data)
            except ValueError as error:
                raise MalformedStreamError(
                    f"event {sse.event or '(unnamed)'} is not JSON",
                    partial=_partial(snapshot),
                ) from error
            if not isinstance(event, dict):
                continue
            accumulate(snapshot, event)
            if on_event is not None:
                on_event(snapshot)

    @staticmethod
    def _finish(attempt: _Attempt) -> dict[str, Any]:
        snapshot = attempt.snapshot
        if not snapshot.finished:
            raise IncompleteStreamError(
                "the stream ended without message_stop",
                partial=_partial(snapshot),
            )
        return snapshot.message

    @staticmethod
    def _json_value(content: bytes) -> Any:
        try:
            return json.loads(content)
        except ValueError as error:
            raise MalformedStreamError("the response body is not JSON") from error

    @staticmethod
    def _models_query(after_id: str | None) -> dict[str, Any]:
        return {"limit": 1000, **({"after_id": after_id} if after_id else {})}


class MessagesClient(_BaseMessagesClient):
    """Sync calls over an injectable ``httpx.Client``.

    Args:
        settings: Key, version, retries and timeouts.
        http: The httpx client (its base URL and transport decide where requests go).
        sleep: Waits between retries (``time.sleep``; tests pass a recorder).
        random_value: Jitter source in [0, 1).
    """

    def __init__(
        self,
        settings: Settings,
        http: httpx.Client,
        *,
        sleep: Callable[[float], None] = time.sleep,
        random_value: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(settings, random_value=random_value)
        self.http = http
        self._sleep = sleep

    def _with_retries(self, attempt_once: Callable[[_Attempt], ResultT]) -> CallResult[ResultT]:
        retries = 0
        while True:
            attempt = _Attempt()
            try:
                value = attempt_once(attempt)
            except APIError as error:
                self._keep_partial(error, attempt)
                delay = self._retry_delay(error, attempt, retries)
                if delay is None:
                    error.retries = retries
                    raise
                self._sleep(delay)
                retries += 1
                continue
            return CallResult(value, attempt.snapshot.request_id, retries)

    def create(
        self, body: Mapping[str, Any], *, on_event: EventCallback | None = None
    ) -> CallResult[dict[str, Any]]:
        """Send a messages body; streams when ``body["stream"]`` is true."""
        if body.get("stream"):
            return self._with_retries(lambda attempt: self._stream_once(attempt, body, on_event))
        return self._with_retries(
            lambda attempt: self._json_once(attempt, "POST", MESSAGES_PATH, body=body)
        )

    def _stream_once(
        self, attempt: _Attempt, body: Mapping[str, Any], on_event: EventCallback | None
    ) -> dict[str, Any]:
        decoder = SSEDecoder()
        with (
            map_httpx_errors(self.settings),
            self.http.stream(
                "POST", MESSAGES_PATH, json=body, headers=self._headers(stream=True)
            ) as response,
        ):
            content = response.read() if response.status_code >= 400 else None
            self._check_response(attempt, response.status_code, response.headers, content)
            self._check_event_stream(attempt)
            for chunk in response.iter_bytes():
                self._apply(attempt, decoder.feed(chunk), on_event)
        self._apply(attempt, decoder.flush(), on_event)
        return self._finish(attempt)

    def _json_once(
        self,
        attempt: _Attempt,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        with map_httpx_errors(self.settings):
            response = self.http.request(
                method, path, json=body, params=params, headers=self._headers(stream=False)
            )
        self._check_response(attempt, response.status_code, response.headers, response.content)
        return self._json_value(response.content)

    def count_tokens(self, body: Mapping[str, Any]) -> CallResult[Any]:
        """``POST /v1/messages/count_tokens``; the value is the decoded JSON."""
        return self._with_retries(
            lambda attempt: self._json_once(attempt, "POST", COUNT_TOKENS_PATH, body=body)
        )

    def list_models(self) -> list[dict[str, Any]]:
        """Every model of ``GET /v1/models``, following pages until ``has_more`` is false."""
        models: list[dict[str, Any]] = []
        after_id: str | None = None
        while True:
            query = self._models_query(after_id)
            page = self._with_retries(
                functools.partial(self._json_once, method="GET", path=MODELS_PATH, params=query)
            ).value
            models.extend(page.get("data") or [])
            after_id = page.get("last_id")
            if not page.get("has_more") or not after_id:
                return models


class AsyncMessagesClient(_BaseMessagesClient):
    """The async twin of ``MessagesClient`` over an ``httpx.AsyncClient``."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random_value: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(settings, random_value=random_value)
        self.http = http
        self._sleep = sleep

    async def _with_retries(
        self, attempt_once: Callable[[_Attempt], Awaitable[ResultT]]
    ) -> CallResult[ResultT]:
        retries = 0
        while True:
            attempt = _Attempt()
            try:
                value = await attempt_once(attempt)
            except APIError as error:
                self._keep_partial(error, attempt)
                delay = self._retry_delay(error, attempt, retries)
                if delay is None:
                    error.retries = retries
                    raise
                await self._sleep(delay)
                retries += 1
                continue
            return CallResult(value, attempt.snapshot.request_id, retries)

    async def create(
        self, body: Mapping[str, Any], *, on_event: EventCallback | None = None
    ) -> CallResult[dict[str, Any]]:
        """Send a messages body; streams when ``body["stream"]`` is true."""
        if body.get("stream"):
            return await self._with_retries(
                lambda attempt: self._stream_once(attempt, body, on_event)
            )
        return await self._with_retries(
            lambda attempt: self._json_once(attempt, "POST", MESSAGES_PATH, body=body)
        )

    async def _stream_once(
        self, attempt: _Attempt, body: Mapping[str, Any], on_event: EventCallback | None
    ) -> dict[str, Any]:
        decoder = SSEDecoder()
        with map_httpx_errors(self.settings):
            async with self.http.stream(
                "POST", MESSAGES_PATH, json=body, headers=self._headers(stream=True)
            ) as response:
                content = await response.aread() if response.status_code >= 400 else None
                self._check_response(attempt, response.status_code, response.headers, content)
                self._check_event_stream(attempt)
                async for chunk in response.aiter_bytes():
                    self._apply(attempt, decoder.feed(chunk), on_event)
        self._apply(attempt, decoder.flush(), on_event)
        return self._finish(attempt)

    async def _json_once(
        self,
        attempt: _Attempt,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        with map_httpx_errors(self.settings):
            response = await self.http.request(
                method, path, json=body, params=params, headers=self._headers(stream=False)
            )
        self._check_response(attempt, response.status_code, response.headers, response.content)
        return self._json_value(response.content)

    async def count_tokens(self, body: Mapping[str, Any]) -> CallResult[Any]:
        """``POST /v1/messages/count_tokens``; the value is the decoded JSON."""
        return await self._with_retries(
            lambda attempt: self._json_once(attempt, "POST", COUNT_TOKENS_PATH, body=body)
        )

    async def list_models(self) -> list[dict[str, Any]]:
        """Every model of ``GET /v1/models``, following pages until ``has_more`` is false."""
        models: list[dict[str, Any]] = []
        after_id: str | None = None
        while True:
            query = self._models_query(after_id)
            page = (
                await self._with_retries(
                    functools.partial(self._json_once, method="GET", path=MODELS_PATH, params=query)
                )
            ).value
            models.extend(page.get("data") or [])
            after_id = page.get("last_id")
            if not page.get("has_more") or not after_id:
                return models
