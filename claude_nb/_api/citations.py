"""A reply's citations as numbered footnotes: the marker after each cited text, the notes below.

The API answers a request with cited sources (``document`` blocks with ``citations:
{"enabled": true}``, ``search_result`` blocks) in several ``text`` blocks, meant to be read
joined; a block that cites carries ``citations[]`` (``char_location``, ``page_location``,
``content_block_location``, ``search_result_location``, ``web_search_result_location``).
Here each distinct citation gets a number in order of first use; a cited block is followed
by its markers (``<sup>[1]</sup>`` in Markdown, ``[1]`` in plain text), and the footnotes
quote the cited span and name its source (title, page, characters, block, row)::

    numbered = number_citations(message["content"])
    numbered.text(markdown=True)   # "The grass is green<sup>[1]</sup>."
    numbered.footnotes_markdown()  # "**[1]** “The grass is green.” — “Facts”, characters 0–20"

The display (``_display``) and ``Reply`` (``_session``) both use this one rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_nb._api.markup import markdown_dollars

__all__ = ["NumberedCitations", "citation_source", "number_citations"]

QUOTE_LIMIT = 240
"""Characters of a cited span a footnote quotes (the rest becomes "…")."""


def _title(citation: Mapping[str, Any], index_key: str, noun: str) -> str:
    title = citation.get("document_title") or citation.get("title")
    if title:
        return f"“{title}”"
    index = citation.get(index_key)
    return f"{noun} {int(index) + 1}" if isinstance(index, int) else noun


def _span(start: Any, end: Any, one: str, many: str, *, base: int = 0) -> str:
    """``p. 3`` or ``pp. 3–5`` for an exclusive ``[start, end)`` range (``base`` shifts it)."""
    if not isinstance(start, int) or not isinstance(end, int):
        return ""
    first, last = start + base, end - 1 + base
    return f"{one} {first}" if last <= first else f"{many} {first}–{last}"


def citation_source(citation: Mapping[str, Any]) -> str:
    """Where a citation points, in words: ``“Report”, p. 3``, ``“sales row 4” (sales[4])``."""
    kind = citation.get("type")
    if kind == "char_location":
        where = _span(
            citation.get("start_char_index"),
            citation.get("end_char_index"),
            "character",
            "characters",
        )
        return ", ".join(p for p in (_title(citation, "document_index", "document"), where) if p)
    if kind == "page_location":  # 1-based pages, end exclusive
        where = _span(
            citation.get("start_page_number"), citation.get("end_page_number"), "p.", "pp."
        )
        return ", ".join(p for p in (_title(citation, "document_index", "document"), where) if p)
    if kind == "content_block_location":
        where = _span(
            citation.get("start_block_index"),
            citation.get("end_block_index"),
            "block",
            "blocks",
            base=1,
        )
        return ", ".join(p for p in (_title(citation, "document_index", "document"), where) if p)
    if kind == "search_result_location":
        title = _title(citation, "search_result_index", "search result")
        source = citation.get("source")
        return f"{title} ({source})" if source and f"“{source}”" != title else title
    if kind == "web_search_result_location":
        name, url = citation.get("title"), citation.get("url")
        return f"“{name}” ({url})" if name and url else str(url or name or "the web")
    return str(kind or "source")


def _quoted(text: Any) -> str:
    quote = " ".join(str(text or "").split())
    if len(quote) > QUOTE_LIMIT:
        quote = quote[: QUOTE_LIMIT - 1].rstrip() + "…"
    return f"“{quote}”"


@dataclass
class NumberedCitations:
    """A message's text blocks with each citation numbered (see the module docstring).

    Attributes:
        runs: Each text block's text and the numbers of its citations, in order.
        citations: The distinct citations, the first numbered 1.
    """

    runs: list[tuple[str, list[int]]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)

    def text(self, *, markdown: bool = True) -> str:
        """The blocks' text joined, each cited block followed by its markers."""
        parts = []
        for text, numbers in self.runs:
            marks = "".join(f"[{n}]" for n in numbers)
            parts.append(text + (f"<sup>{marks}</sup>" if markdown and marks else marks))
        return "".join(parts)

    def footnote_lines(self) -> list[tuple[int, str, str]]:
        """``(number, quoted span, source)`` per citation."""
        return [
            (number, _quoted(citation.get("cited_text")), citation_source(citation))
            for number, citation in enumerate(self.citations, 1)
        ]

    def footnotes_markdown(self) -> str:
        """The footnotes as Markdown lines (``""`` when nothing was cited); ``$`` kept safe."""
        return "  \n".join(
            markdown_dollars(f"**[{number}]** {quote} — {source}")
            for number, quote, source in self.footnote_lines()
        )

    def footnotes_plain(self) -> str:
        """The footnotes as plain text lines (``""`` when nothing was cited)."""
        return "\n".join(
            f"[{number}] {quote} — {source}" for number, quote, source in self.footnote_lines()
        )


def number_citations(blocks: Iterable[Mapping[str, Any]]) -> NumberedCitations:
    """Number the citations of consecutive ``text`` blocks (other blocks are skipped)."""
    numbered = NumberedCitations()
    seen: dict[str, int] = {}
    for block in blocks:
        if block.get("type") != "text":
            continue
        numbers: list[int] = []
        for citation in block.get("citations") or []:
            if not isinstance(citation, Mapping):
                continue
            key = json.dumps(citation, sort_keys=True, default=str)
            if key not in seen:
                numbered.citations.append(dict(citation))
                seen[key] = len(numbered.citations)
            if seen[key] not in numbers:
                numbers.append(seen[key])
        numbered.runs.append((str(block.get("text") or ""), numbers))
    return numbered
