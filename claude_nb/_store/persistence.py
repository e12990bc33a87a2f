"""A kernel's conversation in the history store: write every call, list, resume, export.

    Session.on_call    -> Persistence.record(reply, cell)        -> Store.add_turn
    Session.on_history -> Persistence.record_history(change, system) -> Store.add_history_change

The magics turn it on by default (``%config ClaudeMagics.persist = False`` turns it off). The
store (``claude_nb._store.store.Store``: ``<CLAUDE_NB_HOME or ~/.claude_nb>/history.sqlite``) is
opened on the first call, and a store session is started on the first call or history change
recorded, so a kernel that never asks anything leaves no trace. Each call is written when it
ends (a finished turn, and the partial one of an interrupted call), and each change of the
history when the session makes it: what an ask or a whole tool loop kept (after its step cap,
an interrupt, an error), an ``undo``, a ``reset``, with the system prompt in force. A call
the kernel never finishes (SIGKILL mid-stream) is not written; every earlier one is. Resume
restores exactly the history the session held, its system prompt, and the ledger.

The stored messages are the ones the history keeps (``without_cache_control``), so a
resumed history carries no stale cache breakpoints into later requests.

Store failures (a full disk, a read-only ``CLAUDE_NB_HOME``, a corrupt or locked file) never
fail a cell: the conversation goes on unsaved and ``_store.failures.StoreNotices`` prints one
line to stderr per cause (the cause, the file, what to do), then stays quiet until the cause
changes or a write works again.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO, cast

from claude_nb._accounting.ledger import has_usage
from claude_nb._accounting.money import format_usd
from claude_nb._api.history import HistoryChange
from claude_nb._api.markup import markdown_dollars
from claude_nb._store.export import write_private_text
from claude_nb._store.failures import StoreNotices
from claude_nb._store.store import (
    NOT_RECORDED,
    SavedSession,
    SessionSummary,
    Store,
    default_store_path,
)

__all__ = [
    "EXPORT_FORMATS",
    "Persistence",
    "SessionList",
    "find_notebook_path",
    "replace_ledger",
]

EXPORT_FORMATS = {".json": "json", ".md": "markdown", ".markdown": "markdown"}
"""Export format by file extension."""

_NOTEBOOK_NAMES = ("__session__", "__vsc_ipynb_file__")
"""``user_ns`` names frontends set to the notebook's path (ipykernel from JPY_SESSION_NAME;
VS Code its own)."""


def find_notebook_path(
    user_ns: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The notebook's path when the frontend told the kernel, else None.

    Args:
        user_ns: The shell's namespace (ipykernel puts ``__session__`` there).
        environ: The environment (``JPY_SESSION_NAME``); ``os.environ`` by default.
    """
    for name in _NOTEBOOK_NAMES:
        value = (user_ns or {}).get(name)
        if isinstance(value, str) and value:
            return value
    value = (os.environ if environ is None else environ).get("JPY_SESSION_NAME")
    return value or None


def replace_ledger(session: Any, ledger: Any) -> None:
    """Make ``ledger`` the session's ledger, moving its ``on_call`` subscription too."""
    old = session.ledger
    session.on_call[:] = [
        ledger.record_reply if callback == old.record_reply else callback
        for callback in session.on_call
    ]
    ledger.cell = old.cell
    session.ledger = ledger


class SessionList:
    """``%claude_session list``: past sessions, latest first (Markdown or plain text).

    Args:
        sessions: From ``Store.list_sessions``.
        current: The id of this kernel's store session, marked in the table.
    """

    def __init__(self, sessions: list[SessionSummary], current: str | None = None) -> None:
        self.sessions = sessions
        self.current = current

    def rows(self) -> list[list[str]]:
        """Each session: id (8 characters), last activity, notebook, model, turns, cost, note."""
        rows = []
        for item in self.sessions:
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.last_time or item.created))
            cost = "" if item.cost is None else format_usd(item.cost)
            note = "this kernel" if item.id == self.current else ""
            rows.append(
                [
                    item.id[:8],
                    stamp,
                    item.notebook_path or "",
                    item.model or "",
                    str(item.turns),
                    cost,
                    note,
                ]
            )
        return rows

    _HEADER = ("id", "last activity", "notebook", "model", "turns", "cost", "")

    def _repr_markdown_(self) -> str:
        if not self.sessions:
            return "*No saved sessions yet.*"
        lines = ["| " + " | ".join(self._HEADER) + " |", "|" + "---|" * len(self._HEADER)]
        lines += [
            "| " + " | ".join(markdown_dollars(cell.replace("|", "\\|")) for cell in row) + " |"
            for row in self.rows()
        ]
        return "\n".join([*lines, "", "Resume one with `%claude_session resume ID`."])

    def __repr__(self) -> str:
        if not self.sessions:
            return "No saved sessions yet."
        return "\n".join("  ".join(cell for cell in row if cell) for row in self.rows())


