"""pandas DataFrames and Series as bounded Markdown text, or as a table image on request.

A table goes whole when it fits the token budget. Otherwise the text says the shape and the
dtypes and shows the first and last rows (and, when wide, the first and last columns), with as
many rows as the budget allows. Only the rows shown are ever formatted, so a 100,000-row frame
costs the same as a 50-row one. pandas and matplotlib are imported only by the callers' objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from claude_nb._api.estimate import text_tokens

__all__ = [
    "TableSlice",
    "dataframe_to_figure",
    "dataframe_to_markdown",
    "describe_frame",
    "slice_frame",
]

_MAX_HEAD = 250
_MAX_COLUMNS = 20
_MAX_CELL_CHARS = 40
_MAX_DTYPES_LISTED = 40
_ELLIPSIS = "…"


@dataclass(frozen=True)
class TableSlice:
    """The part of a frame that is shown, already formatted as strings.

    Attributes:
        columns: Column headers, the index header first.
        rows: Formatted rows (index value first); a row of ``…`` marks skipped rows.
        rows_shown: How many data rows are in ``rows``.
        columns_shown: How many data columns are in ``columns``.
    """

    columns: list[str]
    rows: list[list[str]]
    rows_shown: int
    columns_shown: int


def _as_frame(data: Any) -> tuple[Any, str]:
    """A DataFrame and its kind name ("DataFrame" or "Series")."""
    if type(data).__name__ == "Series":
        name = data.name if data.name is not None else "value"
        return data.to_frame(name=name), "Series"
    return data, "DataFrame"


def _cell(value: Any) -> str:
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= _MAX_CELL_CHARS else text[: _MAX_CELL_CHARS - 1] + _ELLIPSIS


def slice_frame(frame: Any, head: int | None, max_columns: int = _MAX_COLUMNS) -> TableSlice:
    """Format the first and last ``head`` rows (all rows when None) of a DataFrame.

    Wide frames keep their first and last ``max_columns // 2`` columns with a ``…`` between.
    """
    total_rows, total_columns = frame.shape
    if total_columns > max_columns:
        half = max_columns // 2
        positions: list[int | None] = [
            *range(half),
            None,
            *range(total_columns - half, total_columns),
        ]
    else:
        positions = list(range(total_columns))
    index_name = frame.index.name if frame.index.name is not None else ""
    columns = [_cell(index_name)] + [
        _ELLIPSIS if position is None else _cell(frame.columns[position]) for position in positions
    ]
    if head is None or 2 * head >= total_rows:
        pieces = [frame]
    else:
        pieces = [frame.iloc[:head], None, frame.iloc[total_rows - head :]]
    rows: list[list[str]] = []
    for piece in pieces:
        if piece is None:
            rows.append([_ELLIPSIS] * len(columns))
            continue
        for label, values in zip(
            piece.index, piece.itertuples(index=False, name=None), strict=True
        ):
            cells = [_ELLIPSIS if at is None else _cell(values[at]) for at in positions]
            rows.append([_cell(label), *cells])
    shown_rows = sum(len(piece) for piece in pieces if piece is not None)
    shown_columns = sum(position is not None for position in positions)
    return TableSlice(columns, rows, shown_rows, shown_columns)


def describe_frame(data: Any) -> str:
    """Two lines: kind and shape, then the dtypes (at most 40 listed)."""
    frame, kind = _as_frame(data)
    total_rows, total_columns = frame.shape
    dtypes = [f"{_cell(name)}: {dtype}" for name, dtype in frame.dtypes.items()]
    if len(dtypes) > _MAX_DTYPES_LISTED:
        dtypes = [*dtypes[:_MAX_DTYPES_LISTED], f"{_ELLIPSIS} ({len(dtypes)} columns)"]
    return (
        f"pandas {kind}: {total_rows:,} rows × {total_columns:,} columns\n"
        f"dtypes: {', '.join(dtypes)}"
    )


def _markdown(table: TableSlice) -> str:
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines.extend("| " + " | ".join(row) + " |" for row in table.rows)
    return "\n".join(lines)


def dataframe_to_markdown(data: Any, *, token_budget: int) -> tuple[str, list[str]]:
    """A DataFrame or Series as Markdown within ``token_budget`` estimated tokens.

    Returns:
        The text, and notes saying what was left out (empty when the whole table went).
    """
    frame, _kind = _as_frame(data)
    description = describe_frame(data)
    total_rows, total_columns = frame.shape

    def attempt(head: int) -> tuple[str, TableSlice] | None:
        table = slice_frame(frame, head)
        text = f"{description}\n\n{_markdown(table)}"
        return (text, table) if text_tokens(text) <= token_budget else None

    # Rows shown grow with ``head``, so bisect for the most that fit.
    low, high = -1, min(_MAX_HEAD, math.ceil(total_rows / 2))
    best = None
    while low < high:
        middle = (low + high + 1) // 2
        found = attempt(middle)
        if found:
            low, best = middle, found
        else:
            high = middle - 1
    if best is not None:
        text, table = best
        if table.rows_shown == total_rows and table.columns_shown == total_columns:
            return text, []
        return text, [
            f"table cut to fit {token_budget:,} tokens: "
            f"{table.rows_shown:,} of {total_rows:,} rows (first and last), "
            f"{table.columns_shown:,} of {total_columns:,} columns"
        ]
    cut = description[: token_budget * 4]
    while cut and text_tokens(cut + _ELLIPSIS) > token_budget:  # multi-byte characters
        cut = cut[:-1]
    cut += _ELLIPSIS
    return cut, [f"only the shape and dtypes fit {token_budget:,} tokens; no rows shown"]


def dataframe_to_figure(
    data: Any, *, head: int = 15, max_columns: int = 12
) -> tuple[Any, list[str]]:
    """A matplotlib Figure (not pyplot's) drawing the head and tail of a DataFrame as a table.

    Returns:
        The figure, and notes saying what was left out.
    """
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

    frame, kind = _as_frame(data)
    table = slice_frame(frame, head, max_columns)
    figure = Figure(
        figsize=(1.0 + 1.1 * len(table.columns), 0.6 + 0.22 * (len(table.rows) + 1)), dpi=100
    )
    axes = figure.add_subplot()
    axes.axis("off")
    drawn = axes.table(
        cellText=[row[1:] for row in table.rows] or None,
        colLabels=table.columns[1:],
        rowLabels=[row[0] for row in table.rows] or None,
        bbox=Bbox.from_bounds(0.0, 0.0, 1.0, 1.0),
    )
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(9)
    total_rows, total_columns = frame.shape
    axes.set_title(f"pandas {kind}: {total_rows:,} rows × {total_columns:,} columns", fontsize=10)
    notes = []
    if table.rows_shown < total_rows or table.columns_shown < total_columns:
        notes.append(
            f"table image shows {table.rows_shown:,} of {total_rows:,} rows (first and last), "
            f"{table.columns_shown:,} of {total_columns:,} columns"
        )
    return figure, notes
