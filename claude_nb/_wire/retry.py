"""Pure retry policy; the sync and async loops in ``_wire.client`` apply it.

See https://docs.anthropic.com/en/api/errors for the statuses and headers.

What is retried, in this order:

1. ``x-should-retry: true`` / ``false`` on the response decides first;
2. connection errors and timeouts (no response at all);
3. statuses 408, 409, 429 and every status >= 500 (529 included);
4. a stream that broke *before any content arrived*: an ``error`` event of a transient type
   (``overloaded_error``, ``api_error``, ``rate_limit_error``, ``timeout_error``) or a stream
   cut short. Once content was delivered nothing is retried: the error keeps the partial.

The wait before retry ``n`` (0-based) is the server's hint when ``0 < hint <= 60`` s
(``MAX_RETRY_AFTER``), else ``min(0.5 * 2**n, 8) * (1 - 0.25 * random())``. The hint is read
as the SDK reads it (``anthropic`` ``_base_client.py``, ``_parse_retry_after_header``):
``retry-after-ms`` when it is a number (even a negative one), else ``retry-after`` as seconds,
else as an HTTP date. A hint over 60 s is treated as absent, as the SDK's
``_calculate_retry_timeout`` does (0.x; SDK 2.x waits up to 4,294,967 s): a notebook cell
does not block for minutes, it backs off briefly and, when the retries run out, the error
says how long the server asked to wait (``note_server_wait``: "the server asked to wait
3,600 s (about 60 min); not waited for automatically (over 60 s): try again later").
"""

from __future__ import annotations

import email.utils
import math
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
    "note_server_wait",
    "retry_after",
    "retry_delay",
    "server_wait",
    "wait_note",
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
        if spend_limited(error):
            return False
        return error.status_code in RETRYABLE_STATUSES or error.status_code >= 500
    return False


def spend_limited(error: APIStatusError) -> bool:
    """A 429 that no wait can cure: a spend limit, or extra usage not enabled.

    The tier's spend cap answers with ``error.details.error_code =
    "enforced_spend_limit_reached"`` and no ``retry-after``; a workspace's limit names the
    spend limit; a long-context request without extra usage enabled says "Extra usage is
    required".
    """
    if error.status_code != 429:
        return False
    body = error.body if isinstance(error.body, dict) else {}
    inner = body.get("error")
    inner = inner if isinstance(inner, dict) else {}
    details = inner.get("details")
    code = str(details.get("error_code") or "") if isinstance(details, dict) else ""
    message = str(inner.get("message") or "").lower()
    return any(word in code for word in ("spend_limit", "extra_usage")) or any(
        words in message for words in ("spend limit", "extra usage")
    )


def server_wait(
    headers: Mapping[str, str] | None, now: Callable[[], float] = time.time
) -> float | None:
    """The wait the server asked for, in seconds, exactly as the SDK parses it; None if none.

    ``retry-after-ms`` when it parses as a number (whatever its sign: the SDK then ignores
    ``retry-after``), else ``retry-after`` as a number of seconds, else as an HTTP date
    (seconds from ``now``, negative when past). The value may be negative, infinite or NaN.
    """
    headers = headers or {}
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    moment = email.utils.parsedate_tz(value)
    if moment is None:
        return None
    return float(email.utils.mktime_tz(moment) - now())


def retry_after(
    headers: Mapping[str, str] | None, now: Callable[[], float] = time.time
) -> float | None:
    """The server's wait when it is honoured (``0 < wait <= MAX_RETRY_AFTER``), else None."""
    seconds = server_wait(headers, now)
    if seconds is not None and 0 < seconds <= MAX_RETRY_AFTER:
        return seconds
    return None


def _seconds_text(seconds: float) -> str:
    if math.isinf(seconds):
        return "forever"
    text = f"{seconds:,.0f} s" if seconds >= 10 else f"{seconds:.3g} s"
    if seconds >= 2 * 3600:
        text += f" (about {seconds / 3600:,.0f} h)"
    elif seconds >= 120:
        text += f" (about {seconds / 60:,.0f} min)"
    return text


def wait_note(
    headers: Mapping[str, str] | None, now: Callable[[], float] = time.time
) -> str | None:
    """One line on the server's wait hint for a final error, or None when it gave none.

    "the server asked to wait 3,600 s (about 60 min); not waited for automatically (over
    60 s): try again later" or, for a hint that was waited for, "the server asked to wait
    2.5 s".
    """
    seconds = server_wait(headers, now)
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return None
    note = f"the server asked to wait {_seconds_text(seconds)}"
    if seconds > MAX_RETRY_AFTER:
        note += f"; not waited for automatically (over {MAX_RETRY_AFTER:.0f} s): try again later"
    return note


def note_server_wait(
    error: APIError, headers: Mapping[str, str] | None, now: Callable[[], float] = time.time
) -> APIError:
    """Add ``wait_note`` to the error a call gives up with (once); returns the error.

    The note goes into ``message`` (and so ``str(error)``) and, for a status error, into
    ``api_message`` too (what the cell's error block shows).
    """
    note = wait_note(headers, now)
    if note is None or note in error.message:
        return error
    error.message = f"{error.message}; {note}"
    error.args = (error.message, *error.args[1:])
    if isinstance(error, APIStatusError):
        error.api_message = f"{error.api_message}; {note}"
    return error


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
