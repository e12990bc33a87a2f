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

A long conversation costs its new turns only: the estimate comes from the conversation's
``SegmentMemo`` (``memo=``) as running totals per message, and the planner looks at the
tools, the system prompt and the conversation's tail (where the rolling breakpoint goes),
never block by block through the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from claude_nb._api.estimate import BASE_OVERHEAD
from claude_nb._api.models import DEFAULT_CACHE_MIN_TOKENS, model_info
from claude_nb._api.segment_memo import TTL_RANK, PromptIndex, SegmentMemo, rank
from claude_nb._types import CacheTTLTypes

__all__ = ["MAX_BREAKPOINTS", "CachePlan", "count_breakpoints", "plan_cache"]

MAX_BREAKPOINTS = 4
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


class _Slot(NamedTuple):
    location: Location
    cumulative: int
    markable: bool
    ttl: str | None  # the TTL of a breakpoint already there (or just added)


def _head_slots(body: Mapping[str, Any], prompt: PromptIndex) -> list[_Slot]:
    """The tools' and system blocks' slots (the messages are read through their turns)."""
    containers: list[tuple[str, Any]] = []
    tools = body.get("tools")
    if isinstance(tools, list):
        containers += [("tools", tools)]
    system = body.get("system")
    if isinstance(system, (str, list)):
        containers += [("system", system)]
    slots: list[_Slot] = []
    total = BASE_OVERHEAD
    parts = iter(prompt.head)
    for section, items in containers:
        for index in range(len(items) if isinstance(items, list) else 1):
            part = next(parts)
            total += part.tokens
            ttl = None if part.cache_control is None else str(part.cache_control.get("ttl", "5m"))
            markable = isinstance(items[index], dict) if isinstance(items, list) else bool(items)
            slots.append(_Slot((section, index), total, part.cacheable and markable, ttl))
    return slots


def count_breakpoints(body: Mapping[str, Any]) -> int:
    """Breakpoints a body already has (blocks with ``cache_control`` plus a top-level one)."""
    count = 1 if body.get("cache_control") is not None else 0
    for name in ("tools", "system", "messages"):
        items = body.get(name)
        for item in items if isinstance(items, list) else []:
            if name == "messages":
                content = item.get("content") if isinstance(item, dict) else None
                blocks = content if isinstance(content, list) else []
            else:
                blocks = [item]
            count += sum(
                isinstance(block, dict) and block.get("cache_control") is not None
                for block in blocks
            )
    return count


def _label(location: Location) -> str:
    if location[0] == "messages":
        return f"messages[{location[1]}].content[{location[2]}]"
    return f"{location[0]}[{location[1]}]"


def _choose(wanted: str, high: int, low: int) -> str | None:
    """A TTL for a new breakpoint between ranks ``low`` (after it) and ``high`` (before)."""
    if low > high:
        return None
    return _RANK_TTL[min(max(TTL_RANK[wanted], low), high)]


def _rolling(prompt: PromptIndex) -> tuple[_Slot, int, int] | None:
    """The last markable message block, scanned back from the end.

    Returns its slot, the lowest TTL rank of the message breakpoints before it and the
    highest after it (None when no message block can carry a breakpoint).
    """
    after = 1
    turns = prompt.turns
    for number in range(len(turns) - 1, -1, -1):
        blocks = turns[number].blocks
        for index in range(len(blocks) - 1, -1, -1):
            block = blocks[index]
            if not block.markable:
                after = max(after, rank(block.ttl))
                continue
            prior = turns[number - 1] if number else None
            cumulative = prompt.head_tokens + (prior.end if prior else 0)
            cumulative += sum(part.tokens for part in blocks[: index + 1])
            before = [rank(part.ttl) for part in blocks[:index] if part.ttl is not None]
            before.append(prior.low if prior else 2)
            after = max([after, *(rank(part.ttl) for part in blocks[index + 1 :])])
            location = ("messages", prompt.message_index(number), index)
            return _Slot(location, cumulative, True, block.ttl), min(before), after
    return None


def _last_markable(slots: list[_Slot], section: str) -> int | None:
    for position in range(len(slots) - 1, -1, -1):
        slot = slots[position]
        if slot.location[0] == section and slot.markable:
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
    if ttl not in TTL_RANK:
        raise ValueError(f"ttl must be '5m' or '1h', not {ttl!r}")
    info = model_info(str(model or body.get("model") or "")) or {}
    minimum = min_tokens if min_tokens is not None else info.get("cache_min_tokens")
    minimum = int(minimum or DEFAULT_CACHE_MIN_TOKENS)
    result = dict(body)
    prompt = (SegmentMemo() if memo is None else memo).prompt(
        result, high_res=bool(info.get("high_res_vision"))
    )
    slots = _head_slots(body, prompt)
    top = body.get("cache_control")
    top_rank = rank(str(top.get("ttl", "5m"))) if isinstance(top, dict) else 1
    turns = prompt.turns
    head_only = {name: body[name] for name in ("tools", "system") if name in body}
    existing = count_breakpoints(head_only) + (top is not None)
    existing += turns[-1].marks if turns else 0
    free = MAX_BREAKPOINTS - existing
    added: list[_Slot] = []
    messages_high = max(turns[-1].high if turns else 1, top_rank)
    rolling = _rolling(prompt) if top is None else None
    if rolling is not None and free > 0:
        slot, before, after = rolling
        if slot.ttl is None and slot.cumulative >= minimum:
            head_low = min([rank(s.ttl) for s in slots if s.ttl is not None], default=2)
            chosen = _choose(ttl, min(before, head_low), max(after, top_rank))
            if chosen is not None:
                added.append(slot._replace(ttl=chosen))
                messages_high = max(messages_high, rank(chosen))
                free -= 1
    for section in ("system", "tools"):
        position = _last_markable(slots, section)
        if free <= 0 or position is None:
            continue
        slot = slots[position]
        if slot.ttl is not None or slot.cumulative < minimum:
            continue
        high = min([rank(s.ttl) for s in slots[:position] if s.ttl is not None], default=2)
        low = max([rank(s.ttl) for s in slots[position + 1 :] if s.ttl is not None], default=1)
        chosen = _choose(ttl, high, max(low, messages_high))
        if chosen is None:
            continue
        slots[position] = slot._replace(ttl=chosen)
        added.append(slots[position])
        free -= 1
    for slot in added:
        _with_marker(result, slot.location, str(slot.ttl))
    order = {"tools": 0, "system": 1, "messages": 2}
    labels = tuple(
        _label(slot.location)
        for slot in sorted(added, key=lambda s: (order[s.location[0]], *s.location[1:]))
    )
    return CachePlan(result, labels, existing, prompt.tokens)
