"""The blocks of server tools (run by the service) as folded Markdown, sources listed.

``web_search_tool_result``: the search's results, one linked title per source;
``web_fetch_tool_result``: the page fetched (its URL and title) or why it could not be;
any other ``*_tool_result`` (code execution...): its kind, folded. The ``server_tool_use``
block before it is drawn as any tool call is (``_tools.render``).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from claude_nb._api.markup import html_dollars

__all__ = ["is_server_result", "server_result_markdown"]


def is_server_result(kind: Any) -> bool:
    """Whether a block type is a server tool's result (not a client ``tool_result``)."""
    return isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result"


def _text(value: Any) -> str:
    return html_dollars(html.escape(str(value or ""), quote=True))


def _source(number: int, url: Any, title: Any) -> str:
    link = html.escape(str(url or ""), quote=True)
    host = html.escape(urlsplit(str(url or "")).netloc)  # the site; the link has the whole URL
    return f'{number}. <a href="{link}">{_text(title) or link}</a> ({host})'


def _folded(summary: str, lines: list[str]) -> str:
    body = "<br>\n".join(lines)
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def server_result_markdown(block: dict[str, Any]) -> str:
    """A folded ``<details>`` for one server tool result block."""
    kind = str(block.get("type"))
    content = block.get("content")
    if kind == "web_search_tool_result":
        if isinstance(content, dict):  # web_search_tool_result_error
            return _folded(f"🔎 Web search failed: {_text(content.get('error_code'))}", [])
        results = [item for item in content or [] if isinstance(item, dict)]
        noun = "source" if len(results) == 1 else "sources"
        lines = [
            _source(number, item.get("url"), item.get("title"))
            for number, item in enumerate(results, 1)
        ]
        return _folded(f"🔎 Web search: {len(results)} {noun}", lines or ["no results"])
    if kind == "web_fetch_tool_result":
        content = content if isinstance(content, dict) else {}
        if content.get("type") != "web_fetch_result":
            return _folded(f"🌐 Web fetch failed: {_text(content.get('error_code'))}", [])
        document = content.get("content") if isinstance(content.get("content"), dict) else {}
        title = (document or {}).get("title")
        return _folded("🌐 Web fetch: 1 source", [_source(1, content.get("url"), title)])
    return _folded(f"⚙ {_text(kind)}", [])
