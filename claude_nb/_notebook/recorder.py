"""``CellRecorder``: the last executed cells with what they printed, showed and raised.

Registered by ``%load_ext claude_nb`` as two IPython event hooks and nothing else. For each
cell (``pre_run_cell`` to ``post_run_cell``) it tees ``sys.stdout`` and ``sys.stderr`` (their
``write``, or the stream itself when ``write`` cannot be replaced), and wraps the display
publisher and the display hook, all removed again when the cell ends: text is recorded as
it is written and passed on unchanged, displays with their images, the execute result by
its text, the error by ``_content.cell_records.user_traceback``. Bounded: ``KEEP_CELLS``
cells, ``KEEP_BYTES`` in all, ``STREAM_BYTES`` per output (its head and tail, and how much
it had); nothing is written to disk. Cells of claude_nb's own magics are not recorded
(their prompts and replies are the conversation already).
"""

from __future__ import annotations

import base64
import contextlib
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # ``_content.cell_records`` loads at the first cell's end, not at %load_ext
    from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult, InteractiveShell

    from claude_nb._content.cell_records import RecordedCell, RecordedError, RecordedOutput

__all__ = ["CellRecorder", "ErrorsByCell"]

KEEP_CELLS = 30
KEEP_BYTES = 16 * 2**20
STREAM_BYTES = 256 * 2**10
IMAGE_BYTES = 5 * 2**20
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
OWN_MAGICS = ("%claude", "%%claude")
_ABSENT = object()


class _TextBuffer:
    """One stream's text in a cell: the first ``3/4`` of the bound, then a moving tail."""

    __slots__ = ("head", "head_size", "tail", "tail_size", "total")

    def __init__(self) -> None:
        self.head: list[str] = []
        self.head_size = 0
        self.tail: deque[str] = deque()
        self.tail_size = 0
        self.total = 0

    def add(self, text: str) -> None:
        self.total += len(text)
        if self.head_size < STREAM_BYTES * 3 // 4:
            self.head.append(text)
            self.head_size += len(text)
            return
        self.tail.append(text)
        self.tail_size += len(text)
        while self.tail_size > STREAM_BYTES // 4 and len(self.tail) > 1:
            self.tail_size -= len(self.tail.popleft())

    def text(self) -> str:
        head, tail = "".join(self.head), "".join(self.tail)
        dropped = self.total - len(head) - len(tail)
        if dropped <= 0:
            return head + tail
        return f"{head}\n[… {dropped:,} characters not kept by the cell recorder …]\n{tail}"


class _Proxy:
    """A stream whose ``write`` cannot be replaced, wrapped: ``write`` tees, the rest passes."""

    def __init__(self, stream: Any, write: Callable[[str], Any]) -> None:
        self._stream = stream
        self.write = write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _own(owner: Any, name: str) -> Any:
    """``owner``'s own attribute ``name`` (set on the instance), or ``_ABSENT``."""
    return getattr(owner, "__dict__", {}).get(name, _ABSENT)


def _nothing(*args: Any, **kwargs: Any) -> None:
    """Record nothing (the traceback a shell prints is recorded as the cell's error)."""


class ErrorsByCell(Mapping[int, str]):
    """``{Err[n]}``: the recorded error of cell ``n`` as text (its trimmed traceback)."""

    def __init__(self, cells: deque[RecordedCell]) -> None:
        self._cells = cells

    def _errors(self) -> dict[int, str]:
        return {
            cell.execution_count: cell.error.traceback for cell in self._cells
            if cell.error is not None and cell.execution_count is not None
        }

    def __getitem__(self, key: int) -> str:
        return self._errors()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._errors())

    def __len__(self) -> int:
        return len(self._errors())


