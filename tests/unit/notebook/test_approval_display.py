"""In a notebook, the reply so far is painted whole (no cursor) before a tool question."""

from __future__ import annotations

import builtins

from IPython.utils.capture import capture_output

from claude_nb._display.render import CURSOR


def test_the_reply_is_painted_without_the_cursor_before_asking(shell, monkeypatch):
    shell.run_cell("def add(a: int, b: int) -> int:\n    'Add.'\n    return a + b\n")
    shell.run_cell("%claude_tools add")
    seen: list[str] = []
    with capture_output() as captured:

        def answer(prompt: str) -> str:
            seen.append(captured.outputs[-1].data["text/markdown"])
            return "y"

        monkeypatch.setattr(builtins, "input", answer)
        result = shell.run_cell("%claude --confirm use add with a=2 b=3")
    assert result.error_in_exec is None
    assert seen, "the approver was not asked"
    assert CURSOR not in seen[0] and "Calling" in seen[0]
