"""Helpers for testing and benchmarking against the offline emulator (public, test-only).

The test suite and the benches share these, so no bench patches ``sys.path``:

* ``HandlerTransport(emulator.handle)`` / ``AsyncHandlerTransport(...)``: an in-process httpx
  transport over the emulator (or any handler callable), as offline mode uses.
"""

from __future__ import annotations

from claude_nb._wire.handler_transport import AsyncHandlerTransport, HandlerTransport

__all__ = ["AsyncHandlerTransport", "HandlerTransport"]
