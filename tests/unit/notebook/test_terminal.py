"""Terminal IPython (``TerminalInteractiveShell``, its output piped) gets real plain text.

A real ``ipython`` process reads the cells from a pipe, as a user's terminal would send them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

IPYTHON = Path(sys.executable).with_name("ipython")


def _terminal(cells: list[str], tmp_path: Path, *options: str) -> str:
    if not IPYTHON.exists():
        pytest.skip("no ipython script next to the interpreter")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_NB_"))}
    env["CLAUDE_NB_HOME"] = str(tmp_path / "home")
    source = "\n".join(["%load_ext claude_nb", *cells, "exit"]) + "\n"
    done = subprocess.run(
        [str(IPYTHON), "--no-banner", "--simple-prompt", *options],
        input=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done.stdout


def _outputs(transcript: str) -> dict[int, str]:
    """The text after each ``In [n]:`` prompt, by n."""
    parts = re.split(r"^In \[(\d+)\]: ", transcript, flags=re.MULTILINE)
    return {int(number): text for number, text in zip(parts[1::2], parts[2::2], strict=True)}


def test_terminal_ipython_gets_plain_text(tmp_path):
    transcript = _terminal(
        [
            "%claude Where is France?",
            "%claude --dry-run hi",
            "def add(a: int, b: int) -> int:\n    'Add two numbers.'\n    return a + b\n",
            "%claude_tools add",
            "%claude_chat",
            "%claude -m claude-nonexistent-9 hi",
            "%claude --no-stream Say hi",
            "%claude --temperature 0.5 hi",
        ],
        tmp_path,
    )
    out = _outputs(transcript)
    # a question reaches Claude (no help page, no "Object not found")
    assert "> Where is France?" in out[2] and "not found" not in out[2]
    # a streamed reply leaves no empty Out[n]: behind it
    assert "Out[2]" not in out[2] and "Out[8]" not in out[8], transcript
    # --dry-run shows the request, not <DryRun ...>
    assert "<DryRun" not in out[3] and "POST http" in out[3] and '"messages"' in out[3]
    # %claude_tools lists the tools with their schemas
    assert "ToolRegistry(" not in out[5] and "1 tool" in out[5] and '"required"' in out[5]
    assert "- a (integer)" in out[5]
    # %claude_chat says it needs a notebook frontend
    assert "ChatWidget" not in out[6] and "notebook frontend" in out[6]
    # errors have no raw escape codes when the output is piped
    assert "NotFoundError" in out[7] and "\x1b[" not in out[7]
    # a flag the default model refuses names the fix, before anything is sent
    assert "takes no --temperature" in out[9] and "-m" in out[9]


def test_the_tool_question_comes_below_the_streamed_text(tmp_path):
    define = "def add(a: int, b: int) -> int:\n    'Add two numbers.'\n    return a + b\n"
    cells = [define, "%claude_tools add", "%claude --confirm use add with a=2 b=3", "y"]
    transcript = _terminal(cells, tmp_path)
    assert "\nRun tool add(a=2, b=3)? [y]es" in transcript, transcript
    assert "→ 5" in transcript


def test_a_terminal_that_asks_for_no_colour_gets_none(tmp_path):
    transcript = _terminal(["%claude -m claude-nonexistent-9 hi"], tmp_path, "--colors=nocolor")
    assert "NotFoundError" in transcript and "\x1b[" not in transcript
