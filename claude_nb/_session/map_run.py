"""The concurrent half of ``Session.map``: many one-shot calls, paced together.

    run_concurrent(session, bodies, labels)
      worker thread: a private event loop (the kernel's own loop is never touched, so it
                     works from a notebook cell) with its own connection pool
                     -> the dispatcher keeps ``Pacer.limit`` calls in flight
                     -> each outcome onto a queue
      calling thread: takes outcomes off the queue, records each call like ``ask`` does
                     (``on_call``: the ledger, the store; never the history), moves the
                     progress bar; Ctrl-C cancels what is in flight and keeps what finished

``Pacer`` sizes the concurrency: it starts at ``START`` (or the ``concurrency`` asked for,
which it never exceeds; or, on a session whose earlier map learned the pace, where that map
ended, so a second map does not wait a round trip to learn it again), then follows the
``anthropic-ratelimit-*`` headers (what is left of the request and token allowances spread
over their windows, times the observed latency: Little's law) or, without headers, grows by
one per success. A 429 or 529 halves it and pauses every call until the ``retry-after`` the
server asked for (else a short back-off); those items are retried (up to ``RATE_RETRIES``
when the server named its wait), other retryable failures up to the session's
``max_retries``; a spend limit's 429 is not retried (``retry.spend_limited``).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from claude_nb._exceptions import APIStatusError, ClaudeNBError
from claude_nb._session.call_tracker import CallTracker
from claude_nb._session.reply import Reply
from claude_nb._wire.rate_limits import RateLimits
from claude_nb._wire.retry import backoff_delay

if TYPE_CHECKING:  # not at import: ``_wire.bulk`` brings httpx, which loads with the first map
    from claude_nb._session.send import SendPaths
    from claude_nb._wire.bulk import Attempted, PacedMessagesClient
    from claude_nb._wire.calls import CallResult

__all__ = [
    "CEILING",
    "START",
    "MapProgress",
    "Pacer",
    "TextProgress",
    "progress_bar",
    "run_concurrent",
]

START = 8
"""Calls in flight before the first answer says what the rate limits allow."""
CEILING = 256
"""The most calls one map keeps in flight (its connection pool's size)."""
RATE_RETRIES = 10
"""Retries of one item after 429/529 answers that name their ``retry-after`` (paced
together, so they are cheap); without one, the session's ``max_retries``."""


class MapProgress(Protocol):
    """A progress display: ``update`` as outcomes arrive, ``close`` with the summary."""

    def update(self, done: int, failed: int, total: int, cost: float | None) -> None: ...

    def close(self, summary: str) -> None: ...


class TextProgress:
    """A one-line text bar on stderr (terminals and scripts), repainted at most 10 times/s."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._painted = 0.0

    def update(self, done: int, failed: int, total: int, cost: float | None) -> None:
        now = time.monotonic()
        if now - self._painted < 0.1 and done + failed < total:
            return
        self._painted = now
        filled = int(24 * (done + failed) / max(total, 1))
        money = "" if cost is None else f" · ${cost:.4f}"
        line = f"\r[{'#' * filled}{'.' * (24 - filled)}] {done}/{total} done · {failed} failed"
        self._stream.write(line + money)
        self._stream.flush()

    def close(self, summary: str) -> None:
        self._stream.write(f"\r{summary}\033[K\n")
        self._stream.flush()


def progress_bar(
    factory: Callable[[], MapProgress | None] | None, progress: MapProgress | bool | None
) -> MapProgress | None:
    """The bar ``progress=`` asks for.

    None or True: the session's (``map_progress``, a widget in a notebook), else a text
    line; False: none; else the caller's own.
    """
    if progress is None or progress is True:
        return (factory() if factory is not None else None) or TextProgress()
    return progress or None


@dataclass
class Pacer:
    """How many calls may be in flight, and until when everyone waits."""

    fixed: int | None = None
    limit: int = START
    cap: int = CEILING
    paused_until: float = 0.0
    peak: int = 0
    latency: float = 0.0
    input_tokens: int = 1
    start: int | None = None
    """Calls in flight before the first answer when known (what the last map learned)."""

    def __post_init__(self) -> None:
        if self.fixed is not None:
            self.limit = self.cap = max(1, self.fixed)
        elif self.start:
            self.limit = max(1, min(CEILING, self.start))

    def succeeded(self, headers: Any, latency: float) -> None:
        """Follow the rate-limit headers (or grow by one) after a finished call."""
        self.latency = latency if not self.latency else 0.8 * self.latency + 0.2 * latency
        ceiling = self.fixed or CEILING
        self.cap = min(ceiling, self.cap + 1)
        allowed = RateLimits.from_headers(headers).concurrency(self.latency, self.input_tokens)
        wanted = self.limit + 1 if allowed is None else allowed
        self.limit = max(1, min(self.cap, wanted))

    def overloaded(self, wait: float | None, attempt: int) -> None:
        """A 429/529: halve, and pause every call for the server's wait (else a back-off)."""
        self.limit = self.cap = max(1, self.limit // 2)
        pause = wait if wait is not None else backoff_delay(attempt, random.random())
        self.paused_until = max(self.paused_until, time.monotonic() + pause)


def _overload(error: ClaudeNBError) -> bool:
    return isinstance(error, APIStatusError) and (
        error.status_code in (429, 529)
        or error.error_type in ("rate_limit_error", "overloaded_error")
    )


Outcome = tuple[int, "Attempted", float]
"""An item's position, its last attempt, and that attempt's seconds."""


@dataclass
class _Dispatch:
    bodies: Sequence[dict[str, Any]]
    client: PacedMessagesClient
    pacer: Pacer
    max_retries: int
    put: Callable[[Outcome], None]
    attempts: list[int] = field(default_factory=list)

    async def _timed(self, position: int) -> tuple[Attempted, float]:
        started = time.perf_counter()
        try:
            attempted = await self.client.attempt(self.bodies[position])
        except ClaudeNBError as error:  # a body that cannot be encoded: this item fails
            from claude_nb._wire.bulk import Attempted

            attempted = Attempted(None, error, {})
        return attempted, time.perf_counter() - started

    async def run(self) -> None:
        """Keep ``pacer.limit`` calls in flight until every item settled (O(1) per call)."""
        self.attempts = [0] * len(self.bodies)
        waiting = collections.deque(range(len(self.bodies)))
        finished: asyncio.Queue[tuple[int, asyncio.Task[tuple[Attempted, float]]] | None]
        finished = asyncio.Queue()
        flying: set[asyncio.Task[tuple[Attempted, float]]] = set()

        def landed(position: int, task: asyncio.Task[tuple[Attempted, float]]) -> None:
            flying.discard(task)
            finished.put_nowait((position, task))

        try:
            while waiting or flying or not finished.empty():  # None: a wake-up
                now = time.monotonic()
                while waiting and len(flying) < self.pacer.limit and now >= self.pacer.paused_until:
                    position = waiting.popleft()
                    self.attempts[position] += 1
                    task = asyncio.ensure_future(self._timed(position))
                    flying.add(task)
                    task.add_done_callback(functools.partial(landed, position))
                self.pacer.peak = max(self.pacer.peak, len(flying))
                pause = max(0.0, self.pacer.paused_until - now) if waiting else 0.0
                if not flying and finished.empty():
                    await asyncio.sleep(pause)
                    continue
                if pause and finished.empty():  # wake when the pause ends, to send again
                    asyncio.get_running_loop().call_later(pause, finished.put_nowait, None)
                landed_item = await finished.get()
                while landed_item is not None:
                    self._settle(landed_item[0], *landed_item[1].result(), waiting)
                    landed_item = None if finished.empty() else finished.get_nowait()
        finally:
            for task in flying:
                task.cancel()
            await asyncio.gather(*flying, return_exceptions=True)

    def _settle(
        self, position: int, attempted: Attempted, seconds: float, waiting: collections.deque[int]
    ) -> None:
        error, tries = attempted.error, self.attempts[position]
        if error is None:
            self.pacer.succeeded(attempted.headers, seconds)
        elif attempted.retryable and _overload(error):
            self.pacer.overloaded(attempted.wait, tries - 1)  # everyone slows down and waits
            # the server named its wait: retried often (cheap, paced); else as any failure
            if tries <= (RATE_RETRIES if attempted.wait is not None else self.max_retries):
                waiting.appendleft(position)
                return
        elif attempted.retryable and tries <= self.max_retries:
            waiting.append(position)
            return
        self.put((position, attempted, seconds))


def _record(
    session: SendPaths, body: dict[str, Any], attempted: Attempted, seconds: float
) -> Reply | BaseException:
    """Record one outcome as ``ask`` would (history untouched); the Reply or the error."""
    tracker = CallTracker(None, None)
    tracker.started_at = time.perf_counter() - seconds
    if attempted.error is not None:
        session._failed(body, tracker, attempted.error, history=False)
        return attempted.error
    result: CallResult[dict[str, Any]] = attempted.result  # type: ignore[assignment]
    return session._finished(body, tracker, result, history=False)


def run_concurrent(
    session: SendPaths,
    client: PacedMessagesClient,
    bodies: Sequence[dict[str, Any]],
    *,
    concurrency: int | None,
    progress: MapProgress | None,
    close: Callable[[], Any] | None = None,
    start: int | None = None,
) -> tuple[list[Reply | BaseException | None], bool, Pacer]:
    """Send every body, paced.

    Returns:
        Per body its Reply, its error, or None (not run); whether it was interrupted; the
        pacer (its ``peak``, and the ``limit`` it ended at, for the next map's ``start``).
    """
    pacer = Pacer(fixed=concurrency, start=start)
    characters = sum(len(str(body["messages"])) for body in bodies)
    pacer.input_tokens = max(1, characters // 4 // len(bodies))  # a rough mean, for the pacing
    outcomes: queue.Queue[Outcome | None] = queue.Queue()
    dispatch = _Dispatch(bodies, client, pacer, session.settings.max_retries, outcomes.put)
    loop = asyncio.new_event_loop()
    main = loop.create_task(dispatch.run())
    failure: list[BaseException] = []

    def work() -> None:
        try:
            loop.run_until_complete(main)
        except asyncio.CancelledError:
            pass
        except BaseException as error:  # surfaced on the calling thread
            failure.append(error)
        finally:
            if close is not None:
                loop.run_until_complete(close())
            loop.close()
            outcomes.put(None)

    slots: list[Reply | BaseException | None] = [None] * len(bodies)
    done = failed = 0
    cost: float | None = 0.0
    thread = threading.Thread(target=work, name="claude_nb-map", daemon=True)
    thread.start()
    interrupted = False
    while True:
        try:
            item = outcomes.get(timeout=0.1)
            if item is None:
                break
            position, attempted, seconds = item
            outcome = slots[position] = _record(session, bodies[position], attempted, seconds)
            if isinstance(outcome, Reply):
                done += 1
                if progress is not None:  # the bar's running cost (priced once more)
                    value = outcome.cost
                    cost = None if cost is None or value is None else cost + value
            else:
                failed += 1
            if progress is not None:
                progress.update(done, failed, len(bodies), cost)
        except queue.Empty:
            continue
        except KeyboardInterrupt:  # stop what is in flight; keep what finished
            interrupted = True
            loop.call_soon_threadsafe(main.cancel)
    thread.join()
    if failure:
        raise failure[0]
    return slots, interrupted, pacer
