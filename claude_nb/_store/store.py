"""The history store: sessions and turns in SQLite, for listing, resuming and exporting.

The file is ``~/.claude_nb/history.sqlite`` (``CLAUDE_NB_HOME`` moves the directory; the
environment is read when a ``Store`` is made, through an injectable mapping). The directory
is created 0700 and the file 0600; the database runs in WAL mode and every write is one
``BEGIN IMMEDIATE`` transaction, so several kernels can write at once. The schema is built by
numbered migrations that register themselves (``@_migration``, as in simonw/llm), each run
once and recorded in ``_migrations``.

A turn is one API call (every tool-loop step too): the messages it added to the
conversation, the reply message (partial when interrupted), its usage record, cost, model,
request id, interrupted flag and time; turns make the ledger and the exports. The history is
stored apart, as the session kept it: one ``HistoryChange`` per change (``_api.history``: keep
``offset`` messages, append ``turns``), so a resumed session gets exactly what the session
held, tool loops cut at their step cap or interrupted included; the session's system prompt
is stored with each change. Sessions stored before history changes were (no
``history_changes`` rows) are rebuilt from their turns by the single-call rules and closed
with ``close_exchange``. No API key is ever written: every stored text has the key from the
environment and anything shaped like ``sk-ant-...`` replaced by ``[redacted]``. The schema
and opening under contention are in ``_store.schema``; the Markdown export in
``_store.export``.

Integration (``%claude_session list/resume/export``)::

    store = Store()                                   # or Store(environ=..., path=...)
    session_id = store.start_session(model, notebook_path)
    session.on_call.append(lambda reply: store.record_reply(session_id, reply, cell))
    session.on_history.append(lambda change: store.add_history_change(session_id, change))
    store.list_sessions()                              # -> [SessionSummary]
    saved = store.load_session("3fa8")                 # id or unique prefix
    session.history, session.system, ledger = saved.history, saved.system, saved.ledger()
    store.export_session(saved.id, "markdown")         # or "json"
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, cast

from claude_nb._accounting.ledger import UsageRecord, has_usage
from claude_nb._accounting.pricing import PriceTable
from claude_nb._accounting.user_prices import default_price_table
from claude_nb._api.history import (
    HistoryChange,
    close_exchange,
    replay,
    text_only_turn,
    without_cache_control,
)
from claude_nb._config import home_dir
from claude_nb._store.export import markdown_export
from claude_nb._store.records import NOT_RECORDED, SavedSession, SessionSummary
from claude_nb._store.schema import _MIGRATIONS, migrate, open_database, rollback

__all__ = [
    "NOT_RECORDED",
    "SavedSession",
    "SessionSummary",
    "Store",
    "default_store_path",
    "migrate",
]

assert _MIGRATIONS  # the schema, registered on import (tests extend it)

_KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_\-]{6,}")
REDACTED = "[redacted]"


def default_store_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the history lives: ``<home>/history.sqlite``."""
    return home_dir(environ) / "history.sqlite"


def _kept_reply(reply: Mapping[str, Any] | None, interrupted: bool, error: str | None) -> Any:
    """The assistant turn an older store (no history changes) kept for a call, or None."""
    if not reply or (error and not interrupted):
        return None
    if interrupted:
        return text_only_turn(reply)
    content = reply.get("content") or []
    return {"role": "assistant", "content": content} if content else None


_RECORD_FIELDS = {item.name for item in fields(UsageRecord)}


