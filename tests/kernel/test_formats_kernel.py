"""Every ``--format`` end to end in a real kernel (the emulator served over HTTP).

* ``markdown``: one output streamed as ``text/markdown``, final Markdown with the footer.
* ``text``: the same one output, ``text/plain`` only, from the first paint to the last.
* ``code``: the reply's code goes into the next cell (``set_next_input``).
* ``json``: the cell's value is the parsed JSON; a reply that is not JSON is a short error.

``--format text`` outside a kernel is ``tests/unit/display/test_formats.py``'s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb.emulator import Emulator, Pacing, ScriptedResponder
from claude_nb.testing import FAKE_KEY, Kernel, kernel_on

TEXT = "Plain **words**, not Markdown."


@pytest.fixture(scope="module")
def served() -> tuple[Emulator, ScriptedResponder]:
    responder = ScriptedResponder(repeat_last=True)
    return Emulator(require_key=True, responder=responder), responder


@pytest.fixture(scope="module")
def kernel(served: tuple[Emulator, ScriptedResponder]) -> Iterator[Kernel]:
    pytest.importorskip("jupyter_client")
    with kernel_on(served[0]) as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        yield kernel


def streamed(responder: ScriptedResponder, text: str, deltas: int = 40) -> None:
    responder.add({"content": [{"type": "text", "text": text}], "delta_count": deltas})


def final_data(execution: Any) -> dict[str, Any]:
    assert execution.reply["status"] == "ok", execution.text
    return dict(execution.displays[-1]["content"]["data"])


def test_markdown_streams_markdown(kernel, served):
    _, responder = served
    streamed(responder, TEXT)
    execution = kernel.execute("%%claude\nhello\n")
    final = final_data(execution)
    assert final["text/markdown"].startswith(TEXT) and "<sub>claude-sonnet-5-5" in final[
        "text/markdown"]
    assert all("text/markdown" in m["content"]["data"] for m in execution.displays)
    assert not execution.of_type("execute_result")


def test_text_streams_and_leaves_plain_text(kernel, served):
    emulator, responder = served
    words = " ".join(f"w{i}" for i in range(300))
    streamed(responder, words, deltas=300)
    emulator.pacing = Pacing(tokens_per_second=1000)
    started = time.monotonic()
    try:
        execution = kernel.execute("%%claude -f text\nhello\n")
    finally:
        emulator.pacing = None
    elapsed = time.monotonic() - started
    final = final_data(execution)
    displays = execution.displays
    assert [m["msg_type"] for m in displays].count("display_data") == 1  # one output
    assert 3 <= len(displays) <= 2 + 20 * elapsed + 2  # streamed, at the capped rate
    assert all(set(m["content"]["data"]) == {"text/plain"} for m in displays)
    assert displays[1]["content"]["data"]["text/plain"].endswith(" ▌")  # while streaming
    assert final["text/plain"].startswith(words + "\n\nclaude-sonnet-5-5 · ")
    assert "<sub>" not in final["text/plain"]
    assert not execution.of_type("execute_result")
    assert kernel.value("type(_).__name__") == "'Reply'"
    assert FAKE_KEY not in execution.text


def test_text_interrupted_is_marked_partial_in_plain_text(kernel, served):
    emulator, responder = served
    streamed(responder, " ".join(f"w{i}" for i in range(400)), deltas=400)
    emulator.pacing = Pacing(tokens_per_second=100)

    def streaming(message: dict[str, Any]) -> bool:
        return message["msg_type"] == "update_display_data"

    try:
        execution = kernel.execute("%%claude -f text --no-history\nhello\n",
                                   interrupt_when=streaming)
    finally:
        emulator.pacing = None
    assert execution.reply["ename"] == "KeyboardInterrupt"
    final = execution.displays[-1]["content"]["data"]
    assert set(final) == {"text/plain"}
    assert "⏹ interrupted: the text above is partial" in final["text/plain"]


def test_code_goes_into_the_next_cell(kernel, served):
    _, responder = served
    responder.add("Here:\n```python\nx = 41 + 1\n```\n")
    execution = kernel.execute("%%claude -f code --no-history\nwrite code\n")
    assert "text/markdown" in final_data(execution)
    (payload,) = execution.reply["payload"]
    assert payload["source"] == "set_next_input" and payload["text"] == "x = 41 + 1"


def test_json_is_the_parsed_value(kernel, served):
    _, responder = served
    responder.add('```json\n{"a": [1, 2], "b": null}\n```')
    execution = kernel.execute("%%claude -f json --no-history\ngive json\n")
    (result,) = execution.of_type("execute_result")
    assert result["content"]["data"]["text/plain"] == "{'a': [1, 2], 'b': None}"
    assert kernel.value("_") == "{'a': [1, 2], 'b': None}"


def test_json_that_is_not_json_is_a_short_readable_error(kernel, served):
    _, responder = served
    responder.add("Sure! Here is the data: a=1, b=2.")
    execution = kernel.execute("%%claude -f json --no-history\ngive json\n")
    assert execution.reply["status"] == "error"
    assert execution.reply["ename"] == "ReplyFormatError"
    (error,) = execution.of_type("error")
    lines = error["content"]["traceback"]
    text = "\n".join(lines)
    assert "the reply is not valid JSON" in text and "last_reply" in text
    assert len(lines) <= 6 and "Traceback" not in text
    assert "Sure! Here is the data" in execution.displays[-1]["content"]["data"]["text/markdown"]
    assert kernel.value("__import__('claude_nb').get_session().last_reply.text") == (
        "'Sure! Here is the data: a=1, b=2.'")
