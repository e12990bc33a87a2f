"""The notebook as context: the traits and steps ``ClaudeMagics`` inherits for it.

``NotebookContextMagics`` is ``ClaudeMagics``'s base: it holds the kernel's ``CellRecorder``
and the traits ``context_cells``, ``context_budget``, ``fix_mode`` and ``record_cells``, and
gives ``ClaudeMagics._content`` two steps:

* ``context_namespace()``: the user namespace with ``Err`` (``{Err[5]}``: cell 5's error and
  trimmed traceback) and ``_last_error`` beneath it (a user's own names win);
* ``with_context(content, prompt, arguments)``: the last ``--context N`` cells (or
  ``%config ClaudeMagics.context_cells``) before the prompt, within ``context_budget``
  tokens (``_content.cell_context``), or the fix request ``%claude_fix`` prepared; with
  ``--dry-run`` the pieces are listed with their token estimates. It also notes which
  cell's code the prompt carried (``{In[n]}``, ``{_i}``, ``{Err[n]}``, the newest context
  cell), so ``-f code`` shows its diff against that cell (``arguments.diff_base``).
"""

from __future__ import annotations

import re
from argparse import Namespace
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics
from IPython.display import display
from traitlets import Bool, Enum, Integer, observe

from claude_nb._api.notebook_context import FIX_MODES, cell_label
from claude_nb._notebook.code_diff import CodeBase

if TYPE_CHECKING:  # imported on first use: %load_ext loads none of _content
    from claude_nb._content.cell_context import NotebookContext
    from claude_nb._content.cell_records import RecordedCell
    from claude_nb._content.convert import ConvertedContent
    from claude_nb._notebook.recorder import CellRecorder

__all__ = ["FixRequest", "NotebookContextMagics", "pieces_listing"]

_CARRIED = re.compile(r"\{(In|Err)\[(\d+)\]\}|\{(_i{1,3}|_i\d+|_last_error)\}")


@dataclass(frozen=True)
class FixRequest:
    """What ``%claude_fix`` hands ``with_context``: the failing cell and how to ask."""

    failing: RecordedCell
    before: list[RecordedCell]
    variables: list[str]
    mode: str
    korean: bool
    note: str


def pieces_listing(context: NotebookContext, budget: int) -> dict[str, str]:
    """``--dry-run``'s list of the context's pieces, as Markdown and plain text."""
    title = f"context: ≈ {context.tokens:,} tokens of {budget:,} (context_budget)"
    rows = [f"| {p.label} | {p.tokens:,} | {p.note} |" for p in context.pieces]
    plain = [f"  {p.label:<32} ≈ {p.tokens:>7,} tokens  {p.note}".rstrip() for p in context.pieces]
    notes = [f"📎 {note}" for note in context.notes]
    markdown = "\n".join([f"**{title}**", "", "| piece | tokens | |", "|---|---:|---|", *rows])
    return {
        "text/markdown": markdown + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else ""),
        "text/plain": "\n".join([title, *plain, *notes]),
    }


class NotebookContextMagics(Magics):
    """The cell recorder, its traits and the context steps (see the module docstring)."""

    context_cells = Integer(0, help="Executed cells every %%claude sends before its prompt "
                            "(0: none; --context N for one cell).").tag(config=True)
    context_budget = Integer(6000, help="Estimated tokens the cells of --context and "
                             "%claude_fix may take (long outputs are cut with a note).").tag(
        config=True
    )
    fix_mode = Enum(FIX_MODES, "fix", help="%claude_fix: 'fix' proposes the corrected cell, "
                    "'hint' points at the problem without code (teaching), 'explain' explains "
                    "only. The notebook's metadata claude_nb.fix_mode wins.").tag(config=True)
    record_cells = Bool(True, help="Record executed cells (code, printed output, displays, "
                        "errors; bounded, in memory) for --context and %claude_fix.").tag(
        config=True
    )

    @property
    def recorder(self) -> CellRecorder:
        """The kernel's ``CellRecorder`` (hooks registered by ``%load_ext``)."""
        recorder: CellRecorder | None = self.__dict__.get("_cell_recorder")
        if recorder is None:
            from claude_nb._notebook.recorder import CellRecorder

            recorder = CellRecorder(self.shell)  # type: ignore[arg-type]  # set by IPython
            recorder.enabled = self.record_cells
            self.__dict__["_cell_recorder"] = recorder
        return recorder

    @observe("record_cells")
    def _record_cells_changed(self, change: dict[str, Any]) -> None:
        self.recorder.enabled = bool(change["new"])

    def context_namespace(self) -> Mapping[str, Any]:
        """The user namespace over ``Err`` and ``_last_error`` (for ``{...}`` references)."""
        user_ns: dict[str, Any] = self.shell.user_ns if self.shell is not None else {}
        extra: dict[str, Any] = {"Err": self.recorder.errors()}
        last = self.recorder.last_error()
        if last is not None and last[0].error is not None:
            extra["_last_error"] = last[0].error.traceback
        return ChainMap(user_ns, extra)

    def with_context(
        self, content: str | ConvertedContent, prompt: str, arguments: Namespace
    ) -> str | ConvertedContent:
        """The prompt's content with the notebook's cells before it (see the docstring)."""
        from claude_nb._content.cell_context import context_content, fix_content

        fix: FixRequest | None = getattr(arguments, "fix", None)
        count = getattr(arguments, "context", None)
        count = self.context_cells if count is None else count
        if count < 0:
            from IPython.core.error import UsageError

            raise UsageError(f"--context takes a number of cells >= 0, not {count}")
        arguments.diff_base = None if arguments.raw else self._carried(prompt, count)
        if fix is not None:
            label = cell_label(fix.failing.execution_count)
            arguments.diff_base = CodeBase(label, fix.failing.source)
            context = fix_content(
                fix.failing, fix.before, variables=fix.variables, mode=fix.mode,
                korean=fix.korean, note=fix.note, budget=self.context_budget,
            )
            combined: str | ConvertedContent = context.as_content()
        elif count:
            context = context_content(
                self.recorder.last(count), self.context_budget, wanted=count
            )
            combined = context.with_prompt(content)
        else:
            return content
        if arguments.dry_run and not arguments.curl:
            listing = pieces_listing(context, self.context_budget)
            display(listing, raw=True)  # type: ignore[no-untyped-call]
        return combined

    def _carried(self, prompt: str, count: int) -> CodeBase | None:
        cells = {cell.execution_count: cell for cell in self.recorder.cells}
        user_ns: dict[str, Any] = self.shell.user_ns if self.shell is not None else {}
        for match in _CARRIED.finditer(prompt):
            kind, number, name = match.groups()
            if kind == "In":
                manager = getattr(self.shell, "history_manager", None)
                history = getattr(manager, "input_hist_raw", None) or user_ns.get("In") or []
                if int(number) < len(history):
                    return CodeBase(f"In[{number}]", str(history[int(number)]))
            elif kind == "Err" and int(number) in cells:
                return CodeBase(f"In[{number}]", cells[int(number)].source)
            elif name == "_last_error":
                last = self.recorder.last_error()
                if last is not None:
                    return CodeBase(cell_label(last[0].execution_count), last[0].source)
            elif isinstance(user_ns.get(name), str):
                return CodeBase(name, user_ns[name])
        newest = self.recorder.last(1) if count else []
        return CodeBase(cell_label(newest[0].execution_count), newest[0].source) if newest else None
