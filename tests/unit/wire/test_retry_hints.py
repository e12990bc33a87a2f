"""Server wait hints as the SDK reads them: honoured up to 60 s, a longer one is not waited.

The SDK (``anthropic`` ``_base_client.py``, ``_parse_retry_after_header`` and
``_calculate_retry_timeout``) reads ``retry-after-ms``, else ``retry-after`` as seconds, else
as an HTTP date, and honours the value only when ``0 < value <= 60``; otherwise it backs off
briefly as if there were no hint. The final error says how long the server asked to wait.
"""

from __future__ import annotations

import email.utils
import math

import httpx
import pytest

from claude_nb import _exceptions as errors
from claude_nb._config import resolve_settings
from claude_nb._wire.client import MessagesClient
from claude_nb._wire.retry import (
    MAX_RETRY_AFTER,
    backoff_delay,
    note_server_wait,
    retry_after,
    retry_delay,
    server_wait,
    wait_note,
)
from claude_nb._wire.transport import make_client

NOW = 1_000_000.0


def clock() -> float:
    return NOW


def date_in(seconds: float) -> str:
    return email.utils.formatdate(NOW + seconds, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "asked", "honoured"),
    [
        ({"retry-after": "3600"}, 3600.0, None),
        ({"retry-after": "60"}, 60.0, 60.0),
        ({"retry-after": "60.5"}, 60.5, None),
        ({"retry-after": "0"}, 0.0, None),
        ({"retry-after": "-5"}, -5.0, None),
        ({"retry-after": "nan"}, None, None),
        ({"retry-after": "inf"}, math.inf, None),
        ({"retry-after-ms": "3600000"}, 3600.0, None),
        ({"retry-after-ms": "1500"}, 1.5, 1.5),
        ({"retry-after-ms": "-1", "retry-after": "5"}, -0.001, None),  # the SDK stops at ms
        ({"retry-after-ms": "soon", "retry-after": "5"}, 5.0, 5.0),
        ({"retry-after": date_in(7200)}, 7200.0, None),
        ({"retry-after": date_in(30)}, 30.0, 30.0),
        ({"retry-after": "tomorrow-ish"}, None, None),
        ({}, None, None),
    ],
)
def test_hints_are_read_and_honoured_as_the_sdk_does(
    headers: dict[str, str], asked: float | None, honoured: float | None
) -> None:
    got = server_wait(headers, now=clock)
    if asked is None:
        assert got is None or math.isnan(got)
    else:
        assert got == pytest.approx(asked, abs=1)
    assert retry_after(headers, now=clock) == (
        None if honoured is None else pytest.approx(honoured, abs=1)
    )
    expected = honoured if honoured is not None else backoff_delay(1, 0.5)
    assert retry_delay(1, headers, 0.5, now=clock) == pytest.approx(expected, abs=1)


def test_a_long_hint_is_not_waited_for() -> None:
    assert MAX_RETRY_AFTER == 60.0
    assert retry_delay(0, {"retry-after": "3600"}, 0.0) == 0.5


def test_the_note_says_how_long_the_server_asked_to_wait() -> None:
    long_note = wait_note({"retry-after": "3600"})
    assert long_note is not None
    assert "asked to wait 3,600 s" in long_note and "not waited for automatically" in long_note
    short_note = wait_note({"retry-after-ms": "2500"})
    assert short_note is not None and "asked to wait 2.5 s" in short_note
    assert "not waited" not in short_note
    assert wait_note({}) is None and wait_note({"retry-after": "0"}) is None
    assert wait_note({"retry-after": "nan"}) is None


def test_note_server_wait_adds_it_to_the_error_once() -> None:
    error = errors.RateLimitError(
        "slow down", status_code=429, error_type="rate_limit_error", request_id="req_1"
    )
    for _ in range(2):
        note_server_wait(error, {"retry-after": "3600"})
    assert str(error).count("asked to wait 3,600 s") == 1
    assert "asked to wait 3,600 s" in error.message and "asked to wait" in error.api_message
    plain = errors.RateLimitError("slow down", status_code=429, error_type="rate_limit_error")
    note_server_wait(plain, None)
    assert str(plain) == "429 rate_limit_error: slow down"


def _rate_limited(hint: dict[str, str]) -> tuple[MessagesClient, list[float], list[int]]:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        body = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}
        return httpx.Response(429, headers=hint, json=body)

    settings = resolve_settings(
        {"api_key": "sk-ant-test", "base_url": "https://api.test", "max_retries": 2}, environ={}
    )
    sleeps: list[float] = []
    client = MessagesClient(
        settings,
        make_client(settings, httpx.MockTransport(handler)),
        sleep=sleeps.append,
        random_value=lambda: 0.0,
    )
    return client, sleeps, calls


def test_the_client_backs_off_briefly_on_a_long_hint() -> None:
    client, sleeps, calls = _rate_limited({"retry-after": "3600"})
    with pytest.raises(errors.RateLimitError):
        client.create({"model": "m", "max_tokens": 5, "messages": []})
    assert sleeps == [0.5, 1.0] and len(calls) == 3  # not 60 s each: the SDK's back-off


def test_the_final_error_says_how_long_the_server_asked_to_wait() -> None:
    client, _, _ = _rate_limited({"retry-after": "3600"})
    with pytest.raises(errors.RateLimitError) as caught:
        client.create({"model": "m", "max_tokens": 5, "messages": []})
    assert "the server asked to wait 3,600 s" in str(caught.value)
    assert "not waited for automatically" in str(caught.value)
