"""The retry policy at its exact edges: every constant and comparison in _wire/retry.py.

Written against the mutation run (docs/TESTING.md): each case here failed some mutant of
retry.py that the other tests let through (``>=`` for ``>``, 2 h for 3 h, 10 s for 11 s...).
"""

from __future__ import annotations

import pytest

from claude_nb._exceptions import APIStatusError, status_error_class
from claude_nb._wire.retry import (
    INITIAL_DELAY,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    backoff_delay,
    is_retryable,
    retry_after,
    retry_delay,
    wait_note,
)


@pytest.mark.parametrize(
    ("hint", "text"),
    [
        ("inf", "forever"),
        ("9.5", "9.5 s"),
        ("10", "10 s"),
        ("10.6", "11 s"),
        ("59.5", "60 s"),
        ("60", "60 s"),
        ("60.4", "60 s"),
        ("119", "119 s"),
        ("120", "120 s (about 2 min)"),
        ("7199", "7,199 s (about 120 min)"),
        ("7200", "7,200 s (about 2 h)"),
        ("9001", "9,001 s (about 3 h)"),
        ("149", "149 s (about 2 min)"),
        ("90000", "90,000 s (about 25 h)"),
    ],
)
def test_the_wait_note_reads_exactly(hint: str, text: str) -> None:
    note = wait_note({"retry-after": hint})
    assert note is not None and note.startswith(f"the server asked to wait {text}")
    honoured = float(hint) <= MAX_RETRY_AFTER
    assert note == f"the server asked to wait {text}" or not honoured
    assert ("not waited for automatically (over 60 s): try again later" in note) is not honoured


@pytest.mark.parametrize(
    ("headers", "honoured"),
    [
        ({"retry-after": "0"}, None),  # zero is no wait: back off instead
        ({"retry-after": "0.001"}, 0.001),
        ({"retry-after": "60"}, 60.0),  # exactly the cap: honoured
        ({"retry-after-ms": "60000"}, 60.0),
        ({"retry-after-ms": "60001"}, None),  # over the cap by a millisecond
        ({"retry-after-ms": "0"}, None),
        ({"retry-after-ms": "1"}, 0.001),
    ],
)
def test_hints_at_the_edges(headers: dict[str, str], honoured: float | None) -> None:
    assert retry_after(headers) == honoured
    expected = honoured if honoured is not None else backoff_delay(2, 0.25)
    assert retry_delay(2, headers, 0.25) == expected


def test_backoff_doubles_from_half_a_second_up_to_eight() -> None:
    assert (INITIAL_DELAY, MAX_DELAY, MAX_RETRY_AFTER) == (0.5, 8.0, 60.0)
    assert [backoff_delay(n, 0.0) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff_delay(3, 1.0) == 3.0  # jitter takes off at most a quarter
    assert backoff_delay(3, 0.5) == 3.5


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        (407, False),
        (408, True),
        (409, True),
        (410, False),
        (428, False),
        (429, True),
        (430, False),
        (499, False),
        (500, True),
        (501, True),
        (599, True),
    ],
)
def test_statuses_at_the_edges(status: int, retried: bool) -> None:
    error = status_error_class(status)("x", status_code=status)
    assert isinstance(error, APIStatusError)
    assert is_retryable(error) is retried
    assert is_retryable(error, {"x-should-retry": "maybe"}) is retried  # only true/false count
    assert is_retryable(error, {"x-should-retry": "true"}) is True
    assert is_retryable(error, {"x-should-retry": "false"}) is False


def test_nan_and_negative_hints_give_no_note() -> None:
    assert wait_note({"retry-after": "nan"}) is None
    assert wait_note({"retry-after": "-0.5"}) is None
    assert wait_note({"retry-after": "0.5"}) == "the server asked to wait 0.5 s"


def test_date_hints_are_read_on_the_clock_given() -> None:
    import email.utils

    from claude_nb._exceptions import RateLimitError
    from claude_nb._wire.retry import note_server_wait

    now = 2_000_000_000.0
    headers = {"retry-after": email.utils.formatdate(now + 7200, usegmt=True)}
    assert wait_note(headers, now=lambda: now) == (
        "the server asked to wait 7,200 s (about 2 h); not waited for automatically "
        "(over 60 s): try again later"
    )
    error = RateLimitError("slow", status_code=429, error_type="rate_limit_error")
    note_server_wait(error, headers, now=lambda: now)
    assert error.args == (error.message,) and "7,200 s (about 2 h)" in error.message


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        ({"type": "rate_limit_error", "message": "slow down"}, True),
        (
            {
                "type": "rate_limit_error",
                "message": "limit",
                "details": {"error_code": "enforced_spend_limit_reached"},
            },
            False,
        ),
        ({"type": "rate_limit_error", "message": "Workspace spend limit reached"}, False),
        ({"type": "rate_limit_error", "message": "x", "details": None}, True),
        (
            {
                "type": "rate_limit_error",
                "message": "Extra usage is required for long context requests.",
            },
            False,
        ),
    ],
)
def test_a_spend_limit_429_is_not_retried(error: dict[str, object], retried: bool) -> None:
    body = {"type": "error", "error": error}
    failed = status_error_class(429)("x", status_code=429, body=body)
    assert isinstance(failed, APIStatusError)
    assert is_retryable(failed) is retried
