"""Run one assistant turn's tool calls and build the ``tool_result`` blocks to send back.

::

    tool_use blocks ──> look up ──> validate ──> approve ──> call ──> result block
                          │            │            │          │
                          └─ unknown ──┴─ invalid ──┴─ denied ─┴─ exception ──> is_error result

Every tool_use block gets exactly one tool_result, in the order of the blocks.
``claude_nb._tools.batch.ToolBatch`` is the one sans-I/O step both executors share: it plans
the calls, checks them, records the approvals and builds every result and event. Only the
lines that ask the approver and run a tool differ:

* ``execute_tool_calls`` (``Session.ask``): sync tools and the approver run one after another
  on the calling (main) thread, so tools may draw figures and print. Calls that return an
  awaitable (``async def`` tools) are started in turn and then awaited together on a
  private event loop in a worker thread: ipykernel already runs a loop on the main thread,
  so ``asyncio.run`` cannot be used there and nothing patches asyncio.
* ``execute_tool_calls_async`` (``Session.ask_async``): the same order and results, without
  blocking the caller's event loop. Sync tools and the approver (an ``input()`` prompt
  blocks) run one after another in worker threads (``asyncio.to_thread``); ``async def``
  tools are awaited together on the caller's loop.

Events reach ``on_tool_event`` on the calling thread only (the loop's thread in the async one).

A KeyboardInterrupt (the notebook's stop button) raises ``ToolCallsInterrupted``, a
``KeyboardInterrupt`` whose ``results`` holds a full list: the results known so far and an
``is_error`` "interrupted" result for each call that did not finish, so the caller can close
the history validly before the interrupt propagates. Cancelling the task that awaits
``execute_tool_calls_async`` gives every unfinished call that result and end event too, then
re-raises ``CancelledError`` (a sync tool already running in its thread runs to its end).
"""

from __future__ import annotations

import inspect
import queue
import threading
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from claude_nb._tools.approval import Approver
from claude_nb._tools.batch import (
    DEFAULT_MAX_RESULT_CHARS,
    NO_OUTPUT,
    Pending,
    ToolBatch,
    ToolCall,
    ToolCallEventCallback,
    format_result,
)
from claude_nb._tools.registry import ToolRegistry
from claude_nb._types import ContentBlock

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "NO_OUTPUT",
    "ToolCallEventCallback",
    "ToolCallsInterrupted",
    "execute_tool_calls",
    "execute_tool_calls_async",
    "format_result",
]

_POLL_SECONDS = 0.05
_SETTLE_SECONDS = 5.0


class ToolCallsInterrupted(KeyboardInterrupt):
    """The user interrupted the tool calls; ``results`` answers every tool_use block.

    A ``KeyboardInterrupt``, so it stops the cell like any interrupt, and not a
    ``ClaudeNBError``: nothing went wrong.

    Attributes:
        results: One tool_result block per tool_use block, in order; calls that did not
            finish have an ``is_error`` "interrupted" result.
    """

    def __init__(self, results: list[ContentBlock]) -> None:
        super().__init__("tool calls interrupted")
        self.results = results


def execute_tool_calls(
    message_or_blocks: Mapping[str, Any] | Sequence[Any],
    registry: ToolRegistry,
    *,
    approver: Approver | None = None,
    on_tool_event: ToolCallEventCallback | None = None,
    max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
    traceback: bool = False,
) -> list[ContentBlock]:
    """Run every tool call of an assistant turn and return the tool_result blocks.

    Args:
        message_or_blocks: The assistant message (API shape) or its content blocks.
        registry: Where tool names are looked up (by-name entries resolve now).
        approver: Asked before each call runs; None runs every valid call.
        on_tool_event: Receives a ``ToolCallEvent`` when a call starts and when it ends.
        max_result_chars: Text results are cut to this many characters, with a notice.
        traceback: Put the full traceback in error results instead of one line.

    Returns:
        One ``tool_result`` block per ``tool_use`` block, in the same order; send them
        all back in one user turn.

    Raises:
        ToolCallsInterrupted: On KeyboardInterrupt, after every call has a result.
    """
    batch = ToolBatch(message_or_blocks, registry, on_tool_event, max_result_chars, traceback)
    pending: Pending = []
    try:
        for call in batch.calls:
            request = batch.check(call, approver)
            if request is not None and approver is not None:
                batch.decide(call, approver(request))
            run = batch.begin(call)
            if run is None:
                continue
            try:
                value = run()
            except Exception as exc:  # any tool failure goes back to the model
                batch.finish(call, error=exc)
                continue
            batch.ran(call, value, pending)
        _await_on_a_private_loop(batch, pending)
    except KeyboardInterrupt as interrupt:
        _close(pending)
        raise ToolCallsInterrupted(batch.stop()) from interrupt
    return batch.results()


