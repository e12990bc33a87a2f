"""Responders decide what the emulated model says; the core only shapes and limits it.

A responder is any object with ``respond(body) -> turn`` or a plain callable
``(body) -> turn``. A turn is a dict ``{"content": [blocks...], "stop_reason": ...}`` or a
string (one text block, ``end_turn``). ``normalise_turn`` fills ids and signatures;
``apply_limits`` enforces ``stop_sequences`` and ``max_tokens``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

from claude_nb._api.estimate import text_tokens

__all__ = [
    "Responder",
    "ScriptedResponder",
    "apply_limits",
    "normalise_turn",
    "output_tokens",
    "signature_for",
]

Turn = dict[str, Any]


@runtime_checkable
class Responder(Protocol):
    """What the emulated model says to a request body."""

    def respond(self, body: dict[str, Any]) -> Turn | str:
        """The turn answering ``body``."""
        ...


class ScriptedResponder:
    """A queue of canned turns for tests, answered in order (FIFO).

    Args:
        turns: Each a turn dict (``{"content": [...], "stop_reason": ...}``, optionally
            ``"delta_count": N`` to split text into N stream deltas) or a string.
        repeat_last: When the queue runs dry, answer the last turn again instead of failing.
    """

    def __init__(self, turns: Iterable[Turn | str] = (), *, repeat_last: bool = False) -> None:
        self._turns: deque[Turn | str] = deque(turns)
        self._last: Turn | str | None = None
        self.repeat_last = repeat_last

    def add(self, turn: Turn | str) -> None:
        """Queue one more turn."""
        self._turns.append(turn)

    def __len__(self) -> int:
        return len(self._turns)

    def respond(self, body: dict[str, Any]) -> Turn | str:
        """The next canned turn (``body`` is ignored)."""
        if self._turns:
            self._last = self._turns.popleft()
            return self._last
        if self.repeat_last and self._last is not None:
            return self._last
        return "ScriptedResponder: no more scripted turns."


def signature_for(thinking: str) -> str:
    """A deterministic opaque signature for a thinking block."""
    digest = hashlib.sha256(b"claude_nb-emulator:" + thinking.encode("utf-8")).digest()
    return base64.b64encode(b"EMU1" + digest * 2).decode("ascii")


def normalise_turn(turn: Turn | str, next_tool_id: Callable[[], str]) -> Turn:
    """A responder's turn in full shape: blocks completed, ids and signatures filled.

    Args:
        turn: The responder's answer.
        next_tool_id: Makes a fresh ``toolu_...`` id.
    """
    if isinstance(turn, str):
        turn = {"content": [{"type": "text", "text": turn}]}
    blocks: list[dict[str, Any]] = []
    for raw in turn.get("content", []):
        block = {"type": "text", "text": raw} if isinstance(raw, str) else dict(raw)
        kind = block.get("type")
        if kind == "text":
            block.setdefault("text", "")
        elif kind == "thinking":
            block.setdefault("thinking", "")
            block.setdefault("signature", signature_for(block["thinking"]))
        elif kind == "tool_use":
            block.setdefault("id", next_tool_id())
            block.setdefault("input", {})
        blocks.append(block)
    has_tool = any(block.get("type") == "tool_use" for block in blocks)
    stop_reason = turn.get("stop_reason") or ("tool_use" if has_tool else "end_turn")
    result = dict(turn)
    result.update(content=blocks, stop_reason=stop_reason)
    result.setdefault("stop_sequence", None)
    return result


def _block_tokens(block: dict[str, Any]) -> int:
    kind = block.get("type")
    if kind == "text":
        return text_tokens(block["text"])
    if kind == "thinking":
        return text_tokens(block["thinking"])
    if kind in ("tool_use", "server_tool_use"):
        return text_tokens(block.get("name", "")) + text_tokens(json.dumps(block["input"]))
    if str(kind).endswith("_tool_result"):
        return 0  # a server tool's result is not generated text (it is input next turn)
    return text_tokens(json.dumps(block))


def output_tokens(content: list[dict[str, Any]]) -> int:
    """Output tokens billed for ``content`` (the documented estimate)."""
    return sum(_block_tokens(block) for block in content)


def _cut_text(text: str, tokens: int) -> str:
    return text.encode("utf-8")[: max(0, tokens) * 4].decode("utf-8", errors="ignore")


def apply_limits(turn: Turn, max_tokens: int, stop_sequences: list[str] | None) -> Turn:
    """Apply ``stop_sequences`` then ``max_tokens`` to a normalised turn.

    A stop sequence cuts the text before its first match and drops later blocks
    (``stop_reason: stop_sequence``). Going over ``max_tokens`` cuts text or thinking, drops
    blocks that no longer fit (``stop_reason: max_tokens``). ``max_tokens=0`` gives no content.
    """
    content: list[dict[str, Any]] = list(turn["content"])
    stop_reason = turn["stop_reason"]
    stop_sequence = turn.get("stop_sequence")
    for index, block in enumerate(content):
        if block.get("type") != "text" or not stop_sequences:
            continue
        matches = [(block["text"].find(stop), stop) for stop in stop_sequences if stop]
        matches = [match for match in matches if match[0] >= 0]
        if matches:
            position, stop_sequence = min(matches)
            content = [*content[:index], {**block, "text": block["text"][:position]}]
            stop_reason = "stop_sequence"
            break
    budget = max_tokens
    limited: list[dict[str, Any]] = []
    for block in content:
        cost = _block_tokens(block)
        if cost <= budget:
            limited.append(block)
            budget -= cost
            continue
        kind = block.get("type")
        if kind in ("text", "thinking") and budget > 0:
            key = "text" if kind == "text" else "thinking"
            limited.append({**block, key: _cut_text(block[key], budget)})
        stop_reason, stop_sequence = "max_tokens", None
        break
    return {**turn, "content": limited, "stop_reason": stop_reason, "stop_sequence": stop_sequence}
