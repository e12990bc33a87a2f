"""The tool loop through a real Session and the in-process emulator (sync and async).

The emulator validates every request as the API does (tool_use/tool_result pairing both
ways, roles, shapes), so a loop that sent a bad follow-up or left a bad history would fail
with a 400 on the next call: every scenario ends by asking once more.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from claude_nb import APIError, Session, ToolError
from claude_nb._api.history import close_exchange
from claude_nb._session.tool_loop import ToolLoopReply
from claude_nb._tools.render import ToolCallEvent
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import tool_use as use


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(f"boom: {reason}")



def session_on(emulator: Emulator, *tools: Any) -> Session:
    session = Session(offline=True, emulator=emulator, environ={}, max_retries=0)
    for function in tools:
        session.tools.register(function)
    return session


def scripted(*turns: Any) -> Emulator:
    return Emulator(require_key=False, responder=ScriptedResponder(turns, repeat_last=True))


def assert_valid_by_asking_again(session: Session) -> None:
    """One more call with the history: the emulator's validation must accept it."""
    before = len(session.history)
    reply = session.ask("and now?", tools=[])
    assert reply.error is None and len(session.history) == before + 2


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_two_tools_answer_in_two_steps_each_recorded(emulator: Emulator, mode: str) -> None:
    session = session_on(emulator, add, shout)
    recorded: list[Any] = []
    session.on_call.append(recorded.append)
    events: list[ToolCallEvent] = []
    prompt = "Use add with a=2 b=3, then shout 'hello there'"
    if mode == "sync":
        reply = session.ask(prompt, on_tool_event=events.append)
    else:
        reply = asyncio.run(session.ask_async(prompt, on_tool_event=events.append))
    assert isinstance(reply, ToolLoopReply)
    assert len(reply.steps) == 2 and recorded == reply.steps  # one on_call per API call
    assert session.last_reply is reply
    assert "5" in reply.text and "HELLO THERE" in reply.text
    assert reply.stop_reason == "end_turn"
    assert [(e.kind, e.name) for e in events] == [
        ("start", "add"), ("end", "add"), ("start", "shout"), ("end", "shout")
    ]
    first, second = (request.body for request in emulator.requests)
    assert [tool["name"] for tool in first["tools"]] == ["add", "shout"]
    assert second["tools"] == first["tools"]
    results = second["messages"][-1]["content"]
    calls = [block for block in second["messages"][-2]["content"] if block["type"] == "tool_use"]
    assert [r["tool_use_id"] for r in results] == [c["id"] for c in calls]
    assert [r["content"] for r in results] == ["5", "HELLO THERE"]
    usage = reply.usage
    assert usage["input_tokens"] == sum(step.usage["input_tokens"] for step in reply.steps)
    assert reply.cost == pytest.approx(sum(step.cost or 0 for step in reply.steps))
    assert "2 steps, 2 tool calls" in reply.footer()
    assert [turn["role"] for turn in session.history] == ["user", "assistant"] * 2
    assert_valid_by_asking_again(session)


def test_tools_argument_picks_names_functions_or_none(emulator: Emulator) -> None:
    session = session_on(emulator, add, shout)
    assert [t["name"] for t in session.build_request("x", tools=["shout"])["tools"]] == ["shout"]
    assert "tools" not in session.build_request("x", tools=[])
    assert [t["name"] for t in session.build_request("x", tools=[explode])["tools"]] == [
        "explode"
    ]
    with pytest.raises(ToolError, match="no tool named 'nope'"):
        session.build_request("x", tools=["nope"])
    raw = {"name": "client_side", "input_schema": {"type": "object"}}
    reply = session.ask("call client_side", tools=[raw])  # raw specs: sent, never run
    assert not isinstance(reply, ToolLoopReply)
    assert reply.stop_reason == "tool_use"


def test_errors_invalid_input_and_unknown_names_go_back_as_is_error() -> None:
    emulator = scripted(
        {
            "content": [
                use("t1", "explode", reason="x"),
                use("t2", "add", a="two", b=1),
                use("t3", "missing"),
                use("t4", "add", a=1, b=1),
            ]
        },
        "recovered",
    )
    session = session_on(emulator, add, explode)
    reply = session.ask("go")
    results = emulator.requests[1].body["messages"][-1]["content"]
    assert [r["tool_use_id"] for r in results] == ["t1", "t2", "t3", "t4"]
    assert [bool(r.get("is_error")) for r in results] == [True, True, True, False]
    assert "RuntimeError: boom: x" in results[0]["content"]
    assert "Invalid input for tool 'add'" in results[1]["content"]
    assert "Unknown tool 'missing'" in results[2]["content"]
    assert reply.text == "recovered" and len(reply.tool_calls) == 4
    assert_valid_by_asking_again(session)