async def execute_tool_calls_async(
    message_or_blocks: Mapping[str, Any] | Sequence[Any],
    registry: ToolRegistry,
    *,
    approver: Approver | None = None,
    on_tool_event: ToolCallEventCallback | None = None,
    max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
    traceback: bool = False,
) -> list[ContentBlock]:
    """The async twin of ``execute_tool_calls``: the same results, the loop never blocked.

    Sync tools and the approver run in worker threads, one after another; ``async def``
    tools are awaited together on the running loop (results in call order). The arguments,
    results and events are ``execute_tool_calls``'s.

    Raises:
        ToolCallsInterrupted: On KeyboardInterrupt, after every call has a result.
        asyncio.CancelledError: The awaiting task was cancelled; every unfinished call got
            an "interrupted" result and end event first.
    """
    import asyncio

    batch = ToolBatch(message_or_blocks, registry, on_tool_event, max_result_chars, traceback)
    pending: Pending = []
    try:
        for call in batch.calls:
            request = batch.check(call, approver)
            if request is not None and approver is not None:
                batch.decide(call, await asyncio.to_thread(approver, request))
            run = batch.begin(call)
            if run is None:
                continue
            try:
                value = run() if call.is_async else await asyncio.to_thread(run)
            except Exception as exc:  # any tool failure goes back to the model
                batch.finish(call, error=exc)
                continue
            batch.ran(call, value, pending)
        await _await_on_this_loop(batch, pending)
    except (KeyboardInterrupt, asyncio.CancelledError) as stop:
        _close(pending)
        results = batch.stop()
        if isinstance(stop, KeyboardInterrupt):
            raise ToolCallsInterrupted(results) from stop
        raise
    return batch.results()


def _close(pending: Pending) -> None:
    """Close coroutines that never ran to their end (no "never awaited" warning)."""
    for _call, awaitable in pending:
        if inspect.iscoroutine(awaitable) and awaitable.cr_frame is not None:
            awaitable.close()


async def _outcome(awaitable: Awaitable[Any]) -> tuple[Any, BaseException | None]:
    """Await one tool; its exception (a KeyboardInterrupt too) is returned, not raised."""
    try:
        return await awaitable, None
    except (Exception, KeyboardInterrupt) as exc:  # reported as the tool's error
        return None, exc


async def _await_on_this_loop(batch: ToolBatch, pending: Pending) -> None:
    """Await the pending calls together on the running loop; record each as it ends."""
    if not pending:
        return
    import asyncio

    tasks: dict[asyncio.Future[tuple[Any, BaseException | None]], ToolCall] = {
        asyncio.ensure_future(_outcome(awaitable)): call for call, awaitable in pending
    }
    pending.clear()  # the tasks own the coroutines now
    waiting = set(tasks)
    try:
        while waiting:
            done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(done, key=lambda task: tasks[task].index):
                value, error = (
                    (None, asyncio.CancelledError("the tool was cancelled"))
                    if task.cancelled()
                    else task.result()
                )
                if isinstance(error, KeyboardInterrupt):
                    raise error
                batch.finish(tasks[task], value=value, error=error)
    finally:  # after an interrupt or a cancel, wait (a bounded time) for the tools to unwind
        for task in waiting:
            task.cancel()
        if waiting:
            await asyncio.wait(waiting, timeout=_SETTLE_SECONDS)
        # a tool that finished all the same (in the step of the cancel, or on its way out) ran:
        # it keeps its result; only the ones still unfinished are "interrupted" by the caller
        for task, call in sorted(tasks.items(), key=lambda item: item[1].index):
            if task.done() and not task.cancelled() and not batch.done(call):
                value, error = task.result()
                if not isinstance(error, (KeyboardInterrupt, asyncio.CancelledError)):
                    batch.finish(call, value=value, error=error)


def _await_on_a_private_loop(batch: ToolBatch, pending: Pending) -> None:
    """Await the pending calls together on a private loop in a worker thread."""
    if not pending:
        return
    import asyncio  # only when an async tool runs: it costs ~30 ms to import

    finished: queue.Queue[tuple[ToolCall, Any, BaseException | None]] = queue.Queue()
    settled = threading.Event()

    async def await_all() -> None:
        async def await_one(call: ToolCall, awaitable: Awaitable[Any]) -> None:
            finished.put((call, *await _outcome(awaitable)))

        try:
            await asyncio.gather(*(await_one(call, awaitable) for call, awaitable in pending))
        finally:  # after a cancel, gather returns once every call has unwound
            settled.set()

    loop = asyncio.new_event_loop()
    worker = threading.Thread(target=loop.run_forever, name="claude_nb-tools", daemon=True)
    worker.start()
    future = asyncio.run_coroutine_threadsafe(await_all(), loop)
    try:
        for _ in range(len(pending)):
            call, value, error = _next(finished)
            if isinstance(error, KeyboardInterrupt):
                raise error
            batch.finish(call, value=value, error=error)
    finally:
        future.cancel()
        settled.wait(timeout=_SETTLE_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        worker.join()
        loop.close()


def _next(
    finished: queue.Queue[tuple[ToolCall, Any, BaseException | None]],
) -> tuple[ToolCall, Any, BaseException | None]:
    """The next finished call; polls so that KeyboardInterrupt lands promptly."""
    while True:
        try:
            return finished.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue
