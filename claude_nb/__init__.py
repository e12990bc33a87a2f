"""claude_nb: Claude in Jupyter.

``%load_ext claude_nb`` registers the ``%%claude`` magics; ``claude_nb.Session`` is the same
engine from plain Python. With no API key everything runs against the offline emulator.

Everything a user names is importable from here; the modules behind the names are private.
Heavy names (``Session`` and what it needs, ``ChatWidget`` and ipywidgets) load on first
access (PEP 562), so importing the package and loading the extension stay instant.
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
    ReplyFormatError,
    RequestTooLargeError,
    StreamError,
    StreamEventError,
    StructuredOutputError,
    ToolError,
    TransportError,
)

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._accounting.compare import CostComparison
    from claude_nb._accounting.ledger import Ledger
    from claude_nb._accounting.pricing import UnpricedModelWarning
    from claude_nb._api.catalog import ModelCatalog, model_catalog
    from claude_nb._api.history import HistoryChange
    from claude_nb._api.server_tools import web_fetch, web_search
    from claude_nb._chat.widget import ChatWidget
    from claude_nb._notebook.kernel import chat, get_session
    from claude_nb._session.batch_job import BatchJob
    from claude_nb._session.dry_run import DryRun
    from claude_nb._session.files import FileObject
    from claude_nb._session.map_result import MapResult
    from claude_nb._session.reply import Reply, ToolLoopReply
    from claude_nb._session.session import Session
    from claude_nb._session.streaming import AsyncMessageStream, MessageStream
    from claude_nb._tools.approval import ApprovalRequest, Approver, Denied, PromptApprover
    from claude_nb._tools.registry import ToolRegistry, tool
    from claude_nb._tools.render import ToolCallEvent
    from claude_nb._wire.stream import MessageSnapshot


_LAZY = {
    "ApprovalRequest": "claude_nb._tools.approval",
    "Approver": "claude_nb._tools.approval",
    "AsyncMessageStream": "claude_nb._session.streaming",
    "BatchJob": "claude_nb._session.batch_job",
    "ChatWidget": "claude_nb._chat.widget",
    "CostComparison": "claude_nb._accounting.compare",
    "Denied": "claude_nb._tools.approval",
    "DryRun": "claude_nb._session.dry_run",
    "FileObject": "claude_nb._session.files",
    "HistoryChange": "claude_nb._api.history",
    "ModelCatalog": "claude_nb._api.catalog",
    "Ledger": "claude_nb._accounting.ledger",
    "MapResult": "claude_nb._session.map_result",
    "MessageSnapshot": "claude_nb._wire.stream",
    "MessageStream": "claude_nb._session.streaming",
    "PromptApprover": "claude_nb._tools.approval",
    "Reply": "claude_nb._session.reply",
    "Session": "claude_nb._session.session",
    "ToolCallEvent": "claude_nb._tools.render",
    "ToolLoopReply": "claude_nb._session.reply",
    "ToolRegistry": "claude_nb._tools.registry",
    "UnpricedModelWarning": "claude_nb._accounting.pricing",
    "chat": "claude_nb._notebook.kernel",
    "get_session": "claude_nb._notebook.kernel",
    "model_catalog": "claude_nb._api.catalog",
    "tool": "claude_nb._tools.registry",
    "web_fetch": "claude_nb._api.server_tools",
    "web_search": "claude_nb._api.server_tools",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ApprovalRequest",
    "Approver",
    "AsyncMessageStream",
    "AuthenticationError",
    "BadRequestError",
    "BatchJob",
    "BudgetExceededError",
    "ChatWidget",
    "ClaudeNBError",
    "ConfigurationError",
    "ContentError",
    "CostComparison",
    "Denied",
    "DryRun",
    "FileObject",
    "HistoryChange",
    "IncompleteStreamError",
    "InternalServerError",
    "Ledger",
    "MalformedStreamError",
    "MapResult",
    "MessageSnapshot",
    "MessageStream",
    "ModelCatalog",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "PromptApprover",
    "RateLimitError",
    "Reply",
    "ReplyFormatError",
    "RequestTooLargeError",
    "Session",
    "StreamError",
    "StreamEventError",
    "StructuredOutputError",
    "ToolCallEvent",
    "ToolError",
    "ToolLoopReply",
    "ToolRegistry",
    "TransportError",
    "UnpricedModelWarning",
    "chat",
    "get_session",
    "load_ipython_extension",
    "model_catalog",
    "tool",
    "unload_ipython_extension",
    "web_fetch",
    "web_search",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'claude_nb' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    if name == "BatchJob":  # BatchJob.resume(id) defaults to the kernel's session
        from claude_nb._notebook.kernel import get_session

        value.default_session = get_session
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register the claude_nb magics (called by ``%load_ext claude_nb``)."""
    from claude_nb._notebook.fix_magics import load_fix_magics
    from claude_nb._notebook.magics import load_extension
    from claude_nb._notebook.map_magics import load_map_magics

    load_extension(ipython)
    load_map_magics(ipython)
    load_fix_magics(ipython)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    """Close clients and remove the magics (called by ``%unload_ext claude_nb``)."""
    from claude_nb._notebook.fix_magics import unload_fix_magics
    from claude_nb._notebook.magics import unload_extension
    from claude_nb._notebook.map_magics import unload_map_magics

    unload_fix_magics(ipython)
    unload_map_magics(ipython)
    unload_extension(ipython)
