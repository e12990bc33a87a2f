"""In a real kernel: ``%claude ...?`` reaches Claude, ``%claude?`` is help, and the reply so
far is painted whole (no cursor) before a tool approval is asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claude_nb.testing import Kernel, running_kernel

pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with running_kernel(CLAUDE_NB_OFFLINE="1") as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        yield kernel


def _markdown(execution) -> list[str]:
    return [
        message["content"]["data"].get("text/markdown", "")
        for message in execution.messages
        if message["msg_type"] in ("display_data", "update_display_data")
    ]


def test_a_question_reaches_claude_and_bare_help_stays_help(kernel):
    asked = kernel.execute("%claude Where is France?")
    assert asked.reply["status"] == "ok", asked.text
    assert any("> Where is France?" in text for text in _markdown(asked)), asked.text
    assert "Docstring" not in asked.text and "%notebook" not in asked.text
    flagged = kernel.execute("%claude -m claude-haiku-5-5 Is it?")
    assert any("Is it?" in text for text in _markdown(flagged)), flagged.text
    helped = kernel.execute("%claude?")
    pages = [m for m in helped.reply.get("payload", []) if m.get("source") == "page"]
    assert pages and "%claude [-m MODEL]" in pages[0]["data"]["text/plain"]


def test_the_reply_is_whole_when_a_tool_is_asked_about(kernel):
    kernel.execute("def add(a: int, b: int) -> int:\n    'Add.'\n    return a + b\n")
    kernel.execute("%claude_tools add")
    seen: list[str] = []

    def remember(message, _arrived):
        if message["msg_type"] in ("display_data", "update_display_data"):
            seen.append(message["content"]["data"].get("text/markdown", ""))

    execution = kernel.execute(
        "%claude --confirm use add with a=2 b=3", answers=["y"], on_message=remember
    )
    assert execution.reply["status"] == "ok" and execution.prompts
    # the last paint before the tool ran (while the question waited): whole, no cursor
    ran = next(i for i, text in enumerate(seen) if "running…" in text)
    assert ran > 0 and "▌" not in seen[ran - 1] and "Calling" in seen[ran - 1], seen[:ran]
