"""Why the history store could not write, said once: the cause, the file, what to do.

A store failure never fails a cell (``Persistence`` keeps going unsaved), so the user learns
of it only from a notice. ``StoreNotices`` prints one line per cause (disk full, read-only,
corrupt, locked...), then stays quiet while the cause stays the same; a successful write
(``recovered``) or another cause makes the next failure speak again. ``describe`` reads the
cause from the SQLite error name (``sqlite_errorname``) or the ``OSError`` errno, falling
back to the message, so SQLite's own wording and the operating system's both count.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

__all__ = ["StoreFailure", "StoreNotices", "describe"]


@dataclass(frozen=True)
class StoreFailure:
    """One store failure, for the user.

    Attributes:
        cause: ``disk full``, ``read-only``, ``corrupt``, ``locked``, ``not a folder`` or the
            error's type name.
        detail: The underlying error's own message.
        advice: What to do about it.
    """

    cause: str
    detail: str
    advice: str

    def notice(self, path: Path | str) -> str:
        """The one line printed: ``claude_nb: not saving ... to PATH: CAUSE (DETAIL). ADVICE``."""
        return (
            f"claude_nb: not saving this conversation to {path}: {self.cause} ({self.detail}). "
            f"{self.advice}; the cells go on, and this is said once until the cause changes."
        )


_ELSEWHERE = "or set CLAUDE_NB_HOME to another folder (or %config ClaudeMagics.persist = False)"

_ADVICE = {
    "disk full": f"Free some disk space, {_ELSEWHERE}",
    "read-only": f"Make the file and its folder writable, {_ELSEWHERE}",
    "corrupt": f"Move the file aside (a new one is started), {_ELSEWHERE}",
    "locked": f"Another process holds the file locked; close it, {_ELSEWHERE}",
    "not a folder": f"CLAUDE_NB_HOME must be a folder: fix it, {_ELSEWHERE}",
}

_SQLITE_CODES = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_PERM": "read-only",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
}

_ERRNOS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk full",
    errno.EROFS: "read-only",
    errno.EACCES: "read-only",
    errno.EPERM: "read-only",
    errno.ENOTDIR: "not a folder",
}

_PHRASES = (
    ("disk is full", "disk full"),
    ("no space left", "disk full"),
    ("readonly", "read-only"),
    ("read-only", "read-only"),
    ("not a database", "corrupt"),
    ("malformed", "corrupt"),
    ("database is locked", "locked"),
)


def _cause(error: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:  # the cause chain, too
        seen.add(id(current))
        name = getattr(current, "sqlite_errorname", None)
        if isinstance(current, sqlite3.Error) and isinstance(name, str):
            for code, cause in _SQLITE_CODES.items():
                if name == code or name.startswith(code + "_"):
                    return cause
        if isinstance(current, OSError) and current.errno in _ERRNOS:
            return _ERRNOS[current.errno]
        message = str(current).lower()
        for phrase, cause in _PHRASES:
            if phrase in message:
                return cause
        current = current.__cause__ or current.__context__
    return None


def describe(error: BaseException) -> StoreFailure:
    """The cause of a store failure, its detail and what to do."""
    detail = (
        error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    ) or type(error).__name__
    cause = _cause(error)
    if cause is None:
        return StoreFailure(type(error).__name__, detail, f"Check the file, {_ELSEWHERE}")
    return StoreFailure(cause, detail, _ADVICE[cause])


class StoreNotices:
    """Says each store failure once per cause (one per kernel: it lives on ``Persistence``)."""

    def __init__(self) -> None:
        self._said: str | None = None

    def failed(self, error: BaseException, path: Path | str, errors: TextIO) -> StoreFailure:
        """Print ``error``'s notice to ``errors`` unless its cause was the last one said."""
        failure = describe(error)
        key = failure.cause if failure.cause in _ADVICE else f"{failure.cause}: {failure.detail}"
        if key != self._said:
            self._said = key
            print(failure.notice(path), file=errors)
        return failure

    def recovered(self) -> None:
        """A write worked: the next failure is news again."""
        self._said = None