class CellRecorder:
    """Records executed cells of one shell (see the module docstring)."""

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell
        self.cells: deque[RecordedCell] = deque()
        self.enabled = True
        self._installed = False
        self._depth = 0
        self._quiet = 0
        self._current: RecordedCell | None = None
        self._buffers: list[tuple[str, _TextBuffer | RecordedOutput]] = []
        self._display_ids: dict[str, RecordedOutput] = {}
        self._restore: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ hooks
    def install(self) -> None:
        """Register the ``pre_run_cell`` and ``post_run_cell`` hooks (nothing else runs)."""
        if not self._installed:
            self.shell.events.register("pre_run_cell", self.pre_run_cell)
            self.shell.events.register("post_run_cell", self.post_run_cell)
            self._installed = True

    def uninstall(self) -> None:
        """Unregister the hooks and undo a cell's tees (``%unload_ext``)."""
        self._unwrap()
        if self._installed:
            self.shell.events.unregister("pre_run_cell", self.pre_run_cell)
            self.shell.events.unregister("post_run_cell", self.post_run_cell)
            self._installed = False

    def pre_run_cell(self, info: ExecutionInfo) -> None:
        """Start a cell: tee the streams, wrap the display publisher and hook."""
        self._depth += 1
        source = info.raw_cell or ""
        if self._depth > 1 or not self.enabled or source.lstrip().startswith(OWN_MAGICS):
            return
        from claude_nb._content.cell_records import RecordedCell

        self._current = RecordedCell(None, source)
        self._buffers, self._display_ids = [], {}
        try:
            self._wrap()
        except Exception:  # never let the recorder break a cell
            self._unwrap()
            self._current = None

    def post_run_cell(self, result: ExecutionResult) -> None:
        """End a cell: keep it with its outputs and error, drop the oldest past the bounds."""
        from claude_nb._content.cell_records import RecordedOutput

        self._depth = max(0, self._depth - 1)
        cell = self._current
        if self._depth or cell is None:
            return
        self._unwrap()
        self._current = None
        cell.execution_count = result.execution_count
        for kind, buffer in self._buffers:
            if isinstance(buffer, _TextBuffer):
                cell.outputs.append(RecordedOutput(kind, buffer.text(), total=buffer.total))
            else:
                cell.outputs.append(buffer)
        self._buffers = []
        error = result.error_in_exec or result.error_before_exec
        if error is not None:
            cell.error = self._error(error)
        self.cells.append(cell)
        size = sum(recorded.size for recorded in self.cells)
        while len(self.cells) > KEEP_CELLS or (size > KEEP_BYTES and len(self.cells) > 1):
            size -= self.cells.popleft().size

    # ------------------------------------------------------------------ reading
    def last_error(self) -> tuple[RecordedCell, list[RecordedCell]] | None:
        """The newest cell that failed and the recorded cells before it, or None."""
        cells = list(self.cells)
        for index in range(len(cells) - 1, -1, -1):
            if cells[index].error is not None:
                return cells[index], cells[:index]
        return None

    def last(self, count: int) -> list[RecordedCell]:
        """The last ``count`` recorded cells, oldest first."""
        return list(self.cells)[-count:] if count > 0 else []

    def errors(self) -> ErrorsByCell:
        """The recorded errors by execution count (``{Err[n]}``)."""
        return ErrorsByCell(self.cells)

    # ------------------------------------------------------------------ internals
    def _error(self, error: BaseException) -> RecordedError:
        from claude_nb._content.cell_records import RecordedError, user_traceback

        compiler = getattr(self.shell, "compile", None)

        def cell_name(filename: str) -> str | None:
            named = compiler.format_code_name(filename) if compiler is not None else None
            return named[1] if named else None

        try:
            return user_traceback(error, cell_name)
        except Exception:  # an exception whose str() raises: its type is still worth keeping
            name = type(error).__name__
            return RecordedError(name, "", name)

    def _text(self, kind: str, text: str) -> None:
        if self._quiet or not isinstance(text, str):
            return
        last = self._buffers[-1] if self._buffers else None
        if last is not None and last[0] == kind and isinstance(last[1], _TextBuffer):
            last[1].add(text)
            return
        buffer = _TextBuffer()
        buffer.add(text)
        self._buffers.append((kind, buffer))

    def _output(self, kind: str, data: Any, transient: Any = None, update: bool = False) -> None:
        if not isinstance(data, dict):
            return
        from claude_nb._content.cell_records import RecordedOutput

        output = RecordedOutput(kind)
        for media in IMAGE_TYPES:
            value = data.get(media)
            if value is not None:
                encoded = value if isinstance(value, str) else base64.b64encode(value).decode()
                if len(encoded) <= IMAGE_BYTES:
                    output.image = (media, encoded.replace("\n", ""))
                break
        text = data.get("text/plain")
        if isinstance(text, str) and (output.image is None or not text.startswith("<")):
            output.text = text[:STREAM_BYTES]
            output.total = len(text)
        if output.image is None and not output.text:
            return
        display_id = (transient or {}).get("display_id") if isinstance(transient, dict) else None
        if display_id and display_id in self._display_ids:
            earlier = self._display_ids[display_id]
            earlier.text, earlier.image, earlier.total = output.text, output.image, output.total
            return
        if update:
            return
        if display_id:
            self._display_ids[display_id] = output
        self._buffers.append((kind, output))

    def _wrap(self) -> None:
        for name, kind in (("stdout", "stdout"), ("stderr", "stderr")):
            self._tee(name, kind)
        publisher = getattr(self.shell, "display_pub", None)
        if publisher is not None:
            self._wrap_method(publisher, "publish", self._published)
        hook = getattr(self.shell, "displayhook", None)
        if hook is not None:
            self._wrap_method(hook, "write_format_data", self._result)
        for name in ("showtraceback", "showsyntaxerror"):  # the error is kept as an error
            self._wrap_method(self.shell, name, _nothing)

    def _tee(self, name: str, kind: str) -> None:
        stream = getattr(sys, name)
        original = stream.write
        own = _own(stream, "write")  # an instance's own write (pytest's CaptureIO has one)

        def write(text: str) -> Any:
            self._text(kind, text)
            return original(text)

        try:
            stream.write = write
        except (AttributeError, TypeError):  # a C-level stream (a terminal's TextIOWrapper)
            proxy = _Proxy(stream, write)
            setattr(sys, name, proxy)

            def restore_proxy() -> None:
                if getattr(sys, name) is proxy:
                    setattr(sys, name, stream)

            self._restore.append(restore_proxy)
            return

        def restore() -> None:
            if vars(stream).get("write") is write:
                if own is _ABSENT:
                    del stream.write
                else:
                    stream.write = own

        self._restore.append(restore)

    def _wrap_method(self, owner: Any, name: str, record: Callable[..., None]) -> None:
        original = getattr(owner, name)
        own = _own(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with contextlib.suppress(Exception):  # recording must never break a display
                record(*args, **kwargs)
            self._quiet += 1  # a terminal prints displays through sys.stdout: not twice
            try:
                return original(*args, **kwargs)
            finally:
                self._quiet -= 1

        setattr(owner, name, wrapper)

        def restore() -> None:
            if vars(owner).get(name) is wrapper:
                if own is _ABSENT:
                    delattr(owner, name)
                else:
                    setattr(owner, name, own)

        self._restore.append(restore)

    def _published(self, data: Any = None, metadata: Any = None, *args: Any, **kwargs: Any) -> None:
        self._output("display", data, kwargs.get("transient"), bool(kwargs.get("update")))

    def _result(self, format_dict: Any = None, *args: Any, **kwargs: Any) -> None:
        self._output("result", format_dict)

    def _unwrap(self) -> None:
        while self._restore:
            self._restore.pop()()