def test_step_cap_stops_with_a_note_and_keeps_the_text_of_the_last_turn() -> None:
    loop_turn = {"content": [{"type": "text", "text": "Checking again."}, use("", "add", a=1, b=2)]}
    emulator = scripted(loop_turn)
    session = session_on(emulator, add)
    session.history[:] = [
        {"role": "user", "content": "earlier"}, {"role": "assistant", "content": "ok"}
    ]
    reply = session.ask("loop forever", max_steps=3)
    assert len(emulator.requests) == 3 and len(reply.steps) == 3
    assert reply.note is not None and "step limit (3)" in reply.note and "add" in reply.note
    assert reply.tool_calls[-1].error == "not run: the step limit (3) was reached"
    history = session.history
    text_only = [{"type": "text", "text": "Checking again."}]
    assert history[-1] == {"role": "assistant", "content": text_only}
    assert len(history) == 2 + 6  # prompt, (assistant, results) x2, last assistant text only
    assert_valid_by_asking_again(session)


def test_step_cap_on_a_turn_without_text_drops_back_to_a_complete_point() -> None:
    emulator = scripted({"content": [use("", "add", a=1, b=2)]})
    session = session_on(emulator, add)
    reply = session.ask("loop", max_steps=2)
    assert len(reply.steps) == 2
    assert session.history == []  # no assistant text anywhere: the exchange is dropped
    assert_valid_by_asking_again(session)


def test_api_error_mid_loop_raises_and_closes_the_history() -> None:
    emulator = scripted({"content": ["Adding.", use("", "add", a=1, b=2)]}, "never sent")
    session = session_on(emulator, add)

    def fail_step_two(body: dict[str, Any]) -> None:
        if len(body["messages"]) >= 3:
            emulator.inject("500")

    session.before_send.append(fail_step_two)
    with pytest.raises(APIError):
        session.ask("add please")
    last = session.last_reply
    assert isinstance(last, ToolLoopReply) and len(last.steps) == 2
    assert last.error is not None and last.steps[-1].error is last.error
    assert session.history == [
        {"role": "user", "content": "add please"},
        {"role": "assistant", "content": [{"type": "text", "text": "Adding."}]},
    ]
    session.before_send.clear()
    assert_valid_by_asking_again(session)


def test_interrupt_while_streaming_step_two_keeps_a_valid_history() -> None:
    emulator = scripted(
        {"content": ["Adding.", use("", "add", a=1, b=2)]},
        {"content": [{"type": "text", "text": "The sum is three " * 30}], "delta_count": 30},
    )
    session = session_on(emulator, add)

    def stop_in_step_two(snapshot: Any) -> None:
        if "sum is" in snapshot.text:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        session.ask("add", on_event=stop_in_step_two)
    roles = [turn["role"] for turn in session.history]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert session.history[-1]["content"][0]["text"].startswith("The sum is three")
    last = session.last_reply
    assert isinstance(last, ToolLoopReply) and last.interrupted
    assert_valid_by_asking_again(session)


def test_interrupt_inside_a_tool_closes_the_history() -> None:
    def stop(seconds: float) -> str:
        """Pretends the user pressed stop."""
        raise KeyboardInterrupt

    emulator = scripted({"content": [use("", "stop", seconds=1)]})
    session = session_on(emulator, stop)
    with pytest.raises(KeyboardInterrupt):
        session.ask("stop")
    assert session.history == []
    last = session.last_reply
    assert isinstance(last, ToolLoopReply) and last.interrupted
    assert "Interrupted" in (last.tool_calls[0].error or "")
    assert_valid_by_asking_again(session)


async def _meet(started: set[str], me: str, other: str) -> None:
    """Wait until ``other`` has started too: only concurrent calls get past this."""
    started.add(me)
    for _ in range(1000):
        if other in started:
            return
        await asyncio.sleep(0.01)
    raise RuntimeError(f"{other} never started while {me} ran")


def test_parallel_async_tools_overlap_and_answer_in_one_turn() -> None:
    started: set[str] = set()

    async def slow_a(x: int) -> int:
        """Slow."""
        await _meet(started, "a", "b")
        return x

    async def slow_b(x: int) -> int:
        """Slow too."""
        await _meet(started, "b", "a")
        return x * 10

    emulator = scripted(
        {"content": [use("a", "slow_a", x=1), use("b", "slow_b", x=2)]}, "both done"
    )
    session = session_on(emulator, slow_a, slow_b)
    reply = session.ask("both")  # run one after the other, each would wait for the other
    results = emulator.requests[1].body["messages"][-1]["content"]
    assert [(r["tool_use_id"], r["content"]) for r in results] == [("a", "1"), ("b", "20")]
    assert reply.text == "both done"


def test_close_exchange_rules() -> None:
    prompt = {"role": "user", "content": "q"}
    asked = {"role": "assistant", "content": [{"type": "text", "text": "t"}, use("1", "f")]}
    silent = {"role": "assistant", "content": [use("2", "f")]}
    results = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "1"}]}
    answer = {"role": "assistant", "content": [{"type": "text", "text": "a"}]}
    assert close_exchange([prompt]) == []
    assert close_exchange([prompt, asked, results, answer]) == [prompt, asked, results, answer]
    assert close_exchange([prompt, asked, results]) == [
        prompt, {"role": "assistant", "content": [{"type": "text", "text": "t"}]}
    ]
    assert close_exchange([prompt, silent]) == []
    assert close_exchange([prompt, asked, results, silent]) == [
        prompt, {"role": "assistant", "content": [{"type": "text", "text": "t"}]}
    ]
