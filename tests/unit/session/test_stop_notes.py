"""A reply that did not end on its own says so under it: why it stopped and what to change."""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb import Session
from claude_nb._display.render import reply_markdown, reply_plain
from claude_nb._session.reply import Reply


def reply_with(
    stop_reason: str | None, request: dict[str, Any] | None = None, **extra: Any
) -> Reply:
    message = {
        "content": [{"type": "text", "text": "Partly"}],
        "stop_reason": stop_reason,
        "usage": {"input_tokens": 3, "output_tokens": 2},
        **extra,
    }
    return Reply(
        message=message,
        model="claude-haiku-4-5",
        request=request or {"model": "claude-haiku-4-5", "max_tokens": 200},
    )


def shown(reply: Reply) -> list[str]:
    return [reply._repr_markdown_(), reply_markdown(reply), reply_plain(reply)]


def test_a_reply_cut_by_max_tokens_says_so_offline() -> None:
    session = Session(offline=True, model="claude-haiku-4-5")
    reply = session.ask("Write 400 words about tea.", max_tokens=20)
    assert reply.stop_reason == "max_tokens"
    for text in shown(reply):
        assert "cut at max_tokens (20): raise --max-tokens" in text, text


def test_a_stop_sequence_is_named() -> None:
    reply = reply_with("stop_sequence", stop_sequence="END")
    for text in shown(reply):
        assert "stopped at stop sequence 'END'" in text


@pytest.mark.parametrize(
    ("stop_reason", "words"),
    [
        ("refusal", "declined"),
        ("pause_turn", "pause_turn"),
        ("model_context_window_exceeded", "context window"),
    ],
)
def test_other_early_stops_are_named(stop_reason: str, words: str) -> None:
    for text in shown(reply_with(stop_reason)):
        assert words in text


@pytest.mark.parametrize("stop_reason", ["end_turn", "tool_use", None])
def test_a_complete_reply_has_no_note(stop_reason: str | None) -> None:
    reply = reply_with(stop_reason)
    assert reply.stop_note is None
    assert "⚠" not in reply._repr_markdown_()


def test_the_magic_shows_it_in_the_terminal(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("config", "ClaudeMagics.persist = False")
    import os

    os.environ["CLAUDE_NB_OFFLINE"] = "1"
    try:
        shell.run_cell_magic("claude", "--max-tokens 15", "Write 300 words about rain.")
    finally:
        del os.environ["CLAUDE_NB_OFFLINE"]
    assert "cut at max_tokens (15): raise --max-tokens" in capsys.readouterr().out
