"""Prompt-cache accounting as the API does it, with an injected clock.

The rules: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching.

The prompt is a list of ``Segment``s in prefix order (tools -> system -> messages). A
breakpoint is a segment carrying ``cache_control`` (or, with top-level automatic caching, the
last cacheable segment). Entries are keyed by a cumulative hash of the canonical prefix (per
API key and model) and are written only at breakpoints whose prefix reaches the model's
minimum. A lookup walks back at most 20 segments from each breakpoint; a hit refreshes the
entry's TTL. Billing with mixed TTLs: reads up to the highest hit A, 1h writes from A to the
last 1h breakpoint B, 5m writes from B to the last breakpoint C; ``input_tokens`` is what
follows C (or A when nothing is written).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from claude_nb._api.estimate import BASE_OVERHEAD, Segment, head_segments, message_segments
from claude_nb.emulator._wire import invalid

__all__ = ["MAX_BREAKPOINTS", "Breakpoint", "CacheUsage", "PromptCache", "plan_breakpoints"]

MAX_BREAKPOINTS = 4
LOOKBACK = 20
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}


@dataclass(frozen=True)
class Breakpoint:
    """A cache breakpoint: the index of its segment and its TTL (``"5m"`` or ``"1h"``)."""

    position: int
    ttl: str


@dataclass(frozen=True)
class CacheUsage:
    """The usage numbers of one request after cache accounting."""

    input_tokens: int
    cache_read_input_tokens: int
    ephemeral_5m_input_tokens: int
    ephemeral_1h_input_tokens: int

    @property
    def cache_creation_input_tokens(self) -> int:
        """Tokens written to the cache (both TTLs)."""
        return self.ephemeral_5m_input_tokens + self.ephemeral_1h_input_tokens

    def as_usage(self) -> dict[str, Any]:
        """The input-side fields of the API's ``usage`` object."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.ephemeral_5m_input_tokens,
                "ephemeral_1h_input_tokens": self.ephemeral_1h_input_tokens,
            },
        }


def _ttl(control: Any, where: str) -> str:
    if not isinstance(control, dict) or control.get("type") != "ephemeral":
        raise invalid(f"{where}.type: Input should be 'ephemeral'")
    ttl = control.get("ttl", "5m")
    if ttl not in TTL_SECONDS:
        raise invalid(f"{where}.ttl: Input should be '5m' or '1h'")
    return str(ttl)


def plan_breakpoints(segments: list[Segment], top_level: Any) -> list[Breakpoint]:
    """The request's breakpoints in prefix order, checked as the API checks them.

    Args:
        segments: The prompt in prefix order.
        top_level: The body's top-level ``cache_control`` (automatic caching) or None.

    Returns:
        The breakpoints, sorted by position.

    Raises:
        ApiError: More than 4 breakpoints, a bad ``cache_control``, a top-level TTL that
            differs from the last block's, or a 1h breakpoint after a 5m one.
    """
    points = {
        index: Breakpoint(index, _ttl(segment.cache_control, "cache_control"))
        for index, segment in enumerate(segments)
        if segment.cache_control is not None
    }
    count = len(points)
    if top_level is not None:
        ttl = _ttl(top_level, "cache_control")
        count += 1
        cacheable = [index for index, segment in enumerate(segments) if segment.cacheable]
        if cacheable:
            last = cacheable[-1]
            if last in points and points[last].ttl != ttl:
                raise invalid(
                    "cache_control: the top-level cache_control ttl differs from the ttl of "
                    "the cache_control on the last block"
                )
            if last in points:
                count -= 1
            points[last] = Breakpoint(last, ttl)
    if count > MAX_BREAKPOINTS:
        raise invalid(
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {count}."
        )
    ordered = [points[index] for index in sorted(points)]
    seen_5m = False
    for point in ordered:
        if point.ttl == "1h" and seen_5m:
            raise invalid(
                "A ttl='1h' cache_control block must not come after a ttl='5m' cache_control "
                "block. Longer TTLs must be placed before shorter ones."
            )
        seen_5m = seen_5m or point.ttl == "5m"
    return ordered


