"""``Session.ask_async`` runs tools without blocking its event loop, and matches ``ask``.

The async driver awaits ``execute_tool_calls_async``: ``async def`` tools run concurrently on
the caller's loop, sync tools and the approver in worker threads (``asyncio.to_thread``).
A ticker task on the same loop counts how often the loop got control while tools ran. Every
conversation runs through the in-process emulator, which validates each follow-up request.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from claude_nb import Session, ToolLoopReply
from claude_nb._tools.approval import ApprovalRequest
from claude_nb._tools.render import ToolCallEvent
from claude_nb.emulator import Emulator, ScriptedResponder

TICK = 0.01


def use(tool_use_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_use_id, "name": name, "input": arguments}


def scripted(*turns: Any) -> Emulator:
    return Emulator(require_key=False, responder=ScriptedResponder(turns, repeat_last=True))


def session_on(emulator: Emulator, *tools: Any) -> Session:
    session = Session(offline=True, emulator=emulator, environ={}, max_retries=0)
    for function in tools:
        session.tools.register(function)
    return session


class Ticker:
    """Ticks on the running loop every ``TICK`` seconds; counts ticks inside time spans."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.times.append(time.perf_counter())
            await asyncio.sleep(TICK)

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def between(self, start: float, end: float) -> int:
        return sum(start <= moment <= end for moment in self.times)


# -- parity ------------------------------------------------------------------------------


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


async def shout(text: str) -> str:
    """Upper-case a text, asynchronously."""
    await asyncio.sleep(0.01)
    return text.upper()


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")


async def sink(x: int) -> int:
    """Never allowed to run (the approver denies it)."""
    return x


PARITY_TURNS = (
    {
        "content": [
            {"type": "text", "text": "Working."},
            use("t1", "add", a=2, b=3),
            use("t2", "shout", text="hi"),
            use("t3", "explode", reason="x"),
            use("t4", "missing"),
            use("t5", "add", a="two", b=1),
            use("t6", "sink", x=1),
        ]
    },
    {"content": [use("t7", "shout", text="again"), use("t8", "add", a=1, b=1)]},
    "All done.",
)


def parity_run(mode: str) -> dict[str, Any]:
    emulator = scripted(*PARITY_TURNS)
    session = session_on(emulator, add, shout, explode, sink)
    events: list[ToolCallEvent] = []
    asked: list[str] = []

    def approver(request: ApprovalRequest) -> Any:
        asked.append(request.tool_use_id)
        return "deny" if request.name == "sink" else "approve"

    options: dict[str, Any] = {"on_tool_event": events.append, "approver": approver}
    if mode == "sync":
        reply = session.ask("go", **options)
    else:
        reply = asyncio.run(session.ask_async("go", **options))
    assert isinstance(reply, ToolLoopReply)
    return {
        "history": session.history,
        "requests": [(r.body["messages"], r.body.get("tools")) for r in emulator.requests],
        "text": reply.text,
        "steps": len(reply.steps),
        "asked": asked,
        "events": [(e.kind, e.tool_use_id, e.error, e.result_summary) for e in events],
        "tool_calls": [(e.tool_use_id, e.error, e.result_summary) for e in reply.tool_calls],
    }


def test_ask_and_ask_async_give_the_same_conversation_and_tool_results() -> None:
    sync, asynchronous = parity_run("sync"), parity_run("async")
    assert asynchronous == sync
    results = sync["requests"][1][0][-1]["content"]
    assert [r["tool_use_id"] for r in results] == ["t1", "t2", "t3", "t4", "t5", "t6"]
    assert [r["content"] for r in results[:2]] == ["5", "HI"]
    assert [bool(r.get("is_error")) for r in results] == [False, False, True, True, True, True]
    assert sync["asked"] == ["t1", "t2", "t3", "t6", "t7", "t8"]  # invalid calls are not asked
    assert sync["text"] == "All done." and sync["steps"] == 3


# -- the event loop stays free ------------------------------------------------------------


def test_a_sync_tool_in_ask_async_does_not_block_the_event_loop() -> None:
    spans: list[tuple[float, float]] = []

    def slow(seconds: float) -> str:
        """Blocks its thread."""
        start = time.perf_counter()
        time.sleep(seconds)
        spans.append((start, time.perf_counter()))
        return "slept"

    emulator = scripted({"content": [use("s1", "slow", seconds=0.3)]}, "rested")
    session = session_on(emulator, slow)

    async def main() -> tuple[Any, int]:
        with Ticker() as ticker:
            reply = await session.ask_async("sleep")
        return reply, ticker.between(*spans[0])

    reply, ticks = asyncio.run(main())
    assert reply.text == "rested"
    assert ticks >= 10, ticks  # ~30 ticks of 10 ms fit in 0.3 s; a blocked loop gives 0-1


