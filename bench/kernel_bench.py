"""Shared bench plumbing: a paced emulator served in this process and a real kernel on it.

The kernel comes from ``claude_nb.testing``, as in the kernel tests: none of the
developer's ``ANTHROPIC_*``/``CLAUDE_NB_*`` variables and a temporary ``CLAUDE_NB_HOME``, so
a bench never writes history to ``~/.claude_nb``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from claude_nb.emulator import Emulator, Pacing, ScriptedResponder
from claude_nb.testing import Kernel, kernel_on


@contextmanager
def kernel_on_emulator(
    pacing: Pacing | None, clock: Callable[[], float] = time.time
) -> Iterator[tuple[Kernel, ScriptedResponder, Emulator]]:
    """A started kernel whose ANTHROPIC_BASE_URL is a paced emulator."""
    responder = ScriptedResponder(repeat_last=True)
    emulator = Emulator(require_key=True, responder=responder, pacing=pacing, clock=clock)
    with kernel_on(emulator) as kernel:
        yield kernel, responder, emulator


def execute(
    kernel: Kernel,
    code: str,
    on_message: Callable[[dict[str, Any], float], None] | None = None,
    timeout: float = 600,
) -> list[tuple[float, dict[str, Any]]]:
    """Run code; return (arrival time, message) for its iopub messages until idle."""
    execution = kernel.execute(code, on_message=on_message, timeout=timeout)
    if execution.reply["status"] != "ok":
        reply = execution.reply
        raise RuntimeError(f"cell failed: {reply.get('ename')}: {reply.get('evalue')}")
    return list(zip(execution.arrivals, execution.messages, strict=True))
