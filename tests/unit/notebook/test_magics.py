"""The magics through a real InteractiveShell and the real Session + in-process emulator."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb import ConfigurationError, OverloadedError, Reply, Session, get_session
from claude_nb._session.dry_run import DryRun
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import canary_key


def magics(ip: InteractiveShell) -> Any:
    return ip.magics_manager.registry["ClaudeMagics"]


def scripted(ip: InteractiveShell, *turns: Any) -> Emulator:
    """Give the kernel's magics a session on an emulator answering ``turns`` in order."""
    emulator = Emulator(require_key=False, responder=ScriptedResponder(turns, repeat_last=True))
    magics(ip)._session = Session(offline=True, emulator=emulator)
    return emulator


def run(ip: InteractiveShell, cell: str) -> tuple[Any, Any]:
    with capture_output() as captured:
        result = ip.run_cell(cell, store_history=True)
    return result, captured


def test_cell_streams_into_one_output_and_its_value_is_the_reply(shell):
    scripted(shell, {"content": [{"type": "text", "text": "Hello there"}], "delta_count": 50})
    result, captured = run(shell, "%%claude\nSay hello\n")
    assert result.error_in_exec is None
    reply = result.result
    assert isinstance(reply, Reply) and reply.text == "Hello there"
    assert shell.user_ns["_"] is reply
    # one display output updated in place; the returned Reply is not shown a second time
    assert {output.transient["display_id"] for output in captured.outputs} == {
        captured.outputs[0].transient["display_id"]
    }
    final = captured.outputs[-1].data["text/markdown"]
    assert final.startswith("Hello there") and "offline emulator" in final
    # showing the same reply again later (a new cell) does display it
    _, later = run(shell, "_")
    assert "Hello there" in later.outputs[0].data["text/markdown"]


def test_history_across_cells_new_and_no_history(shell):
    emulator = scripted(shell, "first", "second", "third", "fourth")
    run(shell, "%%claude\none\n")
    run(shell, "%claude two")
    session = get_session()
    assert [turn["role"] for turn in session.history] == ["user", "assistant"] * 2
    assert len(emulator.requests[-1].body["messages"]) == 3
    run(shell, "%claude --no-history three")
    assert len(emulator.requests[-1].body["messages"]) == 1
    assert len(session.history) == 4
    run(shell, "%%claude --new\nfour\n")
    assert len(emulator.requests[-1].body["messages"]) == 1
    assert session.history[0]["content"] == "four"


def test_flags_reach_the_request(shell):
    emulator = scripted(shell, "ok")
    result, _ = run(
        shell,
        "%%claude -m claude-haiku-5-5 -s 'Be brief.' --max-tokens 100 --stop END --stop STOP"
        " --no-stream -o answer\nhi\n",
    )
    body = emulator.requests[-1].body
    assert body["model"] == "claude-haiku-5-5"
    assert body["system"] == "Be brief."
    assert body["max_tokens"] == 100
    assert body["stop_sequences"] == ["END", "STOP"]
    assert "stream" not in body
    assert shell.user_ns["answer"] is result.result


def test_format_code_puts_the_code_in_the_next_cell_and_json_parses(shell):
    code_reply = "Here:\n```python\nprint('hi')\n```\nand\n```\nx = 1\n```\n"
    scripted(shell, code_reply, '```json\n{"a": [1, 2]}\n```')
    result, _ = run(shell, "%claude -f code write code")
    assert isinstance(result.result, Reply)
    assert shell.rl_next_input == "print('hi')\n\nx = 1"
    result, _ = run(shell, "%claude -f json give json")
    assert result.result == {"a": [1, 2]}


def test_interpolation_replaces_plain_references_and_leaves_code_alone(shell):
    emulator = scripted(shell, "ok")
    shell.user_ns.update({"name": "Ada", "data": {"k": [1, 2]}})
    cell = (
        "%%claude\nHi {name}, {data['k'][-1]}\n"
        "def f():\n    return {\"a\": {name}}\nf'{name + 1}' {missing}\n"
    )
    run(shell, cell)
    prompt = emulator.requests[-1].body["messages"][-1]["content"]
    assert prompt == 'Hi Ada, 2\ndef f():\n    return {"a": Ada}\nf\'{name + 1}\' {missing}'
    run(shell, "%claude --raw {name}")
    assert emulator.requests[-1].body["messages"][-1]["content"] == "{name}"


def test_dry_run_sends_nothing_and_shows_the_exact_request(shell):
    emulator = scripted(shell, "ok")
    shell.user_ns["topic"] = "tides"
    result, _ = run(shell, "%%claude --dry-run -s Short\nExplain {topic}\n")
    dry = result.result
    assert isinstance(dry, DryRun)
    assert emulator.requests == []
    assert dry.request == get_session().build_request("Explain tides", system="Short")
    assert dry.input_tokens > 0 and dry.input_cost is not None
    assert dry.offline and "dry run" in dry._repr_markdown_()


def test_dry_run_at_most_is_what_the_budget_refuses_on(shell):
    emulator = scripted(shell, "ok")
    shell.user_ns["notes"] = "tides rise and fall twice a day " * 400  # cached: a full write
    dry = run(shell, "%claude --dry-run Summarise {notes}")[0].result
    assert "cache_control" in str(dry.request)
    result, _ = run(shell, f"%claude --budget {dry.max_cost * 0.99} Summarise {{notes}}")
    assert isinstance(result.error_in_exec, UsageError) and emulator.requests == []
    result, _ = run(shell, f"%claude --budget {dry.max_cost * 1.01} Summarise {{notes}}")
    assert result.error_in_exec is None and len(emulator.requests) == 1


