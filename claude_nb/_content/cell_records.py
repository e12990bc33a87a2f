"""What the cell recorder keeps of one executed cell (pure data), and its error, trimmed.

A ``RecordedCell`` is the cell's source, execution count and outputs in the order they came
(``stdout``/``stderr`` as written, the ``result``, ``display`` outputs with images kept as
images) and its ``RecordedError``. ``user_traceback`` turns an exception into that error:
the frames of the user's code (notebook cells and files outside the standard library and
site-packages), the library frames between them counted in one line.
"""

from __future__ import annotations

import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RecordedCell", "RecordedError", "RecordedOutput", "is_library_file", "user_traceback"]


@dataclass
class RecordedOutput:
    """One output of a cell.

    Attributes:
        kind: ``stdout``, ``stderr``, ``result`` (the execute result) or ``display``.
        text: Its text (the text/plain form of a result or display).
        image: ``(media_type, base64)`` of an image output.
        total: Characters the output had in all (``text`` may hold fewer: the recorder's
            bound keeps the head and the tail).
    """

    kind: str
    text: str = ""
    image: tuple[str, str] | None = None
    total: int = 0

    @property
    def size(self) -> int:
        """Bytes it holds (text characters and base64 characters)."""
        return len(self.text) + (len(self.image[1]) if self.image else 0)


@dataclass
class RecordedError:
    """A cell's error: its type and message, the trimmed traceback and the failing line.

    Attributes:
        ename: The exception's type name, e.g. ``ZeroDivisionError``.
        evalue: Its message.
        traceback: The user's frames as plain text, ending with ``ename: evalue``.
        line: The failing line's number in the cell, when the cell's own frame is known.
    """

    ename: str
    evalue: str
    traceback: str
    line: int | None = None

    def __str__(self) -> str:
        return self.traceback


@dataclass
class RecordedCell:
    """One executed cell: ``execution_count``, ``source``, ``outputs`` and ``error``."""

    execution_count: int | None
    source: str
    outputs: list[RecordedOutput] = field(default_factory=list)
    error: RecordedError | None = None

    @property
    def size(self) -> int:
        """Bytes held (source, outputs, traceback)."""
        error = len(self.error.traceback) if self.error else 0
        return len(self.source) + error + sum(output.size for output in self.outputs)


_LIBRARY_ROOTS = tuple(
    {path for name in ("stdlib", "platstdlib", "purelib", "platlib")
     if (path := sysconfig.get_paths().get(name))}
)


def is_library_file(filename: str) -> bool:
    """Whether a frame's file is the standard library's or an installed package's."""
    return (
        filename.startswith(_LIBRARY_ROOTS)
        or "site-packages" in filename
        or "dist-packages" in filename
        or filename.startswith("<frozen ")
    )


def _library_name(filename: str) -> str:
    for marker in ("site-packages/", "dist-packages/"):
        if marker in filename:
            return filename.split(marker, 1)[1].split("/", 1)[0].removesuffix(".py")
    for root in _LIBRARY_ROOTS:
        if filename.startswith(root):
            return filename[len(root):].lstrip("/").split("/", 1)[0].removesuffix(".py")
    return filename


def user_traceback(
    error: BaseException, cell_name: Callable[[str], str | None]
) -> RecordedError:
    """``error`` as a ``RecordedError`` with only the user's frames.

    Args:
        error: The exception the cell raised.
        cell_name: A frame's file name to its cell's label (``In[3]``), or None when the
            file is not a notebook cell (IPython's ``compile.format_code_name``).
    """
    summary = traceback.extract_tb(error.__traceback__)
    lines: list[str] = ["Traceback (most recent call last), the user's code only:"]
    skipped: list[str] = []
    line: int | None = None

    def flush() -> None:
        if skipped and len(lines) > 1:  # frames before the first user frame are IPython's
            names = ", ".join(dict.fromkeys(skipped))
            lines.append(f"  ... {len(skipped)} frame(s) inside {names}")
        skipped.clear()

    for frame in summary:
        label = cell_name(frame.filename)
        if label is None and is_library_file(frame.filename):
            skipped.append(_library_name(frame.filename))
            continue
        flush()
        where = f"Cell {label}" if label else f'File "{frame.filename}"'
        lines.append(f"  {where}, line {frame.lineno}, in {frame.name}")
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
        if label is not None:
            line = frame.lineno
    flush()
    if isinstance(error, SyntaxError) and line is None:
        line = error.lineno
    if len(lines) == 1:
        lines.clear()
    only = traceback.format_exception_only(type(error), error)
    lines.extend(text.rstrip("\n") for text in only)
    evalue = str(error)
    return RecordedError(type(error).__name__, evalue, "\n".join(lines), line)
