"""``%%claude --dry-run --curl`` and ``%claude_cost --compare`` in a real kernel.

The kernel's key is ``FAKE_KEY``; the printed command must name ``$ANTHROPIC_API_KEY``
instead, print as plain text once (no ``execute_result`` repeats it), and, run by bash with
the key in bash's environment, get the emulator's reply.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import FAKE_KEY, Kernel, running_kernel

pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ScriptedResponder, str]]:
    responder = ScriptedResponder(repeat_last=True)
    with Emulator(require_key=True, responder=responder).serve() as base_url:
        yield responder, base_url


@pytest.fixture(scope="module")
def kernel(served: tuple[ScriptedResponder, str]) -> Iterator[Kernel]:
    with running_kernel(ANTHROPIC_BASE_URL=served[1], ANTHROPIC_API_KEY=FAKE_KEY) as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        yield kernel


def test_dry_run_curl_prints_a_command_that_works(kernel, served):
    responder, base_url = served
    responder.add("from the emulator, via curl")
    execution = kernel.execute('%%claude --dry-run --curl --no-stream\nIt\'s $5 "net" 안녕\n')
    assert execution.reply["status"] == "ok", execution.text
    command = execution.stdout
    assert command.startswith("# dry run") and f"curl {base_url}/v1/messages" in command
    assert '-H "x-api-key: $ANTHROPIC_API_KEY"' in command and FAKE_KEY not in execution.text
    assert not execution.of_type("execute_result") and not execution.displays
    assert (
        kernel.value(
            "_ == __import__('claude_nb').get_session().dry_run("
            "'It\\'s $5 \"net\" 안녕', stream=False).curl()"
        )
        == "True"
    )
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("no curl/bash to run the command")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ANTHROPIC_API_KEY": FAKE_KEY}
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, env=env, timeout=60, check=True
    )
    message = json.loads(done.stdout)
    assert message["content"][0]["text"] == "from the emulator, via curl"


def test_cost_compare_shows_a_table_with_bars(kernel, served):
    responder, _ = served
    responder.add("priced")
    assert kernel.execute("%claude -m claude-haiku-4-5 --no-history hi").reply["status"] == "ok"
    execution = kernel.execute("%claude_cost --compare claude-haiku-4-5 claude-opus-4-7")
    (result,) = execution.of_type("execute_result")
    data = result["content"]["data"]
    assert "claude-opus-4-7" in data["text/markdown"] and "5.00×" in data["text/markdown"]
    assert "<table>" in data["text/html"] and "width:100.0%" in data["text/html"]
