"""Per-message values kept while a conversation's message list keeps its prefix (pure).

Every request of a conversation re-sends the whole history: the same message objects (the
session's own turns, shared, never copied) followed by a new turn. Work that depends on one
message alone (its estimate, its redaction, its image count) need not be redone for the
messages a previous request already had. A ``PrefixMemo`` remembers the message lists of the
latest ``LANES`` requests with one value per message, and tells a new request how many of
its first messages it has seen, in order, by identity (each message object and its
``content`` object), with the values for them::

    memo = PrefixMemo[int]()
    seen, values = memo.match(messages)      # values[:seen] are still good
    values += [work(m) for m in messages[seen:]]
    memo.keep(messages, values)

The match is a C-speed identity comparison (no per-message Python work), so a request costs
its new turns only. Four lists are kept (a request is often seen twice, before and after its
cache breakpoints), so a one-shot request in between (a different list) does not make the next
request of the conversation start over; an undo, a reset or a
replaced turn breaks the prefix where it changed. A message changed in place below its
``content`` (a block given new text) is not noticed: replace the turn, as every writer of
``Session.history`` does.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import repeat
from typing import Any, Generic, TypeVar

__all__ = ["LANES", "PrefixMemo", "contents_of"]

LANES = 4
T = TypeVar("T")


def contents_of(messages: Sequence[Any]) -> list[Any]:
    """Each message's ``content`` object (None for a message that is not a dict)."""
    try:
        return list(map(dict.get, messages, repeat("content")))
    except TypeError:  # a message that is not a dict: the slow, general way
        return [m.get("content") if isinstance(m, dict) else None for m in messages]


def _common(first: Sequence[Any], second: Sequence[Any]) -> int:
    """How many leading items are the same objects in both."""
    size = min(len(first), len(second))
    if all(map(operator.is_, first, second)):
        return size
    if size > 1 and all(map(operator.is_, first[: size - 1], second[: size - 1])):
        return size - 1  # the usual case: only the last turn was replaced
    for index, (left, right) in enumerate(zip(first, second, strict=False)):
        if left is not right:
            return index
    return size  # pragma: no cover - all() said otherwise


class _Lane(Generic[T]):
    __slots__ = ("contents", "messages", "values")

    def __init__(self, messages: list[Any], contents: list[Any], values: list[T]) -> None:
        self.messages, self.contents, self.values = messages, contents, values


class PrefixMemo(Generic[T]):
    """One value per message for the message lists of the latest requests.

    Attributes:
        computed: How many values callers said they computed (``keep(..., computed=)``).
    """

    def __init__(self) -> None:
        self._lanes: list[_Lane[T]] = []
        self.computed = 0

    def __len__(self) -> int:
        """Messages held (each lane's; a message in both counts twice)."""
        return sum(len(lane.messages) for lane in self._lanes)

    def match(self, messages: Sequence[Any]) -> tuple[int, list[T]]:
        """How many leading ``messages`` a kept list had, and a new list of their values."""
        best, values = 0, []
        contents: list[Any] | None = None
        for lane in self._lanes:
            seen = _common(lane.messages, messages)
            if seen <= best:
                continue
            if contents is None:
                contents = contents_of(messages[: len(lane.messages)])
            seen = min(seen, _common(lane.contents, contents))
            if seen > best:
                best, values = seen, lane.values[:seen]
        return best, values

    def keep(self, messages: Sequence[Any], values: list[T], *, computed: int = 0) -> None:
        """Remember ``messages`` (a copy of the list) with one value each, newest first."""
        if len(values) != len(messages):
            raise ValueError("one value per message")
        lane = _Lane(list(messages), contents_of(messages), values)
        self._lanes = [lane, *self._lanes[: LANES - 1]]
        self.computed += computed

    def clear(self) -> None:
        """Forget every list."""
        self._lanes = []
