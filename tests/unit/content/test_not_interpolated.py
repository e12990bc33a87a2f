"""A ``{name}`` that matches nothing is still sent as written, and a note says so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb._content.interpolate import interpolate


@pytest.fixture
def offline() -> Iterator[None]:
    os.environ["CLAUDE_NB_OFFLINE"] = "1"
    try:
        yield
    finally:
        del os.environ["CLAUDE_NB_OFFLINE"]


def test_unresolved_references_are_listed_and_code_is_not() -> None:
    prompt = (
        'Use {nosuchvar}, {cfg.path}, {rows[0]} and {known}. JSON {"a": 1}, set {1, 2}, '
        "{{escaped}}, `{inline}` and\n```python\nprint(f'{fenced}')\n```\n{ spaced }"
    )
    result = interpolate(prompt, {"known": "K"})
    assert result.unresolved == ["{nosuchvar}", "{cfg.path}", "{rows[0]}"]
    assert result.content == prompt.replace("{known}", "K")  # everything else as written


def test_the_reply_and_the_dry_run_note_it(shell: Any, offline: None) -> None:
    shell.run_line_magic("config", "ClaudeMagics.persist = False")
    shell.user_ns["x"] = 3
    reply = shell.run_cell_magic("claude", "", "Tell me about {nosuchvar} and {x} and {1, 2}")
    content = reply.request["messages"][-1]["content"]
    text = content if isinstance(content, str) else content[0]["text"]
    assert text == "Tell me about {nosuchvar} and 3 and {1, 2}"  # sent as written
    assert reply.content_report.notes == ("not interpolated: {nosuchvar}",)  # not {1, 2}
    assert "not interpolated: {nosuchvar}" in reply._repr_markdown_()
    assert "not interpolated: {nosuchvar}" not in reply.text  # the model's text untouched
    dry = shell.run_cell_magic("claude", "--dry-run", "About {nosuchvar} please")
    assert "not interpolated: {nosuchvar}" in dry._repr_markdown_()


def test_the_terminal_shows_the_note(shell: Any, offline: None, capsys: Any) -> None:
    shell.run_line_magic("config", "ClaudeMagics.persist = False")
    shell.run_cell_magic("claude", "", "What is {nosuchvar}?")
    assert "not interpolated: {nosuchvar}" in capsys.readouterr().out
