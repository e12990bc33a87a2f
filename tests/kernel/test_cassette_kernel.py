"""Record once with a key, replay in class without one (the issue's "must show").

A lesson is recorded through ``python -m claude_nb.emulator`` over real HTTP with a (canary)
key, scripted to give replies the offline emulator never would; the server is then stopped
and a fresh kernel with no key replays it: the same replies, the tool loop included, at the
recorded pace; an unrecorded prompt is one clear error; the key is in no file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from claude_nb.testing import Kernel, canary_key, running_kernel

pytest.importorskip("jupyter_client")

CANARY = canary_key("CASSETTEcanary0123456789abcdef")
TURNS = [
    {
        "content": [
            {"type": "tool_use", "id": "toolu_cas1", "name": "add", "input": {"a": 2, "b": 3}}
        ],
        "stop_reason": "tool_use",
    },
    "The cassette remembers: two plus three is five, said the lighthouse keeper.",
    "Gulls over Jeju, a recorded and distinctive reply.",
]
TOOL = """
from claude_nb import tool
from claude_nb.testing import canary_key

@tool
def add(a: int, b: int) -> int:
    \"\"\"Add two integers.\"\"\"
    return a + b
"""
LESSON = ["%%claude\nWhat is 2 + 3? Use the add tool.", "%%claude\nAnd a word about gulls?"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    script = tmp_path / "turns.json"
    script.write_text(json.dumps(TURNS), encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claude_nb.emulator",
            "--script",
            str(script),
            "--pacing",
            "60",
            "--ttft",
            "0.3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(kernel: Kernel, code: str) -> tuple[str, float]:
    started = time.perf_counter()
    execution = kernel.execute(code)
    assert execution.reply["status"] == "ok", execution.text
    return execution.text, time.perf_counter() - started


def test_record_with_a_key_then_replay_in_a_fresh_kernel_without_one(
    server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, process = server
    cassette = tmp_path / "lesson1.cassette.jsonl"
    home = tmp_path / "home"
    with running_kernel(
        ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY=CANARY, CLAUDE_NB_HOME=str(home)
    ) as kernel:
        run(kernel, "%load_ext claude_nb")
        run(kernel, f'%config ClaudeMagics.cassette = "{cassette}"')
        run(kernel, '%config ClaudeMagics.cassette_mode = "record"')
        run(kernel, TOOL)
        recorded = [run(kernel, cell) for cell in LESSON]
    process.terminate()
    process.wait(timeout=10)
    assert "lighthouse keeper" in recorded[0][0] and "Jeju" in recorded[1][0]
    assert len(cassette.read_text("utf-8").splitlines()) == 3  # two tool-loop steps, one ask

    with running_kernel(CLAUDE_NB_HOME=str(home)) as kernel:  # no key, no URL, no server
        run(kernel, "%load_ext claude_nb")
        run(kernel, f'%config ClaudeMagics.cassette = "{cassette}"')
        run(kernel, '%config ClaudeMagics.cassette_mode = "replay"')
        run(kernel, TOOL)
        replayed = [run(kernel, cell) for cell in LESSON]
        for (text, seconds), (_old, old_seconds) in zip(replayed, recorded, strict=True):
            assert "replayed from lesson1.cassette.jsonl" in text
            assert "offline emulator" not in text
            assert seconds >= 0.6 * old_seconds  # streamed at the recorded pace
        assert "lighthouse keeper" in replayed[0][0] and "add(" in replayed[0][0]
        assert "Jeju" in replayed[1][0]
        execution = kernel.execute("%%claude\nSomething never recorded")
        assert execution.reply["status"] == "error"
        error = execution.reply["evalue"]
        assert "\n" not in error and "lesson1.cassette.jsonl" in error
        assert "differs" in error and "Something never recorded" in error
        cost = run(kernel, "from claude_nb import get_session; print(get_session().ledger)")[0]
        assert "simulated" in cost

    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_bytes().decode("utf-8", "replace"), path
