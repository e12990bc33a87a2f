"""The I/O loops: one request (streamed or not) with retries, sync and async.

Everything that decides is pure and shared: headers and bodies (``_wire.request``), SSE decoding
(``_wire.sse``), accumulation (``_wire.stream``), the retry decision and the attempt state
(``_wire.calls``) and error building (``_wire.transport.status_error``). ``MessagesClient`` and
``AsyncMessagesClient`` duplicate only the loops that touch the network;
``tests/unit/wire/test_parity.py`` runs the same fixtures through both.

A streamed call is ONE path: ``stream(body)`` is a generator yielding the snapshot after every
event (``snapshot.event`` is the raw event), retrying as ``create`` does (only before content
arrived; a retried attempt starts a new snapshot). ``create`` drives it and calls ``on_event``
on the calling thread. Responses are closed in ``finally`` (the httpx ``stream`` context):
closing the generator (``close()`` / ``aclose()``) closes the response, KeyboardInterrupt
included.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from claude_nb._config import Settings
from claude_nb._exceptions import APIError
from claude_nb._wire.calls import Attempt, BaseMessagesClient, CallResult, StreamProgress
from claude_nb._wire.request import COUNT_TOKENS_PATH, MESSAGES_PATH, MODELS_PATH, encode_body
from claude_nb._wire.sse import SSEDecoder
from claude_nb._wire.stream import MessageSnapshot
from claude_nb._wire.transport import map_httpx_errors

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AsyncMessagesClient",
    "CallResult",
    "EventCallback",
    "MessagesClient",
    "StreamProgress",
]

EventCallback = Callable[[MessageSnapshot], None]
"""Called with the snapshot after every decoded event."""

ResultT = TypeVar("ResultT")


class MessagesClient(BaseMessagesClient):
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

    def _with_retries(self, attempt_once: Callable[[Attempt], ResultT]) -> CallResult[ResultT]:
        retries = 0
        while True:
            attempt = Attempt()
            try:
                value = attempt_once(attempt)
            except APIError as error:
                self._sleep(self._next_delay(error, attempt, retries))
                retries += 1
                continue
            return attempt.result(value, retries)

    def create(
        self, body: Mapping[str, Any], *, on_event: EventCallback | None = None
    ) -> CallResult[dict[str, Any]]:
        """Send a messages body; streams (through ``stream``) when ``body["stream"]`` is true."""
        if not body.get("stream"):
            return self._with_retries(
                lambda attempt: self._json_once(attempt, "POST", MESSAGES_PATH, body=body)
            )
        progress = StreamProgress()
        with contextlib.closing(self.stream(body, progress)) as snapshots:
            if on_event is None:
                for _ in snapshots:
                    pass
            else:
                for snapshot in snapshots:
                    on_event(snapshot)
        assert progress.result is not None  # the generator ended: it finished
        return progress.result

    def stream(
        self, body: Mapping[str, Any], progress: StreamProgress | None = None
    ) -> Generator[MessageSnapshot, None, None]:
        """Send a streaming messages body; yield the snapshot after every event.

        Retries as ``create`` (before content only); ``progress`` gets the retries and, at
        the end, the ``CallResult``. ``close()`` the generator to stop: the response closes.
        """
        progress = progress if progress is not None else StreamProgress()
        payload = encode_body(body, self._secrets)  # once for all attempts; may be a ContentError
        while True:  # one attempt per turn, inline: a generator less per event
            attempt, decoder = Attempt(), SSEDecoder()
            try:
                with (
                    map_httpx_errors(self.settings),
                    self.http.stream(
                        "POST", MESSAGES_PATH, content=payload,
                        headers=self._headers(stream=True), follow_redirects=False,
                    ) as response,
                ):
                    content = response.read() if response.status_code >= 400 else None
                    self._check_response(attempt, response.status_code, response.headers, content)
                    self._check_event_stream(attempt)
                    for chunk in response.iter_bytes():
                        yield from self._decoded(attempt, decoder.feed(chunk))
                yield from self._decoded(attempt, decoder.flush())
                self._finish(attempt, progress)
                return
            except APIError as error:
                delay = self._next_delay(error, attempt, progress.retries)
            self._sleep(delay)
            progress.retries += 1

    def _json_once(
        self,
        attempt: Attempt,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        payload = None if body is None else encode_body(body, self._secrets)
        with map_httpx_errors(self.settings):
            response = self.http.request(
                method, path, content=payload, params=params,
                headers=self._headers(stream=False), follow_redirects=False,
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


class AsyncMessagesClient(BaseMessagesClient):
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
        self, attempt_once: Callable[[Attempt], Awaitable[ResultT]]
    ) -> CallResult[ResultT]:
        retries = 0
        while True:
            attempt = Attempt()
            try:
                value = await attempt_once(attempt)
            except APIError as error:
                await self._sleep(self._next_delay(error, attempt, retries))
                retries += 1
                continue
            return attempt.result(value, retries)

    async def create(
        self, body: Mapping[str, Any], *, on_event: EventCallback | None = None
    ) -> CallResult[dict[str, Any]]:
        """Send a messages body; streams (through ``stream``) when ``body["stream"]`` is true."""
        if not body.get("stream"):
            return await self._with_retries(
                lambda attempt: self._json_once(attempt, "POST", MESSAGES_PATH, body=body)
            )
        progress = StreamProgress()
        snapshots = self.stream(body, progress)
        try:
            async for snapshot in snapshots:
                if on_event is not None:
                    on_event(snapshot)
        finally:
            await snapshots.aclose()
        assert progress.result is not None  # the generator ended: it finished
        return progress.result

    async def stream(
        self, body: Mapping[str, Any], progress: StreamProgress | None = None
    ) -> AsyncGenerator[MessageSnapshot, None]:
        """The async twin of ``MessagesClient.stream`` (``aclose()`` it to stop)."""
        progress = progress if progress is not None else StreamProgress()
        payload = encode_body(body, self._secrets)  # once for all attempts; may be a ContentError
        while True:
            attempt, decoder = Attempt(), SSEDecoder()
            try:
                with map_httpx_errors(self.settings):
                    async with self.http.stream(
                        "POST", MESSAGES_PATH, content=payload,
                        headers=self._headers(stream=True), follow_redirects=False,
                    ) as response:
                        content = await response.aread() if response.status_code >= 400 else None
                        status, headers = response.status_code, response.headers
                        self._check_response(attempt, status, headers, content)
                        self._check_event_stream(attempt)
                        async for chunk in response.aiter_bytes():
                            for snapshot in self._decoded(attempt, decoder.feed(chunk)):
                                yield snapshot
                for snapshot in self._decoded(attempt, decoder.flush()):
                    yield snapshot
                self._finish(attempt, progress)
                return
            except APIError as error:
                delay = self._next_delay(error, attempt, progress.retries)
            await self._sleep(delay)
            progress.retries += 1

    async def _json_once(
        self,
        attempt: Attempt,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        payload = None if body is None else encode_body(body, self._secrets)
        with map_httpx_errors(self.settings):
            response = await self.http.request(
                method, path, content=payload, params=params,
                headers=self._headers(stream=False), follow_redirects=False,
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
