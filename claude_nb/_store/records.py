"""What the history store hands back: value types, free of SQLite.

``SessionSummary`` is one line of ``Store.list_sessions``; ``SavedSession`` is a stored
session ready to resume (and what ``export`` renders).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claude_nb._accounting.ledger import Ledger, UsageRecord
from claude_nb._accounting.pricing import PriceTable

__all__ = ["NOT_RECORDED", "SavedSession", "SessionSummary"]

NOT_RECORDED: Any = type("NotRecorded", (), {"__repr__": lambda self: "NOT_RECORDED"})()
"""``SavedSession.system`` of a session stored before system prompts were (keep yours)."""


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``list_sessions``."""

    id: str
    created: float
    notebook_path: str | None
    model: str | None
    turns: int
    cost: float | None
    last_time: float | None


@dataclass(frozen=True)
class SavedSession:
    """A stored session, ready to resume.

    Attributes:
        id: The session id.
        created: When it started (seconds since the epoch).
        notebook_path: The notebook it ran in, when known.
        model: The model it started with.
        history: The conversation as the session last kept it (replayed history changes;
            for sessions stored before those were, rebuilt from the calls and closed).
        records: One usage record per call, in order.
        turns: The stored turns as dicts (messages, reply, usage, cost...).
        system: The system prompt at the last change, or ``NOT_RECORDED``.
        history_changes: How many history changes were stored (0: an older session).
    """

    id: str
    created: float
    notebook_path: str | None
    model: str | None
    history: list[dict[str, Any]]
    records: list[UsageRecord]
    turns: list[dict[str, Any]]
    system: Any = NOT_RECORDED
    history_changes: int = 0

    def ledger(self, prices: PriceTable | None = None, *, warn_unpriced: bool = True) -> Ledger:
        """A ledger holding this session's records."""
        return Ledger(self.records, prices=prices, warn_unpriced=warn_unpriced)
