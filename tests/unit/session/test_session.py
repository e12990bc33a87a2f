"""Session over the real emulator: history rules, replies, callbacks, faults, secrets."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import claude_nb
from claude_nb import _exceptions as errors
from claude_nb._notebook.kernel import _default_session, get_session
from claude_nb._session.reply import Reply
from claude_nb._session.session import Session
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import canary_key

KEY = canary_key("session-secret-0123456789")


def _fast(session: Session, sleeps: list[float] | None = None) -> Session:
    """Record retry waits instead of sleeping (the client's injectable sleep)."""
    session._sync_client()._sleep = (sleeps if sleeps is not None else []).append
    return session


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(
        require_key=False, responder=ScriptedResponder(["One.", "Two."], repeat_last=True)
    )


@pytest.fixture
def session(emulator: Emulator) -> Iterator[Session]:
    with Session(emulator=emulator, environ={}) as opened:
        yield _fast(opened)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(
        require_key=True,
        responder=ScriptedResponder(
            ["A long enough answer to cut in the middle of it."], repeat_last=True
        ),
    )
    with emulator.serve() as base_url:
        yield emulator, base_url


def test_offline_ask_returns_reply_and_grows_history(session: Session) -> None:
    snapshots: list[str] = []
    reply = session.ask("Hello", on_event=lambda snapshot: snapshots.append(snapshot.text))
    assert reply.text == "One." and reply.stop_reason == "end_turn"
    assert reply.offline and session.offline and reply.request_id
    assert reply.usage["input_tokens"] > 0 and reply.usage["output_tokens"] > 0
    assert reply.time_to_first_token is not None and reply.duration >= reply.time_to_first_token
    assert snapshots[-1] == "One."
    assert session.history == [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": [{"type": "text", "text": "One."}]},
    ]
    assert reply.message["content"] == session.history[-1]["content"]
    assert "offline emulator" in reply._repr_markdown_()


def test_build_request_is_exactly_what_ask_sends(session: Session, emulator: Emulator) -> None:
    session.system = "Be brief."
    session.ask("First")
    expected = session.build_request("Second", stop_sequences=["END"])
    session.ask("Second", stop_sequences=["END"])
    assert emulator.requests[-1].body == expected
    assert expected["system"] == "Be brief." and len(expected["messages"]) == 3


def test_one_shot_leaves_history_alone(session: Session, emulator: Emulator) -> None:
    session.ask("Keep")
    before = list(session.history)
    session.ask("Once", history=False)
    assert session.history == before
    assert emulator.requests[-1].body["messages"] == [{"role": "user", "content": "Once"}]


def test_non_streaming_ask_calls_on_event_once(session: Session) -> None:
    seen: list[bool] = []
    reply = session.ask(
        "Hi", stream=False, on_event=lambda snapshot: seen.append(snapshot.finished)
    )
    assert reply.text == "One." and seen == [True] and reply.time_to_first_token is None


def test_undo_and_reset(session: Session) -> None:
    session.ask("a")
    session.ask("b")
    session.undo()
    assert [turn["content"] for turn in session.history if turn["role"] == "user"] == ["a"]
    session.reset()
    assert session.history == []


def test_on_call_gets_every_call_and_last_reply(session: Session, emulator: Emulator) -> None:
    calls: list[Reply] = []
    session.on_call.append(calls.append)
    session.ask("ok")
    emulator.inject("413")
    with pytest.raises(errors.RequestTooLargeError):
        session.ask("too big")
    assert [call.error is None for call in calls] == [True, False]
    assert session.last_reply is calls[-1] and isinstance(
        calls[-1].error, errors.RequestTooLargeError
    )
    assert session.history[-1]["role"] == "assistant"  # the failed turn left no trace


def test_interrupt_keeps_partial_text_and_reraises(session: Session) -> None:
    calls: list[Reply] = []
    session.on_call.append(calls.append)

    def stop_after_text(snapshot: Any) -> None:
        if snapshot.text:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        session.ask("Go", on_event=stop_after_text)
    reply = session.last_reply
    assert reply is not None and reply.interrupted and calls == [reply]
    assert reply.text == "One." and reply.usage["input_tokens"] > 0
    assert session.history == [
        {"role": "user", "content": "Go"},
        {"role": "assistant", "content": [{"type": "text", "text": "One."}]},
    ]


def test_interrupt_before_text_drops_the_user_turn(session: Session) -> None:
    def stop_at_once(snapshot: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        session.ask("Go", on_event=stop_at_once)
    assert session.history == [] and session.last_reply is not None
    assert session.last_reply.interrupted and session.last_reply.text == ""


def test_interrupt_drops_tool_use_blocks() -> None:
    turn = {
        "content": [{"type": "tool_use", "id": "t", "name": "f", "input": {}}],
        "stop_reason": "tool_use",
    }
    emulator = Emulator(require_key=False, responder=ScriptedResponder([turn]))
    with Session(emulator=emulator, environ={}) as session:

        def stop(snapshot: Any) -> None:
            if snapshot.started:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            session.ask("Use a tool", on_event=stop)
    assert session.history == []


def test_count_tokens_and_list_models(session: Session) -> None:
    assert session.count_tokens("hello there") > 0
    models = session.list_models()
    assert models and all(model["type"] == "model" for model in models)


def test_async_twin_same_history_rules(emulator: Emulator) -> None:
    async def scenario() -> tuple[Reply, list[Any]]:
        session = Session(emulator=emulator, environ={})
        try:
            reply = await session.ask_async("Hello")
            return reply, session.history
        finally:
            await session.aclose()

    reply, history = asyncio.run(scenario())
    assert reply.text == "One." and len(history) == 2


# -- faults over real HTTP (127.0.0.1) -------------------------------------------------------

FAULTS = [
    # fault, error type, attempts, partial text kept
    ("429", errors.RateLimitError, 3, ""),
    ("529", errors.OverloadedError, 3, ""),
    ("500", errors.InternalServerError, 3, ""),
    ("413", errors.RequestTooLargeError, 1, ""),
    ("drop-before-headers", errors.APIConnectionError, 3, ""),
    ("error-after:2", errors.StreamEventError, 3, ""),
    ("error-after:5", errors.StreamEventError, 1, "A long"),
    ("truncate-after:1", errors.IncompleteStreamError, 3, ""),
    ("truncate-after:5", errors.IncompleteStreamError, 1, "A long"),
    ("malformed-after:5", errors.MalformedStreamError, 1, "A long"),
]


@pytest.mark.parametrize(("fault", "expected", "attempts", "partial"), FAULTS)
def test_each_fault_gives_error_type_retries_and_partial(
    served: tuple[Emulator, str],
    fault: str,
    expected: type[Exception],
    attempts: int,
    partial: str,
) -> None:
    emulator, base_url = served
    with Session(KEY, base_url, environ={}) as session:
        sleeps: list[float] = []
        _fast(session, sleeps)
        emulator.inject(fault, times=3)
        before = len(emulator.requests)
        try:
            with pytest.raises(expected) as caught:
                session.ask("Answer please", max_tokens=200)
        finally:
            emulator._faults.clear()
    error = caught.value
    assert isinstance(error, errors.APIError)
    assert len(emulator.requests) - before == attempts
    assert error.retries == attempts - 1 == len(sleeps)
    assert error.partial_text.startswith(partial)
    if partial:
        assert error.partial is not None and error.partial["usage"]["input_tokens"] > 0
        assert session.last_reply is not None and session.last_reply.text.startswith(partial)
    assert session.history == []


def test_fault_then_success_counts_retries(served: tuple[Emulator, str]) -> None:
    emulator, base_url = served
    with Session(KEY, base_url, environ={}) as session:
        sleeps: list[float] = []
        _fast(session, sleeps)
        emulator.inject("529", times=1)
        emulator.inject("error-after:1", times=1)
        reply = session.ask("Hi")
    assert reply.retries == 2 and reply.text.startswith("A long") and len(sleeps) == 2


def test_slow_first_byte_beyond_read_timeout(served: tuple[Emulator, str]) -> None:
    emulator, base_url = served
    with Session(KEY, base_url, max_retries=0, read_timeout=0.2, environ={}) as session:
        emulator.inject("slow-first-byte:1")
        with pytest.raises(errors.APITimeoutError, match="read timeout"):
            session.ask("Hi")


# -- secrets, import cost, defaults ---------------------------------------------------------


def test_no_error_or_reply_ever_shows_the_key(served: tuple[Emulator, str]) -> None:
    emulator, base_url = served
    seen: list[Any] = []
    for fault in [f for f, *_ in FAULTS] + ["401", "slow-first-byte:1"]:
        with Session(KEY, base_url, max_retries=0, read_timeout=0.3, environ={}) as session:
            session.on_call.append(seen.append)
            emulator.inject(fault)
            with pytest.raises(errors.APIError) as caught:
                session.ask("Hi")
            seen.append(caught.value)
            emulator._faults.clear()
            seen.append(session)
            seen.append(session.settings)
    with Session(KEY, base_url, environ={}) as session:
        seen.append(session.ask("fine"))
    for item in seen:
        texts = [str(item), repr(item), getattr(item, "_repr_markdown_", lambda: "")()]
        if isinstance(item, Reply):
            texts.append(repr(item.request))
        for text in texts:
            assert KEY not in text and KEY[8:24] not in text
    assert all(KEY not in str(request.headers) for request in emulator.requests)


def test_import_and_session_do_not_import_httpx() -> None:
    code = (
        "import sys, claude_nb; s = claude_nb.Session(environ={}); s.build_request('x');"
        "print('httpx' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_get_session_default_is_lazy_and_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    _default_session.cache_clear()
    try:
        assert get_session() is get_session()
        assert claude_nb.get_session is get_session
    finally:
        _default_session.cache_clear()


def test_get_session_inside_ipython_uses_the_magics_session(shell: Any) -> None:
    magics = shell.magics_manager.registry["ClaudeMagics"]
    assert get_session() is magics.session is get_session()
    shell.run_cell("%claude --max-tokens 20 Hello", store_history=True)
    assert get_session().history == magics.session.history and len(magics.session.history) == 2
