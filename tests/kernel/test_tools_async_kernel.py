"""``ask_async`` in a real kernel: a top-level ``await``, the approver's prompt over stdin.

In ``ask_async`` the approver runs in a worker thread (``asyncio.to_thread``) so the kernel's
event loop stays free; ipykernel's ``input()`` must still reach the front end from there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from claude_nb.testing import Kernel, running_kernel

pytest.importorskip("jupyter_client")

SETUP = """
import json
import claude_nb
from claude_nb.emulator import Emulator, ScriptedResponder

def add(a: int, b: int = 1) -> int:
    \"\"\"Add two numbers.\"\"\"
    return a + b

def use(tool_use_id, a):
    return {"type": "tool_use", "id": tool_use_id, "name": "add", "input": {"a": a}}

def new_session():
    turns = [{"content": [use("t1", 1), use("t2", 2)]}, "done"]
    emulator = Emulator(require_key=False, responder=ScriptedResponder(turns))
    session = claude_nb.Session(offline=True, emulator=emulator, environ={})
    session.tools.register(add)
    return session, emulator
"""

RUN = """
session, emulator = new_session()
reply = await session.ask_async("add twice", approver=claude_nb.PromptApprover())
results = emulator.requests[1].body["messages"][-1]["content"]
print("RESULTS=" + json.dumps([reply.text, results]))
"""


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with running_kernel() as kernel:
        assert kernel.execute(SETUP).reply["status"] == "ok"
        yield kernel


def test_ask_async_asks_over_stdin_from_its_worker_thread(kernel: Kernel) -> None:
    execution = kernel.execute(RUN, answers=["y", "n"])
    assert execution.reply["status"] == "ok", execution.text
    assert execution.prompts == [
        "Run tool add(a=1)? [y]es / [n]o / [a]ll for this cell: ",
        "Run tool add(a=2)? [y]es / [n]o / [a]ll for this cell: ",
    ]
    line = next(line for line in execution.stdout.splitlines() if line.startswith("RESULTS="))
    text, results = json.loads(line.removeprefix("RESULTS="))
    assert text == "done"
    assert results[0] == {"type": "tool_result", "tool_use_id": "t1", "content": "2"}
    assert results[1]["is_error"] and "declined" in results[1]["content"]


def test_without_stdin_ask_async_denies_rather_than_runs(kernel: Kernel) -> None:
    execution = kernel.execute(RUN, answers=None)
    assert execution.reply["status"] == "ok", execution.text
    line = next(line for line in execution.stdout.splitlines() if line.startswith("RESULTS="))
    _text, results = json.loads(line.removeprefix("RESULTS="))
    assert all(result["is_error"] for result in results)
    assert "StdinNotImplementedError" in results[0]["content"]
