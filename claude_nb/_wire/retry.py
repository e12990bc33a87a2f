"""Pure retry policy; the sync and async loops in ``_wire.client`` apply it.

See https://docs.anthropic.com/en/api/errors for the statuses and headers.

What is retried, in this order:

1. ``x-should-retry: true`` / ``false`` on the response decides first;
2. connection errors and timeouts (no response at all);
3. statuses 408, 409, 429 and every status >= 500 (529 included);
4. a stream that broke *before any content arrived*: an ``error`` event of a transient type
   (``overloaded_error``, ``api_error``, ``rate_limit_error``, ``timeout_error``) or a stream
   cut short. Once content was delivered nothing is retried: the error keeps the partial.

The wait before retry ``n`` (0-based) is ``retry-after-ms``, else ``retry-after`` (seconds or
an HTTP date), else ``min(0.5 * 2**n, 8) * (1 - 0.25 * random())``. Server hints above
``MAX_RETRY_AFTER`` seconds are capped.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping

from claude_nb._exceptions import (
    APIError,
    APIStatusError,
    IncompleteStreamError,
    StreamEventError,
    TransportError,
)

__all__ = [
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "TRANSIENT_STREAM_ERRORS",
    "backoff_delay",
    "is_retryable",
    "retry_after",
    "retry_delay",
]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
TRANSIENT_STREAM_ERRORS = frozenset(
    {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}
)


def _should_retry_header(headers: Mapping[str, str] | None) -> bool | None:
    value = (headers or {}).get("x-should-retry")
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def is_retryable(
    error: APIError, headers: Mapping[str, str] | None = None, *, started: bool = False
) -> bool:
    """Whether a failed attempt may be retried.

    Args:
        error: What the attempt raised.
        headers: The response headers (lower-case names), when a response arrived.
        started: True when content had already been delivered (then never retried).
    """
    if started:
        return False
    if isinstance(error, StreamEventError):
        return error.error_type in TRANSIENT_STREAM_ERRORS
    forced = _should_retry_header(headers)
    if forced is not None:
        return forced
    if isinstance(error, (TransportError, IncompleteStreamError)):
        return True
    if isinstance(error, APIStatusError):
        return error.status_code in RETRYABLE_STATUSES or error.status_code >= 500
    return False


def retry_after(
    headers: Mapping[str, str] | None, now: Callable[[], float] = time.time
) -> float | None:
    """The server's requested wait in seconds, or None when it gave none (or nonsense)."""
    headers = headers or {}
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            seconds = float(milliseconds) / 1000
        except ValueError:
            seconds = -1.0
        if seconds >= 0:
            return min(seconds, MAX_RETRY_AFTER)
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - now()
    if seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def backoff_delay(retry_number: int, random_value: float) -> float:
    """Exponential back-off with jitter that only shortens: ``min(0.5*2**n, 8)*(1-0.25*r)``."""
    return min(INITIAL_DELAY * 2.0**retry_number, MAX_DELAY) * (1 - 0.25 * random_value)


def retry_delay(
    retry_number: int,
    headers: Mapping[str, str] | None,
    random_value: float,
    now: Callable[[], float] = time.time,
) -> float:
    """Seconds to wait before retry ``retry_number`` (0 for the first retry)."""
    hinted = retry_after(headers, now)
    if hinted is not None:
        return hinted
    return backoff_delay(retry_number, random_value)
