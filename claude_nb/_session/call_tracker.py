"""``CallTracker``: what ``Session`` watches during one call (snapshot, first token, timing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from claude_nb._content.attach import ContentReport
from claude_nb._wire.stream import MessageSnapshot

__all__ = ["CallTracker"]


class CallTracker:
    """Watches one call's events: the latest snapshot and the time to first token."""

    def __init__(
        self, on_event: Callable[[MessageSnapshot], None] | None, report: ContentReport | None
    ) -> None:
        self.content_report = report
        self.started_at = time.perf_counter()
        self.snapshot = MessageSnapshot()
        self.time_to_first_token: float | None = None
        self._on_event = on_event

    def __call__(self, snapshot: MessageSnapshot) -> None:
        self.snapshot = snapshot
        if self.time_to_first_token is None and snapshot.started:
            self.time_to_first_token = time.perf_counter() - self.started_at
        if self._on_event is not None:
            self._on_event(snapshot)

    def deliver_whole(self, message: dict[str, Any]) -> None:
        """Show a non-streamed message once (no time to first token: nothing streamed)."""
        self.snapshot = MessageSnapshot.from_message(message)
        if self._on_event is not None:
            self._on_event(self.snapshot)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started_at
