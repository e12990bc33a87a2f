"""After a cancel, a tool that still finished keeps its result instead of "interrupted".

The async executor cancels the tools in flight and waits a bounded time for them to unwind. A
tool that completes in that window (it was already done in the same loop step, or it finishes
its work on the way out) ran: its end event must carry its result, not an interruption.
"""

from __future__ import annotations

import asyncio

import pytest

from claude_nb._tools.execute import execute_tool_calls_async
from claude_nb._tools.registry import ToolRegistry
from claude_nb._tools.render import ToolCallEvent

TIMEOUT = 10.0  # seconds; only reached when the behaviour under test is broken


def test_a_tool_that_finishes_while_the_cancel_settles_keeps_its_result() -> None:
    started = asyncio.Event()

    async def flush(key: str) -> str:
        """Write a key out, even when asked to stop.

        Args:
            key: The key.
        """
        started.set()
        try:
            await asyncio.sleep(TIMEOUT)
        except asyncio.CancelledError:
            return f"{key} flushed"  # it finishes its work on the way out
        return "slept"

    async def slow(key: str) -> str:
        """Never finish in time.

        Args:
            key: The key.
        """
        await asyncio.sleep(TIMEOUT)
        return key

    registry = ToolRegistry([flush, slow])
    blocks = [
        {"type": "tool_use", "id": "t1", "name": "flush", "input": {"key": "a"}},
        {"type": "tool_use", "id": "t2", "name": "slow", "input": {"key": "b"}},
    ]
    ends: dict[str, ToolCallEvent] = {}

    def on_end(event: ToolCallEvent) -> None:
        if event.kind == "end":
            ends[event.tool_use_id] = event

    async def main() -> None:
        running = execute_tool_calls_async(blocks, registry, on_tool_event=on_end)
        task = asyncio.ensure_future(running)
        await asyncio.wait_for(started.wait(), TIMEOUT)
        await asyncio.sleep(0)  # both tools are awaiting now
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert ends["t1"].error is None and "a flushed" in ends["t1"].result_summary
    assert ends["t2"].error is not None and "interrupted" in ends["t2"].error.lower()
