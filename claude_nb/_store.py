"""The history store: sessions and turns in SQLite, for listing, resuming and exporting.

The file is ``~/.claude_nb/history.sqlite`` (``CLAUDE_NB_HOME`` moves the directory; the
environment is read when a ``Store`` is made, through an injectable mapping). The directory
is created 0700 and the file 0600; the database runs in WAL mode and every write is one
``BEGIN IMMEDIATE`` transaction, so several kernels can write at once. The schema is built by
numbered migrations that register themselves (``@_migration``, as in simonw/llm), each run
once and recorded in ``_migrations``.

A turn is one API call: the messages it added to the conversation (usually the last one of
the request), the reply message (partial when interrupted), its usage record, cost, model,
request id, interrupted flag and time. History is rebuilt by the session's own rules: a
failed call adds nothing, an interrupted one keeps only its text (or nothing). No API key is
ever written: every stored text has the key from the environment and anything shaped like
``sk-ant-...`` replaced by ``[redacted]``.

Integration (``%claude_session list/resume/export``)::

    store = Store()                                   # or Store(environ=..., path=...)
    session_id = store.start_session(model, notebook_path)
    session.on_call.append(lambda reply: store.record_reply(session_id, reply, cell))
    store.list_sessions()                              # -> [SessionSummary]
    saved = store.load_session("3fa8")                 # id or unique prefix
    session.history, ledger = saved.history, saved.ledger()
    store.export_session(saved.id, "markdown")         # or "json"
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from claude_nb._exceptions import ConfigurationError
from claude_nb._ledger import Ledger, UsageRecord
from claude_nb._pricing import PriceTable, price_table

__all__ = [
    "SavedSession",
    "SessionSummary",
    "Store",
    "default_store_path",
    "home_dir",
    "read_price_overrides",
]

_MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []
"""The schema's migrations in order; filled once at import by ``@_migration``."""

_KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_\-]{6,}")
REDACTED = "[redacted]"


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
        db.execute("ROLLBACK")
        raise


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


def home_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``CLAUDE_NB_HOME`` or ``~/.claude_nb``."""
    env = os.environ if environ is None else environ
    return Path(env.get("CLAUDE_NB_HOME") or Path.home() / ".claude_nb").expanduser()


def default_store_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the history lives: ``<home>/history.sqlite``."""
    return home_dir(environ) / "history.sqlite"


def read_price_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The user's price file ``<home>/prices.json`` (same shape as models.json), if any.

    Pass the result to ``claude_nb._pricing.price_table(overrides)``.

    Raises:
        ConfigurationError: The file exists but is not a JSON object.
    """
    path = home_dir(environ) / "prices.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"cannot read the price file {path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigurationError(f"the price file {path} must hold a JSON object")
    return data


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``list_sessions``."""

    id: str
    created: float
    notebook_path: str | None
    model: str | None
    turns: int
    cost: float | None
    last_time: float | None


@dataclass(frozen=True)
class SavedSession:
    """A stored session, ready to resume.

    Attributes:
        id: The session id.
        created: When it started (seconds since the epoch).
        notebook_path: The notebook it ran in, when known.
        model: The model it started with.
        history: The conversation rebuilt by the session's history rules.
        records: One usage record per call, in order.
        turns: The stored turns as dicts (messages, reply, usage, cost...).
    """

    id: str
    created: float
    notebook_path: str | None
    model: str | None
    history: list[dict[str, Any]]
    records: list[UsageRecord]
    turns: list[dict[str, Any]]

    def ledger(self, prices: PriceTable | None = None, *, warn_unpriced: bool = True) -> Ledger:
        """A ledger holding this session's records."""
        return Ledger(self.records, prices=prices, warn_unpriced=warn_unpriced)


def _kept_reply(reply: Mapping[str, Any] | None, interrupted: bool, error: str | None) -> Any:
    """The assistant turn the history keeps for a call, or None (the call adds nothing)."""
    if not reply or (error and not interrupted):
        return None
    content = reply.get("content") or []
    if interrupted:
        content = [{"type": "text", "text": block["text"]} for block in content
                   if block.get("type") == "text" and block.get("text")]
    return {"role": "assistant", "content": content} if content else None


_RECORD_FIELDS = {item.name for item in fields(UsageRecord)}


