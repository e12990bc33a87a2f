"""A failing history store says why, once per cause (audit: store notices).

The full disk is a real one as SQLite sees it: ``PRAGMA max_page_count`` caps the file at its
current size, so the next write fails with ``SQLITE_FULL`` ("database or disk is full") and
SQLite rolls the transaction back itself, exactly as on a full disk. The corrupt store is a
file of garbage; the read-only one is ``PRAGMA query_only`` (tests run as root, so file
modes would not stop a write).
"""

from __future__ import annotations

import errno
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from claude_nb import Session
from claude_nb._store.failures import describe
from claude_nb._store.persistence import Persistence
from claude_nb.emulator import Emulator


def _session(persistence: Persistence) -> Session:
    session = Session(offline=True, emulator=Emulator(require_key=False))
    session.on_call.append(persistence.record)
    session.on_history.append(lambda change: persistence.record_history(change))
    return session


def _full(persistence: Persistence) -> None:
    db = persistence.store._db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def _notices(errors: io.StringIO) -> list[str]:
    return errors.getvalue().splitlines()


def test_a_full_disk_is_said_once_and_named(tmp_path: Path) -> None:
    errors = io.StringIO()
    persistence = Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path)}, errors=errors)
    _full(persistence)
    session = _session(persistence)
    for number in range(4):
        assert session.ask(f"question {number} " + "x" * 5000, max_tokens=20).text
    (notice,) = _notices(errors)
    assert "disk full" in notice and "database or disk is full" in notice
    assert str(tmp_path / "history.sqlite") in notice and "CLAUDE_NB_HOME" in notice
    assert "cannot rollback" not in notice


def test_the_store_keeps_the_real_error_not_the_failed_rollback(tmp_path: Path) -> None:
    persistence = Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path)}, errors=io.StringIO())
    _full(persistence)
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        persistence.store.start_session("m", "x" * 200_000)


def test_no_space_from_the_operating_system_is_a_full_disk_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("claude_nb._store.persistence.Store", no_space)
    errors = io.StringIO()
    session = _session(Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path)}, errors=errors))
    session.ask("one", max_tokens=10)
    session.ask("two", max_tokens=10)
    (notice,) = _notices(errors)
    assert "disk full (No space left on device)" in notice
    assert str(tmp_path / "history.sqlite") in notice


def test_a_corrupt_store_is_named_with_its_path_and_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite").write_bytes(b"this is not sqlite at all " * 100)
    errors = io.StringIO()
    session = _session(Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path)}, errors=errors))
    session.ask("one", max_tokens=10)
    session.ask("two", max_tokens=10)
    (notice,) = _notices(errors)
    assert "corrupt" in notice and "Move the file aside" in notice
    assert str(tmp_path / "history.sqlite") in notice


def test_a_read_only_store_then_a_full_one_then_recovery(tmp_path: Path) -> None:
    errors = io.StringIO()
    persistence = Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path)}, errors=errors)
    db = persistence.store._db
    db.execute("PRAGMA query_only = 1")
    session = _session(persistence)
    session.ask("one", max_tokens=10)
    session.ask("two", max_tokens=10)
    assert len(_notices(errors)) == 1 and "read-only" in _notices(errors)[0]
    db.execute("PRAGMA query_only = 0")
    _full(persistence)
    session.ask("three " + "x" * 5000, max_tokens=10)
    session.ask("four " + "x" * 5000, max_tokens=10)
    assert len(_notices(errors)) == 2 and "disk full" in _notices(errors)[1]
    db.execute("PRAGMA max_page_count = 1000000")
    session.ask("five", max_tokens=10)  # saved: the next failure is news again
    assert len(_notices(errors)) == 2
    db.execute("PRAGMA query_only = 1")
    session.ask("six", max_tokens=10)
    assert len(_notices(errors)) == 3 and "read-only" in _notices(errors)[2]


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (sqlite3.OperationalError("database or disk is full"), "disk full"),
        (OSError(errno.ENOSPC, "No space left on device"), "disk full"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "disk full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
        (PermissionError(errno.EACCES, "Permission denied"), "read-only"),
        (OSError(errno.EROFS, "Read-only file system"), "read-only"),
        (sqlite3.DatabaseError("file is not a database"), "corrupt"),
        (sqlite3.DatabaseError("database disk image is malformed"), "corrupt"),
        (sqlite3.OperationalError("database is locked"), "locked"),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory"), "not a folder"),
        (RuntimeError("something else"), "RuntimeError"),
    ],
)
def test_describe_names_the_cause(error: BaseException, cause: str) -> None:
    assert describe(error).cause == cause


def test_a_full_disk_in_a_notebook_prints_one_notice(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_cell("%%claude\nfirst\n")
    magics = shell.magics_manager.registry["ClaudeMagics"]
    _full(magics.accounting.persistence)
    capsys.readouterr()
    for number in range(3):
        result = shell.run_cell(f"%%claude\nquestion {number} {'x' * 5000}\n")
        assert result.error_in_exec is None
    stderr = capsys.readouterr().err
    assert stderr.count("claude_nb:") == 1 and "disk full" in stderr, stderr
