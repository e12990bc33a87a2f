"""Sources the model can cite: documents with citations on, DataFrame rows as search results.

* ``cite_documents(blocks)``: every ``document`` block gets ``citations: {"enabled": true}``
  (``--cite``, ``ask(..., cite=True)``), so the answer's text blocks carry ``citations[]``
  pointing into them (characters of a text document, pages of a PDF, blocks of custom
  content).
* ``rows_as_search_results(frame, name)``: one ``search_result`` block per row (``--cite-rows
  df``, ``ask(..., cite_rows=df)``), ``source`` ``name[label]``, ``title`` ``name row label``,
  one text block ``column: value; ...``, citations on: the answer cites rows
  (``search_result_location``, its ``source`` naming the row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = ["MAX_CITED_ROWS", "citable_rows", "cite_documents", "rows_as_search_results"]

MAX_CITED_ROWS = 500
"""Rows ``cite_rows`` sends at most (each is a search result block, its tokens billed)."""

_MAX_VALUE_CHARS = 500


def cite_documents(blocks: Iterable[ContentBlock]) -> list[ContentBlock]:
    """The blocks, each ``document`` with ``citations: {"enabled": true}`` (copies)."""
    return [
        {**block, "citations": {"enabled": True}} if block.get("type") == "document" else block
        for block in blocks
    ]


def _value(value: Any) -> str:
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def rows_as_search_results(frame: Any, name: str = "rows") -> list[ContentBlock]:
    """One citable ``search_result`` block per row of a DataFrame (or Series).

    Raises:
        ContentError: Not a DataFrame or Series, empty, or more than ``MAX_CITED_ROWS`` rows.
    """
    kind = type(frame).__name__
    if kind == "Series":
        frame = frame.to_frame(name=frame.name if frame.name is not None else "value")
    elif kind != "DataFrame" or not hasattr(frame, "iterrows"):
        raise ContentError(f"cite_rows takes a DataFrame or Series, not {kind} ({name})")
    if len(frame) == 0:
        raise ContentError(f"{name} has no rows to cite")
    if len(frame) > MAX_CITED_ROWS:
        raise ContentError(
            f"{name} has {len(frame):,} rows; cite_rows sends one search result per row, at "
            f"most {MAX_CITED_ROWS}: pass a selection such as {name}.head({MAX_CITED_ROWS})"
        )
    blocks: list[ContentBlock] = []
    for label, row in frame.iterrows():
        text = "; ".join(f"{column}: {_value(value)}" for column, value in row.items())
        blocks.append(
            {
                "type": "search_result",
                "source": f"{name}[{label}]",
                "title": f"{name} row {label}",
                "content": [{"type": "text", "text": text or "(empty row)"}],
                "citations": {"enabled": True},
            }
        )
    return blocks


def citable_rows(rows: Any) -> list[ContentBlock]:
    """``cite_rows=``: a DataFrame (named ``rows``) or ``{name: frame, ...}``, as blocks."""
    if isinstance(rows, Mapping):
        return [
            block
            for name, frame in rows.items()
            for block in rows_as_search_results(frame, str(name))
        ]
    return rows_as_search_results(rows)