class Store:
    """The SQLite history of sessions and turns (thread-safe; one connection).

    Args:
        path: The database file (default: ``default_store_path(environ)``).
        environ: The environment to read (``os.environ`` by default).
        prices: Prices for the stored ``cost`` column (default: packaged).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        prices: PriceTable | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self.path = Path(path) if path is not None else default_store_path(self._environ)
        self.prices = prices or price_table()
        self._lock = threading.Lock()
        if not self.path.parent.exists():
            self.path.parent.mkdir(mode=0o700, parents=True)
            os.chmod(self.path.parent, 0o700)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        self._db = sqlite3.connect(
            self.path, timeout=OPEN_WAIT, isolation_level=None, check_same_thread=False
        )
        self._db.execute(f"PRAGMA busy_timeout={int(OPEN_WAIT * 1000)}")
        # Switching to WAL and migrating need locks SQLite's busy handler does not wait for
        # (two processes creating one database at once): retry those, for a bounded time.
        deadline = time.monotonic() + OPEN_WAIT
        _while_locked(lambda: self._db.execute("PRAGMA journal_mode=WAL"), deadline)
        self._db.execute("PRAGMA synchronous=NORMAL")
        _while_locked(lambda: migrate(self._db), deadline)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _clean(self, value: Any) -> str:
        """JSON text of ``value`` with any API key replaced by ``[redacted]``."""
        text = json.dumps(value, ensure_ascii=False, default=str)
        key = self._environ.get("ANTHROPIC_API_KEY")
        if key:
            text = text.replace(key, REDACTED)
        return _KEY_SHAPE.sub(REDACTED, text)

    def _write(self, sql: str, parameters: tuple[Any, ...], seq_of: str | None = None) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = 0
                if seq_of is not None:
                    seq = self._db.execute(
                        "SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session_id = ?",
                        (seq_of,),
                    ).fetchone()[0]
                    parameters = (*parameters, seq)
                self._db.execute(sql, parameters)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(seq)

    def start_session(
        self, model: str | None = None, notebook_path: str | None = None, *,
        session_id: str | None = None, created: float | None = None,
    ) -> str:
        """Create a session and return its id (a new hex uuid unless given)."""
        session_id = session_id or uuid.uuid4().hex
        path = json.loads(self._clean(notebook_path))
        self._write("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                    (session_id, created or time.time(), path, model))
        return session_id

    def add_turn(
        self,
        session_id: str,
        *,
        request_messages: list[Mapping[str, Any]],
        reply_message: Mapping[str, Any] | None,
        record: UsageRecord,
        offset: int,
    ) -> int:
        """Store one call; returns its sequence number in the session (1, 2, ...).

        Args:
            session_id: From ``start_session``.
            request_messages: The messages this call added (after ``offset`` earlier ones).
            reply_message: The reply (API shape; partial when interrupted), or None.
            record: The call's usage record (its cost is stored with today's prices).
            offset: How many history messages came before ``request_messages``.
        """
        cost = record.cost(self.prices)
        usage = (reply_message or {}).get("usage")
        return self._write(
            "INSERT INTO turns (session_id, time, model, request_id, history_offset, "
            "request_messages, reply_message, usage, cost, interrupted, error, record, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, record.time, record.model, record.request_id, offset,
             self._clean(request_messages), self._clean(reply_message), self._clean(usage),
             None if cost is None else cost.total, int(record.interrupted),
             self._clean(record.error), self._clean(record.as_dict())),
            seq_of=session_id,
        )

    def record_reply(self, session_id: str, reply: Any, cell: str | None = None) -> int:
        """Store a ``Reply`` (for ``Session.on_call``): its last request message is the new one."""
        messages = list((getattr(reply, "request", None) or {}).get("messages") or [])
        return self.add_turn(
            session_id,
            request_messages=messages[-1:],
            reply_message=getattr(reply, "message", None) or None,
            record=UsageRecord.from_reply(reply, cell),
            offset=max(0, len(messages) - 1),
        )

    def list_sessions(self, limit: int = 20) -> list[SessionSummary]:
        """The latest sessions first, with their turn count, cost and last activity."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.id, s.created, s.notebook_path, s.model, COUNT(t.seq), SUM(t.cost), "
                "MAX(t.time) FROM sessions s LEFT JOIN turns t ON t.session_id = s.id "
                "GROUP BY s.id ORDER BY COALESCE(MAX(t.time), s.created) DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [SessionSummary(*row) for row in rows]

    def resolve(self, id_or_prefix: str) -> str:
        """The full id of a session from its id or a unique prefix.

        Raises:
            KeyError: No session, or more than one, matches.
        """
        pattern = id_or_prefix.replace("%", "").replace("_", "") + "%"
        with self._lock:
            ids = [row[0] for row in self._db.execute(
                "SELECT id FROM sessions WHERE id LIKE ? LIMIT 2", (pattern,))]
        if len(ids) != 1:
            word = "no session" if not ids else "more than one session"
            raise KeyError(f"{word} matches {id_or_prefix!r}")
        return str(ids[0])

    def load_session(self, id_or_prefix: str) -> SavedSession:
        """A stored session with its history and ledger records (see ``resolve``)."""
        session_id = self.resolve(id_or_prefix)
        with self._lock:
            head = self._db.execute(
                "SELECT created, notebook_path, model FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            rows = self._db.execute(
                "SELECT seq, time, model, request_id, history_offset, request_messages, "
                "reply_message, usage, cost, interrupted, error, record FROM turns "
                "WHERE session_id = ? ORDER BY seq", (session_id,)).fetchall()
        history: list[dict[str, Any]] = []
        records, turns = [], []
        for row in rows:
            turn = dict(zip(("seq", "time", "model", "request_id", "offset"), row[:5],
                            strict=True))
            turn["request_messages"], turn["reply_message"], turn["usage"] = (
                json.loads(row[5]), json.loads(row[6]), json.loads(row[7]))
            turn.update(cost=row[8], interrupted=bool(row[9]), error=json.loads(row[10]))
            turns.append(turn)
            stored = json.loads(row[11])
            records.append(UsageRecord(**{k: v for k, v in stored.items() if k in _RECORD_FIELDS}))
            kept = _kept_reply(turn["reply_message"], turn["interrupted"], turn["error"])
            if kept:
                history = [*history[: turn["offset"]], *turn["request_messages"], kept]
        return SavedSession(session_id, head[0], head[1], head[2], history, records, turns)

    def export_session(self, id_or_prefix: str, format: str = "json") -> str:
        """The session as ``"json"`` or ``"markdown"`` text.

        Raises:
            ValueError: An unknown format.
        """
        saved = self.load_session(id_or_prefix)
        if format == "markdown":
            return _markdown(saved)
        if format != "json":
            raise ValueError(f"format must be 'json' or 'markdown', not {format!r}")
        document = {"id": saved.id, "created": saved.created, "model": saved.model,
                    "notebook_path": saved.notebook_path, "turns": saved.turns,
                    "history": saved.history}
        return json.dumps(document, indent=1, ensure_ascii=False)


