"""Server tools: tools Anthropic runs (web search, web fetch), as request specs and prices.

``web_search(max_uses=3, allowed_domains=[...])`` and ``web_fetch()`` are the ``tools`` entries
(API.md §8: ``web_search_20260318``, ``web_fetch_20260318``); pass them in ``tools=[...]``
beside Python functions. They are never run by claude_nb: the service runs them and answers
with ``server_tool_use`` and ``*_tool_result`` blocks. Each search is billed at
``WEB_SEARCH_PRICE_PER_1000`` dollars per 1,000 (``usage.server_tool_use.web_search_requests``);
fetches cost only the tokens they bring in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "SERVER_TOOL_TYPES",
    "WEB_FETCH_TYPE",
    "WEB_SEARCH_PRICE_PER_1000",
    "WEB_SEARCH_TYPE",
    "is_server_tool",
    "web_fetch",
    "web_search",
    "web_search_requests",
]

WEB_SEARCH_TYPE = "web_search_20260318"
WEB_FETCH_TYPE = "web_fetch_20260318"
SERVER_TOOL_TYPES = {"web_search": WEB_SEARCH_TYPE, "web_fetch": WEB_FETCH_TYPE}
"""The server tool type claude_nb sends for each name."""

WEB_SEARCH_PRICE_PER_1000 = 10.0
"""Dollars per 1,000 web searches (API.md §8)."""


def _domains(name: str, domains: Iterable[str] | None) -> list[str] | None:
    if domains is None:
        return None
    if isinstance(domains, str):
        domains = [domains]
    listed = [str(domain).strip() for domain in domains]
    if not listed or not all(listed):
        raise ValueError(f"{name}: give at least one non-empty domain, or None")
    return listed


def _spec(
    name: str,
    max_uses: int | None,
    allowed_domains: Iterable[str] | None,
    blocked_domains: Iterable[str] | None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": SERVER_TOOL_TYPES[name], "name": name}
    if max_uses is not None:
        if isinstance(max_uses, bool) or not isinstance(max_uses, int) or max_uses < 1:
            raise ValueError(f"{name}: max_uses must be a whole number of at least 1")
        spec["max_uses"] = max_uses
    allowed = _domains("allowed_domains", allowed_domains)
    blocked = _domains("blocked_domains", blocked_domains)
    if allowed is not None and blocked is not None:
        raise ValueError(f"{name}: give allowed_domains or blocked_domains, not both")
    if allowed is not None:
        spec["allowed_domains"] = allowed
    if blocked is not None:
        spec["blocked_domains"] = blocked
    return spec


def web_search(
    max_uses: int | None = None,
    allowed_domains: Iterable[str] | None = None,
    blocked_domains: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The web search server tool (``tools=[claude_nb.web_search(max_uses=3)]``).

    Args:
        max_uses: Searches allowed in one request (None: the service's default).
        allowed_domains: Only results from these domains.
        blocked_domains: Never results from these domains (not with ``allowed_domains``).

    Raises:
        ValueError: ``max_uses`` below 1, an empty domain, or both domain lists.
    """
    return _spec("web_search", max_uses, allowed_domains, blocked_domains)


def web_fetch(
    max_uses: int | None = None,
    allowed_domains: Iterable[str] | None = None,
    blocked_domains: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The web fetch server tool: the model may fetch a URL given in the conversation."""
    return _spec("web_fetch", max_uses, allowed_domains, blocked_domains)


def is_server_tool(spec: Any) -> bool:
    """Whether a ``tools`` entry is a server tool (a versioned type such as ``web_search_…``)."""
    if not isinstance(spec, dict):
        return False
    kind = str(spec.get("type") or "")
    return any(
        kind.startswith(name + "_") for name in ("web_search", "web_fetch", "code_execution")
    )


def web_search_requests(usage: Any) -> int:
    """``usage.server_tool_use.web_search_requests`` (0 when absent or malformed)."""
    if not isinstance(usage, dict):
        return 0
    server = usage.get("server_tool_use")
    value = server.get("web_search_requests") if isinstance(server, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
