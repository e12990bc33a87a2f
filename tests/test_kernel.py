"""%%claude in a real IPython kernel, against the emulator served over HTTP on 127.0.0.1.

One kernel runs many cells (a kernel start costs a second or two). The emulator runs in this
process, so the test can script replies, change pacing and inject faults between cells.
"""

from __future__ import annotations

import contextlib
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from claude_nb.emulator import Emulator, Pacing, ScriptedResponder

pytestmark = pytest.mark.kernel
jupyter_client = pytest.importorskip("jupyter_client")

FAKE_KEY = "sk-ant-test-kernel-0000"


@dataclass
class Execution:
    reply: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, *kinds: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["msg_type"] in kinds]

    @property
    def displays(self) -> list[dict[str, Any]]:
        return self.of_type("display_data", "update_display_data")

    @property
    def text(self) -> str:
        parts = [m["content"].get("text", "") for m in self.of_type("stream")]
        for m in self.of_type("error"):
            parts += m["content"]["traceback"]
        for m in self.of_type("display_data", "update_display_data", "execute_result"):
            parts.append(str(m["content"]["data"]))
        return "\n".join(parts)


class Kernel:
    def __init__(self, client: Any, manager: Any) -> None:
        self.client = client
        self.manager = manager

    def execute(self, code: str, *, interrupt_when: Any = None, timeout: float = 60) -> Execution:
        msg_id = self.client.execute(code)
        execution = Execution(reply={})
        deadline = time.monotonic() + timeout
        interrupted = False
        while time.monotonic() < deadline:
            try:
                message = self.client.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            execution.messages.append(message)
            if interrupt_when and not interrupted and interrupt_when(message):
                self.manager.interrupt_kernel()
                interrupted = True
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        execution.reply = self.client.get_shell_msg(timeout=timeout)["content"]
        return execution

    def value(self, expression: str) -> str:
        execution = self.execute(f"print(repr({expression}))")
        assert execution.reply["status"] == "ok", execution.text
        return "".join(m["content"]["text"] for m in execution.of_type("stream")).strip()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, ScriptedResponder, str]]:
    responder = ScriptedResponder(repeat_last=True)
    emulator = Emulator(require_key=True, responder=responder)
    with emulator.serve() as base_url:
        yield emulator, responder, base_url


@contextlib.contextmanager
def running_kernel(**environment: str) -> Iterator[Kernel]:
    """A fresh python3 kernel: no ANTHROPIC_*/CLAUDE_NB_* of the developer's, the run's
    temporary CLAUDE_NB_HOME (history is saved by default), then ``environment``."""
    variables = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("ANTHROPIC_", "CLAUDE_NB_"))
    }
    variables["CLAUDE_NB_HOME"] = os.environ["CLAUDE_NB_HOME"]
    variables.update(environment)
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.start_kernel(env=variables)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield Kernel(client, manager)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(served) -> Iterator[Kernel]:
    _, _, base_url = served
    with running_kernel(ANTHROPIC_BASE_URL=base_url, ANTHROPIC_API_KEY=FAKE_KEY) as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        yield kernel


def long_text(words: int) -> str:
    return " ".join(f"word{i}" for i in range(words))


def test_streaming_is_one_output_updated_a_bounded_number_of_times(kernel, served):
    emulator, responder, _ = served
    responder.add({"content": [{"type": "text", "text": long_text(600)}], "delta_count": 600})
    emulator.pacing = Pacing(tokens_per_second=1200)
    started = time.monotonic()
    execution = kernel.execute("%%claude\nTell me a long story\n")
    elapsed = time.monotonic() - started
    emulator.pacing = None
    assert execution.reply["status"] == "ok", execution.text
    displays = execution.displays
    assert [m["msg_type"] for m in displays].count("display_data") == 1
    assert len({m["content"]["transient"]["display_id"] for m in displays}) == 1
    assert 3 <= len(displays) <= 2 + 20 * elapsed + 2
    final = displays[-1]["content"]["data"]
    assert final["text/markdown"].startswith(long_text(600))
    assert "claude-sonnet-5-5" in final["text/markdown"]
    assert FAKE_KEY not in execution.text
    assert not execution.of_type("execute_result")  # the Reply is not shown twice
    assert kernel.value("type(_).__name__") == "'Reply'"


