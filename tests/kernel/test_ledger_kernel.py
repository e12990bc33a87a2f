"""Caching, the cost table and chart, and the budget in a real IPython kernel, offline.

One kernel, one fat test: a long system prompt and three turns give cache writes then
reads; ``%claude_cost`` renders the table and a PNG chart; the budget refuses a call that
would pass it (nothing is sent). Then the kernel restarts, ``%claude_session resume``
restores the conversation (the next request carries it) and the ledger continues. Finally
the kernel is SIGKILLed mid-stream (paced emulator) and the store, read from this process,
holds every completed turn. CLAUDE_NB_HOME is this test's temporary directory.
"""

from __future__ import annotations

import ast
import base64
import os
import queue
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from claude_nb._store.store import Store
from claude_nb.emulator import Emulator, Pacing
from claude_nb.testing import FAKE_KEY, Execution, Kernel, kernel_on

LONG_SYSTEM = "You are a patient statistics tutor who explains with small examples. " * 400
QUESTIONS = ("What is a p-value?", "And a confidence interval?", "How do they relate?")


def checked(kernel: Kernel, code: str, outputs: list[Execution]) -> Execution:
    execution = kernel.execute(code)
    outputs.append(execution)
    assert execution.reply["status"] == "ok", execution.text
    return execution


def ledger_of(kernel: Kernel) -> list[tuple[Any, ...]]:
    return ast.literal_eval(kernel.value(
        "[(r.cell, r.cache_write_5m_tokens, r.cache_read_tokens, r.output_tokens) "
        "for r in __import__('claude_nb').get_session().ledger]"))


def kill_mid_stream(kernel: Kernel, code: str) -> None:
    """Run ``code`` and SIGKILL the kernel once the reply has started to stream."""
    msg_id = kernel.client.execute(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            message = kernel.client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] in (
                "display_data", "update_display_data"):
            os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)
            break
    else:
        pytest.fail("the reply never started streaming")
    for _ in range(100):
        if not kernel.manager.is_alive():
            return
        time.sleep(0.1)
    pytest.fail("the kernel survived SIGKILL")


def test_cache_cost_budget_then_restart_resume_then_sigkill(tmp_path: Path) -> None:
    emulator = Emulator(require_key=True)
    outputs: list[Execution] = []
    with kernel_on(emulator, CLAUDE_NB_HOME=str(tmp_path)) as kernel:
        manager = kernel.manager
        checked(kernel, "%load_ext claude_nb", outputs)
        checked(kernel, f"%claude_session system {LONG_SYSTEM}", outputs)
        footers = []
        for question in QUESTIONS:
            execution = checked(kernel, f"%%claude\n{question}\n", outputs)
            footers.append(execution.displays[-1]["content"]["data"]["text/plain"])  # bare "$"
        ledger = ledger_of(kernel)
        (_, write1, read1, _), (_, write2, read2, _), (_, _, read3, _) = ledger
        assert write1 > 4000 and read1 == 0  # the first turn writes the long prefix
        assert read2 >= write1 and read3 > read2 and write2 < write1  # later turns read it
        assert f"cache read {read2:,}" in footers[1] and "saved $" in footers[1]
        cells = [cell for cell, *_ in ledger]
        assert len(set(cells)) == 3 and all(cell.startswith("In[") for cell in cells)

        cost = checked(kernel, "%claude_cost", outputs)
        table, chart = (m["content"]["data"] for m in cost.of_type("display_data"))
        assert "**3 calls**" in table["text/markdown"] and "simulated" not in table[
            "text/plain"]  # over HTTP with a key: real (emulated) calls, not offline
        png = base64.b64decode(chart["image/png"])
        assert png.startswith(b"\x89PNG") and len(png) > 5000

        spent = float(kernel.value("__import__('claude_nb').get_session().ledger.total_cost"))
        sent = len(emulator.requests)
        checked(kernel, f"%config ClaudeMagics.budget_usd = {spent + 0.001!r}", outputs)
        refused = kernel.execute("%%claude\nOne more, please.\n")
        outputs.append(refused)
        assert refused.reply["status"] == "error"
        assert refused.reply["ename"] == "UsageError"
        assert "passes the session budget" in refused.text
        assert len(emulator.requests) == sent  # nothing was sent

        manager.restart_kernel(now=True)
        kernel.client.wait_for_ready(timeout=60)
        checked(kernel, "%load_ext claude_nb", outputs)
        resumed = checked(kernel, "%claude_session resume", outputs)
        assert "resumed session" in resumed.text
        checked(kernel, "%%claude\nWhat did I ask first?\n", outputs)
        request = emulator.requests[-1].body
        assert [m["role"] for m in request["messages"]] == ["user", "assistant"] * 3 + [
            "user"]
        assert request["messages"][0]["content"] == QUESTIONS[0]
        continued = ledger_of(kernel)
        assert continued[:3] == ledger and len(continued) == 4

        emulator.pacing = Pacing(tokens_per_second=100)
        kill_mid_stream(kernel, "%%claude\nwrite 400 words about sampling\n")
    with Store(environ={"CLAUDE_NB_HOME": str(tmp_path)}) as store:
        (summary,) = store.list_sessions()  # the resumed session went on in the same one
        saved = store.load_session(summary.id)
    assert len(saved.turns) == 4  # every completed turn; the killed one never completed
    assert all(turn["reply_message"]["stop_reason"] == "end_turn" for turn in saved.turns)
    assert saved.history[0]["content"] == QUESTIONS[0] and len(saved.history) == 8
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert FAKE_KEY.encode() not in stored
    assert all(FAKE_KEY not in execution.text for execution in outputs)
