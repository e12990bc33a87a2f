"""Rules that look across turns: version 2026-10-21 blocks, PDF pages, echoed thinking.

* Version ``2026-10-21`` (https://docs.anthropic.com/en/api/versioning): a ``document`` block
  placed directly in an ``assistant`` message, and a ``text`` block with a non-empty ``citations``
  array in a ``user`` message or inside a ``search_result``, are rejected (messages and
  count_tokens alike).
* PDFs (https://docs.anthropic.com/en/api/messages): base64 ``application/pdf`` documents are
  counted by page (``/Type /Page`` objects, not ``/Pages``); more than 600 pages per request, or
  100 when the model's context is under 1M, is a 400.
* Thinking (https://docs.anthropic.com/en/api/messages): ``thinking`` / ``redacted_thinking``
  blocks in the *latest* assistant message must come back byte-exact. A thinking block whose
  signature is not the emulator's deterministic signature of its text is "modified".
  ``ThinkingLedger`` remembers the thinking blocks the emulator sent beside tool calls (keyed by
  ``tool_use`` id, where the API requires them back), so one dropped or changed there is caught
  too. Earlier turns are not checked.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from claude_nb._api.estimate import pdf_page_count
from claude_nb.emulator._responders import signature_for
from claude_nb.emulator._wire import invalid

__all__ = [
    "THINKING_MODIFIED",
    "ThinkingLedger",
    "check_pdf_pages",
    "check_thinking_signatures",
    "check_version_blocks",
]

NEW_VERSION = "2026-10-21"
MAX_PDF_PAGES = 600
MAX_PDF_PAGES_SMALL_CONTEXT = 100
THINKING_MODIFIED = (
    "`thinking` or `redacted_thinking` blocks in the latest assistant message cannot be "
    "modified. These blocks must remain as they were in the original response."
)
THINKING_TYPES = ("thinking", "redacted_thinking")


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        return []
    return [block for block in content if isinstance(block, dict)]


def _walk(blocks: list[dict[str, Any]], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every block with its path, descending into tool_result and search_result content."""
    for index, block in enumerate(blocks):
        path = f"{where}.{index}"
        yield path, block
        if block.get("type") in ("tool_result", "search_result"):
            yield from _walk(_blocks(block.get("content")), f"{path}.content")


def check_version_blocks(messages: list[dict[str, Any]], version: str) -> None:
    """Version ``2026-10-21``: no document directly in an assistant turn, no user citations."""
    if version != NEW_VERSION:
        return
    for index, message in enumerate(messages):
        role = message.get("role")
        top = _blocks(message.get("content"))
        if role == "assistant":
            for position, block in enumerate(top):
                if block.get("type") == "document":
                    raise invalid(
                        f"messages.{index}.content.{position}: `document` blocks are not "
                        f"accepted directly in `assistant` messages with anthropic-version "
                        f"{NEW_VERSION}."
                    )
        for path, block in _walk(top, f"messages.{index}.content"):
            if block.get("type") != "search_result":
                continue
            for inner, text in _walk(_blocks(block.get("content")), f"{path}.content"):
                _reject_citations(inner, text, "inside a `search_result`")
        if role == "user":
            for position, block in enumerate(top):
                _reject_citations(
                    f"messages.{index}.content.{position}", block, "in `user` messages"
                )


def _reject_citations(where: str, block: dict[str, Any], place: str) -> None:
    if block.get("type") == "text" and block.get("citations"):
        raise invalid(
            f"{where}.citations: `text` blocks {place} cannot carry `citations` with "
            f"anthropic-version {NEW_VERSION}."
        )


def check_pdf_pages(messages: list[dict[str, Any]], model: dict[str, Any]) -> int:
    """Count the request's PDF pages; over the model's limit is a 400. Returns the count."""
    context = int(model.get("max_input_tokens", 200000))
    limit = MAX_PDF_PAGES if context >= 1_000_000 else MAX_PDF_PAGES_SMALL_CONTEXT
    pages = 0
    for index, message in enumerate(messages):
        for path, block in _walk(_blocks(message.get("content")), f"messages.{index}.content"):
            source = block.get("source")
            if block.get("type") != "document" or not isinstance(source, dict):
                continue
            if source.get("type") != "base64" or source.get("media_type") != "application/pdf":
                continue
            try:
                raw = base64.b64decode(str(source.get("data", "")), validate=True)
            except (binascii.Error, ValueError):
                raise invalid(f"{path}.source.base64.data: invalid base64 data") from None
            pages += pdf_page_count(raw)
            if pages > limit:
                raise invalid(
                    f"{path}.source.base64.data: A maximum of {limit} PDF pages may be "
                    f"provided ({pages} so far in this request; {model['id']} has a "
                    f"{context:,}-token context)."
                )
    return pages


def _latest_assistant(messages: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]] | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "assistant":
            return index, _blocks(messages[index].get("content"))
    return None


def check_thinking_signatures(messages: list[dict[str, Any]]) -> None:
    """A thinking block in the latest assistant turn must carry the signature of its text."""
    latest = _latest_assistant(messages)
    if latest is None:
        return
    index, blocks = latest
    for position, block in enumerate(blocks):
        if block.get("type") != "thinking":
            continue
        if block.get("signature") != signature_for(str(block.get("thinking", ""))):
            raise invalid(f"messages.{index}.content.{position}: {THINKING_MODIFIED}")


def _essential(block: dict[str, Any]) -> tuple[str, ...]:
    if block.get("type") == "thinking":
        return ("thinking", str(block.get("thinking")), str(block.get("signature")))
    return ("redacted_thinking", str(block.get("data")))


class ThinkingLedger:
    """Thinking blocks the emulator sent beside tool calls, by ``tool_use`` id (bounded, FIFO).

    Args:
        limit: How many tool calls to remember (oldest forgotten first).
    """

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._sent: OrderedDict[str, tuple[tuple[str, ...], ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ThinkingLedger(remembered={len(self._sent)})"

    def remember(self, content: list[dict[str, Any]]) -> None:
        """Record a response's thinking blocks under each of its tool_use ids."""
        thinking = tuple(_essential(b) for b in content if b.get("type") in THINKING_TYPES)
        if not thinking:
            return
        with self._lock:
            for block in content:
                if block.get("type") == "tool_use":
                    self._sent[str(block.get("id"))] = thinking
            while len(self._sent) > self.limit:
                self._sent.popitem(last=False)

    def check(self, messages: list[dict[str, Any]]) -> None:
        """The latest assistant turn must echo the thinking sent with its tool calls, unchanged."""
        latest = _latest_assistant(messages)
        if latest is None:
            return
        index, blocks = latest
        with self._lock:
            expected = next(
                (
                    self._sent[str(b.get("id"))]
                    for b in blocks
                    if b.get("type") == "tool_use" and str(b.get("id")) in self._sent
                ),
                None,
            )
        if expected is None:
            return
        echoed = tuple(_essential(b) for b in blocks if b.get("type") in THINKING_TYPES)
        if echoed != expected:
            raise invalid(f"messages.{index}.content: {THINKING_MODIFIED}")
