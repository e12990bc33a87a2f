"""Per-message estimate segments, kept between requests of one conversation (pure).

Every request of a conversation re-sends the whole history, and the cache planner and the
context-window check both need its estimate (``claude_nb._api.estimate.segments``). A
message's segments depend on that message alone, and a session's history only grows, with
its edits (undo, reset, resume, a replaced turn) replacing turns rather than changing them.
So a ``SegmentMemo`` keeps each message's segments keyed by the message object itself
(its identity, its content's identity, and its blocks' identities), and a request costs an
estimate of its new turns only::

    memo = SegmentMemo()                      # one per Session
    parts = memo.segments(body, high_res=False)   # == estimate.segments(body)

Entries used by neither of the latest two requests are dropped, so the memo never holds more
than the messages of two requests (after an undo or a reset, the dropped turns go too; a
one-shot request in between does not make the next one start over). A turn changed
in place (the same dict given new text) is not noticed: replace the turn instead, as every
writer of ``Session.history`` does.
"""

from __future__ import annotations

from typing import Any

from claude_nb._api.estimate import Segment, head_segments, message_segments

__all__ = ["SegmentMemo"]


_Entry = tuple[dict[str, Any], tuple[Any, ...], list[Segment]]
"""The message (held, so its id stays its own), its signature, its segments."""


def _signature(message: dict[str, Any], high_res: bool) -> tuple[Any, ...]:
    content = message.get("content")
    blocks = tuple(map(id, content)) if isinstance(content, list) else ()
    return (message.get("role"), id(content), blocks, high_res)


class SegmentMemo:
    """Each message's ``Segment`` list, computed once while the message stays in use.

    Attributes:
        computed: Messages estimated so far (the ones not found in the memo).
    """

    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}
        self._previous: dict[int, _Entry] = {}
        self.computed = 0

    def __len__(self) -> int:
        return len(self._entries.keys() | self._previous.keys())

    def segments(self, body: dict[str, Any], *, high_res: bool = False) -> list[Segment]:
        """``claude_nb._api.estimate.segments(body)``, estimating only unseen messages."""
        result = head_segments(body, high_res=high_res)
        messages = body.get("messages")
        kept: dict[int, _Entry] = {}
        for message in messages if isinstance(messages, list) else []:
            if not isinstance(message, dict):
                continue
            key = id(message)
            signature = _signature(message, high_res)
            entry = kept.get(key) or self._entries.get(key) or self._previous.get(key)
            if entry is None or entry[0] is not message or entry[1] != signature:
                entry = (message, signature, message_segments(message, high_res=high_res))
                self.computed += 1
            kept[key] = entry
            result += entry[2]
        self._previous, self._entries = self._entries, kept
        return result
