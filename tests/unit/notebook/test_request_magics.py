"""``--curl``, the format instructions of ``-f json`` / ``-f code``, ``%claude_cost --compare``.

Through a real InteractiveShell with the kernel's session on an in-process emulator.
"""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb import Session, get_session
from claude_nb._accounting.compare import CostComparison
from claude_nb._api.formats import CODE_INSTRUCTION, JSON_INSTRUCTION
from claude_nb._session.dry_run import DryRun
from claude_nb.emulator import Emulator, ScriptedResponder


def scripted(ip: InteractiveShell, *turns: Any) -> Emulator:
    emulator = Emulator(require_key=False, responder=ScriptedResponder(turns, repeat_last=True))
    ip.magics_manager.registry["ClaudeMagics"]._session = Session(offline=True, emulator=emulator)
    return emulator


def run(ip: InteractiveShell, cell: str) -> tuple[Any, Any]:
    with capture_output() as captured:
        result = ip.run_cell(cell, store_history=True)
    return result, captured


def test_dry_run_curl_prints_the_command_and_returns_it(shell: InteractiveShell) -> None:
    emulator = scripted(shell, "ok")
    result, captured = run(shell, '%%claude --dry-run --curl -s Terse\nIt\'s $5, "really"\n')
    assert result.error_in_exec is None and emulator.requests == []
    command = result.result
    assert isinstance(command, str) and command.startswith("# dry run")
    # printed once, as is (a terminal shell then writes its bare "Out[n]: " prompt)
    assert captured.stdout.startswith(command) and command not in captured.stdout[1:]
    assert not captured.outputs  # the value is not shown a second time
    dry = get_session().dry_run('It\'s $5, "really"', system="Terse")
    assert command == dry.curl()
    assert '-H "x-api-key: $ANTHROPIC_API_KEY"' in command
    assert shell.user_ns["_"] == command


def test_curl_alone_implies_dry_run(shell: InteractiveShell) -> None:
    emulator = scripted(shell, "ok")
    result, captured = run(shell, "%claude --curl hello")
    assert emulator.requests == [] and "curl https://api.anthropic.com/v1/messages" in (
        captured.stdout
    )
    assert isinstance(result.result, str)


def test_format_json_and_code_ask_for_the_format_in_the_system_prompt(
    shell: InteractiveShell,
) -> None:
    emulator = scripted(shell, '{"a": 1}', "```python\nx = 1\n```")
    dry = run(shell, "%%claude --dry-run -f json\ngive json\n")[0].result
    assert isinstance(dry, DryRun) and dry.request["system"] == JSON_INSTRUCTION
    dry = run(shell, "%%claude --dry-run -f code -s 'You are terse.'\nwrite code\n")[0].result
    assert dry.request["system"] == f"You are terse.\n\n{CODE_INSTRUCTION}"
    get_session().system = [{"type": "text", "text": "Session rules."}]
    dry = run(shell, "%%claude --dry-run -f json\ngive json\n")[0].result
    assert dry.request["system"] == [
        {"type": "text", "text": "Session rules."},
        {"type": "text", "text": JSON_INSTRUCTION},
    ]
    assert get_session().system == [{"type": "text", "text": "Session rules."}]  # unchanged
    dry = run(shell, "%%claude --dry-run\nplain\n")[0].result
    assert dry.request["system"] == [{"type": "text", "text": "Session rules."}]
    result, _ = run(shell, "%claude -f json give json")
    assert result.result == {"a": 1}
    assert emulator.requests[-1].body["system"][-1]["text"] == JSON_INSTRUCTION
    run(shell, "%claude -f code write code")
    assert shell.rl_next_input == "x = 1"
    assert emulator.requests[-1].body["system"][-1]["text"] == CODE_INSTRUCTION
    help_text = shell.magics_manager.registry["ClaudeMagics"].claude_cell.__doc__
    assert "system prompt" in help_text.split("--format", 1)[1][:400]


def test_claude_cost_compare(shell: InteractiveShell) -> None:
    scripted(shell, "hi there")
    run(shell, "%claude -m claude-haiku-4-5 hello")
    result, _ = run(shell, "%claude_cost --compare claude-haiku-4-5 claude-opus-4-7 nope-1")
    comparison = result.result
    assert isinstance(comparison, CostComparison)
    assert [row["model"] for row in comparison.rows] == [
        "claude-haiku-4-5",
        "claude-opus-4-7",
        "nope-1",
    ]
    assert comparison.rows[0]["ratio"] == 1.0  # the model used
    assert comparison.rows[1]["ratio"] == pytest.approx(5.0)  # every rate five times Haiku's
    assert comparison.rows[2]["cost"] is None
    assert "unpriced" in comparison._repr_markdown_()
    result, _ = run(shell, "%claude_cost --compare")
    models = [row["model"] for row in result.result.rows]
    assert "claude-haiku-4-5" in models and "claude-sonnet-5-5" in models
    assert "claude-opus-4-1" not in models  # retired
