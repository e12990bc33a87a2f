"""Automatic caching in Session, the session's ledger, and Persistence (store, resume, export).

Real parts only: Session on the in-process emulator, the SQLite store in a temporary
CLAUDE_NB_HOME.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from claude_nb import APIError, OverloadedError, Session
from claude_nb._accounting.cache_plan import count_breakpoints
from claude_nb._api.history import without_cache_control
from claude_nb._store.persistence import Persistence, find_notebook_path
from claude_nb.emulator import Emulator

LONG_SYSTEM = "You are a patient statistics tutor. " * 500  # ~4,500 tokens, past any minimum


def cached_session(**options: Any) -> Session:
    session = Session(offline=True, emulator=Emulator(require_key=False), **options)
    session.system = LONG_SYSTEM
    return session


def cache_tokens(session: Session) -> list[tuple[int, int]]:
    return [(r.cache_write_5m_tokens + r.cache_write_1h_tokens, r.cache_read_tokens)
            for r in session.ledger]


def test_caching_is_on_by_default_and_the_second_turn_reads_the_first() -> None:
    session = cached_session()
    dry = session.build_request("first question")
    assert count_breakpoints(dry) == 2  # system + rolling, on the body only
    session.ask("first question", max_tokens=80)
    session.ask("second question", max_tokens=80)
    session.ask("third question", max_tokens=80)
    (write1, read1), (write2, read2), (_, read3) = cache_tokens(session)
    assert write1 > 4000 and read1 == 0
    assert read2 >= write1 and write2 < write1
    assert read3 >= read2 + write2
    # the history never keeps a marker, so breakpoints do not pile up across turns
    assert all(not isinstance(turn["content"], list) for turn in session.history[0::2])
    assert "cache_control" not in json.dumps(session.history)
    assert count_breakpoints(session.last_reply.request) == 2
    footer = session.last_reply.footer()
    assert f"cache read {read3:,}" in footer and "saved $" in footer
    assert session.ledger.totals().savings > 0 and session.ledger.totals().hit_ratio > 0.5


def test_cache_off_per_call_or_per_session_and_the_ttl() -> None:
    session = cached_session()
    assert count_breakpoints(session.build_request("q", cache=False)) == 0
    hour = cached_session(cache_ttl="1h").build_request("q")
    assert hour["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    off = cached_session(cache=False)
    off.ask("no cache", max_tokens=40)
    assert cache_tokens(off) == [(0, 0)] and off.ledger[0].input_tokens > 4000
    off.ask("still none", max_tokens=40, cache="1h")  # a TTL turns it on for one call
    assert cache_tokens(off)[1][0] > 0 and off.ledger[1].cache_write_1h_tokens > 0


def test_without_cache_control_restores_what_the_history_had() -> None:
    marked = {"role": "user", "content": [
        {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}
    assert without_cache_control(marked) == {"role": "user", "content": "hi"}
    image = {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}
    two = {"role": "user", "content": [image, {"type": "text", "text": "what is it?",
                                               "cache_control": {"type": "ephemeral"}}]}
    assert without_cache_control(two)["content"] == [image, {"type": "text",
                                                             "text": "what is it?"}]


def test_a_failed_call_without_usage_adds_no_record() -> None:
    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator, max_retries=0)
    emulator.inject("529")
    with pytest.raises(OverloadedError):
        session.ask("refused", max_tokens=40)
    emulator.inject("error-after:3")
    with pytest.raises(APIError):
        session.ask("breaks mid-stream", max_tokens=400)
    assert len(session.ledger) == 1 and session.ledger[0].error  # its usage was known


def test_every_call_is_saved_and_resume_restores_history_and_ledger(tmp_path: Path) -> None:
    environ = {"CLAUDE_NB_HOME": str(tmp_path)}
    first = cached_session()
    saver = Persistence(environ=environ, notebook_path=lambda: "course/week1.ipynb")
    first.on_call.append(lambda reply: saver.record(reply, first.ledger.cell))
    first.ledger.cell = "In[3]"
    first.ask("What is a p-value?", max_tokens=80)

    def stop(snapshot: Any) -> None:
        if len(snapshot.text) > 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        first.ask("Explain it at length " * 3, max_tokens=400, on_event=stop)
    assert saver.store.list_sessions()[0].turns == 2  # the interrupted one too
    # a new kernel: a new Persistence on the same store, a fresh session
    later = cached_session()
    loader = Persistence(environ=environ, notebook_path=lambda: "course/week1.ipynb")
    saved = loader.resume(later)
    assert saved.notebook_path == "course/week1.ipynb" and loader.session_id == saved.id
    assert later.history == first.history  # the partial text turn included
    assert [r.cell for r in later.ledger] == ["In[3]", "In[3]"]
    assert later.ledger.total_cost == pytest.approx(first.ledger.total_cost)
    later.on_call.append(loader.record)
    later.on_history.append(lambda change: loader.record_history(change, later.system))
    later.ask("And a confidence interval?", max_tokens=80)
    assert later.last_reply.request["messages"][:4] == first.history
    assert len(later.ledger) == 3 and later.ledger[2].cache_read_tokens == 0  # new emulator
    assert loader.store.load_session(saved.id).history == later.history
    assert "cache_control" not in json.dumps(loader.store.load_session(saved.id).turns[-1]
                                             ["request_messages"])


def test_export_by_extension_and_mistakes(tmp_path: Path) -> None:
    persistence = Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path)})
    with pytest.raises(KeyError, match="nothing saved"):
        persistence.export(tmp_path / "x.json")
    session = cached_session()
    session.on_call.append(persistence.record)
    session.ask("export me", max_tokens=40)
    document = json.loads(persistence.export(tmp_path / "s.json").read_text())
    assert document["history"][0]["content"] == "export me"
    assert "## Call 1" in persistence.export(tmp_path / "s.md").read_text()
    with pytest.raises(ValueError, match=r"\.json or \.md"):
        persistence.export(tmp_path / "s.txt")
    with pytest.raises(KeyError, match="no saved session"):
        persistence.resume(Session(offline=True))  # only this kernel's own session exists
    assert persistence.list_sessions()._repr_markdown_().count("this kernel") == 1


def test_a_store_failure_is_reported_and_the_call_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("x")
    errors = io.StringIO()
    persistence = Persistence(environ={"CLAUDE_NB_HOME": str(blocker)}, errors=errors)
    session = cached_session()
    session.on_call.append(persistence.record)
    reply = session.ask("still answered", max_tokens=40)
    assert reply.text and len(session.history) == 2
    assert errors.getvalue().startswith("claude_nb: not saving this conversation to")
    assert "not a folder" in errors.getvalue() and str(blocker) in errors.getvalue()
    assert errors.getvalue().count("\n") == 1  # once, though the call and the history failed


def test_notebook_path_from_the_frontend() -> None:
    assert find_notebook_path({"__session__": "a/b.ipynb"}, {}) == "a/b.ipynb"
    assert find_notebook_path({"__vsc_ipynb_file__": "/c.ipynb"}, {}) == "/c.ipynb"
    assert find_notebook_path({}, {"JPY_SESSION_NAME": "d.ipynb"}) == "d.ipynb"
    assert find_notebook_path(None, {}) is None
