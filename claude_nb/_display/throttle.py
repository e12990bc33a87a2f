"""The one repaint throttle: at most one repaint per ``interval`` seconds, the first at once.

A streaming reply changes with every decoded event (hundreds a second); repainting that often
floods the frontend. Both the cell's ``StreamRenderer`` (``claude_nb._display.render``) and
the chat widget's worker (``claude_nb._chat.worker``) ask one ``Throttle`` before each
repaint, as rich's ``Live`` caps its refresh rate, but without a refresh thread (output from
threads is unreliable in Jupyter):

* the first repaint goes at once (the first visible text must not wait);
* after that, one repaint per ``interval`` seconds, measured from the last one let through;
* ``force=True`` goes at once whatever the time (a tool call started or ended) and restarts
  the interval.

The interval is in seconds everywhere (``ClaudeMagics.repaint_interval``, 0.05 s by default:
at most 20 repaints a second); ``Throttle.per_second`` converts a rate at the edge.

Integration::

    throttle = Throttle(0.05)
    if throttle.due():          # or due(now) with a clock of your own, due(force=True)
        repaint()

A repaint that resends the whole text also needs a ``ByteBudget``: with only the time cap,
a reply streamed for T seconds sends 20 * T whole copies of a growing text (quadratic: a
400 KB reply cost 42-84 MB). The budget lets a repaint of ``size`` characters through only
while everything sent stays under ``per_character`` times the text shown plus a fixed
``allowance``, so the total is linear in the reply's length whatever the stream's rate: short
replies repaint at the time cap, a long one each time its text has grown by about
1/``per_character`` (a geometric schedule). The final paint is always sent (and counted).
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["DEFAULT_REPAINT_INTERVAL", "ByteBudget", "Throttle"]

DEFAULT_REPAINT_INTERVAL = 0.05
"""Seconds between repaints while streaming (at most 20 a second)."""


class Throttle:
    """Lets a repaint through at most once per ``interval`` seconds; the first at once.

    Args:
        interval: Seconds between repaints (0: every one).
        clock: A monotonic clock in seconds (injectable for tests).

    Attributes:
        last: Clock time of the last repaint let through (None before the first).

    Raises:
        ValueError: ``interval`` is negative or not a number.
    """

    def __init__(
        self,
        interval: float = DEFAULT_REPAINT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not interval >= 0:
            raise ValueError(f"the repaint interval must be 0 or more seconds (got {interval!r})")
        self.interval = float(interval)
        self.clock = clock
        self.last: float | None = None

    @classmethod
    def per_second(
        cls, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> Throttle:
        """A throttle for at most ``rate`` repaints a second (interval ``1 / rate``).

        Raises:
            ValueError: ``rate`` is not positive.
        """
        if not rate > 0:
            raise ValueError(f"the repaint rate must be more than 0 a second (got {rate!r})")
        return cls(1.0 / rate, clock)

    def due(self, now: float | None = None, *, force: bool = False) -> bool:
        """Whether to repaint now; a yes starts the next interval.

        Args:
            now: The time (default: ``clock()``).
            force: Repaint whatever the time since the last one.
        """
        now = self.clock() if now is None else now
        if not force and self.last is not None and now - self.last < self.interval:
            return False
        self.last = now
        return True


class ByteBudget:
    """Keeps whole-text repaints linear in the text: sent <= per_character * size + allowance.

    Args:
        per_character: Characters that may be sent, in all, per character of text shown.
        allowance: Characters that may be sent beyond that (short replies repaint freely).
        overhead: Characters counted per repaint for the message around the text (ids,
            headers: about 500 in a Jupyter ``update_display_data``).

    Attributes:
        sent: Characters sent so far (overheads included).
    """

    def __init__(
        self, per_character: float = 16, allowance: int = 16_000, overhead: int = 500
    ) -> None:
        self.per_character = per_character
        self.allowance = allowance
        self.overhead = overhead
        self.sent = 0

    def allows(self, size: int) -> bool:
        """Whether a repaint of ``size`` characters (the whole text shown) keeps in budget."""
        return self.sent + size + self.overhead <= self.per_character * size + self.allowance

    def spend(self, size: int) -> None:
        """Count a repaint of ``size`` characters as sent."""
        self.sent += size + self.overhead