class Store:
    """The SQLite history of sessions and turns (thread-safe; one connection).

    Args:
        path: The database file (default: ``default_store_path(environ)``).
        environ: The environment to read (``os.environ`` by default).
        prices: Prices for the stored ``cost`` column (default: ``default_price_table``
            of ``environ``: the packaged prices with ``CLAUDE_NB_HOME/prices.json`` over them).
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
        self.prices = prices or default_price_table(self._environ)
        self._lock = threading.Lock()
        if not self.path.parent.exists():
            self.path.parent.mkdir(mode=0o700, parents=True)
            os.chmod(self.path.parent, 0o700)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        self._db = open_database(self.path)

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

    def _write(
        self, sql: str, parameters: tuple[Any, ...], seq_of: str | None = None,
        table: str = "turns", then: tuple[str, tuple[Any, ...]] | None = None,
    ) -> int:
        """One transaction: ``sql`` (with the next ``seq`` of ``table`` appended), ``then``."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                seq = 0
                if seq_of is not None:
                    seq = self._db.execute(
                        f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE session_id = ?",
                        (seq_of,),
                    ).fetchone()[0]
                    parameters = (*parameters, seq)
                self._db.execute(sql, parameters)
                if then is not None:
                    self._db.execute(*then)
                self._db.execute("COMMIT")
            except BaseException:
                rollback(self._db)  # the real error propagates, not a failed ROLLBACK
                raise
        return int(seq)

    def start_session(
        self, model: str | None = None, notebook_path: str | None = None, *,
        session_id: str | None = None, created: float | None = None, system: Any = NOT_RECORDED,
    ) -> str:
        """Create a session and return its id (a new hex uuid unless given)."""
        session_id = session_id or uuid.uuid4().hex
        path = json.loads(self._clean(notebook_path))
        stored = None if system is NOT_RECORDED else self._clean(system)
        self._write("INSERT INTO sessions (id, created, notebook_path, model, system) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (session_id, created or time.time(), path, model, stored))
        return session_id

    def add_history_change(
        self, session_id: str, change: HistoryChange, system: Any = NOT_RECORDED
    ) -> int:
        """Store what the session's history kept after a change; returns its number.

        Args:
            session_id: From ``start_session``.
            change: Keep ``change.offset`` messages, then ``change.turns``.
            system: The session's system prompt now (stored with the session when given).
        """
        then = None if system is NOT_RECORDED else (
            "UPDATE sessions SET system = ? WHERE id = ?", (self._clean(system), session_id))
        return self._write(
            "INSERT INTO history_changes (session_id, time, history_offset, turns, seq) "
            "VALUES (?, ?, ?, ?, ?)",
            (session_id, time.time(), change.offset, self._clean(change.turns)),
            seq_of=session_id, table="history_changes", then=then,
        )

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

    def record_reply(self, session_id: str, reply: Any, cell: str | None = None) -> int | None:
        """Store a ``Reply`` (for ``Session.on_call``): its last request message is the new one.

        The message is stored without its cache breakpoints, as the history keeps it. A call
        that was not billed (refused, or stopped before the model answered) is not stored,
        as the ledger does not record it: None.
        """
        if not has_usage(reply):
            return None
        messages = list((getattr(reply, "request", None) or {}).get("messages") or [])
        return self.add_turn(
            session_id,
            request_messages=[without_cache_control(message) for message in messages[-1:]],
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
                "SELECT created, notebook_path, model, system FROM sessions WHERE id = ?",
                (session_id,)).fetchone()
            changes = [HistoryChange(offset, json.loads(turns)) for offset, turns in
                       self._db.execute("SELECT history_offset, turns FROM history_changes "
                                        "WHERE session_id = ? ORDER BY seq", (session_id,))]
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
        # An older session (no changes stored) may end mid tool loop: close it validly.
        history = [dict(turn) for turn in (replay(changes) if changes
                                           else close_exchange(cast(Any, history)))]
        system = NOT_RECORDED if head[3] is None else json.loads(head[3])
        return SavedSession(session_id, head[0], head[1], head[2], history, records, turns,
                            system, len(changes))

    def export_session(self, id_or_prefix: str, format: str = "json") -> str:
        """The session as ``"json"`` or ``"markdown"`` text.

        Raises:
            ValueError: An unknown format.
        """
        saved = self.load_session(id_or_prefix)
        if format == "markdown":
            return markdown_export(saved)
        if format != "json":
            raise ValueError(f"format must be 'json' or 'markdown', not {format!r}")
        document = {"id": saved.id, "created": saved.created, "model": saved.model,
                    "notebook_path": saved.notebook_path, "turns": saved.turns,
                    "history": saved.history,
                    "system": None if saved.system is NOT_RECORDED else saved.system}
        return json.dumps(document, indent=1, ensure_ascii=False)
