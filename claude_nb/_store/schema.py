"""The history store's schema: numbered migrations that register themselves, run once each.

Each ``@_migration`` function (named ``mNNN_...``) is recorded in ``_migrations`` when it has
run (the simonw/llm pattern), so opening an older database applies only the newer ones, in
one ``BEGIN IMMEDIATE`` transaction. Opening is safe when several processes create the same
database at once: ``open_database`` sets ``busy_timeout`` first, then retries the WAL switch
and the migration while the file is locked, up to ``OPEN_WAIT`` seconds.

    m001  sessions (id, created, notebook_path, model), turns (one per API call)
    m002  index on sessions.created
    m003  sessions.system: the system prompt in force at the last history change (JSON)
    m004  history_changes: what the session's history kept after each change
    m005  batch_jobs: Message Batches a map created (``_store.batch_jobs``)
    m006  batch_jobs keyed by (id, created); output, emulator, reason
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["OPEN_WAIT", "migrate", "open_database", "rollback"]

_MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []
"""The schema's migrations in order; filled once at import by ``@_migration``."""


def _migration(function: Callable[[sqlite3.Connection], None]) -> Callable[..., None]:
    _MIGRATIONS.append(function)
    return function


@_migration
def m001_sessions_and_turns(db: sqlite3.Connection) -> None:
    """Sessions and their turns."""
    db.execute(
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, created REAL NOT NULL, "
        "notebook_path TEXT, model TEXT)"
    )
    db.execute(
        "CREATE TABLE turns (session_id TEXT NOT NULL REFERENCES sessions(id), "
        "seq INTEGER NOT NULL, time REAL NOT NULL, model TEXT, request_id TEXT, "
        "history_offset INTEGER NOT NULL, "
        "request_messages TEXT NOT NULL, reply_message TEXT, usage TEXT, cost REAL, "
        "interrupted INTEGER NOT NULL DEFAULT 0, error TEXT, record TEXT NOT NULL, "
        "PRIMARY KEY (session_id, seq))"
    )


@_migration
def m002_sessions_by_time(db: sqlite3.Connection) -> None:
    """Index for listing recent sessions."""
    db.execute("CREATE INDEX sessions_created ON sessions(created)")


def migrate(db: sqlite3.Connection, migrations: list[Callable[..., None]] | None = None) -> None:
    """Apply the migrations not yet recorded, in order, in one immediate transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL)")
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        for function in _MIGRATIONS if migrations is None else migrations:
            if function.__name__ not in done:
                function(db)
                row = (function.__name__, time.time())
                db.execute("INSERT INTO _migrations VALUES (?, ?)", row)
        db.execute("COMMIT")
    except BaseException:
        rollback(db)
        raise


def rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any, keeping quiet about it.

    SQLite rolls a transaction back itself after some errors (``SQLITE_FULL``, ``SQLITE_IOERR``
    ...); a second ``ROLLBACK`` would then raise "cannot rollback - no transaction is active"
    and hide the error that matters, which the caller re-raises.
    """
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


@_migration
def m003_session_system(db: sqlite3.Connection) -> None:
    """The session's system prompt (JSON; NULL: not recorded, as before this migration)."""
    db.execute("ALTER TABLE sessions ADD COLUMN system TEXT")


@_migration
def m004_history_changes(db: sqlite3.Connection) -> None:
    """Each change to a session's history: keep ``history_offset`` messages, append ``turns``."""
    db.execute(
        "CREATE TABLE history_changes (session_id TEXT NOT NULL REFERENCES sessions(id), "
        "seq INTEGER NOT NULL, time REAL NOT NULL, history_offset INTEGER NOT NULL, "
        "turns TEXT NOT NULL, PRIMARY KEY (session_id, seq))"
    )


@_migration
def m005_batch_jobs(db: sqlite3.Connection) -> None:
    """Message Batches created by ``Session.map(batch=True)``, to list and resume them."""
    db.execute(
        "CREATE TABLE batch_jobs (id TEXT PRIMARY KEY, created REAL NOT NULL, model TEXT, "
        "base_url TEXT, notebook_path TEXT, status TEXT NOT NULL, counts TEXT, "
        "labels TEXT NOT NULL, cost REAL, recorded INTEGER NOT NULL DEFAULT 0)"
    )


_M005_COLUMNS = (
    "id, created, model, base_url, notebook_path, status, counts, labels, cost, recorded"
)


@_migration
def m006_batch_jobs_by_id_and_created(db: sqlite3.Connection) -> None:
    """``batch_jobs`` keyed by ``(id, created)``, with ``output``, ``emulator``, ``reason``.

    A batch id alone did not name one job: an offline emulator of an earlier kernel handed
    out the same ids again, and saving the new job replaced the old one. ``output`` is the
    ``output=`` spec as JSON (to parse after a resume); ``emulator`` the process and
    emulator holding an offline job (NULL for a server's); ``reason`` why a job is ``lost``.
    """
    db.execute(
        "CREATE TABLE batch_jobs_m006 (id TEXT NOT NULL, created REAL NOT NULL, model TEXT, "
        "base_url TEXT, notebook_path TEXT, status TEXT NOT NULL, counts TEXT, "
        "labels TEXT NOT NULL, cost REAL, recorded INTEGER NOT NULL DEFAULT 0, output TEXT, "
        "emulator TEXT, reason TEXT, PRIMARY KEY (id, created))"
    )
    db.execute(
        f"INSERT INTO batch_jobs_m006 ({_M005_COLUMNS}) SELECT {_M005_COLUMNS} FROM batch_jobs"
    )
    db.execute("DROP TABLE batch_jobs")
    db.execute("ALTER TABLE batch_jobs_m006 RENAME TO batch_jobs")
    db.execute("CREATE INDEX batch_jobs_created ON batch_jobs(created)")


OPEN_WAIT = 30.0
"""Seconds a ``Store`` waits for other processes' locks (each write, and opening)."""


def _while_locked(action: Callable[[], object], deadline: float) -> None:
    """Run ``action``, again after a short sleep while the database is locked (to ``deadline``)."""
    pause = 0.005
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            text = str(error)
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
        time.sleep(pause * (0.5 + random.random()))  # jitter: two openers do not stay in step
        pause = min(pause * 2, 0.2)


def open_database(path: Path) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode with every migration applied.

    Switching to WAL and migrating need locks SQLite's busy handler does not wait for (two
    processes creating one database at once), so those are retried for a bounded time.
    """
    db = sqlite3.connect(path, timeout=OPEN_WAIT, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout={int(OPEN_WAIT * 1000)}")
    deadline = time.monotonic() + OPEN_WAIT
    _while_locked(lambda: db.execute("PRAGMA journal_mode=WAL"), deadline)
    db.execute("PRAGMA synchronous=NORMAL")
    _while_locked(lambda: migrate(db), deadline)
    return db
