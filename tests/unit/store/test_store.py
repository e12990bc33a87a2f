"""The SQLite history store, written by a real offline Session and by real processes."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from claude_nb import APIError, Session
from claude_nb._accounting.ledger import Ledger, UsageRecord
from claude_nb._store.persistence import Persistence
from claude_nb._store.store import NOT_RECORDED, Store, default_store_path, migrate
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import canary_key

FAKE_KEY = canary_key("FAKEFAKEFAKE0123456789abcdef")


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store(environ={"CLAUDE_NB_HOME": str(tmp_path / "home")}) as opened:
        yield opened


def _session(emulator: Emulator | None = None, **options: Any) -> Session:
    return Session(
        environ={}, emulator=emulator or Emulator(require_key=False), max_retries=0, **options
    )


def test_home_and_permissions(tmp_path: Path, store: Store) -> None:
    assert store.path == tmp_path / "home" / "history.sqlite"
    assert default_store_path({"CLAUDE_NB_HOME": "/x/y"}) == Path("/x/y/history.sqlite")
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    store.start_session("claude-opus-5")
    for path in store.path.parent.iterdir():  # the database, its -wal and -shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_session_round_trip_rebuilds_history_and_ledger(store: Store) -> None:
    ledger = Ledger()
    with _session() as session:
        session_id = store.start_session(session.settings.model, "analysis.ipynb")
        session.on_call.append(ledger.record_reply)
        session.on_call.append(lambda reply: store.record_reply(session_id, reply, "In[2]"))
        session.ask("first question", max_tokens=80)
        session.ask("second question", max_tokens=80)
        expected_history = json.loads(json.dumps(session.history))
    saved = store.load_session(session_id[:6])
    assert saved.id == session_id and saved.notebook_path == "analysis.ipynb"
    assert saved.history == expected_history
    assert [record.request_id for record in saved.records] == [
        record.request_id for record in ledger
    ]
    assert saved.records[0].cell == "In[2]" and saved.records[0].offline
    assert saved.ledger().total_cost == pytest.approx(ledger.total_cost)
    assert [turn["seq"] for turn in saved.turns] == [1, 2]
    summary = store.list_sessions()[0]
    assert (summary.id, summary.turns) == (session_id, 2)
    assert summary.cost == pytest.approx(ledger.total_cost)


def test_record_reply_stores_the_turn_as_the_history_keeps_it(store: Store) -> None:
    emulator = Emulator(require_key=False)
    with _session(emulator) as session:
        session_id = store.start_session()
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        session.ask("long question " * 2000, max_tokens=40)
        assert "cache_control" in json.dumps(session.last_reply.request["messages"])
        emulator.inject("529")
        with pytest.raises(APIError):
            session.ask("refused before any usage", max_tokens=40)
    saved = store.load_session(session_id)
    assert len(saved.turns) == 1  # the unbilled call is not a turn, as in the ledger
    assert "cache_control" not in json.dumps(saved.turns[0]["request_messages"])


def test_failed_and_interrupted_turns_follow_the_history_rules(store: Store) -> None:
    emulator = Emulator(require_key=False)
    with _session(emulator) as session:
        session_id = store.start_session()
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        session.ask("fine", max_tokens=60)
        emulator.inject("error-after:4")
        with pytest.raises(APIError):
            session.ask("this one breaks", max_tokens=300)

        def stop(snapshot: Any) -> None:
            if len(snapshot.text) > 5:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            session.ask("stop midway", max_tokens=300, on_event=stop)
        session.ask("after the stop", max_tokens=60)
        expected = json.loads(json.dumps(session.history))
    saved = store.load_session(session_id)
    assert saved.history == expected
    assert [turn["interrupted"] for turn in saved.turns] == [False, False, True, False]
    assert saved.turns[1]["error"] and saved.records[1].error == saved.turns[1]["error"]
    assert saved.records[2].input_tokens > 0  # partial usage was stored


def test_undo_then_ask_rebuilds_the_shorter_history(store: Store) -> None:
    with _session() as session:
        session_id = store.start_session()
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        session.ask("one", max_tokens=40)
        session.ask("two", max_tokens=40)
        session.undo()
        session.ask("two, again", max_tokens=40)
        expected = json.loads(json.dumps(session.history))
    assert store.load_session(session_id).history == expected
    assert len(expected) == 4


def test_exports(store: Store) -> None:
    with _session() as session:
        session_id = store.start_session("claude-sonnet-5-5")
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        session.ask("what is 2+2?", max_tokens=60)
        answer = session.history[-1]["content"][0]["text"]
    document = json.loads(store.export_session(session_id, "json"))
    assert document["id"] == session_id
    assert document["turns"][0]["request_messages"][0]["content"] == "what is 2+2?"
    markdown = store.export_session(session_id, "markdown")
    assert markdown.startswith(f"# Session {session_id}")
    assert "what is 2+2?" in markdown and answer.splitlines()[0] in markdown
    assert "(simulated)" in markdown
    with pytest.raises(ValueError):
        store.export_session(session_id, "xml")


def test_resolve_errors(store: Store) -> None:
    store.start_session(session_id="abc1")
    store.start_session(session_id="abc2")
    with pytest.raises(KeyError, match="more than one"):
        store.resolve("abc")
    with pytest.raises(KeyError, match="no session"):
        store.resolve("zzz")
    assert store.resolve("abc2") == "abc2"
    assert store.load_session("abc1").history == []


def test_the_store_never_holds_the_api_key(tmp_path: Path) -> None:
    environ = {"CLAUDE_NB_HOME": str(tmp_path), "ANTHROPIC_API_KEY": FAKE_KEY}
    store = Store(environ=environ)
    with Session(
        api_key=FAKE_KEY, offline=True, environ=environ, emulator=Emulator(), max_retries=0
    ) as session:
        session_id = store.start_session(session.settings.model, f"/home/{FAKE_KEY}.ipynb")
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        session.ask(f"my key is {FAKE_KEY}, keep it safe", max_tokens=60)
        session.ask(f"and the other key {canary_key('OTHERKEY999', 'admin01')}", max_tokens=60)
        store.add_turn(
            session_id,
            request_messages=[],
            reply_message=None,
            offset=0,
            record=UsageRecord("m", error=f"AuthenticationError: bad {FAKE_KEY}"),
        )
    exported = store.export_session(session_id, "json") + store.export_session(
        session_id, "markdown"
    )
    store.close()
    blob = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert b"keep it safe" in blob + exported.encode()  # the data did get written
    for secret in (FAKE_KEY, "FAKEFAKEFAKE", "OTHERKEY999"):
        assert secret.encode() not in blob
        assert secret not in exported


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from claude_nb._accounting.ledger import UsageRecord
    from claude_nb._store.store import Store
    folder, name, turns, start, rounds, gap = sys.argv[1:7]
    for number in range(int(rounds)):
        # every writer opens the same new database at the same instant (the race to create it)
        time.sleep(max(0.0, float(start) + number * float(gap) - time.time()))
        store = Store(Path(folder) / f"round{number}.sqlite")
        session_id = store.start_session("claude-opus-5", session_id=name)
        for turn in range(int(turns)):
            message = {"role": "user", "content": f"{name} {turn}" + "x" * 2000}
            reply = {"role": "assistant", "content": [{"type": "text", "text": str(turn)}]}
            store.add_turn(session_id, request_messages=[message], reply_message=reply,
                           record=UsageRecord("claude-opus-5", input_tokens=turn),
                           offset=2 * turn)
        store.close()
""")