def prefix_keys(segments: list[Segment], namespace: str, message_context: str) -> list[str]:
    """Cumulative prefix hashes: ``keys[i]`` identifies segments ``0..i`` in ``namespace``.

    ``message_context`` (tool_choice, thinking) is mixed in before the first message segment,
    so changing it invalidates the message cache but not tools or system.
    """
    running = hashlib.sha256(namespace.encode("utf-8"))
    keys: list[str] = []
    mixed = False
    for segment in segments:
        if segment.section == "messages" and not mixed:
            running.update(b"\x00ctx" + message_context.encode("utf-8"))
            mixed = True
        running.update(b"\x00" + segment.section.encode() + b"\x00")
        running.update(segment.canonical.encode("utf-8"))
        keys.append(running.copy().hexdigest())
    return keys


def _message_key(message: Any) -> str | None:
    """A message's exact JSON text (its identity across requests), or None if it has none."""
    try:
        return json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


class PromptCache:
    """Cache entries of one emulator: prefix key -> (expires at, TTL seconds).

    It also keeps each message's estimate (``segments``) by the message's exact JSON text:
    every request of a conversation arrives as fresh parsed JSON, but its history's messages
    are the same text as in the request before, so only the new turns are estimated.
    Entries used by neither of the latest two requests are dropped.

    Attributes:
        estimated: Messages estimated so far (the ones not found by their text).
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, float]] = {}
        self._segments: dict[tuple[str, bool], list[Segment]] = {}
        self._previous: dict[tuple[str, bool], list[Segment]] = {}
        self.estimated = 0

    def segments(self, body: dict[str, Any], *, high_res: bool) -> list[Segment]:
        """``estimate.segments(body)``, estimating only messages no recent request had."""
        result = head_segments(body, high_res=high_res)
        messages = body.get("messages")
        kept: dict[tuple[str, bool], list[Segment]] = {}
        for message in messages if isinstance(messages, list) else []:
            if not isinstance(message, dict):
                continue
            text = _message_key(message)
            key = (text, high_res) if text is not None else None
            parts = None if key is None else kept.get(key) or self._segments.get(key)
            parts = parts or (None if key is None else self._previous.get(key))
            if parts is None:
                parts = message_segments(message, high_res=high_res)
                self.estimated += 1
            if key is not None:
                kept[key] = parts
            result += parts
        self._previous, self._segments = self._segments, kept
        return result

    def account(
        self,
        segments: list[Segment],
        breakpoints: list[Breakpoint],
        *,
        namespace: str,
        message_context: str,
        min_tokens: int,
        now: float,
    ) -> CacheUsage:
        """Look up and write this request's prefixes; return its input-side usage.

        Args:
            segments: The prompt in prefix order.
            breakpoints: From ``plan_breakpoints``.
            namespace: Isolates caches (hash of the API key plus the model id).
            message_context: Settings that invalidate the message cache when changed.
            min_tokens: The model's minimum cacheable prefix.
            now: The injected clock's time (the request's start).
        """
        cumulative: list[int] = []
        total = BASE_OVERHEAD
        for segment in segments:
            total += segment.tokens
            cumulative.append(total)
        if not breakpoints:
            return CacheUsage(total, 0, 0, 0)
        keys = prefix_keys(segments, namespace, message_context)
        hit = -1
        for point in breakpoints:
            for position in range(point.position, max(-1, point.position - LOOKBACK), -1):
                entry = self._entries.get(keys[position])
                if entry is not None and entry[0] > now:
                    hit = max(hit, position)
                    self._entries[keys[position]] = (now + entry[1], entry[1])
                    break
        read = cumulative[hit] if hit >= 0 else 0
        eligible = [
            point
            for point in breakpoints
            if point.position > hit and cumulative[point.position] >= min_tokens
        ]
        if not eligible:
            return CacheUsage(total - read, read, 0, 0)
        last = eligible[-1].position
        long_points = [point.position for point in eligible if point.ttl == "1h"]
        long_end = cumulative[long_points[-1]] if long_points else read
        for point in eligible:
            seconds = TTL_SECONDS[point.ttl]
            self._entries[keys[point.position]] = (now + seconds, seconds)
        return CacheUsage(
            input_tokens=total - cumulative[last],
            cache_read_input_tokens=read,
            ephemeral_5m_input_tokens=cumulative[last] - long_end,
            ephemeral_1h_input_tokens=long_end - read,
        )
