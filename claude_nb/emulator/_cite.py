"""Cited answers: the teaching responder quoting real spans of the sources it was given.

When the request has citable sources (``document`` blocks with ``citations.enabled``,
``search_result`` blocks with citations on, in user content or inside a ``tool_result``), the
answer is the API's shape for citations: several ``text`` blocks meant to be read joined,
each quoted span its own block carrying one citation:

* a plain-text document (``source.type`` ``text``): a sentence, ``char_location`` with its
  0-based ``[start_char_index, end_char_index)`` in ``source.data``;
* a custom-content document (``source.type`` ``content``): a block, ``content_block_location``
  (``[start_block_index, end_block_index)``);
* a PDF (base64): a page whose text can be read (uncompressed or Flate content streams,
  one per page), ``page_location`` (1-based pages, end exclusive); a PDF without readable
  text is not cited;
* a ``search_result``: a block of its content, ``search_result_location`` with its
  ``source``, ``title`` and ``search_result_index`` (counted apart from documents).

``cited_text`` is always the exact text of the cited range. The spans chosen are those
sharing most words with the question (a summary: the first ones), at most ``MAX_SPANS``.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass
from typing import Any

from claude_nb.emulator._extract import SUMMARY, _keys
from claude_nb.emulator._json_reply import json_schema
from claude_nb.emulator._lang import say

__all__ = ["MAX_SPANS", "citable_sources", "cited_answer"]

MAX_SPANS = 3
_SPAN = re.compile(r"[^\s][^.!?。\n]*(?:[.!?。]+|$)", re.MULTILINE)
_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_PDF_TEXT = re.compile(rb"\((?:[^()\\]|\\.)*\)\s*Tj|\[(?:[^\]\\]|\\.)*\]\s*TJ", re.DOTALL)
_PDF_STRING = re.compile(rb"\(((?:[^()\\]|\\.)*)\)", re.DOTALL)
_INTRO = ("From the sources given, with citations:", "주어진 자료에서 인용한 부분입니다:")


@dataclass(frozen=True)
class Span:
    """One citable range of a source: its text and the citation that points at it."""

    text: str
    citation: dict[str, Any]
    order: int


def _enabled(block: dict[str, Any]) -> bool:
    citations = block.get("citations")
    return isinstance(citations, dict) and bool(citations.get("enabled"))


def _walk(messages: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """``(message position, block)`` for documents and search results, in request order."""
    found = []
    for position, message in enumerate(messages):
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") in ("document", "search_result"):
                found.append((position, block))
            elif block.get("type") == "tool_result" and isinstance(block.get("content"), list):
                found += [
                    (position, inner)
                    for inner in block["content"]
                    if isinstance(inner, dict) and inner.get("type") == "search_result"
                ]
    return found


def _pdf_pages(data: str) -> list[str]:
    try:
        raw = base64.b64decode(data)
    except (binascii.Error, ValueError):
        return []
    pages = []
    for header, stream in _STREAM.findall(raw):
        if b"FlateDecode" in header:
            try:
                stream = zlib.decompress(stream)
            except zlib.error:
                continue
        pieces = [
            piece.replace(b"\\(", b"(").replace(b"\\)", b")").decode("latin-1")
            for operator in _PDF_TEXT.findall(stream)
            for piece in _PDF_STRING.findall(operator)
        ]
        if pieces:
            pages.append(" ".join(" ".join(pieces).split()))
    return pages


def _spans(block: dict[str, Any], index: int, order: int) -> list[Span]:
    """Every citable span of one source (``index``: its document or search result number)."""
    title = block.get("title")
    if block.get("type") == "search_result":
        base = {
            "type": "search_result_location",
            "search_result_index": index,
            "source": str(block.get("source", "")),
            "title": title,
        }
        parts = [str(p.get("text", "")) for p in block.get("content") or [] if isinstance(p, dict)]
        return [
            Span(
                text,
                {**base, "cited_text": text, "start_block_index": i, "end_block_index": i + 1},
                order + i,
            )
            for i, text in enumerate(parts)
        ]
    source = block.get("source") or {}
    base = {"document_index": index, "document_title": title}
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        data = source["data"]
        return [
            Span(
                m.group().rstrip(),
                {
                    **base,
                    "type": "char_location",
                    "cited_text": m.group().rstrip(),
                    "start_char_index": m.start(),
                    "end_char_index": m.start() + len(m.group().rstrip()),
                },
                order + i,
            )
            for i, m in enumerate(_SPAN.finditer(data))
        ]
    if source.get("type") == "content":
        content = source.get("content")
        parts = (
            [content]
            if isinstance(content, str)
            else [str(p.get("text", "")) for p in content or [] if isinstance(p, dict)]
        )
        return [
            Span(
                text,
                {
                    **base,
                    "type": "content_block_location",
                    "cited_text": text,
                    "start_block_index": i,
                    "end_block_index": i + 1,
                },
                order + i,
            )
            for i, text in enumerate(parts)
            if text.strip()
        ]
    if source.get("type") == "base64" and source.get("media_type") == "application/pdf":
        return [
            Span(
                text,
                {
                    **base,
                    "type": "page_location",
                    "cited_text": text,
                    "start_page_number": page,
                    "end_page_number": page + 1,
                },
                order + page,
            )
            for page, text in enumerate(_pdf_pages(str(source.get("data", ""))), 1)
        ]
    return []


def citable_sources(body: dict[str, Any]) -> list[Span]:
    """The citable spans of the request, those of the latest turn's sources when it has any."""
    messages = body.get("messages") or []
    counts = {"document": 0, "search_result": 0}
    spans: list[tuple[int, Span]] = []
    for position, block in _walk(messages):
        kind = str(block.get("type"))
        index = counts[kind]
        counts[kind] += 1
        if _enabled(block):
            spans += [(position, span) for span in _spans(block, index, len(spans) * 1000)]
    latest = [span for position, span in spans if position == len(messages) - 1]
    return latest or [span for _, span in spans]


def cited_answer(body: dict[str, Any], prompt: str, korean: bool) -> list[dict[str, Any]] | None:
    """The answer's text blocks, each quoted span citing its source; None: nothing citable.

    None too when the request asks for structured output (the answer is then only JSON).
    """
    if json_schema(body) is not None:
        return None
    spans = [span for span in citable_sources(body) if span.text.strip()]
    if not spans:
        return None
    if SUMMARY.search(prompt):
        chosen = spans[:MAX_SPANS]
    else:
        wanted = _keys(prompt)
        ranked = sorted(spans, key=lambda s: (-len(_keys(s.text) & wanted), s.order))
        best = len(_keys(ranked[0].text) & wanted)
        chosen = [s for s in ranked[:MAX_SPANS] if len(_keys(s.text) & wanted) == best] or ranked[
            :1
        ]
        chosen.sort(key=lambda s: s.order)
    intro = _INTRO[1] if korean else _INTRO[0]
    blocks: list[dict[str, Any]] = [
        {"type": "text", "text": f"{say('marker', korean)}\n{intro}\n\n"}
    ]
    for position, span in enumerate(chosen):
        blocks.append({"type": "text", "text": span.text, "citations": [span.citation]})
        if position < len(chosen) - 1:
            blocks.append({"type": "text", "text": "\n\n"})
    return blocks
