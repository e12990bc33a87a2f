"""Helpers for testing and benchmarking claude_nb (public, test-only; not imported by claude_nb).

The test suite and the benches share these, so neither patches ``sys.path``:

* ``HandlerTransport(emulator.handle)`` / ``AsyncHandlerTransport(...)``: an in-process httpx
  transport over the emulator (or any handler callable), as offline mode uses.
* Real IPython kernels (:mod:`claude_nb.testing.kernel`): ``running_kernel``, ``kernel_on``
  (a kernel talking to an emulator served over HTTP), ``Kernel.execute`` and what it saw
  (``Execution``), ``kernel_environment`` (the scrubbed environment), ``FAKE_KEY`` and
  ``canary_key(tag)`` (a key-shaped canary built at run time: no key-like literal committed)::

      with running_kernel(ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY=FAKE_KEY) as kernel:
          execution = kernel.execute("%claude hello")
          execution.reply["status"], execution.displays, execution.text

* The emulator (:mod:`claude_nb.testing.emulator`): ``emulator_process`` (``python -m
  claude_nb.emulator`` as a subprocess), ``post`` (one request to an in-process emulator),
  the request builders ``body``, ``user``, ``assistant``, ``text``, ``thinking``, ``pdf``,
  and ``sse_events`` (an SSE body as (event, data) pairs).

``jupyter_client`` is imported only when a kernel starts.
"""

from __future__ import annotations

from claude_nb._wire.handler_transport import AsyncHandlerTransport, HandlerTransport
from claude_nb.testing.emulator import (
    assistant,
    body,
    emulator_process,
    pdf,
    post,
    sse_events,
    text,
    thinking,
    tool_use,
    user,
)
from claude_nb.testing.kernel import (
    FAKE_KEY,
    Execution,
    Kernel,
    Message,
    canary_key,
    kernel_environment,
    kernel_on,
    running_kernel,
)

__all__ = [
    "FAKE_KEY",
    "AsyncHandlerTransport",
    "Execution",
    "HandlerTransport",
    "Kernel",
    "Message",
    "assistant",
    "body",
    "canary_key",
    "emulator_process",
    "kernel_environment",
    "kernel_on",
    "pdf",
    "post",
    "running_kernel",
    "sse_events",
    "text",
    "thinking",
    "tool_use",
    "user",
]