def test_processes_create_and_write_one_database_at_once(tmp_path: Path) -> None:
    names, turns, rounds = ("alpha", "beta", "gamma"), 40, 6
    start, gap = str(time.time() + 1.5), "0.4"
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(tmp_path),
                name,
                str(turns),
                start,
                str(rounds),
                gap,
            ],
            stderr=subprocess.PIPE,
        )
        for name in names
    ]
    for writer in writers:
        _, error = writer.communicate(timeout=120)
        assert writer.returncode == 0, error.decode()
    for number in range(rounds):
        path = tmp_path / f"round{number}.sqlite"
        with Store(path) as store:
            for name in names:
                saved = store.load_session(name)
                assert [turn["seq"] for turn in saved.turns] == list(range(1, turns + 1))
                assert len(saved.history) == 2 * turns
                assert saved.history[-1]["content"][0]["text"] == str(turns - 1)
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migrations_run_once_and_new_ones_apply_later(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    Store(path).close()
    Store(path).close()  # a second open applies nothing twice
    db = sqlite3.connect(path, isolation_level=None)
    names = [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [
        "m001_sessions_and_turns",
        "m002_sessions_by_time",
        "m003_session_system",
        "m004_history_changes",
        "m005_batch_jobs",
        "m006_batch_jobs_by_id_and_created",
    ]

    def m007_add_title(connection: sqlite3.Connection) -> None:
        connection.execute("ALTER TABLE sessions ADD COLUMN title TEXT")

    from claude_nb._store.store import _MIGRATIONS

    migrate(db, [*_MIGRATIONS, m007_add_title])
    migrate(db, [*_MIGRATIONS, m007_add_title])
    columns = [row[1] for row in db.execute("PRAGMA table_info(sessions)")]
    assert columns[-1] == "title"
    db.close()


def _older_database(path: Path) -> str:
    """A database as the store wrote it before m003/m004: only calls, no system prompt.

    Written by the real store and a real tool loop that hit its step cap, then taken back to
    the old schema (the new column and table dropped, their migrations forgotten).
    """

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    turn = {
        "content": [
            "Checking.",
            {"type": "tool_use", "id": "", "name": "add", "input": {"a": 1, "b": 2}},
        ]
    }
    responder = ScriptedResponder([turn], repeat_last=True)
    with (
        Store(path) as store,
        _session(Emulator(require_key=False, responder=responder), system="Be brief.") as session,
    ):
        session.tools.register(add)
        session_id = store.start_session(session.settings.model)
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        session.ask("add forever", max_steps=2, max_tokens=80)
    with sqlite3.connect(path, isolation_level=None) as db:
        db.execute("DROP TABLE history_changes")
        db.execute("ALTER TABLE sessions DROP COLUMN system")
        db.execute(
            "DELETE FROM _migrations WHERE name IN ('m003_session_system', 'm004_history_changes')"
        )
    db.close()
    return session_id


def test_an_older_database_is_migrated_and_resumes_validly(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    session_id = _older_database(path)
    with sqlite3.connect(path) as db:
        assert "system" not in [row[1] for row in db.execute("PRAGMA table_info(sessions)")]
    db.close()
    environ = {"CLAUDE_NB_HOME": str(tmp_path)}
    resumed = _session(system="My own prompt.")
    persistence = Persistence(environ=environ)
    saved = persistence.resume(resumed, session_id)  # opening migrates the file
    assert saved.system is NOT_RECORDED and saved.history_changes == 0
    assert resumed.system == "My own prompt."  # nothing recorded: the session keeps its own
    # the calls end on a tool call nobody answered; the rebuilt history is closed
    assert saved.turns[-1]["reply_message"]["content"][-1]["type"] == "tool_use"
    assert resumed.history[-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Checking."}],
    }
    resumed.on_call.append(persistence.record)
    resumed.on_history.append(lambda change: persistence.record_history(change, resumed.system))
    assert resumed.ask("go on", max_tokens=60).error is None  # the emulator validates it
    again = persistence.store.load_session(session_id)
    assert again.history == resumed.history and again.system == "My own prompt."
    assert again.history_changes == 2  # the rebuilt base, then this ask
    persistence.close()
