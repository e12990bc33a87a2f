"""A kernel's conversation in the history store: write every call, list, resume, export.

    Session.on_call -> Persistence.record(reply, cell) -> Store.add_turn (one transaction)

The magics turn it on by default (``%config ClaudeMagics.persist = False`` turns it off). The
store (``claude_nb._store.Store``: ``<CLAUDE_NB_HOME or ~/.claude_nb>/history.sqlite``) is
opened on the first call, and a store session is started on the first call recorded, so a
kernel that never asks anything leaves no trace. Each call is written when it ends: a
finished turn, and the partial one of an interrupted call (what the session keeps). A call
the kernel never finishes (SIGKILL mid-stream) is not written; every earlier one is.

The stored request message is the one the history keeps (``without_cache_control``), so a
resumed history carries no stale cache breakpoints into later requests.

Store failures (a full disk, a read-only ``CLAUDE_NB_HOME``, a locked file) never fail a
cell: ``record`` prints one line to stderr and the conversation goes on unsaved.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from claude_nb._cache_plan import without_cache_control
from claude_nb._ledger import UsageRecord, has_usage
from claude_nb._store import SavedSession, SessionSummary, Store

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
            cost = "" if item.cost is None else f"${item.cost:.4f}"
            note = "this kernel" if item.id == self.current else ""
            rows.append([item.id[:8], stamp, item.notebook_path or "", item.model or "",
                         str(item.turns), cost, note])
        return rows

    _HEADER = ("id", "last activity", "notebook", "model", "turns", "cost", "")

    def _repr_markdown_(self) -> str:
        if not self.sessions:
            return "*No saved sessions yet.*"
        lines = ["| " + " | ".join(self._HEADER) + " |", "|" + "---|" * len(self._HEADER)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                  for row in self.rows()]
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
            store = self.store
            if self.session_id is None:
                self.session_id = store.start_session(reply.model, self._notebook_path())
            messages = list((getattr(reply, "request", None) or {}).get("messages") or [])
            return store.add_turn(
                self.session_id,
                request_messages=[without_cache_control(message) for message in messages[-1:]],
                reply_message=getattr(reply, "message", None) or None,
                record=UsageRecord.from_reply(reply, cell),
                offset=max(0, len(messages) - 1),
            )
        except Exception as error:  # a store failure must never fail the cell
            where = self._store.path if self._store is not None else "the history store"
            print(f"claude_nb: this call was not saved to {where}: "
                  f"{type(error).__name__}: {error}", file=self._errors or sys.stderr)
            return None

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
        """Restore a stored session's history and ledger into ``session``; continue it.

        Later calls are written to the resumed store session.

        Args:
            session: The ``claude_nb.Session`` to restore into (history replaced).
            id_or_prefix: A session id or unique prefix; None: the latest (see ``latest_id``).

        Raises:
            KeyError: No session (or more than one) matches.
        """
        ident = id_or_prefix or self.latest_id(self._notebook_path())
        saved = self.store.load_session(ident)
        session.history[:] = saved.history
        replace_ledger(session, saved.ledger(session.ledger.prices))
        self.session_id = saved.id
        return saved

    def export(self, path: str | Path, id_or_prefix: str | None = None) -> Path:
        """Write a session (this kernel's by default) as JSON or Markdown, by extension.

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
        target.write_text(self.store.export_session(ident, kind), encoding="utf-8")
        return target
