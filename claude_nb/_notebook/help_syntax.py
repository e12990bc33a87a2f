"""``%claude What is a notebook?`` reaches Claude, not IPython's help.

IPython reads a line ending in ``?`` as help syntax (``obj?``): its ``HelpEnd`` token
transform turns ``%claude What is a notebook?`` into ``%pinfo notebook``. A prompt is free
text, and a question is the most natural one, so at ``%load_ext`` a cleanup transform
(``shell.input_transformers_cleanup``, run before IPython's own line and token transforms, in
kernels and the terminal alike, for ``run_cell`` and ``check_complete``) rewrites such
lines into the call IPython would have made, ``get_ipython().run_line_magic('claude', ...)``.

What stays help: ``%claude?``, ``%claude??`` (no prompt before the ``?``) and every ``%%``
cell (``%%claude?`` included; a cell magic's body is its own). A line of only question marks
after the name is left to IPython as well. Also rewritten: ``%claude_session system TEXT?``
(a system prompt is free text too), ``%claude_fix words?``, an indented line, and
``name = %claude ...?``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["install", "prompt_lines", "uninstall"]

_PROMPT_LINE = re.compile(
    r"^(?P<indent>[ \t]*)"
    r"(?P<assign>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*[ \t]*=[ \t]*)?"
    r"%(?P<name>claude|claude_session|claude_fix)(?P<args>[ \t].*?)[ \t]*(?P<end>\r?\n)?$",
    re.DOTALL,
)


def _is_prompt(name: str, args: str) -> bool:
    text = args.strip()
    if not text.endswith("?") or not text.rstrip("?").strip():
        return False  # no '?' (IPython is not in the way), or only '?': help
    if name == "claude_session":
        return text.split(None, 1)[0] == "system"
    return True


def prompt_lines(lines: list[str]) -> list[str]:
    """The cleanup transform: a prompt line ending in ``?`` becomes its magic call.

    Args:
        lines: The cell's lines, each with its line ending (IPython's cleanup contract).

    Returns:
        The lines, with each ``%claude ...?`` line replaced by
        ``get_ipython().run_line_magic('claude', '...')`` (the same call IPython makes).
    """
    if not lines or lines[0].lstrip().startswith("%%"):
        return lines  # a cell magic (or %%claude? help): its body is not Python
    result = []
    for line in lines:
        match = _PROMPT_LINE.match(line)
        if match is None or not _is_prompt(match["name"], match["args"][1:]):
            result.append(line)
            continue
        name, args = match["name"], match["args"][1:]
        call = f"get_ipython().run_line_magic({name!r}, {args!r})"
        result.append(f"{match['indent']}{match['assign'] or ''}{call}{match['end'] or ''}")
    return result


def install(shell: Any) -> None:
    """Add ``prompt_lines`` to the shell's cleanup transforms (once).

    Last among them: IPython's own cleanups (pasted ``In [1]:`` / ``>>>`` prompts, leading
    indent) come first; its line and token transforms, ``HelpEnd`` among them, after.
    """
    transforms = getattr(shell, "input_transformers_cleanup", None)
    if transforms is not None and prompt_lines not in transforms:
        transforms.append(prompt_lines)


def uninstall(shell: Any) -> None:
    """Take ``prompt_lines`` out of the shell's cleanup transforms (``%unload_ext``)."""
    transforms = getattr(shell, "input_transformers_cleanup", None)
    while transforms is not None and prompt_lines in transforms:
        transforms.remove(prompt_lines)
