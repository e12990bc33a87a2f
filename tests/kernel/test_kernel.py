"""%%claude in a real IPython kernel, against the emulator served over HTTP on 127.0.0.1.

One kernel runs many cells (a kernel start costs a second or two). The emulator runs in this
process, so the test can script replies, change pacing and inject faults between cells.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb.emulator import Emulator, Pacing, ScriptedResponder
from claude_nb.testing import FAKE_KEY, Kernel, running_kernel

pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, ScriptedResponder, str]]:
    responder = ScriptedResponder(repeat_last=True)
    emulator = Emulator(require_key=True, responder=responder)
    with emulator.serve() as base_url:
        yield emulator, responder, base_url


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
