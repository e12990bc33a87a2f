"""``RateLimits``: what the ``anthropic-ratelimit-*`` headers of a response allow (pure).

``remaining`` of the request and token allowances, and the seconds until each window is full
again (``reset`` is RFC 3339); ``concurrency`` turns them into calls that may be in flight at
a given latency (a burst of part of what is left, or the refill rate by Little's law),
which ``Session.map`` paces itself by.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = ["BURST_SHARE", "RateLimits"]

BURST_SHARE = 0.5
"""The share of what is left of an allowance one map may send at once."""


def _parse_time(text: str | None, now: float) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() - now
    except ValueError:
        return None


@dataclass(frozen=True)
class RateLimits:
    """What the ``anthropic-ratelimit-*`` headers of one response allow.

    Attributes:
        requests_remaining: Requests left in the window, or None when not sent.
        requests_reset: Seconds until the request window is full again, or None.
        tokens_remaining: The most restrictive input/total token allowance left, or None.
        tokens_reset: Seconds until that token window is full again, or None.
    """

    requests_remaining: int | None = None
    requests_reset: float | None = None
    tokens_remaining: int | None = None
    tokens_reset: float | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float | None = None) -> RateLimits:
        """Read the headers (lower-case names); absent or unreadable values are None."""
        now = time.time() if now is None else now

        def number(name: str) -> int | None:
            try:
                return int(float(headers[f"anthropic-ratelimit-{name}-remaining"]))
            except (KeyError, ValueError):
                return None

        tokens = [
            (value, name)
            for name in ("input-tokens", "tokens")
            if (value := number(name)) is not None
        ]
        token_value, token_name = min(tokens) if tokens else (None, "tokens")
        return cls(
            requests_remaining=number("requests"),
            requests_reset=_parse_time(headers.get("anthropic-ratelimit-requests-reset"), now),
            tokens_remaining=token_value,
            tokens_reset=_parse_time(headers.get(f"anthropic-ratelimit-{token_name}-reset"), now),
        )

    def concurrency(self, latency: float, input_tokens: int) -> int | None:
        """Calls that may be in flight at ``latency`` seconds each, or None (no headers).

        Each allowance is a bucket that refills over its window: what is left may go at
        once (``BURST_SHARE`` of it, leaving the rest to other users of the key), and the
        refill keeps ``remaining / window`` calls a second going (Little's law: that rate
        times the latency in flight). The most restrictive allowance decides. A window
        without a reset time is taken as one minute.
        """
        allowed: list[float] = []
        for remaining, reset, per_call in (
            (self.requests_remaining, self.requests_reset, 1),
            (self.tokens_remaining, self.tokens_reset, max(1, input_tokens)),
        ):
            if remaining is not None:
                calls = remaining / per_call
                window = max(1.0, reset if reset is not None else 60.0)
                allowed.append(max(calls * BURST_SHARE, calls / window * max(latency, 0.05)))
        if not allowed:
            return None
        return max(1, int(min(allowed)))
