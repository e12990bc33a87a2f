"""%claude_cost, budgets, --no-cache and %claude_session list/resume/export in a real shell.

The InteractiveShell fixture and helpers are test_magics' own; the session is the one the
magics create (so every hook is the real wiring), on the in-process offline emulator.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from test_magics import magics, run

from claude_nb._accounting.budget import worst_case_cost
from claude_nb._accounting.cache_plan import count_breakpoints

LONG_SYSTEM = "You are a patient statistics tutor. " * 500


def start(ip: InteractiveShell) -> Any:
    ip.run_cell(f"%claude_session system {LONG_SYSTEM}", store_history=True)
    return magics(ip).session


def png_of(output: Any) -> bytes:
    return base64.b64decode(output.data["image/png"])


def test_cost_table_and_chart_and_the_live_view(shell: InteractiveShell) -> None:
    session = start(shell)
    cells = []
    for question in ("one", "two"):
        cells.append(f"In[{shell.execution_count}]")
        result, _ = run(shell, f"%%claude\n{question}\n")
        assert result.error_in_exec is None
    _, captured = run(shell, "%claude_cost --live")
    table, chart = captured.outputs
    assert "| **2 calls** |" in table.data["text/markdown"]
    assert "<table>" in table.data["text/html"] and "simulated" in table.data["text/plain"]
    assert png_of(chart).startswith(b"\x89PNG") and len(png_of(chart)) > 5000
    assert [record.cell for record in session.ledger] == cells
    # a later call repaints both outputs in place, under the same display ids
    _, later = run(shell, "%%claude\nthree\n")
    updates = [o for o in later.outputs if o.transient.get("display_id") in {
        table.transient["display_id"], chart.transient["display_id"]}]
    assert len(updates) == 2 and "| **3 calls** |" in updates[0].data["text/markdown"]
    assert png_of(updates[1]) != png_of(chart)


def test_budget_warns_once_then_refuses_without_sending(shell: InteractiveShell) -> None:
    session = start(shell)
    run(shell, "%%claude\nfirst\n")
    worst = worst_case_cost(session.build_request("second", max_tokens=100))
    limit = (session.ledger.total_cost + worst) / 0.9  # the next call could reach 90%
    shell.run_cell(f"%config ClaudeMagics.budget_usd = {limit!r}")
    result, captured = run(shell, "%%claude --max-tokens 100\nsecond\n")
    assert result.error_in_exec is None
    assert captured.stderr.count("claude_nb:") == 1 and "90% of its $" in captured.stderr
    worst = worst_case_cost(session.build_request("third", max_tokens=10))
    assert session.ledger.total_cost + worst <= limit  # still allowed, still past 80%
    result, captured = run(shell, "%%claude --max-tokens 10\nthird\n")
    assert result.error_in_exec is None and "claude_nb:" not in captured.stderr  # once
    sent, turns = len(session._emulator.requests), len(session.history)
    result, captured = run(shell, "%%claude --max-tokens 8000\ntoo dear\n")
    assert type(result.error_in_exec).__name__ == "UsageError"
    assert "passes the session budget" in str(result.error_in_exec)
    assert len(session._emulator.requests) == sent and len(session.history) == turns
    assert not captured.outputs  # the previous reply is not repainted as partial
    # a --budget flag wins over the trait for one cell
    result, _ = run(shell, "%%claude --budget 100 --max-tokens 8000\nfine now\n")
    assert result.error_in_exec is None and len(session.ledger) == 4


def test_no_cache_flag_and_config(shell: InteractiveShell) -> None:
    start(shell)
    cached, _ = run(shell, "%%claude --dry-run\nq\n")
    assert count_breakpoints(cached.result.request) == 2
    uncached, _ = run(shell, "%%claude --dry-run --no-cache\nq\n")
    assert count_breakpoints(uncached.result.request) == 0
    shell.run_cell("%config ClaudeMagics.cache_ttl = '1h'")
    hour, _ = run(shell, "%%claude --dry-run\nq\n")
    assert hour.result.request["system"][0]["cache_control"]["ttl"] == "1h"
    shell.run_cell("%config ClaudeMagics.cache = False")
    off, _ = run(shell, "%%claude --dry-run\nq\n")
    assert count_breakpoints(off.result.request) == 0


def test_session_list_resume_export(shell: InteractiveShell, tmp_path: Path) -> None:
    start(shell)
    run(shell, "%%claude\nremember the number 42\n")
    own = magics(shell).accounting.persistence.session_id
    listed, _ = run(shell, "%claude_session list")
    assert own[:8] in listed.result._repr_markdown_()
    exported, captured = run(shell, f"%claude_session export {tmp_path / 'out.json'}")
    assert exported.error_in_exec is None and "exported to" in captured.stdout
    assert json.loads((tmp_path / "out.json").read_text())["id"] == own
    bad, _ = run(shell, f"%claude_session export {tmp_path / 'out.txt'}")
    assert type(bad.error_in_exec).__name__ == "UsageError"
    # a second kernel (the extension reloaded) resumes it and keeps writing to it
    shell.run_line_magic("unload_ext", "claude_nb")
    shell.run_line_magic("load_ext", "claude_nb")
    none, _ = run(shell, "%claude_session resume nosuchid")
    assert "no session matches" in str(none.error_in_exec)
    resumed, captured = run(shell, "%claude_session resume")
    assert f"resumed session {own[:8]}" in captured.stdout
    assert resumed.result.rows()[0][2] == "remember the number 42"
    run(shell, "%%claude\nwhat was the number?\n")
    session = magics(shell).session
    assert session.last_reply.request["messages"][0]["content"] == "remember the number 42"
    assert len(session.ledger) == 2 and magics(shell).accounting.persistence.session_id == own
    shell.run_cell("%config ClaudeMagics.persist = False")
    off, _ = run(shell, "%claude_session list")
    assert "persistence is off" in str(off.error_in_exec)


def test_a_broken_store_never_fails_the_cell(shell: InteractiveShell, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CLAUDE_NB_HOME", str(blocker))
    result, captured = run(shell, "%%claude\nhello\n")
    assert result.error_in_exec is None and result.result.text
    assert "not saving this conversation" in captured.stderr and "not a folder" in captured.stderr
