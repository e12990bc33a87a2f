"""``--web-search [N]``, ``--web-fetch`` and ``--file`` on a real InteractiveShell (dry runs).

The optional count never swallows the prompt's first word; a count below 1 is a one-line
UsageError; ``--file`` in a dry run shows the document block and uploads nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb import Session
from claude_nb.emulator import Emulator


def dry(ip: InteractiveShell, cell: str) -> Any:
    emulator = Emulator(require_key=False, log_requests=None)
    ip.magics_manager.registry["ClaudeMagics"]._session = Session(offline=True, emulator=emulator)
    with capture_output():
        result = ip.run_cell(cell)
    assert not emulator.requests  # a dry run sends nothing, uploads nothing
    return result


@pytest.mark.parametrize(
    ("cell", "spec", "prompt"),
    [
        ("%claude --web-search 3 --dry-run 12 apples?",
         {"type": "web_search_20260318", "name": "web_search", "max_uses": 3}, "12 apples?"),
        ("%claude --web-search --dry-run 12 apples?",
         {"type": "web_search_20260318", "name": "web_search"}, "12 apples?"),
        ("%claude --dry-run --web-search Why?",
         {"type": "web_search_20260318", "name": "web_search"}, "Why?"),
        ("%%claude --web-fetch --dry-run\nRead https://example.com\n",
         {"type": "web_fetch_20260318", "name": "web_fetch"}, "Read https://example.com"),
    ],
)
def test_server_tool_flags_offer_the_tool_and_keep_the_prompt(shell, cell, spec, prompt):
    body = dry(shell, cell).result.request
    assert spec in body["tools"]
    content = body["messages"][-1]["content"]
    text = content if isinstance(content, str) else content[-1]["text"]
    assert text.strip() == prompt


def test_a_search_count_below_one_is_a_one_line_usage_error(shell):
    result = dry(shell, "%claude --web-search 0 --dry-run Hi")
    assert type(result.error_in_exec).__name__ == "UsageError"
    assert "--web-search takes a number of searches of at least 1" in str(result.error_in_exec)


def test_file_in_a_dry_run_shows_the_block_and_uploads_nothing(shell, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 tiny")
    body = dry(shell, "%claude --file report.pdf --dry-run Key risks?").result.request
    block = body["messages"][-1]["content"][0]
    assert block["type"] == "document" and block["source"]["type"] == "file"
    assert block["title"] == "report.pdf"
