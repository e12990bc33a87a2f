"""The tool loop in a real IPython kernel, against the emulator served over HTTP on 127.0.0.1.

The emulator validates every request (tool_use/tool_result pairing, roles, shapes), so each
follow-up request the loop sends, and every later request carrying the history, is checked
as the API would check it. The responder is switched per test: the offline responder (calls
the tools the prompt names, then quotes their results) or a scripted one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb.emulator import Emulator, OfflineResponder, ScriptedResponder
from claude_nb.testing import FAKE_KEY, Kernel, kernel_on

pytest.importorskip("jupyter_client")

HISTORY_ROLES = "[t['role'] for t in __import__('claude_nb').get_session().history]"

SETUP = '''
import asyncio, time
import claude_nb

def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b

def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()

def untyped(x, y: int) -> int:
    return y

def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError("boom: " + reason)

def nap(seconds: float) -> str:
    """Sleep."""
    time.sleep(seconds)
    return "rested"

_started = set()

async def _meet(me, other):
    # only calls that overlap get past this: one after the other, the first times out
    _started.add(me)
    for _ in range(1000):
        if other in _started:
            return
        await asyncio.sleep(0.01)
    raise RuntimeError(other + " never started while " + me + " ran")

async def slow_a(x: int) -> int:
    """Slow."""
    await _meet("a", "b")
    return x

async def slow_b(x: int) -> int:
    """Slow too."""
    await _meet("b", "a")
    return x * 10
'''


class Switch:
    """A responder that delegates to whichever responder the test sets."""

    def __init__(self) -> None:
        self.current: Any = OfflineResponder()

    def respond(self, body: dict[str, Any]) -> Any:
        return self.current.respond(body)

    def script(self, *turns: Any) -> None:
        self.current = ScriptedResponder(turns, repeat_last=True)


def use(name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": arguments}


@pytest.fixture(scope="module")
def served() -> tuple[Emulator, Switch]:
    switch = Switch()
    return Emulator(require_key=True, responder=switch), switch


@pytest.fixture(scope="module")
def kernel(served: tuple[Emulator, Switch]) -> Iterator[Kernel]:
    with kernel_on(served[0]) as kernel:
        for code in ("%load_ext claude_nb", "%config ClaudeMagics.persist = False", SETUP):
            assert kernel.execute(code).reply["status"] == "ok"
        yield kernel


def ask_again_is_valid(kernel: Kernel, served: tuple[Emulator, Switch]) -> None:
    """The next call carries the history; the emulator's validation must accept it."""
    served[1].script("fine")
    execution = kernel.execute("%claude --no-tools and now?")
    assert execution.reply["status"] == "ok", execution.text


def test_two_registered_tools_answer_in_steps_shown_in_one_output(kernel, served):
    emulator, switch = served
    switch.current = OfflineResponder()
    kernel.execute("%claude_session reset")
    listing = kernel.execute("%claude_tools add shout")
    assert listing.reply["status"] == "ok"
    assert "**2 tools**" in listing.text and "input_schema" in listing.text
    refused = kernel.execute("%claude_tools untyped")
    assert refused.reply["ename"] == "UsageError"
    assert "parameter 'x' has no type annotation" in refused.reply["evalue"]
    assert "\n" not in refused.reply["evalue"]

    sent = len(emulator.requests)
    execution = kernel.execute("%%claude\nUse add with a=2 b=3, then shout 'hello there'\n")
    assert execution.reply["status"] == "ok", execution.text
    requests = emulator.requests[sent:]
    assert len(requests) == 2
    assert [t["name"] for t in requests[0].body["tools"]] == ["add", "shout"]
    results = requests[1].body["messages"][-1]["content"]
    assert [r["content"] for r in results] == ["5", "HELLO THERE"]
    assert kernel.value("[s.error for s in _.steps]") == "[None, None]"
    displays = execution.displays
    assert [m["msg_type"] for m in displays].count("display_data") == 1
    final = displays[-1]["content"]["data"]["text/markdown"]
    assert final.count("<details><summary>🔧 <code>") == 2
    assert final.index("add(a=2, b=3)") < final.index("shout(") < final.index("HELLO THERE\n")
    assert "2 steps, 2 tool calls" in final
    assert "> 5" in final and "> HELLO THERE" in final  # the final answer quotes the results
    assert FAKE_KEY not in execution.text
    assert kernel.value(HISTORY_ROLES) == "['user', 'assistant', 'user', 'assistant']"

    kernel.execute('def add(a: int, b: int) -> int:\n    """Multiply, now."""\n    return a * b')
    execution = kernel.execute("%claude --new Use add with a=2 b=3")
    assert execution.reply["status"] == "ok", execution.text
    assert emulator.requests[-1].body["messages"][-1]["content"][0]["content"] == "6"
    ask_again_is_valid(kernel, served)
    kernel.execute("%claude_tools --clear")
    kernel.execute(SETUP)  # the original add again, for the other tests


