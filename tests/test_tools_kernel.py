"""Approval inside a real IPython kernel: the text prompt answered over the stdin channel."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.kernel

SETUP = """
import json
from claude_nb._tool_approval import PromptApprover
from claude_nb._tool_exec import execute_tool_calls
from claude_nb._tools import ToolRegistry

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
def kernel() -> Iterator[Any]:
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.kernel_spec.argv[0] = sys.executable  # this venv's python, whatever the spec says
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(SETUP, timeout=60, output_hook=lambda message: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run_with_answers(
    client: Any, code: str, answers: list[str], allow_stdin: bool = True
) -> tuple[list[Any], list[str]]:
    """Execute ``code``; answer each input_request in turn; return (results, prompts)."""
    pending = iter(answers)
    prompts: list[str] = []
    printed: list[str] = []

    def on_stdin(message: dict[str, Any]) -> None:
        prompts.append(message["content"]["prompt"])
        client.input(next(pending))

    def on_output(message: dict[str, Any]) -> None:
        if message["header"]["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        if message["header"]["msg_type"] == "error":
            printed.append("\n".join(message["content"]["traceback"]))

    reply = client.execute_interactive(
        code,
        allow_stdin=allow_stdin,
        stdin_hook=on_stdin,
        output_hook=on_output,
        timeout=60,
    )
    text = "".join(printed)
    assert reply["content"]["status"] == "ok", text
    line = next(line for line in text.splitlines() if line.startswith("RESULTS="))
    return json.loads(line.removeprefix("RESULTS=")), prompts


def test_yes_then_no(kernel: Any) -> None:
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


def test_all_for_this_cell_asks_once_across_steps(kernel: Any) -> None:
    code = "approver = PromptApprover()" + RUN + RUN.replace("RESULTS=", "AGAIN=")
    results, prompts = run_with_answers(kernel, code, ["a"])
    assert len(prompts) == 1
    assert [result["content"] for result in results] == ["2", "3"]


def test_without_stdin_the_call_is_denied_not_run(kernel: Any) -> None:
    results, prompts = run_with_answers(
        kernel, "approver = PromptApprover()" + RUN, [], allow_stdin=False
    )
    assert prompts == []
    assert all(result["is_error"] for result in results)
    assert "StdinNotImplementedError" in results[0]["content"]
