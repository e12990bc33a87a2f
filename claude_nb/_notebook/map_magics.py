"""``MapMagics``: ``%%claude_map DATA`` (the cell is the template) and ``%claude_batches``.

    %%claude_map df [-o NAME] [--batch] [--concurrency N] [-m MODEL] [--max-tokens N]
                    [--column COL]
    Summarise this review in five words: {review}

The line is split like a shell (``--column 'review text'``, ``--column="review text"``). The
cell goes to ``Session.map`` over ``DATA`` (a name in the namespace): a DataFrame's rows, a
Series' or a list's items, a dict's values (its keys are the labels); ``--column COL`` maps
over that column's values, ``{item}`` or ``{COL}`` in the template (``{7}`` for column 7).
Fields follow ``_session.map_items``: ``{review text}``, ``{item["review text"]}`` and
``{item[7]}`` name any column; ``{stars:.1f}`` and ``{name!r}`` format as in
``str.format``. Concurrent by default, the value is the ``MapResult``; ``-o NAME`` stores
the texts (a Series on DATA's index, or on a dict's keys; a list for a list). ``--batch``
sends a Message Batch and returns at once (a batch takes minutes to hours): the value is
the ``BatchJob`` and ``-o NAME`` stores the job, with one printed line saying how to get
the texts (``NAME.wait().results().to_series()``). ``%claude_batches`` lists the batch jobs
in the history store, refreshing unfinished ones. Bad input is a one-line ``UsageError``
before anything is sent.

Registered by ``load_ipython_extension`` next to ``ClaudeMagics`` (whose session it uses).
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, magics_class, no_var_expand

from claude_nb._exceptions import ClaudeNBError
from claude_nb._notebook.args import argument, cell_magic, line_magic, magic_arguments

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._notebook.magics import ClaudeMagics

__all__ = ["MapMagics", "load_map_magics", "unload_map_magics"]


@magics_class
class MapMagics(Magics):
    """``%%claude_map`` and ``%claude_batches`` on the kernel's ``ClaudeMagics`` session."""

    def __init__(self, shell: InteractiveShell, claude: ClaudeMagics) -> None:
        super().__init__(shell=shell)
        self.claude = claude

    @property
    def _user_ns(self) -> dict[str, Any]:
        return self.shell.user_ns if self.shell is not None else {}

    def _data(self, expression: str) -> Any:
        from claude_nb._content.interpolate import is_resolved, parse_reference, resolve_reference

        steps = parse_reference(expression)
        value = resolve_reference(steps, self._user_ns) if steps else None
        if not steps or not is_resolved(value):
            hint = " (quote a subscript as in a shell: 'd[\"key\"]')" if "[" in expression else ""
            raise UsageError(f"%%claude_map: no variable {expression!r} to map over{hint}")
        return value

    @magic_arguments()
    @argument("data", help="The DataFrame, Series, list or dict to map over (a name).")
    @argument(
        "-o",
        "--out",
        help="Store the texts (a Series on DATA's index) in this name; the job with --batch.",
    )
    @argument("--batch", action="store_true", help="Send a Message Batch (half price).")
    @argument("--concurrency", type=int, help="Calls in flight (default: from rate limits).")
    @argument("-m", "--model", help="Model id (default: the session's).")
    @argument("--max-tokens", type=int, help="max_tokens of each call.")
    @argument("--column", help="Map over this column's values ({item} or {COL} in the template).")
    @no_var_expand
    @cell_magic("claude_map")
    def claude_map(self, line: str, cell: str) -> Any:
        """Run the cell as a prompt template over every item of DATA."""
        try:
            argv = shlex.split(line)
        except ValueError as error:  # an unclosed quote
            raise UsageError(f"%%claude_map: {error} in {line.strip()!r} (close it)") from None
        arguments = self.claude_map.parser.parse_args(argv)
        if arguments.out is not None and not arguments.out.isidentifier():
            raise UsageError(f"--out needs a Python name, not {arguments.out!r}")
        data = self._data(arguments.data)
        if arguments.column is not None:
            data = _column(data, arguments.data, arguments.column)
        params: dict[str, Any] = {}
        if arguments.model:
            params["model"] = arguments.model
        if arguments.max_tokens is not None:
            params["max_tokens"] = arguments.max_tokens
        from claude_nb._store.persistence import find_notebook_path

        session = self.claude.session
        try:
            with self.claude.accounting.cell(session, None):
                outcome = session.map(
                    cell.strip("\n"),
                    data,
                    batch=arguments.batch,
                    concurrency=arguments.concurrency,
                    notebook_path=find_notebook_path(self._user_ns),
                    **params,
                )
        except ClaudeNBError as error:
            raise UsageError(f"%%claude_map: {error}") from None
        if arguments.out and arguments.batch:
            self._user_ns[arguments.out] = outcome
            print(
                f"{arguments.out} is the BatchJob (it runs for minutes to hours); "
                f"the texts: {arguments.out}.wait().results().to_series()"
            )
        elif arguments.out:
            self._user_ns[arguments.out] = _texts(outcome, data)
        return outcome

    @line_magic("claude_batches")
    def claude_batches(self, line: str = "") -> Any:
        """List the stored batch jobs with status and cost (unfinished ones refreshed)."""
        session = self.claude.session
        for job in session.batches():
            if job.status != "ended":
                with contextlib.suppress(Exception):  # gone (an offline emulator restarted)
                    session.resume_batch(job.id)
        return session.batches()


def _column(data: Any, name: str, column: str) -> Any:
    """DATA's column whose name reads ``column`` (``7`` for "7"), named so ``{COL}`` works.

    A Series' name is a field only when it is text, so column ``7`` goes on named "7":
    ``--column 7`` takes ``{7}`` as well as ``{item}``.
    """
    columns = list(getattr(data, "columns", []))
    found = [each for each in columns if str(each) == column]
    if not found:
        listed = ", ".join(str(each) for each in columns[:12])
        raise UsageError(
            f"%%claude_map: {name} has no column {column!r}"
            + (f" (columns: {listed})" if columns else "")
        )
    values = data[found[0]]
    if isinstance(found[0], str) or getattr(values, "ndim", 1) != 1:
        return values
    return values.rename(column)


def _texts(result: Any, data: Any) -> Any:
    """What ``-o`` stores: a Series on DATA's index (or a dict's keys), else a list."""
    keyed = isinstance(data, Mapping)
    if keyed or (result.source is not None and hasattr(result.source, "index")):
        try:
            return result.to_series()
        except ImportError:  # no pandas: the texts keyed by the dict's keys
            return dict(zip(result.labels, result.texts, strict=True))
    return result.texts


def load_map_magics(shell: InteractiveShell) -> None:
    """Register ``MapMagics`` beside the loaded ``ClaudeMagics`` (once)."""
    registry = shell.magics_manager.registry
    claude = registry.get("ClaudeMagics")
    if claude is None or "MapMagics" in registry:
        return
    shell.register_magics(MapMagics(shell, claude))


def unload_map_magics(shell: InteractiveShell) -> None:
    """Remove ``MapMagics`` (``%unload_ext claude_nb``)."""
    magics = shell.magics_manager.registry.pop("MapMagics", None)
    if magics is None:
        return
    for kind, names in magics.magics.items():
        for name in names:
            shell.magics_manager.magics[kind].pop(name, None)
