"""Long conversations stay linear: shared turns, cached estimates, a bounded emulator log.

Structural checks, not timings: a reply shares the history's turns instead of copying them,
the cache planner estimates only blocks it has not seen, the client refuses a request far
past the model's window before sending, the emulator keeps a bounded log, and ``on_event``
hands out text deltas whose concatenation is the reply's text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb import _exceptions as errors
from claude_nb._api import estimate
from claude_nb._session.session import Session
from claude_nb._wire.stream import MessageSnapshot
from claude_nb.emulator import Emulator, ScriptedResponder

MODEL = "claude-sonnet-5-5"  # a 1,000,000-token window


@pytest.fixture
def emulator() -> Emulator:
    responder = ScriptedResponder(["One. " * 50], repeat_last=True)
    return Emulator(require_key=False, responder=responder)


@pytest.fixture
def session(emulator: Emulator) -> Iterator[Session]:
    with Session(emulator=emulator, model=MODEL, environ={}) as opened:
        yield opened


def _history(turns: int) -> list[Any]:
    history: list[Any] = []
    for number in range(turns):
        history.append({"role": "user", "content": f"question {number} " * 40})
        history.append({"role": "assistant", "content": [{"type": "text", "text": "answer " * 60}]})
    return history


def test_replies_share_the_history_turns_instead_of_copying_them(session: Session) -> None:
    first = session.ask("one")
    second = session.ask("two")
    third = session.ask("three")
    # every reply's request holds the very turns the history holds (no private deep copy)
    for index, turn in enumerate(session.history[:4]):
        assert third.request["messages"][index] is turn
    assert second.request["messages"][0] is session.history[0]
    assert second.request["messages"][1] is session.history[1]
    # the assistant turn the history keeps is the reply's own content, not a copy
    assert session.history[1]["content"] is first.message["content"]


def test_the_cache_planner_estimates_only_new_blocks(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.history = _history(200)
    session.prepare_request("warm up")  # the first request estimates everything once
    calls = {"blocks": 0, "canonical": 0}
    block_tokens, canonical = estimate.block_tokens, estimate._canonical

    def counted_blocks(*args: Any, **kwargs: Any) -> int:
        calls["blocks"] += 1
        return block_tokens(*args, **kwargs)

    def counted_canonical(value: Any) -> str:
        calls["canonical"] += 1
        return canonical(value)

    monkeypatch.setattr(estimate, "block_tokens", counted_blocks)
    monkeypatch.setattr(estimate, "_canonical", counted_canonical)
    session.history.append({"role": "user", "content": "a new question"})
    session.history.append({"role": "assistant", "content": "a new answer"})
    session.prepare_request("next question")
    # 400 old blocks: only the new turns (and the new prompt) are estimated
    assert calls["blocks"] <= 4, calls
    assert calls["canonical"] <= 4, calls


def test_the_cache_planner_follows_undo_and_edits(session: Session) -> None:
    session.history = _history(50)
    first = session.prepare_request("question")
    session.history[-1] = {"role": "assistant", "content": "short " * 5000}  # an edit
    edited = session.prepare_request("question")
    session.undo()
    undone = session.prepare_request("question")
    fresh = Session(model=MODEL, environ={})
    for prepared, history in ((edited, _history(50)), (undone, _history(49))):
        if prepared is edited:
            history[-1] = {"role": "assistant", "content": "short " * 5000}
        fresh.history = history
        assert prepared.body == fresh.prepare_request("question").body
    assert first.body != edited.body


def test_a_prompt_far_past_the_window_is_refused_before_sending(
    session: Session, emulator: Emulator
) -> None:
    prompt = "word " * 1_440_000  # ~1.8M tokens for a 1M-token model
    with pytest.raises(errors.ContentError, match="context window") as raised:
        session.ask(prompt)
    assert "\n" not in str(raised.value)
    assert len(emulator.requests) == 0  # nothing was sent
    assert session.history == []


def test_a_long_history_past_the_window_is_refused_too(
    session: Session, emulator: Emulator
) -> None:
    session.history = [
        {"role": "user", "content": "x" * 4_000_000},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "y" * 4_000_000},
        {"role": "assistant", "content": "ok"},
    ]
    with pytest.raises(errors.ContentError, match="context window"):
        session.ask("and now?")
    assert len(emulator.requests) == 0


def test_the_emulator_log_is_bounded(emulator: Emulator) -> None:
    with Session(emulator=emulator, model=MODEL, environ={}) as session:
        for number in range(150):
            session.ask(f"question {number}", history=False)
    assert len(emulator.requests) <= 64
    assert emulator.requests[-1].body["messages"][-1]["content"] == "question 149"
    assert emulator.requests_seen == 150
    unbounded = Emulator(require_key=False, log_requests=None)
    with Session(emulator=unbounded, model=MODEL, environ={}) as session:
        for number in range(70):
            session.ask(f"question {number}", history=False)
    assert len(unbounded.requests) == 70
    assert unbounded.requests[0].body["messages"][-1]["content"] == "question 0"


@pytest.mark.parametrize("stream", [True, False])
def test_on_event_gets_text_deltas_that_add_up_to_the_text(session: Session, stream: bool) -> None:
    deltas: list[str] = []
    kinds: list[str] = []
    last: list[MessageSnapshot] = []

    def on_event(snapshot: MessageSnapshot) -> None:
        deltas.append(snapshot.text_delta)
        kinds.append(str((snapshot.event.get("delta") or {}).get("type")))
        last[:] = [snapshot]

    reply = session.ask("tell me", on_event=on_event, stream=stream)
    assert "".join(deltas) == reply.text
    assert last[0].text == reply.text
    if stream:
        assert sum(1 for delta in deltas if delta) > 1  # one per text delta event
        assert all(kind == "text_delta" for kind, delta in zip(kinds, deltas, strict=True) if delta)