def test_parallel_async_tools_one_turn_in_order_overlapping(kernel, served):
    emulator, switch = served
    kernel.execute("%claude_tools slow_a slow_b")
    kernel.execute("_started.clear()")
    switch.script({"content": [use("slow_a", x=1), use("slow_b", x=2)]}, "both done")
    execution = kernel.execute("%%claude --new\nboth\n")
    assert execution.reply["status"] == "ok", execution.text
    last = emulator.requests[-1].body["messages"]
    ids = [block["id"] for block in last[-2]["content"] if block["type"] == "tool_use"]
    results = last[-1]["content"]
    assert [r["tool_use_id"] for r in results] == ids
    assert [r["content"] for r in results] == ["1", "20"]
    # each call waited for the other to start (see _meet): they overlapped, and both are listed
    errors = ast.literal_eval(kernel.value("[c.error for c in _.tool_calls]"))
    assert errors == [None, None]
    kernel.execute("%claude_tools --clear")


def test_errors_step_cap_and_interrupt_leave_a_valid_history(kernel, served):
    emulator, switch = served
    kernel.execute("%claude_tools add explode nap")
    switch.script(
        {"content": [use("explode", reason="x"), use("add", a="two", b=1), use("ghost")]},
        "recovered",
    )
    execution = kernel.execute("%%claude --new\ntry them\n")
    assert execution.reply["status"] == "ok", execution.text
    results = emulator.requests[-1].body["messages"][-1]["content"]
    assert all(result["is_error"] for result in results)
    final = execution.displays[-1]["content"]["data"]["text/markdown"]
    assert final.count("<summary>✗") == 3
    assert "RuntimeError: boom: x" in final
    assert "Unknown tool 'ghost'" in final and "Invalid input for tool 'add'" in final
    ask_again_is_valid(kernel, served)

    switch.script({"content": ["Once more.", use("add", a=1, b=1)]})
    sent = len(emulator.requests)
    execution = kernel.execute("%%claude --new --max-steps 2\nloop\n")
    assert execution.reply["status"] == "ok", execution.text
    assert len(emulator.requests) - sent == 2
    final = execution.displays[-1]["content"]["data"]["text/markdown"]
    assert "Stopped: the step limit (2) was reached" in final
    assert kernel.value(HISTORY_ROLES) == "['user', 'assistant', 'user', 'assistant']"
    ask_again_is_valid(kernel, served)

    switch.script({"content": ["Napping.", use("nap", seconds=30)]}, "never")

    def running(message: dict[str, Any]) -> bool:
        return "running…" in str(message["content"].get("data", {}))

    execution = kernel.execute("%%claude --new\nnap\n", interrupt_when=running)
    assert execution.reply["ename"] == "KeyboardInterrupt"
    final = execution.displays[-1]["content"]["data"]["text/markdown"]
    assert "Interrupted by the user" in final and "interrupted" in final
    assert kernel.value(HISTORY_ROLES) == "['user', 'assistant']"  # prompt + "Napping."
    ask_again_is_valid(kernel, served)
    kernel.execute("%claude_tools --clear")


def test_confirm_asks_on_stdin_and_a_denial_goes_back_as_is_error(kernel, served):
    emulator, switch = served
    kernel.execute("%claude_tools add")
    switch.script({"content": [use("add", a=1, b=2), use("add", a=3, b=4)]}, "done")
    execution = kernel.execute("%%claude --new --confirm\nadd twice\n", answers=["n", "y"])
    assert execution.reply["status"] == "ok", execution.text
    assert execution.prompts == [
        "Run tool add(a=1, b=2)? [y]es / [n]o / [a]ll for this cell: ",
        "Run tool add(a=3, b=4)? [y]es / [n]o / [a]ll for this cell: ",
    ]
    results = emulator.requests[-1].body["messages"][-1]["content"]
    assert results[0]["is_error"] and "declined" in results[0]["content"]
    assert results[1]["content"] == "7" and not results[1].get("is_error")

    kernel.execute("%config ClaudeMagics.confirm_tools = True")
    switch.script({"content": [use("add", a=1, b=2), use("add", a=3, b=4)]}, "done")
    execution = kernel.execute("%%claude --new\nadd twice\n", answers=["a"])
    kernel.execute("%config ClaudeMagics.confirm_tools = False")
    assert execution.reply["status"] == "ok", execution.text
    assert len(execution.prompts) == 1  # "all for this cell"
    results = emulator.requests[-1].body["messages"][-1]["content"]
    assert [r["content"] for r in results] == ["3", "7"]
    ask_again_is_valid(kernel, served)
    kernel.execute("%claude_tools --clear")
