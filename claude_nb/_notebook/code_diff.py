"""A proposed cell shown as a diff against the cell it replaces (``%claude_fix``, ``-f code``).

The diff is displayed above the new cell (``set_next_input``): a ```` ```diff ```` block in a
notebook, the same unified diff as plain text in a terminal. Nothing is run.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from IPython.display import display

__all__ = ["CodeBase", "code_diff", "show_diff"]


class CodeBase(NamedTuple):
    """The cell a proposal replaces: its label (``In[5]``) and code."""

    label: str
    code: str


def code_diff(base: CodeBase, proposed: str) -> str:
    """The unified diff from ``base`` to ``proposed`` ('' when they are the same)."""
    lines = difflib.unified_diff(
        base.code.rstrip("\n").splitlines(), proposed.rstrip("\n").splitlines(),
        fromfile=base.label, tofile="proposed (next cell)", lineterm="",
    )
    return "\n".join(lines)


def _longest_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def show_diff(base: CodeBase, proposed: str) -> str:
    """Display the diff (or that nothing changed) and return its text."""
    diff = code_diff(base, proposed)
    if not diff:
        text = f"The proposed code is the same as {base.label}."
        display({"text/plain": text, "text/markdown": text}, raw=True)  # type: ignore[no-untyped-call]
        return ""
    title = f"Proposed change to {base.label} (in the next cell, not run):"
    fence = "`" * max(3, _longest_run(diff) + 1)
    markdown = f"{title}\n\n{fence}diff\n{diff}\n{fence}"
    data = {"text/plain": f"{title}\n{diff}", "text/markdown": markdown}
    display(data, raw=True)  # type: ignore[no-untyped-call]
    return diff
