"""Every step of a tool loop is a full call, and the store gives back what the session kept.

Real parts only: Session on the in-process emulator (which validates every request as the API
does and accounts the prompt cache), the budget check the magics install, the SQLite store in
a temporary CLAUDE_NB_HOME wired as the magics wire it (``on_call`` and ``on_history``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claude_nb import BudgetExceededError, Session
from claude_nb._accounting.budget import Budget, worst_case_cost
from claude_nb._accounting.cache_plan import count_breakpoints
from claude_nb._session.tool_loop import ToolLoopReply
from claude_nb._store.persistence import Persistence
from claude_nb.emulator import Emulator, ScriptedResponder

LONG_SYSTEM = "You are a careful arithmetic assistant. " * 400  # past every cache minimum


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def stop(seconds: float) -> str:
    """Pretends the user pressed stop while it runs."""
    raise KeyboardInterrupt


def use(name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": "", "name": name, "input": arguments}


def scripted(*turns: Any) -> Emulator:
    return Emulator(require_key=False, responder=ScriptedResponder(turns, repeat_last=True))


def session_on(emulator: Emulator, *tools: Any, system: Any = None) -> Session:
    session = Session(offline=True, emulator=emulator, environ={}, max_retries=0, system=system)
    for function in tools:
        session.tools.register(function)
    return session


def persisted(session: Session, home: Path) -> Persistence:
    """Save the session's calls and history changes as the magics do (``Accounting``)."""
    saver = Persistence(environ={"CLAUDE_NB_HOME": str(home)})
    session.on_call.append(lambda reply: saver.record(reply, "In[1]"))
    session.on_history.append(
        lambda change: saver.record_history(change, session.system, session.settings.model))
    return saver


def tool_uses(history: list[dict[str, Any]]) -> list[str]:
    return [block["id"] for turn in history if isinstance(turn["content"], list)
            for block in turn["content"] if block.get("type") == "tool_use"]


def assert_valid_by_asking_again(session: Session) -> None:
    """One more call with the history: the emulator's validation must accept it."""
    before = len(session.history)
    reply = session.ask("and now?", tools=[], max_tokens=60)
    assert reply.error is None and len(session.history) == before + 2


def test_every_step_is_checked_cached_recorded_and_stored(tmp_path: Path) -> None:
    emulator = scripted({"content": ["Adding.", use("add", a=1, b=2)]}, {"content": ["It is 3."]})
    session = session_on(emulator, add, system=LONG_SYSTEM)
    checked: list[dict[str, Any]] = []
    session.before_send.append(checked.append)
    saver = persisted(session, tmp_path)
    reply = session.ask("What is 1 + 2?", max_tokens=200)
    assert isinstance(reply, ToolLoopReply) and len(reply.steps) == 2
    # before_send saw each step's body, exactly as sent
    assert checked == [request.body for request in emulator.requests] and len(checked) == 2
    # the cache plan ran on each body: system breakpoint + a rolling one at its end
    for body in checked:
        assert count_breakpoints(body) == 2
        assert "cache_control" in body["messages"][-1]["content"][-1]
    assert checked[1]["messages"][-1]["content"][0]["type"] == "tool_result"
    # so step 2 read step 1's prefix from the cache (the emulator's real accounting)
    first, second = session.ledger
    written = first.cache_write_5m_tokens
    assert written > 3000 and first.cache_read_tokens == 0
    assert second.cache_read_tokens >= written
    # one ledger record per step; history without breakpoints
    assert [r.request_id for r in session.ledger] == [s.request_id for s in reply.steps]
    assert "cache_control" not in json.dumps(session.history)
    assert [turn["role"] for turn in session.history] == ["user", "assistant"] * 2
    # the store: one call per step, and the history the session kept
    saved = saver.store.load_session(saver.session_id or "")
    assert [turn["request_id"] for turn in saved.turns] == [s.request_id for s in reply.steps]
    assert saved.history == json.loads(json.dumps(session.history))
    assert saved.history_changes == 1 and saved.system == LONG_SYSTEM
    assert_valid_by_asking_again(session)


