"""Automatic prompt-cache planning (pure, no I/O).

``plan_cache(body, model=..., ttl=...)`` returns a *new* request body with ``cache_control``
breakpoints placed where they pay
(https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching), and never touches the body
it was given:

1. a **rolling** breakpoint on the last cacheable block of the conversation, so every turn
   writes its whole prefix and the next turn reads it back;
2. one on the **system** prompt (its last cacheable block), and
3. one on the **last tool**,

each only when the prefix up to it (``tools -> system -> messages``, counted with the
documented estimate ``claude_nb._api.estimate``, as the emulator bills) reaches the model's
``cache_min_tokens``. Breakpoints the caller already placed are kept and counted: at most 4
in all (a top-level ``cache_control`` takes one slot and already rolls, so no rolling
breakpoint is added then). When slots run short the rolling one wins, then system, then
tools. Blocks that cannot carry a marker (thinking, redacted thinking, empty text) are
skipped. TTLs stay valid: a 1h breakpoint never follows a 5m one, so a requested TTL is
lowered to 5m after an existing 5m breakpoint (or raised to 1h before an existing 1h one).

Integration: apply it to the body about to be sent (``Session.build_request`` does, unless
``cache=False``), never to the stored history, so breakpoints do not pile up across turns:
the new turn goes into the history through ``claude_nb._api.history.without_cache_control``::

    body = plan_cache(body, ttl="5m").body
    history.append(without_cache_control(body["messages"][-1]))

What caching saved on a call is priced by ``claude_nb._accounting.pricing.cache_savings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_nb._api.estimate import BASE_OVERHEAD, segments
from claude_nb._api.models import DEFAULT_CACHE_MIN_TOKENS, model_info
from claude_nb._api.segment_memo import SegmentMemo
from claude_nb._types import CacheTTLTypes

__all__ = ["MAX_BREAKPOINTS", "CachePlan", "count_breakpoints", "plan_cache"]

MAX_BREAKPOINTS = 4
_TTL_RANK = {"5m": 1, "1h": 2}
_RANK_TTL = {1: "5m", 2: "1h"}

Location = tuple[Any, ...]
"""Where a block lives: ``("tools", i)``, ``("system", i)`` or ``("messages", i, j)``."""


@dataclass(frozen=True)
class CachePlan:
    """The result of planning.

    Attributes:
        body: The request body to send (a new dict; the input is unchanged).
        added: Where breakpoints were added, as ``"tools[2]"``, ``"system[0]"``,
            ``"messages[5].content[0]"``.
        existing: How many breakpoints the caller had placed (a top-level one counts).
        prefix_tokens: The estimated prompt length.
    """

    body: dict[str, Any]
    added: tuple[str, ...]
    existing: int
    prefix_tokens: int


@dataclass(frozen=True)
class _Slot:
    location: Location
    cumulative: int
    cacheable: bool
    ttl: str | None  # the TTL of a breakpoint already there


def _locations(body: Mapping[str, Any]) -> list[Location]:
    """Block locations in the same order as ``_api.estimate.segments`` lists them."""
    result: list[Location] = []
    tools = body.get("tools")
    result += [("tools", index) for index in range(len(tools) if isinstance(tools, list) else 0)]
    system = body.get("system")
    if isinstance(system, str):
        result.append(("system", 0))
    elif isinstance(system, list):
        result += [("system", index) for index in range(len(system))]
    messages = body.get("messages")
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            result.append(("messages", index, 0))
        elif isinstance(content, list) and content:
            result += [("messages", index, block) for block in range(len(content))]
        else:
            result.append(("messages", index, None))
    return result


def _slots(
    body: Mapping[str, Any], high_res: bool, memo: SegmentMemo | None
) -> list[_Slot] | None:
    given = dict(body)
    parts = (segments(given, high_res=high_res) if memo is None
             else memo.segments(given, high_res=high_res))
    locations = _locations(body)
    if len(parts) != len(locations):
        return None  # a shape the estimate reads differently: do not guess
    slots: list[_Slot] = []
    total = BASE_OVERHEAD
    for part, location in zip(parts, locations, strict=True):
        total += part.tokens
        ttl = None
        if part.cache_control is not None:
            ttl = str(part.cache_control.get("ttl", "5m"))
        cacheable = part.cacheable and _can_mark(body, location)
        slots.append(_Slot(location, total, cacheable, ttl))
    return slots


def count_breakpoints(body: Mapping[str, Any]) -> int:
    """Breakpoints a body already has (blocks with ``cache_control`` plus a top-level one)."""
    count = 1 if body.get("cache_control") is not None else 0
    for location in _locations(body):
        if location[-1] is None:
            continue
        block = _block(body, location)
        if isinstance(block, dict) and block.get("cache_control") is not None:
            count += 1
    return count


def _container(body: Mapping[str, Any], location: Location) -> Any:
    """The string or list that holds the block at ``location``."""
    section: Any = body.get(location[0])
    if location[0] == "messages":
        return section[location[1]].get("content")
    return section


def _block(body: Mapping[str, Any], location: Location) -> Any:
    container = _container(body, location)
    return container if isinstance(container, str) else container[location[-1]]


def _can_mark(body: Mapping[str, Any], location: Location) -> bool:
    """Whether a marker can be put there: a dict block, or a non-empty whole string."""
    if location[-1] is None:
        return False
    container = _container(body, location)
    if isinstance(container, str):
        return bool(container)
    return isinstance(container[location[-1]], dict)


def _label(location: Location) -> str:
    if location[0] == "messages":
        return f"messages[{location[1]}].content[{location[2]}]"
    return f"{location[0]}[{location[1]}]"


def _allowed_ttl(position: int, slots: list[_Slot], wanted: str, top_ttl: str | None) -> str | None:
    """A TTL for a new breakpoint that keeps 1h entries before 5m ones, or None if none fits."""
    before = [_TTL_RANK.get(slot.ttl, 1) for slot in slots[:position] if slot.ttl]
    after = [_TTL_RANK.get(slot.ttl, 1) for slot in slots[position + 1 :] if slot.ttl]
    if top_ttl is not None:
        after.append(_TTL_RANK.get(top_ttl, 1))
    low, high = max(after, default=1), min(before, default=2)
    if low > high:
        return None
    return _RANK_TTL[min(max(_TTL_RANK[wanted], low), high)]


def _last_cacheable(slots: list[_Slot], section: str) -> int | None:
    for position in range(len(slots) - 1, -1, -1):
        slot = slots[position]
        if slot.location[0] == section and slot.cacheable:
            return position
    return None


def _with_marker(body: dict[str, Any], location: Location, ttl: str) -> None:
    """Put a marker at ``location`` in ``body``, copying every container on the way."""
    control: dict[str, Any] = {"type": "ephemeral"}
    if ttl != "5m":
        control["ttl"] = ttl
    section = location[0]
    if section == "system" and isinstance(body["system"], str):
        body["system"] = [{"type": "text", "text": body["system"], "cache_control": control}]
        return
    if section in ("tools", "system"):
        items = list(body[section])
        items[location[1]] = {**items[location[1]], "cache_control": control}
        body[section] = items
        return
    messages = list(body["messages"])
    message = dict(messages[location[1]])
    content = message["content"]
    if isinstance(content, str):
        message["content"] = [{"type": "text", "text": content, "cache_control": control}]
    else:
        blocks = list(content)
        blocks[location[2]] = {**blocks[location[2]], "cache_control": control}
        message["content"] = blocks
    messages[location[1]] = message
    body["messages"] = messages


def plan_cache(
    body: Mapping[str, Any],
    *,
    model: str | None = None,
    ttl: CacheTTLTypes = "5m",
    min_tokens: int | None = None,
    memo: SegmentMemo | None = None,
) -> CachePlan:
    """Place cache breakpoints on a copy of ``body``.

    Args:
        body: The request body (``tools``, ``system``, ``messages``...); not modified.
        model: The model (default: ``body["model"]``); gives the minimum and vision tier.
        ttl: ``"5m"`` or ``"1h"`` for the new breakpoints.
        min_tokens: Override the model's ``cache_min_tokens``.
        memo: The conversation's ``SegmentMemo`` (``Session`` passes its own), so only
            messages not seen by an earlier request are estimated.

    Returns:
        A ``CachePlan`` whose ``body`` is ready to send.

    Raises:
        ValueError: ``ttl`` is not ``"5m"`` or ``"1h"``.
    """
    if ttl not in _TTL_RANK:
        raise ValueError(f"ttl must be '5m' or '1h', not {ttl!r}")
    info = model_info(str(model or body.get("model") or "")) or {}
    minimum = min_tokens if min_tokens is not None else info.get("cache_min_tokens")
    minimum = int(minimum or DEFAULT_CACHE_MIN_TOKENS)
    result = dict(body)
    slots = _slots(body, bool(info.get("high_res_vision")), memo)
    existing = count_breakpoints(body)
    if slots is None:
        return CachePlan(result, (), existing, 0)
    top = body.get("cache_control")
    top_ttl = str(top.get("ttl", "5m")) if isinstance(top, dict) else None
    candidates = [_last_cacheable(slots, "tools"), _last_cacheable(slots, "system")]
    if top is None:
        candidates.append(_last_cacheable(slots, "messages"))
    free = MAX_BREAKPOINTS - existing
    added: list[tuple[int, str]] = []
    for position in reversed(candidates):  # rolling first, then system, then tools
        if free <= 0 or position is None:
            continue
        slot = slots[position]
        if slot.ttl is not None or slot.cumulative < minimum:
            continue
        chosen = _allowed_ttl(position, slots, ttl, top_ttl)
        if chosen is None:
            continue
        slots[position] = _Slot(slot.location, slot.cumulative, slot.cacheable, chosen)
        added.append((position, chosen))
        free -= 1
    for position, chosen in added:
        _with_marker(result, slots[position].location, chosen)
    labels = tuple(_label(slots[position].location) for position, _ in sorted(added))
    return CachePlan(result, labels, existing, slots[-1].cumulative if slots else BASE_OVERHEAD)
