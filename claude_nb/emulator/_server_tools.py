"""Server tools offline: web search and web fetch answered from a tiny, labelled sample corpus.

The emulator has no network and never pretends to: when a request offers ``web_search`` (or
``web_fetch``), the answer carries the service's block shapes (``server_tool_use``, then
``web_search_tool_result`` / ``web_fetch_tool_result``) over ``SAMPLE_CORPUS``, a handful of
pages on ``example.com`` that say what they are, and the text names the corpus, not the web.
``usage.server_tool_use`` counts the searches and fetches, as the service bills them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

from claude_nb._api.language import is_korean

__all__ = ["SAMPLE_CORPUS", "server_tool_turn"]

_BASE = "https://example.com/claude-nb-sample-corpus/"
SAMPLE_CORPUS: tuple[dict[str, str], ...] = (
    {
        "url": _BASE + "prompt-caching",
        "title": "Sample corpus: prompt caching",
        "text": "Prompt caching reuses a request's unchanged prefix. Cache reads cost a tenth "
        "of the input price; a 5-minute cache write costs 1.25 times the input price.",
    },
    {
        "url": _BASE + "web-search-pricing",
        "title": "Sample corpus: web search pricing",
        "text": "The web search server tool costs $10 per 1,000 searches, plus the tokens the "
        "results bring into the context.",
    },
    {
        "url": _BASE + "files-api",
        "title": "Sample corpus: the Files API",
        "text": "The Files API stores a document once (up to 500 MB) and lets later requests "
        "refer to it by file_id instead of sending its bytes again.",
    },
    {
        "url": _BASE + "python-release",
        "title": "Sample corpus: Python releases",
        "text": "Python publishes a new feature release every October; each is supported "
        "for five years.",
    },
    {
        "url": _BASE + "seoul-weather",
        "title": "Sample corpus: Seoul climate",
        "text": "Seoul has hot, humid summers and cold, dry winters; most rain falls in July "
        "and August.",
    },
)
"""The pages offline search and fetch can return (clearly not the live web)."""

_LABEL = {
    False: "Offline emulator: these results come from claude_nb's built-in sample corpus "
    "({count} pages), not from the web.",
    True: "오프라인 에뮬레이터: 웹이 아니라 claude_nb에 들어 있는 예시 자료({count}쪽)에서 찾은 "
    "결과입니다.",
}
_NOTHING = {
    False: "No page of the sample corpus matches {query!r}.",
    True: "예시 자료에 {query!r}와 맞는 쪽이 없습니다.",
}
_WORD = re.compile(r"[\w']+")
_URL = re.compile(r"https?://[^\s)\]>\"']+")


def _server_tool(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    for spec in body.get("tools") or []:
        named = isinstance(spec, dict) and spec.get("name") == name
        if named and str(spec.get("type") or "").startswith(name + "_"):
            return spec  # type: ignore[no-any-return]
    return None


def _last_user_text(body: dict[str, Any]) -> str | None:
    messages = body.get("messages") or []
    if not messages or messages[-1].get("role") != "user":
        return None
    content = messages[-1].get("content")
    if isinstance(content, str):
        return content
    texts = [b.get("text", "") for b in content or [] if isinstance(b, dict)]
    if any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content or []):
        return None
    kinds = [b.get("type") for b in content or [] if isinstance(b, dict)]
    return " ".join(t for t, k in zip(texts, kinds, strict=False) if k == "text") or None


def _allowed(url: str, spec: dict[str, Any]) -> bool:
    host = url.split("/")[2]
    allowed = spec.get("allowed_domains")
    blocked = spec.get("blocked_domains") or []

    def matches(domain: str) -> bool:
        return host == domain or host.endswith("." + domain)

    if allowed and not any(matches(str(domain)) for domain in allowed):
        return False
    return not any(matches(str(domain)) for domain in blocked)


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text) if len(word) > 2}


def search(query: str, spec: dict[str, Any], limit: int = 3) -> list[dict[str, str]]:
    """The corpus pages that share words with ``query`` (best first; the domains applied)."""
    wanted = _words(query)
    scored = []
    for position, page in enumerate(SAMPLE_CORPUS):
        if not _allowed(page["url"], spec):
            continue
        score = len(wanted & _words(page["title"] + " " + page["text"]))
        if score:
            scored.append((-score, position, page))
    return [page for _, _, page in sorted(scored)[:limit]]


def _opaque(text: str) -> str:
    digest = hashlib.sha256(b"claude_nb-emulator-corpus:" + text.encode("utf-8")).digest()
    return base64.b64encode(b"EMUSRC" + digest).decode("ascii")


def _search_blocks(
    query: str, spec: dict[str, Any], new_id: Callable[[str], str], korean: bool
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    tool_id = new_id("srvtoolu_")
    pages = search(query, spec)
    results = [
        {
            "type": "web_search_result",
            "url": page["url"],
            "title": page["title"],
            "encrypted_content": _opaque(page["text"]),
            "page_age": None,
        }
        for page in pages
    ]
    return [
        {"type": "server_tool_use", "id": tool_id, "name": "web_search", "input": {"query": query}},
        {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": results},
    ], pages


def _fetch_blocks(
    url: str, spec: dict[str, Any], new_id: Callable[[str], str]
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    tool_id = new_id("srvtoolu_")
    page = next((p for p in SAMPLE_CORPUS if p["url"] == url.rstrip(".,;")), None)
    content: dict[str, Any]
    if not _allowed(url, spec):
        content = {"type": "web_fetch_tool_result_error", "error_code": "url_not_allowed"}
        page = None
    elif page is None:
        content = {"type": "web_fetch_tool_result_error", "error_code": "url_not_accessible"}
    else:
        content = {
            "type": "web_fetch_result",
            "url": page["url"],
            "retrieved_at": "2026-12-01T00:00:00Z",
            "content": {
                "type": "document",
                "title": page["title"],
                "source": {"type": "text", "media_type": "text/plain", "data": page["text"]},
            },
        }
    return [
        {"type": "server_tool_use", "id": tool_id, "name": "web_fetch", "input": {"url": url}},
        {"type": "web_fetch_tool_result", "tool_use_id": tool_id, "content": content},
    ], page


def server_tool_turn(body: dict[str, Any], new_id: Callable[[str], str]) -> dict[str, Any] | None:
    """The turn for a request that offers web search or web fetch, or None to answer normally.

    A fetch runs when the user's turn names a URL and ``web_fetch`` is offered; else a
    search runs when ``web_search`` is offered. The text after the result blocks quotes the
    pages found and says they come from the sample corpus.
    """
    text = _last_user_text(body)
    searching, fetching = _server_tool(body, "web_search"), _server_tool(body, "web_fetch")
    if text is None or (searching is None and fetching is None):
        return None
    korean = is_korean(text)
    urls = _URL.findall(text)
    counts = {"web_search_requests": 0, "web_fetch_requests": 0}
    if fetching is not None and urls:
        blocks, page = _fetch_blocks(urls[0], fetching, new_id)
        pages = [page] if page else []
        counts["web_fetch_requests"] = 1
    elif searching is not None:
        query = " ".join(text.split())[:200]
        blocks, pages = _search_blocks(query, searching, new_id, korean)
        counts["web_search_requests"] = 1
    else:
        return None
    label = _LABEL[korean].format(count=len(SAMPLE_CORPUS))
    if pages:
        found = "\n".join(f"- {page['title']}: {page['text']} ({page['url']})" for page in pages)
    else:
        found = _NOTHING[korean].format(query=" ".join(text.split())[:80])
    return {
        "content": [*blocks, {"type": "text", "text": f"{label}\n\n{found}"}],
        "stop_reason": "end_turn",
        "server_tool_use": counts,
    }
