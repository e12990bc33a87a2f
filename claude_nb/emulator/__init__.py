"""An offline emulator of the Claude Messages API.

One sans-I/O core (``Emulator.handle``) served two ways: in process behind the client's
``HandlerTransport`` (offline mode; ``claude_nb.testing`` exports it) and as a real HTTP/1.1
server (``Emulator.serve()``, ``python -m claude_nb.emulator``). It imports nothing of the
client but the shared API facts (``claude_nb._api``). It validates requests as the service does,
bills with the documented estimate (``claude_nb._api.estimate``), accounts the prompt cache,
streams the full SSE event sequence, runs Message Batches over simulated time
(``/v1/messages/batches``), and injects faults on request. See docs/EMULATOR.md.

Example:
    >>> import httpx
    >>> from claude_nb.emulator import Emulator
    >>> from claude_nb.testing import HandlerTransport
    >>> emulator = Emulator(require_key=False)
    >>> client = httpx.Client(transport=HandlerTransport(emulator.handle),
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