def test_a_loop_that_would_pass_the_budget_on_step_two_is_refused_there() -> None:
    emulator = scripted({"content": ["Adding.", use("add", a=1, b=2)]}, {"content": ["3."]})
    session = session_on(emulator, add, system=LONG_SYSTEM)
    first_step = worst_case_cost(session.build_request("What is 1 + 2?", max_tokens=300))
    assert first_step is not None
    budget = Budget(first_step * 1.001)  # room for step 1's worst case, not for step 2's
    session.before_send.append(
        lambda body: budget.check(session.ledger.total_cost, worst_case_cost(body)) and None)
    with pytest.raises(BudgetExceededError, match="passes the session budget"):
        session.ask("What is 1 + 2?", max_tokens=300)
    assert len(emulator.requests) == 1 and len(session.ledger) == 1  # step 2 never sent
    last = session.last_reply
    assert isinstance(last, ToolLoopReply) and len(last.steps) == 1
    assert last.note is not None and last.note.startswith("Stopped before step 2: ")
    assert "budget" in last.note and isinstance(last.error, BudgetExceededError)
    assert last.tool_calls[0].name == "add" and last.tool_calls[0].error is None  # it ran
    assert session.history == [
        {"role": "user", "content": "What is 1 + 2?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Adding."}]},
    ]
    session.before_send.clear()
    assert_valid_by_asking_again(session)


def test_resume_after_a_step_cap_and_an_interrupted_tool_is_valid(tmp_path: Path) -> None:
    emulator = scripted(
        {"content": ["Checking.", use("add", a=1, b=2)]},
        {"content": ["Checking again.", use("add", a=2, b=3)]},
        {"content": [use("stop", seconds=1)]},
        {"content": ["Fine."]},
    )
    first = session_on(emulator, add, stop, system="Answer in one word.")
    saver = persisted(first, tmp_path)
    capped = first.ask("add forever", max_steps=2, max_tokens=100)
    assert capped.note is not None and "step limit (2)" in capped.note
    with pytest.raises(KeyboardInterrupt):
        first.ask("now stop", max_tokens=100)
    assert first.history[-1] == {
        "role": "assistant", "content": [{"type": "text", "text": "Checking again."}]}
    first.ask("fine?", max_tokens=100)  # the capped turn is now mid-history
    assert len(emulator.requests) == 4 and len(first.ledger) == 4
    kept = json.loads(json.dumps(first.history))
    assert [turn["role"] for turn in kept] == ["user", "assistant"] * 3
    # the calls alone (single-call rules) hold two tool calls nobody answered
    stored_calls = saver.store.load_session(saver.session_id or "").turns
    assert len(tool_uses([turn["reply_message"] for turn in stored_calls])) == 3
    saver.close()
    # a new kernel: a fresh session and store connection, the offline emulator
    later = Session(offline=True, environ={}, max_retries=0)
    loader = persisted(later, tmp_path)
    saved = loader.resume(later)
    assert later.history == kept and later.system == "Answer in one word."
    assert len(tool_uses(later.history)) == 1  # only the answered one
    assert [record.request_id for record in later.ledger] == [
        record.request_id for record in first.ledger]
    reply = later.ask("what did we get?", max_tokens=60)  # the emulator validates it
    assert reply.error is None
    assert reply.request["messages"][:-1] == kept and reply.request["system"] == saved.system
    again = loader.store.load_session(saved.id)
    assert again.history == later.history and len(again.records) == 5


def test_undo_and_reset_are_stored_and_a_refused_start_leaves_no_trace(tmp_path: Path) -> None:
    session = Session(offline=True, environ={}, max_retries=0)
    saver = persisted(session, tmp_path)
    session.reset()
    session.undo()
    assert saver.session_id is None and not (tmp_path / "history.sqlite").exists()
    session.ask("one", max_tokens=40)
    session.ask("two", max_tokens=40)
    session.undo()
    assert saver.store.load_session(saver.session_id or "").history == session.history
    assert len(session.history) == 2
    session.ask("one-shot", history=False, max_tokens=40)  # not part of the conversation
    assert saver.store.load_session(saver.session_id or "").history == session.history
    session.reset()
    saved = saver.store.load_session(saver.session_id or "")
    assert saved.history == [] and len(saved.records) == 3
