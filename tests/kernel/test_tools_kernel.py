"""Approval inside a real IPython kernel: the text prompt answered over the stdin channel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb.testing import Kernel, running_kernel

pytest.importorskip("jupyter_client")

SETUP = """
import json
from claude_nb._tools.approval import PromptApprover
from claude_nb._tools.execute import execute_tool_calls
from claude_nb._tools.registry import ToolRegistry

def add(a: int, b: int = 1) -> int:
    return a + b

registry = ToolRegistry([add])
blocks = [
    {"type": "tool_use", "id": "t1", "name": "add", "input": {"a": 1}},
    {"type": "tool_use", "id": "t2", "name": "add", "input": {"a": 2}},
]
"""

RUN = """
results = execute_tool_calls(blocks, registry, approver=approver)
print("RESULTS=" + json.dumps(results))
"""


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with running_kernel() as kernel:
        assert kernel.execute(SETUP).reply["status"] == "ok"
        yield kernel


def run_with_answers(
    kernel: Kernel, code: str, answers: list[str] | None
) -> tuple[list[Any], list[str]]:
    """Execute ``code``, answering its prompts (``None``: stdin not allowed).

    Returns the printed tool results and the prompts shown.
    """
    execution = kernel.execute(code, answers=answers)
    assert execution.reply["status"] == "ok", execution.text
    line = next(line for line in execution.stdout.splitlines() if line.startswith("RESULTS="))
    return json.loads(line.removeprefix("RESULTS=")), execution.prompts


def test_yes_then_no(kernel: Kernel) -> None:
    results, prompts = run_with_answers(kernel, "approver = PromptApprover()" + RUN, ["y", "n"])
    assert prompts == [
        "Run tool add(a=1)? [y]es / [n]o / [a]ll for this cell: ",
        "Run tool add(a=2)? [y]es / [n]o / [a]ll for this cell: ",
    ]
    assert results[0] == {"type": "tool_result", "tool_use_id": "t1", "content": "2"}
    assert results[1] == {
        "type": "tool_result",
        "tool_use_id": "t2",
        "content": "The user declined to run the tool 'add'.",
        "is_error": True,
    }


def test_all_for_this_cell_asks_once_across_steps(kernel: Kernel) -> None:
    code = "approver = PromptApprover()" + RUN + RUN.replace("RESULTS=", "AGAIN=")
    results, prompts = run_with_answers(kernel, code, ["a"])
    assert len(prompts) == 1
    assert [result["content"] for result in results] == ["2", "3"]


def test_without_stdin_the_call_is_denied_not_run(kernel: Kernel) -> None:
    results, prompts = run_with_answers(kernel, "approver = PromptApprover()" + RUN, None)
    assert prompts == []
    assert all(result["is_error"] for result in results)
    assert "StdinNotImplementedError" in results[0]["content"]
