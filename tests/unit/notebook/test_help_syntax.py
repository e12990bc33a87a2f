"""A ``%claude`` prompt ending in ``?`` reaches Claude; ``%claude?`` stays IPython's help.

Through a real InteractiveShell's ``run_cell`` (the path kernels and the terminal take) and
its ``check_complete`` (the terminal's "is this input finished?").
"""

from __future__ import annotations

from typing import Any

import pytest
from IPython.utils.capture import capture_output

from claude_nb import get_session


def _run(shell: Any, cell: str) -> tuple[Any, Any]:
    with capture_output() as captured:
        result = shell.run_cell(cell)
    return result, captured


@pytest.mark.parametrize(
    ("cell", "prompt"),
    [
        ("%claude What is a notebook?", "What is a notebook?"),
        ("%claude What is the capital of France?  ", "What is the capital of France?"),
        ("%claude -m claude-haiku-4-5 Is it?", "Is it?"),
        ("%claude --max-tokens 300 Really??", "Really??"),
        ("%claude x.y?", "x.y?"),
        ("if True:\n    %claude Why is the sky blue?\n", "Why is the sky blue?"),
        ("answer = %claude What now?", "What now?"),
        ("In [3]: %claude Pasted with a prompt?", "Pasted with a prompt?"),
    ],
)
def test_a_prompt_ending_in_a_question_mark_reaches_claude(shell, cell, prompt):
    result, captured = _run(shell, cell)
    assert result.error_in_exec is None and result.error_before_exec is None, captured.stdout
    last = get_session().history[-2]
    assert last["role"] == "user"
    text = last["content"] if isinstance(last["content"], str) else last["content"][-1]["text"]
    assert text == prompt
    assert "Object `" not in captured.stdout and "not found" not in captured.stdout
    if cell.startswith("answer"):
        assert shell.user_ns["answer"].text


@pytest.mark.parametrize("cell", ["%claude?", "%claude??", "%%claude?"])
def test_bare_help_stays_help(shell, cell):
    result, captured = _run(shell, cell)
    assert result.error_in_exec is None
    assert (
        "%claude [flags] PROMPT" in captured.stdout
        or "Send one line" in captured.stdout
        or "Send the cell" in captured.stdout
    )
    assert not get_session().history


def test_a_system_prompt_ending_in_a_question_mark_is_set(shell):
    _run(shell, "%claude_session system Are you a pirate?")
    assert get_session().system == "Are you a pirate?"


def test_the_terminal_sees_a_complete_line_and_unload_removes_the_transform(shell):
    assert shell.check_complete("%claude What is a notebook?")[0] == "complete"
    assert "run_line_magic('claude'" in shell.transform_cell("%claude What is it?")
    assert "pinfo" in shell.transform_cell("%claude?")
    shell.run_line_magic("unload_ext", "claude_nb")
    try:
        assert "run_line_magic('claude'" not in shell.transform_cell("%claude What is it?")
    finally:
        shell.run_line_magic("load_ext", "claude_nb")