def _block_text(block: Any) -> str:
    if isinstance(block, str) or not isinstance(block, Mapping):
        return str(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return f"`{block.get('name')}({json.dumps(block.get('input'), ensure_ascii=False)})`"
    if kind == "tool_result":
        content = block.get("content")
        inner = content if isinstance(content, str) else " ".join(map(_block_text, content or []))
        return f"> tool result: {inner}"
    return f"[{kind}]"


def _markdown(saved: SavedSession) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved.created))
    lines = [f"# Session {saved.id}", "", f"Started {stamp} with {saved.model or '?'}"
             + (f" in `{saved.notebook_path}`" if saved.notebook_path else "") + "."]
    ledger = saved.ledger(warn_unpriced=False)
    for number, turn in enumerate(saved.turns, 1):
        record = ledger[number - 1]
        cost = record.cost(ledger.prices)
        price = "unpriced" if cost is None else f"${cost.total:.4f}"
        flags = " (simulated)" if record.offline else ""
        flags += " (interrupted)" if turn["interrupted"] else ""
        flags += f" (failed: {turn['error']})" if turn["error"] else ""
        lines += ["", f"## Call {number}: {turn['model']}, {record.input_tokens:,} in / "
                  f"{record.output_tokens:,} out, {price}{flags}"]
        for message in [*turn["request_messages"], turn["reply_message"] or {}]:
            content = message.get("content")
            blocks = [content] if isinstance(content, str) else content or []
            text = "\n\n".join(_block_text(block) for block in blocks)
            if text:
                lines += ["", f"**{message.get('role', 'assistant')}:**", "", text]
    lines += ["", f"Total: {ledger!r}"]
    return "\n".join(lines) + "\n"
