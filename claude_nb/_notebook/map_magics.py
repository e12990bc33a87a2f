"""``MapMagics``: ``%%claude_map DATA`` (the cell is the template) and ``%claude_batches``.

    %%claude_map df [-o NAME] [--batch] [--concurrency N] [-m MODEL] [--max-tokens N]
                    [--column COL]
    Summarise this review in five words: {review}

The cell goes to ``Session.map`` over ``DATA`` (a name in the namespace; ``--column COL``
maps over that column's values, ``{item}`` or ``{COL}`` in the template). Concurrent by
default, the value is the ``MapResult``; ``-o NAME`` stores the texts (a Series on DATA's
index for a DataFrame or Series, else a list). ``--batch`` sends a Message Batch and the
value is the ``BatchJob`` (``-o NAME`` stores the job: ``NAME.wait().results()``).
``%claude_batches`` lists the batch jobs in the history store, refreshing unfinished ones.
Bad input is a one-line ``UsageError`` before anything is sent.

Registered by ``load_ipython_extension`` next to ``ClaudeMagics`` (whose session it uses).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, magics_class, no_var_expand
from IPython.core.magic_arguments import parse_argstring

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
            raise UsageError(f"%%claude_map: no variable {expression!r} to map over")
        return value

    @magic_arguments()
    @argument("data", help="The DataFrame, Series, list or dicts to map over (a name).")
    @argument("-o", "--out", help="Store the texts (a Series on DATA's index) in this name.")
    @argument("--batch", action="store_true", help="Send a Message Batch (half price).")
    @argument("--concurrency", type=int, help="Calls in flight (default: from rate limits).")
    @argument("-m", "--model", help="Model id (default: the session's).")
    @argument("--max-tokens", type=int, help="max_tokens of each call.")
    @argument("--column", help="Map over this column's values ({item} in the template).")
    @no_var_expand
    @cell_magic("claude_map")
    def claude_map(self, line: str, cell: str) -> Any:
        """Run the cell as a prompt template over every item of DATA."""
        arguments = parse_argstring(self.claude_map, line)  # type: ignore[no-untyped-call]
        if arguments.out is not None and not arguments.out.isidentifier():
            raise UsageError(f"--out needs a Python name, not {arguments.out!r}")
        data = self._data(arguments.data)
        if arguments.column is not None:
            columns = [str(column) for column in getattr(data, "columns", [])]
            if arguments.column not in columns:
                raise UsageError(
                    f"%%claude_map: {arguments.data} has no column {arguments.column!r}"
                    + (f" (columns: {', '.join(columns[:12])})" if columns else "")
                )
            data = data[arguments.column]
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
        if arguments.out:
            texts = outcome if arguments.batch else _texts(outcome)
            self._user_ns[arguments.out] = texts
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


def _texts(result: Any) -> Any:
    if result.source is not None and hasattr(result.source, "index"):
        return result.to_series()
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