class Persistence:
    """Writes one kernel's calls to the history store; lists, resumes and exports sessions.

    Args:
        environ: The environment (``CLAUDE_NB_HOME``, the key to redact); ``os.environ``.
        notebook_path: Returns the notebook's path when known (asked at the first call).
        errors: Where store failures are reported (``sys.stderr`` by default).

    Attributes:
        session_id: This kernel's store session (None until the first call or a resume).
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        notebook_path: Callable[[], str | None] = lambda: None,
        errors: TextIO | None = None,
    ) -> None:
        self._environ = environ
        self._notebook_path = notebook_path
        self._errors = errors
        self._store: Store | None = None
        self._notices = StoreNotices()
        self.session_id: str | None = None

    @property
    def store(self) -> Store:
        """The store, opened on first use (raises what ``Store`` raises)."""
        if self._store is None:
            self._store = Store(environ=self._environ)
        return self._store

    def close(self) -> None:
        """Close the store's connection (a later call opens it again)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def record(self, reply: Any, cell: str | None = None) -> int | None:
        """Write one call (a ``Session.on_call`` callback); None when the store failed.

        Args:
            reply: The call's ``Reply`` (finished, failed or interrupted).
            cell: The cell it came from (``"In[7]"``).

        Returns:
            The turn's number in the store session, or None (not billed, or the store failed).
        """
        if not has_usage(reply):
            return None  # refused or stopped before the model answered: nothing to keep
        try:
            number = self.store.record_reply(self._session_id(reply.model), reply, cell)
        except Exception as error:  # a store failure must never fail the cell
            self._failed(error)
            return None
        self._notices.recovered()
        return number

    def record_history(
        self, change: HistoryChange, system: Any = NOT_RECORDED, model: str | None = None
    ) -> int | None:
        """Write a change of the history (a ``Session.on_history`` callback).

        Args:
            change: What the session kept (``_api.history.HistoryChange``).
            system: The session's system prompt now.
            model: The session's model (names a store session started here).

        Returns:
            The change's number in the store session, or None (nothing to keep yet, or the
            store failed).
        """
        if self.session_id is None and not change.turns:
            return None  # an undo or reset before anything was asked
        try:
            number = self.store.add_history_change(self._session_id(model), change, system)
        except Exception as error:  # a store failure must never fail the cell
            self._failed(error)
            return None
        self._notices.recovered()
        return number

    def _session_id(self, model: str | None) -> str:
        if self.session_id is None:
            self.session_id = self.store.start_session(model, self._notebook_path())
        return self.session_id

    def _failed(self, error: Exception) -> None:
        """Say why the store failed, once per cause (``_store.failures``)."""
        where = self._store.path if self._store is not None else default_store_path(self._environ)
        self._notices.failed(error, where, self._errors or sys.stderr)

    def list_sessions(self, limit: int = 20) -> SessionList:
        """The latest ``limit`` sessions as a table."""
        return SessionList(self.store.list_sessions(limit), self.session_id)

    def latest_id(self, notebook_path: str | None = None) -> str:
        """The latest session other than this kernel's, preferring the same notebook.

        Raises:
            KeyError: There is none.
        """
        others = [item for item in self.store.list_sessions(100) if item.id != self.session_id]
        same = [item for item in others if notebook_path and item.notebook_path == notebook_path]
        if not (same or others):
            raise KeyError("no saved session to resume")
        return (same or others)[0].id

    def resume(self, session: Any, id_or_prefix: str | None = None) -> SavedSession:
        """Restore a stored session's history, system prompt and ledger; continue it.

        Later calls are written to the resumed store session. A session stored before
        history changes were gets its rebuilt history written as its first change, so its
        later changes build on it. Its system prompt, when stored, replaces the session's.

        Args:
            session: The ``claude_nb.Session`` to restore into (history replaced).
            id_or_prefix: A session id or unique prefix; None: the latest (see ``latest_id``).

        Raises:
            KeyError: No session (or more than one) matches.
        """
        ident = id_or_prefix or self.latest_id(self._notebook_path())
        saved = self.store.load_session(ident)
        if not saved.history_changes and saved.history:
            self.store.add_history_change(saved.id, HistoryChange(0, cast(Any, saved.history)))
        session.history[:] = saved.history
        if saved.system is not NOT_RECORDED:
            session.system = saved.system
        replace_ledger(session, saved.ledger(session.ledger.prices))
        self.session_id = saved.id
        return saved

    def export(self, path: str | Path, id_or_prefix: str | None = None) -> Path:
        """Write a session (this kernel's by default) as JSON or Markdown, by extension.

        The file is private to its owner (mode 0600, like the store): see
        ``claude_nb._store.export.write_private_text``.

        Raises:
            ValueError: The extension is not .json, .md or .markdown.
            KeyError: Nothing recorded yet, or no session matches.
        """
        target = Path(path).expanduser()
        kind = EXPORT_FORMATS.get(target.suffix.lower())
        if kind is None:
            raise ValueError(f"export to .json or .md, not {target.name!r}")
        ident = id_or_prefix or self.session_id
        if ident is None:
            raise KeyError("nothing saved in this kernel yet: ask something first")
        return write_private_text(target, self.store.export_session(ident, kind))
