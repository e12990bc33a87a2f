from __future__ import annotations

import email.utils

import pytest

from claude_nb._exceptions import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    IncompleteStreamError,
    InternalServerError,
    MalformedStreamError,
    OverloadedError,
    RateLimitError,
    StreamEventError,
    status_error_class,
)
from claude_nb._wire.retry import backoff_delay, is_retryable, retry_after, retry_delay


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, False),
        (401, False),
        (404, False),
        (408, True),
        (409, True),
        (413, False),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (529, True),
    ],
)
def test_status_rules(status: int, expected: bool) -> None:
    error = status_error_class(status)("x", status_code=status)
    assert is_retryable(error) is expected


def test_should_retry_header_is_checked_first() -> None:
    overloaded = OverloadedError("x", status_code=529)
    bad = BadRequestError("x", status_code=400)
    assert is_retryable(overloaded, {"x-should-retry": "false"}) is False
    assert is_retryable(bad, {"x-should-retry": "true"}) is True


def test_transport_and_stream_failures() -> None:
    assert is_retryable(APIConnectionError("drop"))
    assert is_retryable(APITimeoutError("slow"))
    assert is_retryable(IncompleteStreamError("cut"))
    assert not is_retryable(IncompleteStreamError("cut"), started=True)
    assert not is_retryable(MalformedStreamError("bad"))
    assert is_retryable(StreamEventError("o", error_type="overloaded_error"))
    assert not is_retryable(StreamEventError("o", error_type="overloaded_error"), started=True)
    assert not is_retryable(StreamEventError("o", error_type="invalid_request_error"))
    assert not is_retryable(RateLimitError("x", status_code=429), started=True)


def test_retry_after_ms_then_seconds_then_date() -> None:
    assert retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after({"retry-after": "1.5"}) == 1.5
    now = 1_000_000.0
    date = email.utils.formatdate(now + 3, usegmt=True)
    assert retry_after({"retry-after": date}, now=lambda: now) == pytest.approx(3, abs=1)
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({"retry-after": "-1"}) is None
    assert retry_after({"retry-after": "100000"}) is None  # over 60 s: not honoured (SDK 0.x)
    assert retry_after(None) is None


def test_backoff_formula_and_jitter_only_shortens() -> None:
    assert backoff_delay(0, 0.0) == 0.5
    assert backoff_delay(0, 1.0) == 0.375
    assert backoff_delay(1, 0.0) == 1.0
    assert backoff_delay(10, 0.0) == 8.0
    assert retry_delay(2, {}, 0.5) == pytest.approx(2.0 * 0.875)
    assert retry_delay(2, {"retry-after-ms": "10"}, 0.5) == 0.01


@pytest.mark.parametrize("status", [500, 503, 504, 599])
def test_an_unlisted_5xx_is_retried_as_an_internal_server_error(status: int) -> None:
    # the mapping picks the class; the retry policy must still retry every 5xx by its status
    error = status_error_class(status)("x", status_code=status)
    assert type(error) is InternalServerError and error.status_code == status
    assert is_retryable(error) is True
    assert is_retryable(error, started=True) is False
