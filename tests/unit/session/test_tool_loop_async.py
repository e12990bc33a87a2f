"""``Session.ask_async`` runs tools without blocking its event loop, and matches ``ask``.

The async driver awaits ``execute_tool_calls_async``: ``async def`` tools run concurrently on
the caller's loop, sync tools and the approver in worker threads (``asyncio.to_thread``).
No test measures time: each proves its property with a handshake that could not complete
otherwise (a blocking call waits for a coroutine on the caller's loop; an async tool waits
for another one), guarded by a generous ``TIMEOUT`` so that a regression fails instead of
hanging. Every conversation runs through the in-process emulator, which validates each
follow-up request.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from claude_nb import Session, ToolLoopReply
from claude_nb._tools.approval import ApprovalRequest
from claude_nb._tools.render import ToolCallEvent
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import tool_use as use

TIMEOUT = 10.0  # seconds; only ever reached when the property under test is broken



def scripted(*turns: Any) -> Emulator:
    return Emulator(require_key=False, responder=ScriptedResponder(turns, repeat_last=True))


def session_on(emulator: Emulator, *tools: Any) -> Session:
    session = Session(offline=True, emulator=emulator, environ={}, max_retries=0)
    for function in tools:
        session.tools.register(function)
    return session


class LoopProbe:
    """Lets blocking code prove that the caller's event loop runs while it blocks.

    ``released()`` (called from the blocking code) schedules a coroutine on the loop that
    sets a ``threading.Event``, then blocks on that event. If the blocking code held the
    loop's thread, the coroutine could never run: the wait ends after ``TIMEOUT`` and
    ``released()`` returns False. Each answer is kept in ``answers``.
    """

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.answers: list[bool] = []

    def released(self) -> bool:
        event = threading.Event()

        async def release() -> None:
            event.set()

        asyncio.run_coroutine_threadsafe(release(), self.loop)
        answer = event.wait(TIMEOUT)
        self.answers.append(answer)
        return answer


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
    probe: LoopProbe | None = None

    def blocking(text: str) -> str:
        """Blocks its thread until a coroutine on the caller's loop releases it."""
        assert probe is not None
        return text if probe.released() else "the event loop was blocked"

    emulator = scripted({"content": [use("s1", "blocking", text="released")]}, "rested")
    session = session_on(emulator, blocking)

    async def main() -> Any:
        nonlocal probe
        probe = LoopProbe()
        return await session.ask_async("block")

    reply = asyncio.run(main())
    assert probe is not None and probe.answers == [True], "the sync tool blocked the loop"
    results = emulator.requests[1].body["messages"][-1]["content"]
    assert [(r["tool_use_id"], r["content"]) for r in results] == [("s1", "released")]
    assert reply.text == "rested"


def test_async_tools_in_ask_async_overlap_on_the_callers_loop_in_call_order() -> None:
    loops: list[asyncio.AbstractEventLoop] = []
    order: list[str] = []
    entered: dict[str, asyncio.Event] = {}
    left: dict[str, asyncio.Event] = {}

    async def meet(label: str) -> str:
        """Waits on the running loop for the other call: a enters, b enters and leaves, a
        leaves. Run one after another (either way round), the first would wait forever."""
        loops.append(asyncio.get_running_loop())
        order.append(f"{label} in")
        entered[label].set()
        if label == "a":
            await left["b"].wait()
        else:
            await entered["a"].wait()
        order.append(f"{label} out")
        left[label].set()
        return label

    emulator = scripted(
        {"content": [use("a", "meet", label="a"), use("b", "meet", label="b")]}, "both done"
    )
    session = session_on(emulator, meet)

    async def main() -> tuple[Any, asyncio.AbstractEventLoop]:
        for label in ("a", "b"):
            entered[label], left[label] = asyncio.Event(), asyncio.Event()
        # a TimeoutError here means the two calls did not run concurrently
        reply = await asyncio.wait_for(session.ask_async("meet"), TIMEOUT)
        return reply, asyncio.get_running_loop()

    reply, caller_loop = asyncio.run(main())
    assert loops == [caller_loop, caller_loop]  # awaited on the caller's loop...
    assert order == ["a in", "b in", "b out", "a out"]  # ...together: b finished first...
    results = emulator.requests[1].body["messages"][-1]["content"]
    assert [(r["tool_use_id"], r["content"]) for r in results] == [("a", "a"), ("b", "b")]
    assert reply.text == "both done"  # ...and the results are in call order


def test_a_blocking_approver_in_ask_async_runs_off_the_event_loop() -> None:
    threads: list[str] = []
    probe: LoopProbe | None = None

    def blocking_approver(request: ApprovalRequest) -> Any:
        """The user thinking: blocks until a coroutine on the caller's loop releases it."""
        assert probe is not None
        threads.append(threading.current_thread().name)
        return "approve" if probe.released() else "deny"

    emulator = scripted({"content": [use("t1", "add", a=1, b=2)]}, "three")
    session = session_on(emulator, add)

    async def main() -> Any:
        nonlocal probe
        probe = LoopProbe()
        return await session.ask_async("add", approver=blocking_approver)

    reply = asyncio.run(main())
    assert probe is not None and probe.answers == [True], "the approver blocked the loop"
    assert threads != [threading.main_thread().name]
    results = emulator.requests[1].body["messages"][-1]["content"]
    assert [(r["tool_use_id"], r["content"]) for r in results] == [("t1", "3")]
    assert reply.text == "three"


# -- interrupt and cancel ----------------------------------------------------------------


def test_cancelling_ask_async_during_a_tool_keeps_a_valid_history() -> None:
    entered = asyncio.Event()

    async def forever(seconds: float) -> str:
        """Waits long."""
        entered.set()
        await asyncio.sleep(seconds)
        return "never"

    emulator = scripted({"content": [use("f1", "forever", seconds=3600), use("f2", "add", a=1,
                                                                             b=1)]})
    session = session_on(emulator, forever, add)

    async def main() -> None:
        task = asyncio.get_running_loop().create_task(session.ask_async("wait"))
        # forever is awaited only once every sync call (f2) has its result: cancel then,
        # not at its "start" event, which comes before f2 runs in its worker thread
        await asyncio.wait_for(entered.wait(), TIMEOUT)
        task.cancel()
        await asyncio.wait({task}, timeout=TIMEOUT)  # a hang guard: cancelling is prompt
        assert task.done(), "cancelling ask_async waited for the tool"
        with pytest.raises(asyncio.CancelledError):
            task.result()

    asyncio.run(main())
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
