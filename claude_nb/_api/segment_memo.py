"""A request's estimate by message, kept between requests of one conversation (pure).

Every request of a conversation re-sends the whole history, and the cache planner and the
context-window check both need its estimate (``claude_nb._api.estimate``) and where its
blocks can carry a cache breakpoint. A message's share depends on that message alone, so a
``SegmentMemo`` keeps one ``Turn`` per message, with running totals, in a ``PrefixMemo``
(``claude_nb._api.prefix_memo``: the messages a previous request had, matched by identity),
and a request costs an estimate of its new turns only, with no pass over the history::

    memo = SegmentMemo()                          # one per Session
    prompt = memo.prompt(body, high_res=False)    # a PromptIndex
    prompt.tokens == estimate_input_tokens(body)

A turn changed in place (the same dict given new blocks) is not noticed: replace the turn,
as every writer of ``Session.history`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Any, NamedTuple

from claude_nb._api.estimate import BASE_OVERHEAD, Segment, head_segments, message_segments
from claude_nb._api.prefix_memo import PrefixMemo

__all__ = ["TTL_RANK", "Block", "PromptIndex", "SegmentMemo", "Turn", "rank"]

TTL_RANK = {"5m": 1, "1h": 2}
"""A breakpoint's TTL as a rank: 1h entries must come before 5m ones."""


def rank(ttl: str | None) -> int:
    """The rank of a breakpoint's TTL (an unknown one counts as 5m); 0 for no breakpoint."""
    return 0 if ttl is None else TTL_RANK.get(ttl, 1)


class Block(NamedTuple):
    """One block of a message: its tokens, whether a breakpoint can go there, its TTL."""

    tokens: int
    markable: bool
    ttl: str | None  # a breakpoint already there


class Turn(NamedTuple):
    """One message: its blocks, and running totals over the messages up to and including it.

    ``low`` and ``high`` are the lowest and highest TTL rank of the breakpoints so far
    (2 and 1 when there are none, the neutral values of ``min`` and ``max`` over ranks).
    """

    blocks: tuple[Block, ...]
    end: int  # tokens of the messages so far
    marks: int  # breakpoints in the messages so far
    low: int
    high: int


def _turn(message: dict[str, Any], high_res: bool, before: Turn | None) -> Turn:
    content = message.get("content")
    blocks = []
    for index, part in enumerate(message_segments(message, high_res=high_res)):
        if isinstance(content, list):
            markable = part.cacheable and isinstance(content[index], dict)
        else:
            markable = part.cacheable and isinstance(content, str)
        ttl = None if part.cache_control is None else str(part.cache_control.get("ttl", "5m"))
        blocks.append(Block(part.tokens, markable, ttl))
    end, marks, low, high = before[1:] if before is not None else (0, 0, 2, 1)
    end += sum(block.tokens for block in blocks)
    ranks = [rank(block.ttl) for block in blocks if block.ttl is not None]
    if isinstance(content, list):  # any cache_control counts toward the limit of 4
        marks += sum(isinstance(b, dict) and b.get("cache_control") is not None for b in content)
    return Turn(tuple(blocks), end, marks, min([low, *ranks]), max([high, *ranks]))


@dataclass(frozen=True)
class PromptIndex:
    """A request's estimate: the head (tools, system) as segments, the messages as turns.

    Attributes:
        head: One ``Segment`` per tool and system block (``estimate.head_segments``).
        head_tokens: ``BASE_OVERHEAD`` plus the head's tokens.
        turns: One ``Turn`` per message dict, in order (shared with the memo: read only).
        positions: The index in ``body["messages"]`` of each turn's message.
    """

    head: list[Segment]
    head_tokens: int
    turns: list[Turn]
    positions: list[int] | None  # None: turn i is message i

    @property
    def tokens(self) -> int:
        """The request's estimate (``estimate.estimate_input_tokens``)."""
        return self.head_tokens + (self.turns[-1].end if self.turns else 0)

    def message_index(self, turn: int) -> int:
        """Where turn ``turn`` is in ``body["messages"]``."""
        return turn if self.positions is None else self.positions[turn]


class SegmentMemo:
    """Each message's ``Turn``, computed once while the conversation keeps it.

    Attributes:
        computed: Messages estimated so far (the ones no earlier request had).
        sent: The conversation's messages as last sent (known finite and redacted), with
            the running count of their images: ``Session`` builds, fits and redacts only
            the turns after them (``_content.attach.redact_request`` keeps it).
    """

    def __init__(self) -> None:
        self._memo: PrefixMemo[Turn] = PrefixMemo()
        self.sent: PrefixMemo[int] = PrefixMemo()
        self._high_res = False

    @property
    def computed(self) -> int:
        return self._memo.computed

    def __len__(self) -> int:
        return len(self._memo)

    def prompt(self, body: dict[str, Any], *, high_res: bool = False) -> PromptIndex:
        """The request's ``PromptIndex``, estimating only messages no kept request had."""
        if high_res != self._high_res:
            self._memo.clear()
            self._high_res = high_res
        head = head_segments(body, high_res=high_res)
        head_tokens = BASE_OVERHEAD + sum(part.tokens for part in head)
        given = body.get("messages")
        messages = given if isinstance(given, list) else []
        positions = None
        if not all(map(isinstance, messages, repeat(dict))):
            positions = [i for i, message in enumerate(messages) if isinstance(message, dict)]
            messages = [messages[i] for i in positions]
        seen, turns = self._memo.match(messages)
        for message in messages[seen:]:
            turns.append(_turn(message, high_res, turns[-1] if turns else None))
        self._memo.keep(messages, turns, computed=len(messages) - seen)
        return PromptIndex(head, head_tokens, turns, positions)
