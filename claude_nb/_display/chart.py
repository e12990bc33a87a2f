"""The ``%claude_cost`` chart: cumulative cost over calls, with stacked bars per call.

``cost_figure(ledger)`` returns a ``matplotlib.figure.Figure`` built without pyplot (no global
figure registry, no GUI backend: safe under Agg, in threads and in tests). Each call gets one
stacked bar of its cost by kind (input, output, cache write, cache read) on the left axis;
the cumulative cost is a line on the right axis. Bars are drawn as one ``PolyCollection`` per
kind, so 10,000 calls draw in well under a second. Unpriced calls have no bar and are counted
in the title; offline calls are marked as simulated. ``unit="tokens"`` stacks tokens instead.

``cost_chart_png(ledger)`` renders it to PNG through the one figure renderer,
``claude_nb._content.images.render_figure`` (as IPython's ``print_figure`` does: the figure's
own facecolor; no crop, the layout already fits). matplotlib and numpy are imported inside
the functions only.

Integration::

    figure = cost_figure(ledger)                   # display(figure) in a notebook
    png = cost_chart_png(ledger)                   # bytes for an Image / widget
"""

from __future__ import annotations

from typing import Any, Literal

from claude_nb._accounting.ledger import Ledger
from claude_nb._accounting.money import format_usd
from claude_nb._content.images import render_figure

__all__ = ["KIND_COLORS", "cost_chart_png", "cost_figure"]

KIND_COLORS = {
    "input": "#4C78A8",
    "output": "#F58518",
    "cache write": "#E45756",
    "cache read": "#54A24B",
}
"""Bar colours by kind, in stacking order (bottom first)."""

SEARCH_COLOR = "#B279A2"
"""The web searches' share of a bar ($10 per 1,000), on top, when the ledger has any."""


def _kinds(ledger: Ledger, unit: str) -> dict[str, str]:
    searched = unit != "tokens" and any(r.web_search_requests for r in ledger.records)
    return {**KIND_COLORS, "web search": SEARCH_COLOR} if searched else dict(KIND_COLORS)

_BAR_WIDTH = 0.8


def _stacks(ledger: Ledger, unit: str) -> tuple[Any, Any, int]:
    """Per-call heights by kind (rows in ``KIND_COLORS`` order), cumulative cost, unpriced."""
    import numpy

    records = ledger.records
    kinds = _kinds(ledger, unit)
    heights = numpy.zeros((len(kinds), len(records)))
    totals = numpy.zeros(len(records))
    unpriced = 0
    for index, (record, cost) in enumerate(zip(records, ledger.costs(), strict=True)):
        if cost is None:
            unpriced += 1
        else:
            totals[index] = cost.total
        if unit == "tokens":
            parts: tuple[float, ...] = (
                record.input_tokens, record.output_tokens,
                record.cache_write_5m_tokens + record.cache_write_1h_tokens,
                record.cache_read_tokens,
            )
        elif cost is None:
            continue
        else:
            parts = (cost.input, cost.output, cost.cache_write, cost.cache_read, cost.web_search)
            parts = parts[: len(kinds)]
        heights[:, index] = parts
    return heights, numpy.cumsum(totals), unpriced


def _bar_collections(axes: Any, heights: Any, kinds: dict[str, str]) -> list[Any]:
    """One PolyCollection of rectangles per kind, stacked; returns legend handles."""
    import numpy
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    count = heights.shape[1]
    left = numpy.arange(1, count + 1) - _BAR_WIDTH / 2
    right = left + _BAR_WIDTH
    bottom = numpy.zeros(count)
    handles = []
    for row, (label, color) in enumerate(kinds.items()):
        top = bottom + heights[row]
        shown = heights[row] > 0
        corners = numpy.stack(
            [
                numpy.column_stack([left, bottom]),
                numpy.column_stack([left, top]),
                numpy.column_stack([right, top]),
                numpy.column_stack([right, bottom]),
            ],
            axis=1,
        )[shown]
        # autolim=False: limits come from the stack heights, far faster than from 10k paths
        axes.add_collection(
            PolyCollection(corners, facecolors=color, edgecolors="none", linewidths=0),
            autolim=False,
        )
        handles.append(Patch(facecolor=color, label=label))
        bottom = top
    highest = float(bottom.max()) if count else 0.0
    axes.set_ylim(0, highest * 1.05 or 1.0)
    return handles


def cost_figure(
    ledger: Ledger,
    *,
    unit: Literal["cost", "tokens"] = "cost",
    title: str | None = None,
    size: tuple[float, float] = (8.0, 4.0),
) -> Any:
    """The ledger's chart as a matplotlib ``Figure``.

    Args:
        ledger: The calls to plot.
        unit: Stack dollars by kind (``"cost"``) or tokens by kind (``"tokens"``).
        title: Replaces the default title (calls, total, simulated, unpriced).
        size: Figure size in inches.

    Raises:
        ValueError: An unknown ``unit``.
    """
    if unit not in ("cost", "tokens"):
        raise ValueError(f"unit must be 'cost' or 'tokens', not {unit!r}")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=size, layout="constrained")
    axes = figure.add_subplot()
    heights, cumulative, unpriced = _stacks(ledger, unit)
    count = heights.shape[1]
    axes.set_xlabel("call")
    axes.set_ylabel("cost per call ($)" if unit == "cost" else "tokens per call")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not count:
        axes.text(0.5, 0.5, "No calls yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_title(title or "Cost")
        return figure
    handles = _bar_collections(axes, heights, _kinds(ledger, unit))
    axes.set_xlim(0.5 - _BAR_WIDTH / 2, count + 0.5 + _BAR_WIDTH / 2)
    line_axes = axes.twinx()
    (line,) = line_axes.plot(
        range(1, count + 1), cumulative, color="#333333", linewidth=1.5, label="cumulative $"
    )
    line_axes.set_ylabel("cumulative cost ($)")
    line_axes.set_ylim(bottom=0)
    figure.legend(handles=[*handles, line], loc="outside lower center", ncols=5,
                  fontsize="small", frameon=False)
    axes.set_title(title or _default_title(ledger, count, float(cumulative[-1]), unpriced))
    return figure


def _default_title(ledger: Ledger, count: int, total: float, unpriced: int) -> str:
    offline = sum(1 for record in ledger.records if record.offline)
    money = format_usd(total, simulated=bool(offline) and offline == count)
    text = f"{count:,} call{'s' if count != 1 else ''}, {money}"
    if offline and offline != count:
        text += f" ({offline:,} simulated)"
    if unpriced:
        text += f"; {unpriced:,} unpriced not shown"
    return text


def cost_chart_png(ledger: Ledger, *, dpi: float | None = None, **options: Any) -> bytes:
    """``cost_figure(ledger, **options)`` rendered to PNG bytes (its layout already fits)."""
    return render_figure(cost_figure(ledger, **options), dpi, tight=False)