def test_async_tools_in_ask_async_overlap_on_the_callers_loop_in_call_order() -> None:
    loops: list[asyncio.AbstractEventLoop] = []
    spans: dict[str, tuple[float, float]] = {}

    async def wait(label: str, seconds: float) -> str:
        """Waits on the running loop."""
        loops.append(asyncio.get_running_loop())
        start = time.perf_counter()
        await asyncio.sleep(seconds)
        spans[label] = (start, time.perf_counter())
        return label

    emulator = scripted(
        {"content": [use("a", "wait", label="a", seconds=0.3), use("b", "wait", label="b",
                                                                    seconds=0.2)]},
        "both done",
    )
    session = session_on(emulator, wait)

    async def main() -> tuple[Any, float, int, asyncio.AbstractEventLoop]:
        with Ticker() as ticker:
            began = time.perf_counter()
            reply = await session.ask_async("wait twice")
            elapsed = time.perf_counter() - began
        return reply, elapsed, ticker.between(*spans["a"]), asyncio.get_running_loop()

    reply, elapsed, ticks, caller_loop = asyncio.run(main())
    assert loops == [caller_loop, caller_loop]  # awaited on the caller's loop
    assert elapsed < 0.45, elapsed  # 0.3 + 0.2 s in sequence; together about 0.3 s
    assert spans["b"][1] < spans["a"][1]  # b finished first...
    results = emulator.requests[1].body["messages"][-1]["content"]
    assert [(r["tool_use_id"], r["content"]) for r in results] == [("a", "a"), ("b", "b")]
    assert ticks >= 10, ticks  # ...and the loop kept running meanwhile
    assert reply.text == "both done"


def test_a_blocking_approver_in_ask_async_runs_off_the_event_loop() -> None:
    threads: list[str] = []
    spans: list[tuple[float, float]] = []

    def slow_approver(request: ApprovalRequest) -> Any:
        start = time.perf_counter()
        threads.append(threading.current_thread().name)
        time.sleep(0.2)  # the user thinking
        spans.append((start, time.perf_counter()))
        return "approve"

    emulator = scripted({"content": [use("t1", "add", a=1, b=2)]}, "three")
    session = session_on(emulator, add)

    async def main() -> tuple[Any, int]:
        with Ticker() as ticker:
            reply = await session.ask_async("add", approver=slow_approver)
        return reply, ticker.between(*spans[0])

    reply, ticks = asyncio.run(main())
    assert reply.text == "three"
    assert threads != [threading.main_thread().name]
    assert ticks >= 5, ticks


# -- interrupt and cancel ----------------------------------------------------------------


def test_cancelling_ask_async_during_a_tool_keeps_a_valid_history() -> None:
    started = None

    async def forever(seconds: float) -> str:
        """Waits long."""
        await asyncio.sleep(seconds)
        return "never"

    emulator = scripted({"content": [use("f1", "forever", seconds=30), use("f2", "add", a=1,
                                                                           b=1)]})
    session = session_on(emulator, forever, add)
    events: list[ToolCallEvent] = []

    async def main() -> None:
        nonlocal started
        task = asyncio.get_running_loop().create_task(
            session.ask_async("wait", on_tool_event=events.append)
        )
        while not any(event.kind == "start" for event in events):
            await asyncio.sleep(TICK)
        started = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert started is not None and time.perf_counter() - started < 5
    assert session.history == []  # no text anywhere: the exchange is dropped
    last = session.last_reply
    assert isinstance(last, ToolLoopReply) and last.interrupted
    outcome = {event.tool_use_id: event for event in last.tool_calls}
    assert "Interrupted" in (outcome["f1"].error or "")
    assert outcome["f2"].result_summary == "2"
    reply = session.ask("and now?", tools=[])  # the emulator accepts the history
    assert reply.error is None


def test_interrupt_inside_a_sync_tool_in_ask_async_closes_the_history() -> None:
    def stop(seconds: float) -> str:
        """Pretends the user pressed stop."""
        raise KeyboardInterrupt

    emulator = scripted({"content": ["Stopping.", use("", "stop", seconds=1)]})
    session = session_on(emulator, stop)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(session.ask_async("stop"))
    assert session.history == [
        {"role": "user", "content": "stop"},
        {"role": "assistant", "content": [{"type": "text", "text": "Stopping."}]},
    ]
    last = session.last_reply
    assert isinstance(last, ToolLoopReply) and last.interrupted
    assert "Interrupted" in (last.tool_calls[0].error or "")
