"""Shared bench plumbing: a paced emulator served in this process and a real kernel on it."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from jupyter_client import KernelManager

from claude_nb.emulator import Emulator, Pacing, ScriptedResponder

FAKE_KEY = "sk-ant-bench-0000"


@contextmanager
def kernel_on_emulator(
    pacing: Pacing | None, clock: Callable[[], float] = time.time
) -> Iterator[tuple[Any, ScriptedResponder, Emulator]]:
    """A started kernel client whose ANTHROPIC_BASE_URL is a paced emulator."""
    responder = ScriptedResponder(repeat_last=True)
    emulator = Emulator(require_key=True, responder=responder, pacing=pacing, clock=clock)
    with emulator.serve() as base_url:
        environment = {
            name: value for name, value in os.environ.items()
            if not name.startswith(("ANTHROPIC_", "CLAUDE_NB_"))
        }
        environment.update(ANTHROPIC_BASE_URL=base_url, ANTHROPIC_API_KEY=FAKE_KEY)
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel(env=environment)
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        try:
            yield client, responder, emulator
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def execute(
    client: Any,
    code: str,
    on_message: Callable[[dict[str, Any], float], None] | None = None,
    timeout: float = 600,
) -> list[tuple[float, dict[str, Any]]]:
    """Run code; return (arrival time, message) for its iopub messages until idle."""
    msg_id = client.execute(code)
    received: list[tuple[float, dict[str, Any]]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        now = time.time()
        received.append((now, message))
        if on_message:
            on_message(message, now)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=timeout)["content"]
    if reply["status"] != "ok":
        raise RuntimeError(f"cell failed: {reply.get('ename')}: {reply.get('evalue')}")
    return received
