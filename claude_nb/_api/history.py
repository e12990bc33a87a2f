"""The history rules (pure): what a conversation keeps so that it always ends validly.

A valid history never ends on an unanswered user turn, and never holds an assistant
``tool_use`` without the ``tool_result`` that answers it in the next user turn. Every writer
of ``Session.history`` goes through these rules and then ``Session._commit``, which tells the
``on_history`` callbacks (the history store) what it kept, as ``HistoryChange``::

    single call   -> the request's last message + the reply (or its text, after an interrupt)
    tool loop     -> close_exchange(prompt, assistant, tool_results, ..., last assistant)
    undo / reset  -> the history cut back to undo_point(history) / to nothing

A change is "keep the first ``offset`` messages, then append ``turns``", so replaying the
changes in order rebuilds exactly what the session held (``replay``).

A history keeps no prompt-cache breakpoints: they are planned afresh for every request
(``claude_nb._accounting.cache_plan``), so each turn goes in through ``without_cache_control``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from claude_nb._types import ContentBlock, MessageParam

__all__ = [
    "HistoryChange",
    "close_exchange",
    "is_tool_result",
    "replay",
    "text_only_turn",
    "tool_use_blocks",
    "undo_point",
    "without_cache_control",
]


@dataclass(frozen=True)
class HistoryChange:
    """One change to a session's history: keep ``offset`` messages, then append ``turns``.

    Attributes:
        offset: How many messages before the change stay.
        turns: The messages appended after them (cache breakpoints already removed).
    """

    offset: int
    turns: list[MessageParam] = field(default_factory=list)


def replay(changes: Iterable[HistoryChange | tuple[int, list[Any]]]) -> list[MessageParam]:
    """The history the changes leave, applied in order to an empty one."""
    history: list[MessageParam] = []
    for change in changes:
        offset, turns = (change.offset, change.turns) if isinstance(change, HistoryChange) else (
            change)
        history = [*history[:offset], *turns]
    return history


def _blocks(turn: Mapping[str, Any]) -> Sequence[Any]:
    content = turn.get("content")
    return [] if isinstance(content, str) else content or []


def tool_use_blocks(message_or_blocks: Mapping[str, Any] | Sequence[Any]) -> list[ContentBlock]:
    """The ``tool_use`` blocks of a message or turn (or of a list of blocks), in order (copies).

    The one helper for "which tools did this turn call": the tool loop, the executor, the
    history rules and the chat all ask it.
    """
    if isinstance(message_or_blocks, Mapping):
        blocks = message_or_blocks.get("content") or []
    else:
        blocks = message_or_blocks
    if isinstance(blocks, str):
        return []
    return [
        dict(block)
        for block in blocks
        if isinstance(block, Mapping) and block.get("type") == "tool_use"
    ]


def is_tool_result(turn: Mapping[str, Any]) -> bool:
    """Whether a user turn carries tool results (so it is not a prompt of its own)."""
    return any(isinstance(block, Mapping) and block.get("type") == "tool_result"
               for block in _blocks(turn))


def text_only_turn(message: Mapping[str, Any]) -> MessageParam | None:
    """The assistant turn to keep of a cut-short message: its text blocks, or None.

    Tool calls without their results and thinking blocks that may lack their signature
    cannot be sent back, so only text survives.
    """
    content = [{"type": "text", "text": block["text"]} for block in _blocks(message)
               if isinstance(block, Mapping) and block.get("type") == "text"
               and block.get("text")]
    return {"role": "assistant", "content": content} if content else None


def close_exchange(exchange: Sequence[MessageParam]) -> list[MessageParam]:
    """The exchange trimmed to end validly.

    A trailing user turn (a prompt or tool results nobody answered) is dropped; a trailing
    assistant turn whose tool calls have no results keeps only its text, or is dropped when
    it has none (which may leave a trailing user turn: repeat).
    """
    turns = list(exchange)
    while turns:
        last = turns[-1]
        if last["role"] == "user":
            turns.pop()
            continue
        if not tool_use_blocks(last):
            break
        kept = text_only_turn(last)
        if kept is None:
            turns.pop()
            continue
        turns[-1] = kept
        break
    return turns


def undo_point(history: Sequence[MessageParam]) -> int:
    """Where ``undo`` cuts: at the last user turn that is a prompt (not tool results)."""
    for index in range(len(history) - 1, -1, -1):
        turn = history[index]
        if turn["role"] == "user" and not is_tool_result(turn):
            return index
    return 0


def _without_breakpoints(block: Any) -> Any:
    """A copy of a content block without ``cache_control``, nested content included."""
    if not isinstance(block, Mapping):
        return block
    copy = {key: value for key, value in block.items() if key != "cache_control"}
    if isinstance(copy.get("content"), list):
        copy["content"] = [_without_breakpoints(inner) for inner in copy["content"]]
    return copy


def without_cache_control(message: Mapping[str, Any]) -> Any:
    """A message as a history keeps it: no ``cache_control`` on any of its blocks.

    Breakpoints are planned afresh for every request, so none is kept, at any depth (a
    ``tool_result``'s own content blocks too); a lone text block (what the planner makes of a
    string to mark it) goes back to a string. The message given is not changed.
    """
    content = message.get("content")
    if not isinstance(content, list):
        return dict(message)
    blocks = [_without_breakpoints(block) for block in content]
    if len(blocks) == 1 and blocks[0] == {"type": "text", "text": blocks[0].get("text")}:
        return {**message, "content": blocks[0]["text"]}
    return {**message, "content": blocks}
