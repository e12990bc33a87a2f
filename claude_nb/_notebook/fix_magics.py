"""``%claude_fix``: explain the last error and propose a fix, the code into the next cell.

    %claude_fix [--dry-run] [-m MODEL] [--context N] [extra words]

Sends the newest recorded cell that raised (its code and its traceback trimmed to the user's
frames), the types and shapes of the variables it uses (``_content.variables``: never whole
values), the ``--context N`` cells before it (default 3) within ``context_budget``, the words
after the flags, and the mode's instruction (``_api.notebook_context``). The reply streams
like any ``%claude``; in ``fix`` mode its code goes into the next cell with
``set_next_input`` (never run), a diff against the failing cell shown above it. The mode is
the notebook's metadata ``claude_nb.fix_mode`` (a teacher's), else ``%config
ClaudeMagics.fix_mode``. The reply is in Korean when the words, or the notebook's last
``%claude`` prompt, are Korean.

Registered by ``load_ipython_extension`` next to ``ClaudeMagics`` (whose session, recorder
and ``_ask`` it uses); ``load_fix_magics`` also registers the recorder's hooks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, magics_class, no_var_expand

from claude_nb._api.formats import fenced_blocks
from claude_nb._api.language import is_korean
from claude_nb._api.notebook_context import FIX_MODES
from claude_nb._notebook.args import (
    argument,
    line_magic,
    magic_arguments,
    parse_magic_line,
    prompt_arguments,
)
from claude_nb._notebook.code_diff import CodeBase, show_diff
from claude_nb._notebook.context_magics import FixRequest

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._notebook.magics import ClaudeMagics

__all__ = ["FixMagics", "load_fix_magics", "notebook_fix_mode", "unload_fix_magics"]

DEFAULT_BEFORE = 3
NO_ERROR = "%claude_fix: no error yet (it explains the newest cell that raised one)."
NOT_RECORDING = (
    "%claude_fix: cells are not being recorded (%config ClaudeMagics.record_cells = True)."
)
_NOTEBOOK_PATHS = ("__vsc_ipynb_file__", "__session__")


def notebook_fix_mode(user_ns: dict[str, Any]) -> str | None:
    """The notebook's ``metadata.claude_nb.fix_mode``, when the kernel knows its notebook.

    The notebook's path comes from ``__session__`` (JupyterLab, Notebook 7), or
    ``__vsc_ipynb_file__`` (VS Code), or ``JPY_SESSION_NAME``; the file is read as saved.
    """
    candidates = [user_ns.get(name) for name in _NOTEBOOK_PATHS]
    candidates.append(os.environ.get("JPY_SESSION_NAME"))
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.endswith(".ipynb"):
            continue
        try:
            metadata = json.loads(Path(candidate).read_text(encoding="utf-8"))["metadata"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        mode = (metadata.get("claude_nb") or {}).get("fix_mode") if isinstance(
            metadata, dict) else None
        if mode in FIX_MODES:
            return str(mode)
    return None


@magics_class
class FixMagics(Magics):
    """``%claude_fix`` on the kernel's ``ClaudeMagics`` (session, recorder, streaming)."""

    def __init__(self, shell: InteractiveShell, claude: ClaudeMagics) -> None:
        super().__init__(shell=shell)
        self.claude = claude

    @magic_arguments("claude_fix")
    @prompt_arguments
    @argument("--mode", choices=FIX_MODES, help="fix, hint or explain (default: the "
              "notebook's metadata claude_nb.fix_mode, else %%config ClaudeMagics.fix_mode).")
    @no_var_expand
    @line_magic("claude_fix")
    def claude_fix(self, line: str) -> Any:
        """Explain the last error and propose a fix (its code into the next cell, not run)."""
        arguments, note = parse_magic_line(self.claude_fix, line)
        recorder = self.claude.recorder
        found = recorder.last_error()
        if found is None:
            print(NO_ERROR if recorder.enabled else NOT_RECORDING)
            return None
        from claude_nb._content.variables import describe_variables

        failing, before = found
        count = DEFAULT_BEFORE if arguments.context is None else max(0, arguments.context)
        user_ns = self.shell.user_ns if self.shell is not None else {}
        mode = arguments.mode or notebook_fix_mode(user_ns) or self.claude.fix_mode
        code = failing.source
        if self.shell is not None:
            try:
                code = self.shell.transform_cell(failing.source)  # type: ignore[no-untyped-call]
            except Exception:  # a cell IPython cannot transform: read it as written
                code = failing.source
        arguments.fix = FixRequest(
            failing, before[-count:] if count else [], describe_variables(code, user_ns),
            mode, self._korean(note), note,
        )
        arguments.context = 0
        reply = self.claude._ask(arguments, note or "%claude_fix")
        if arguments.dry_run or arguments.curl or mode != "fix" or arguments.format == "code":
            return reply
        blocks = fenced_blocks(getattr(reply, "text", "") or "")
        if blocks and self.shell is not None:
            proposed = "\n\n".join(blocks)
            label = f"In[{failing.execution_count}]" if failing.execution_count else "the cell"
            show_diff(CodeBase(label, failing.source), proposed)
            self.shell.set_next_input(proposed, replace=False)
        return reply

    def _korean(self, note: str) -> bool:
        if note.strip():
            return is_korean(note)
        manager = getattr(self.shell, "history_manager", None)
        history = getattr(manager, "input_hist_raw", None) or []
        for source in reversed(history[-50:]):
            text = str(source).lstrip()
            if text.startswith(("%%claude", "%claude ")) and not text.startswith(
                ("%claude_", "%%claude_")
            ):
                first, _, rest = text.partition("\n")
                prompt = rest if text.startswith("%%") else first
                return is_korean(prompt)
        return False


def load_fix_magics(shell: InteractiveShell) -> None:
    """Register ``%claude_fix`` and the cell recorder's hooks (after ``ClaudeMagics``)."""
    claude = shell.magics_manager.registry.get("ClaudeMagics")
    if claude is None or "FixMagics" in shell.magics_manager.registry:
        return
    shell.register_magics(FixMagics(shell, claude))
    claude.recorder.install()


def unload_fix_magics(shell: InteractiveShell) -> None:
    """Remove ``%claude_fix`` and the recorder's hooks (``%unload_ext``)."""
    registry = shell.magics_manager.registry
    claude = registry.get("ClaudeMagics")
    if claude is not None:
        claude.recorder.uninstall()
    magics = registry.pop("FixMagics", None)
    if magics is None:
        return
    for kind, names in magics.magics.items():
        for name in names:
            shell.magics_manager.magics[kind].pop(name, None)
