"""An offline emulator of the Claude Messages API.

One sans-I/O core served two ways: an in-process httpx transport (offline mode) and a real
HTTP/1.1 server (``python -m claude_nb.emulator``). It validates requests as the service does,
bills with the documented estimate (``claude_nb._api.estimate``), accounts the prompt cache,
streams the full SSE event sequence, and injects faults on request. See docs/EMULATOR.md.

Example:
    >>> from claude_nb.emulator import Emulator
    >>> import httpx
    >>> client = httpx.Client(transport=Emulator(require_key=False).transport(),
    ...                       base_url="https://api.anthropic.com")
"""

from __future__ import annotations

from claude_nb.emulator._core import Emulator, RecordedRequest
from claude_nb.emulator._faults import Fault, parse_faults
from claude_nb.emulator._offline import OfflineResponder
from claude_nb.emulator._responders import Responder, ScriptedResponder
from claude_nb.emulator._sse_writer import Pacing

__all__ = [
    "Emulator",
    "Fault",
    "OfflineResponder",
    "Pacing",
    "RecordedRequest",
    "Responder",
    "ScriptedResponder",
    "parse_faults",
]