def test_history_flags_and_dry_run_across_cells(kernel, served):
    emulator, responder, _ = served
    kernel.execute("%claude_session reset")
    responder.add("first answer")
    responder.add("```python\nprint('from claude')\n```")
    responder.add("one-shot")
    responder.add("fresh")
    assert kernel.execute("%%claude -o saved\nquestion one\n").reply["status"] == "ok"
    assert kernel.value("saved.text") == "'first answer'"
    execution = kernel.execute("%%claude -f code\nwrite code\n")
    payloads = execution.reply["payload"]
    assert payloads[0]["source"] == "set_next_input"
    assert payloads[0]["text"] == "print('from claude')"
    assert kernel.value("len(__import__('claude_nb').get_session().history)") == "4"
    kernel.execute("%claude --no-history one-shot please")
    assert len(emulator.requests[-1].body["messages"]) == 1
    assert kernel.value("len(__import__('claude_nb').get_session().history)") == "4"
    sent = len(emulator.requests)
    execution = kernel.execute("%%claude --dry-run\nquestion three with {saved.text}\n")
    assert len(emulator.requests) == sent
    assert "question three with first answer" in execution.text
    assert "sk-ant-...REDACTED" in execution.text or "REDACTED" in execution.text
    assert FAKE_KEY not in execution.text
    kernel.execute("%%claude --new\nstart over\n")
    assert len(emulator.requests[-1].body["messages"]) == 1
    assert kernel.value("len(__import__('claude_nb').get_session().history)") == "2"


def test_braces_in_code_are_left_alone_in_the_kernel(kernel, served):
    emulator, responder, _ = served
    responder.add("ok")
    kernel.execute("name = 'Ada'")
    cell = '%%claude --no-history\nfix {name}: d = {"k": 1}; f"{x+1}" {nothing}\n'
    assert kernel.execute(cell).reply["status"] == "ok"
    prompt = emulator.requests[-1].body["messages"][-1]["content"]
    assert prompt == 'fix Ada: d = {"k": 1}; f"{x+1}" {nothing}'


@pytest.mark.parametrize(
    ("fault", "headline"),
    [
        ("529", "OverloadedError: Overloaded (529 overloaded_error)"),
        ("429;retry-after=0", "RateLimitError:"),
        ("500", "InternalServerError:"),
        ("413", "RequestTooLargeError:"),
        ("401", "AuthenticationError:"),
        ("error-after:6", "StreamEventError:"),
        ("truncate-after:6", "IncompleteStreamError:"),
        ("malformed-after:6", "MalformedStreamError:"),
        ("drop-before-headers", "APIConnectionError:"),
    ],
)
def test_each_injected_fault_is_shown_readably(kernel, served, fault, headline):
    emulator, responder, _ = served
    kernel.execute("%config ClaudeMagics.max_retries = 0")
    kernel.execute("%claude_session reset")
    responder.add({"content": [{"type": "text", "text": long_text(40)}], "delta_count": 20})
    emulator.inject(fault, times=1)
    execution = kernel.execute("%claude hello")
    assert execution.reply["status"] == "error"
    errors = execution.of_type("error")
    assert len(errors) == 1
    lines = errors[0]["content"]["traceback"]
    assert headline in lines[0]
    assert len(lines) <= 6 and "Traceback" not in "\n".join(lines)
    assert any("what to do" in line for line in lines)
    assert FAKE_KEY not in execution.text
    assert kernel.value("len(__import__('claude_nb').get_session().history)") == "0"
    kernel.execute("%config ClaudeMagics.max_retries = 2")


def test_retries_are_reported(kernel, served):
    emulator, responder, _ = served
    responder.add("x")
    emulator.inject("529", times=3)
    kernel.execute("%config ClaudeMagics.max_retries = 1")
    execution = kernel.execute("%claude hello")
    kernel.execute("%config ClaudeMagics.max_retries = 2")
    assert "retried:    1 time" in execution.text


def test_interrupt_mid_stream_keeps_partial_text_and_a_valid_history(kernel, served):
    emulator, responder, _ = served
    kernel.execute("%claude_session reset")
    responder.add({"content": [{"type": "text", "text": long_text(400)}], "delta_count": 400})
    emulator.pacing = Pacing(tokens_per_second=100)

    def has_text(message: dict[str, Any]) -> bool:
        data = message["content"].get("data", {})
        return message["msg_type"] == "update_display_data" and "word5" in str(data)

    started = time.monotonic()
    execution = kernel.execute("%%claude\nlong please\n", interrupt_when=has_text)
    emulator.pacing = None
    assert time.monotonic() - started < 10
    assert execution.reply["status"] == "error"
    assert execution.reply["ename"] == "KeyboardInterrupt"
    final = execution.displays[-1]["content"]["data"]["text/markdown"]
    assert "interrupted" in final and final.startswith("word0 word1")
    assert "word399" not in final
    roles = kernel.value("[t['role'] for t in __import__('claude_nb').get_session().history]")
    assert roles == "['user', 'assistant']"
    usage = kernel.value("__import__('claude_nb').get_session().last_reply.usage['input_tokens']")
    assert int(usage) > 0
    responder.add("after the interrupt")
    execution = kernel.execute("%claude and now")
    assert execution.reply["status"] == "ok", execution.text
    sent = "len(__import__('claude_nb').get_session().last_reply.request['messages'])"
    assert kernel.value(sent) == "3"
