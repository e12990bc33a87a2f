"""execute_tool_calls_async gives execute_tool_calls's results and events, off the loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from claude_nb._tools.approval import ApprovalRequest, Denied
from claude_nb._tools.execute import (
    ToolCallsInterrupted,
    execute_tool_calls,
    execute_tool_calls_async,
)
from claude_nb._tools.registry import ToolRegistry
from claude_nb._tools.render import ToolCallEvent
from claude_nb.testing import tool_use as use


def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


def fail(message: str) -> None:
    """Always fails."""
    raise ValueError(message)


async def later(x: int) -> int:
    """Async."""
    await asyncio.sleep(0.01 * x)
    return x


async def broken(x: int) -> int:
    """Async, fails."""
    raise RuntimeError(f"bad {x}")


BLOCKS = [
    use("t1", "later", x=3),
    use("t2", "add", a=1),
    use("t3", "fail", message="no"),
    use("t4", "nope"),
    use("t5", "add", a="x"),
    use("t6", "broken", x=2),
    use("t7", "later", x=1),
    use("t8", "add", a=5),
]


def approver(request: ApprovalRequest) -> Any:
    if request.tool_use_id == "t8":
        return Denied("not this one")
    return "approve"


def run(mode: str) -> tuple[list[dict[str, Any]], list[tuple[str, str, str | None, str]]]:
    registry = ToolRegistry([add, fail, later, broken])
    events: list[ToolCallEvent] = []
    options: dict[str, Any] = {"approver": approver, "on_tool_event": events.append}
    if mode == "sync":
        results = execute_tool_calls(BLOCKS, registry, **options)
    else:
        results = asyncio.run(execute_tool_calls_async(BLOCKS, registry, **options))
    return results, [(e.kind, e.tool_use_id, e.error, e.result_summary) for e in events]


def test_both_executors_give_the_same_results_and_events() -> None:
    sync_results, sync_events = run("sync")
    async_results, async_events = run("async")
    assert async_results == sync_results
    assert async_events == sync_events
    assert [r["tool_use_id"] for r in sync_results] == [f"t{n}" for n in range(1, 9)]
    assert [r.get("content") for r in sync_results if not r.get("is_error")] == ["3", "2", "1"]
    assert sync_results[-1]["content"] == "not this one"


def test_sync_tools_and_the_approver_run_in_worker_threads_events_on_the_loop() -> None:
    threads: dict[str, str] = {}

    def where(label: str) -> str:
        """Records its thread."""
        threads[label] = threading.current_thread().name
        return label

    def approve(request: ApprovalRequest) -> Any:
        threads["approver"] = threading.current_thread().name
        return "approve"

    event_threads: set[str] = set()
    registry = ToolRegistry([where])
    results = asyncio.run(
        execute_tool_calls_async(
            [use("t1", "where", label="tool")], registry, approver=approve,
            on_tool_event=lambda event: event_threads.add(threading.current_thread().name),
        )
    )
    main = threading.main_thread().name
    assert results[0]["content"] == "tool"
    assert threads["tool"] != main and threads["approver"] != main
    assert event_threads == {main}


def test_keyboard_interrupt_in_a_sync_tool_keeps_every_result() -> None:
    def stop() -> None:
        """Like pressing the stop button."""
        raise KeyboardInterrupt

    registry = ToolRegistry([add, stop, later])
    blocks = [use("t1", "later", x=1), use("t2", "add", a=1), use("t3", "stop"),
              use("t4", "add", a=2)]

    async def main() -> None:
        await execute_tool_calls_async(blocks, registry)

    with pytest.raises(ToolCallsInterrupted) as caught:
        asyncio.run(main())
    results = caught.value.results
    assert [r["tool_use_id"] for r in results] == ["t1", "t2", "t3", "t4"]
    assert results[1]["content"] == "2"
    for result in (results[0], results[2], results[3]):
        assert result["is_error"] and "Interrupted" in result["content"]


def test_cancel_gives_unfinished_calls_an_interrupted_result_then_propagates() -> None:
    entered = asyncio.Event()
    cancelled = threading.Event()

    async def forever() -> str:
        """Waits."""
        entered.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    registry = ToolRegistry([forever, add])
    events: list[ToolCallEvent] = []

    async def main() -> None:
        task = asyncio.ensure_future(
            execute_tool_calls_async(
                [use("t1", "add", a=1), use("t2", "forever")], registry, on_tool_event=events.append
            )
        )
        # cancel once forever runs: t1 has its result by then (async calls are awaited after
        # the sync ones), and t2's "start" event would be too early (before it is awaited)
        await asyncio.wait_for(entered.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert cancelled.is_set()
    ends = {e.tool_use_id: e for e in events if e.kind == "end"}
    assert ends["t1"].result_summary == "2"
    assert "Interrupted" in (ends["t2"].error or "")
