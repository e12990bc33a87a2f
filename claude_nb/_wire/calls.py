"""The pure half of both clients: attempts, results, the retry decision, event decoding.

``client.py`` holds the loops that touch the network (sync and async); everything they decide
is here, shared, so the twins differ only in ``await``. A streamed call is a generator of
snapshots on both sides (``MessagesClient.stream`` / ``AsyncMessagesClient.stream``):
``decoded`` turns each chunk's SSE events into accumulated snapshots, ``next_delay`` decides a
retry, and ``StreamProgress`` carries the retry count and the final ``CallResult`` out of the
generator (an async generator cannot return a value).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from claude_nb._api.redact import secrets_of
from claude_nb._config import Settings
from claude_nb._exceptions import APIError, IncompleteStreamError, MalformedStreamError
from claude_nb._wire.cassette import REPLAYED_HEADER
from claude_nb._wire.request import build_headers
from claude_nb._wire.retry import is_retryable, note_server_wait, retry_delay
from claude_nb._wire.sse import ServerSentEvent
from claude_nb._wire.stream import MessageSnapshot, accumulate
from claude_nb._wire.transport import redirect_error, status_error

__all__ = ["Attempt", "BaseMessagesClient", "CallResult", "StreamProgress"]

ResultT = TypeVar("ResultT")


@dataclass
class CallResult(Generic[ResultT]):
    """What a successful call returns.

    Attributes:
        value: The final message dict (or the decoded JSON for other endpoints).
        request_id: The ``request-id`` response header, or None.
        retries: How many retries it took.
        replayed: The cassette file it was replayed from (``_wire.cassette``), or None.
    """

    value: ResultT
    request_id: str | None = None
    retries: int = 0
    replayed: str | None = None


@dataclass
class StreamProgress:
    """How far a streamed call got, filled in by the client's ``stream`` generator.

    Attributes:
        retries: Retries made so far (each retried attempt starts a new snapshot).
        result: The call's result once the stream finished, else None.
    """

    retries: int = 0
    result: CallResult[dict[str, Any]] | None = None


@dataclass
class Attempt:
    """What one attempt learned, for the retry decision."""

    headers: Mapping[str, str] | None = None
    snapshot: MessageSnapshot = field(default_factory=MessageSnapshot)

    def result(self, value: ResultT, retries: int) -> CallResult[ResultT]:
        """The ``CallResult`` of this attempt's ``value``."""
        replayed = (self.headers or {}).get(REPLAYED_HEADER)
        return CallResult(value, self.snapshot.request_id, retries, replayed)


def _partial(snapshot: MessageSnapshot) -> dict[str, Any] | None:
    """What an attempt received, for its error (None before ``message_start``)."""
    message = snapshot.message
    return message if message.get("id") else None


class BaseMessagesClient:
    """The shared, pure half of both clients."""

    def __init__(self, settings: Settings, *, random_value: Callable[[], float]) -> None:
        self.settings = settings
        self._random = random_value
        self._secrets = secrets_of(settings.api_key)  # redacted from bodies and errors

    def _headers(self, stream: bool) -> dict[str, str]:
        return build_headers(self.settings, stream=stream)

    def _next_delay(self, error: APIError, attempt: Attempt, retries: int) -> float:
        """Seconds to wait before retry number ``retries + 1``; re-raises ``error`` to give up.

        The error keeps what the attempt received (``partial``) and the retries made.
        """
        if error.partial is None:
            error.partial = _partial(attempt.snapshot)
        if retries < self.settings.max_retries and is_retryable(
            error, attempt.headers, started=attempt.snapshot.started
        ):
            return retry_delay(retries, attempt.headers, self._random())
        error.retries = retries
        note_server_wait(error, attempt.headers)
        raise error

    def _check_response(
        self, attempt: Attempt, status: int, headers: Mapping[str, str], content: bytes | None
    ) -> None:
        attempt.headers = {name.lower(): value for name, value in headers.items()}
        attempt.snapshot.request_id = attempt.headers.get("request-id")
        if 300 <= status < 400:  # never followed: the key stays with the base URL
            raise redirect_error(status, attempt.headers, self.settings.base_url)
        if status >= 400:
            raise status_error(status, attempt.headers, content or b"", self._secrets)

    @staticmethod
    def _check_event_stream(attempt: Attempt) -> None:
        content_type = (attempt.headers or {}).get("content-type", "")
        if "text/event-stream" not in content_type:
            raise MalformedStreamError(
                f"expected an event stream, got content-type {content_type or 'none'!r}"
            )

    @staticmethod
    def _decoded(attempt: Attempt, events: list[ServerSentEvent]) -> Iterator[MessageSnapshot]:
        """Fold each decoded event into the attempt's snapshot, yielding it after each one."""
        snapshot = attempt.snapshot
        for sse in events:
            if not sse.data:
                continue
            try:
                event = json.loads(sse.data)
            except (ValueError, RecursionError) as error:  # RecursionError: nested too deep
                raise MalformedStreamError(
                    f"event {sse.event or '(unnamed)'} is not JSON",
                    partial=_partial(snapshot),
                ) from error
            if isinstance(event, dict):
                yield accumulate(snapshot, event)

    @staticmethod
    def _finish(attempt: Attempt, progress: StreamProgress) -> None:
        snapshot = attempt.snapshot
        if not snapshot.finished:
            raise IncompleteStreamError(
                "the stream ended without message_stop",
                partial=_partial(snapshot),
            )
        progress.result = attempt.result(snapshot.message, progress.retries)

    @staticmethod
    def _json_value(content: bytes) -> Any:
        try:
            return json.loads(content)
        except ValueError as error:
            raise MalformedStreamError("the response body is not JSON") from error

    @staticmethod
    def _models_query(after_id: str | None) -> dict[str, Any]:
        return {"limit": 1000, **({"after_id": after_id} if after_id else {})}