def test_dry_run_redacts_the_key(shell, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", canary_key("SECRET123", kind="test"))
    result, captured = run(shell, "%claude --dry-run hello")
    shown = result.result._repr_markdown_() + repr(result.result) + captured.stdout
    assert "SECRET123" not in shown
    assert "x-api-key" in shown


def test_usage_errors_are_one_line(shell):
    cells = ("%%claude\n   \n", "%claude --bogus hi", "%claude -o 1x hi", "%%claude extra\nhi\n",
             "%claude --thinking 10 hi")
    for cell in cells:
        result, _ = run(shell, cell)
        assert isinstance(result.error_in_exec, UsageError), cell


def test_api_errors_show_a_short_block_and_keep_history_valid(shell):
    emulator = scripted(shell, "fine")
    run(shell, "%claude hello")
    emulator.inject("529", times=3)
    result, captured = run(shell, "%claude again")
    assert isinstance(result.error_in_exec, OverloadedError)
    assert "OverloadedError: Overloaded (529 overloaded_error)" in captured.stdout
    assert "retried:    2 times" in captured.stdout
    assert "Traceback" not in captured.stdout
    assert len(get_session().history) == 2
    emulator.inject("error-after:4")
    result, captured = run(shell, "%claude once more")
    assert "in the stream" in captured.stdout
    assert [turn["role"] for turn in get_session().history] == ["user", "assistant"]


def test_missing_key_with_offline_forbidden_is_readable(shell, monkeypatch):
    monkeypatch.setenv("CLAUDE_NB_OFFLINE", "0")
    result, captured = run(shell, "%claude hi")
    assert isinstance(result.error_in_exec, ConfigurationError)
    assert "ANTHROPIC_API_KEY" in captured.stdout and "Traceback" not in captured.stdout


def test_offline_notice_once_and_footer_says_offline(shell):
    _, first = run(shell, "%claude hi")
    _, second = run(shell, "%claude hi again")
    assert "offline emulator" in first.stdout and "ANTHROPIC_API_KEY" not in second.stdout
    assert "offline emulator" in second.outputs[-1].data["text/markdown"]


def test_config_precedence_flag_over_config_over_environment(shell, monkeypatch):
    monkeypatch.setenv("CLAUDE_NB_MODEL", "claude-opus-5-5")
    emulator = scripted(shell, "ok")
    run(shell, "%claude hi")
    assert emulator.requests[-1].body["model"] == "claude-opus-5-5"
    run(shell, "%config ClaudeMagics.model = 'claude-haiku-5-5'")
    run(shell, "%claude hi")
    assert emulator.requests[-1].body["model"] == "claude-haiku-5-5"
    run(shell, "%claude -m claude-sonnet-5-5 hi")
    assert emulator.requests[-1].body["model"] == "claude-sonnet-5-5"


def test_session_magic_table_reset_undo_system(shell):
    scripted(shell, "a1", "a2")
    run(shell, "%claude q1")
    run(shell, "%claude q2")
    result, _ = run(shell, "%claude_session")
    table = result.result._repr_markdown_()
    assert "| 1 | user | q1 |" in table and "| 4 | assistant | a2 |" in table
    run(shell, "%claude_session undo")
    assert len(get_session().history) == 2
    run(shell, "%claude_session system You are terse.")
    assert get_session().system == "You are terse."
    run(shell, "%claude_session reset")
    assert get_session().history == []
    result, _ = run(shell, "%claude_session undo")
    assert isinstance(result.error_in_exec, UsageError)


def test_unload_closes_and_removes_the_magics_and_reload_works(shell):
    run(shell, "%claude hi")
    old = magics(shell)
    assert old._session is not None
    shell.run_line_magic("reload_ext", "claude_nb")
    assert old._session is None
    assert magics(shell) is not old
    result, _ = run(shell, "%claude hi")
    assert isinstance(result.result, Reply)
    shell.run_line_magic("unload_ext", "claude_nb")
    assert "claude" not in shell.magics_manager.magics["cell"]
    shell.run_line_magic("load_ext", "claude_nb")


def test_load_ext_imports_nothing_heavy():
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "before = set(sys.modules)\n"
        "ip.run_line_magic('load_ext', 'claude_nb')\n"
        "heavy = {'httpx', 'matplotlib', 'pandas', 'ipywidgets', 'PIL', 'numpy'}\n"
        "new = set(sys.modules) - before\n"
        "print(sorted(heavy & {name.split('.')[0] for name in new}))\n"
        "print(sorted(name for name in new if name.startswith('claude_nb.')))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    third_party, ours = output.stdout.strip().splitlines()
    assert third_party == "[]"
    # what the first call needs loads with it, not with the extension
    later = (
        "claude_nb._session", "claude_nb._wire.client", "claude_nb._wire.transport",
        "claude_nb._store", "claude_nb._accounting", "claude_nb._content", "claude_nb._chat",
        "claude_nb.emulator", "claude_nb._display.transcript", "claude_nb._display.chart",
        "claude_nb._tools.execute", "claude_nb._tools.registry",
    )
    loaded = [name for name in ast.literal_eval(ours) if name.startswith(later)]
    assert loaded == []
