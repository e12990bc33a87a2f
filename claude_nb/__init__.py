"""claude_nb: Claude in Jupyter.

``%load_ext claude_nb`` registers the ``%%claude`` magics; ``claude_nb.Session`` is the same
engine from plain Python. With no API key everything runs against the offline emulator.

Heavy names (``Session`` and what it needs) load on first access (PEP 562), so importing the
package and loading the extension stay instant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from claude_nb.__version__ import __version__ as __version__
from claude_nb._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    ClaudeNBError,
    ConfigurationError,
    ContentError,
    IncompleteStreamError,
    InternalServerError,
    MalformedStreamError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    StreamError,
    StreamEventError,
    ToolError,
    TransportError,
)

if TYPE_CHECKING:
    from claude_nb._accounting.ledger import Ledger
    from claude_nb._notebook.kernel import chat, get_session
    from claude_nb._session.session import Reply, Session
    from claude_nb._tools.registry import ToolRegistry, tool


_LAZY = {
    "Ledger": "claude_nb._accounting.ledger",
    "Reply": "claude_nb._session.session",
    "Session": "claude_nb._session.session",
    "get_session": "claude_nb._notebook.kernel",
    "ToolRegistry": "claude_nb._tools.registry",
    "chat": "claude_nb._notebook.kernel",
    "tool": "claude_nb._tools.registry",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ClaudeNBError",
    "ConfigurationError",
    "ContentError",
    "IncompleteStreamError",
    "InternalServerError",
    "Ledger",
    "MalformedStreamError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "Reply",
    "RequestTooLargeError",
    "Session",
    "StreamError",
    "StreamEventError",
    "ToolError",
    "ToolRegistry",
    "TransportError",
    "chat",
    "get_session",
    "load_ipython_extension",
    "tool",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'claude_nb' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: Any) -> None:
    """Register the claude_nb magics (called by ``%load_ext claude_nb``)."""
    from claude_nb._notebook.magics import load_extension

    load_extension(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Close clients and remove the magics (called by ``%unload_ext claude_nb``)."""
    from claude_nb._notebook.magics import unload_extension

    unload_extension(ipython)
