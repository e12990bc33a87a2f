"""The same session on other models: every recorded call re-priced at each model's rates.

``Ledger.compare(models=None)`` returns a ``CostComparison``: one row per model with what the
ledger's calls would have cost there, and the ratio to what they actually cost::

    comparison = session.ledger.compare()                  # current priced models + used ones
    comparison = session.ledger.compare(["claude-haiku-4-5", "claude-opus-4-7"])
    comparison.rows      # [{"model", "cost" (float | None), "ratio" (float | None), "calls"}]
    comparison           # renders a table with bars (HTML/CSS or Markdown; no plotting library)

Assumption, stated with every rendering: **the tokens as recorded**. Each call's uncached
input, output, 5-minute and 1-hour cache writes and cache reads are billed at the other
model's rate for that kind (its price band chosen by the same prompt length; batch calls
keep the batch discount). What would really differ is not modelled: cache minimums differ by
model (a prompt that cached on one may be below another's minimum, or the reverse),
tokenizers count the same text differently, and each model writes replies (and thinking) of
its own length. Server tool fees are not in the ledger or the price table, so not here either.

Rows are cheapest first; unpriced models (no prices, or an unknown id) come last and show as
"unpriced", never $0. ``calls`` is how many recorded calls used that model (0: not used).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._accounting.pricing import Cost, PriceTable
from claude_nb._accounting.usage_record import UsageRecord
from claude_nb._api.markup import html_dollars, markdown_dollars
from claude_nb._api.models import catalog

__all__ = ["ASSUMPTION", "CostComparison", "compare_costs", "current_models"]

ASSUMPTION = (
    "Tokens as recorded, each kind at the other model's rate: cache minimums, tokenizers "
    "and reply lengths differ by model and are not modelled; server tool fees are not included."
)
"""The caveat every rendering states."""

_BAR_CHARACTERS = 20
_BAR_COLOR = "#4C78A8"
_USED_COLOR = "#F58518"


def current_models(prices: PriceTable) -> list[str]:
    """Ids of the catalog's active models that ``prices`` prices, in the catalog's order."""
    return [
        str(record["id"])
        for record in catalog().get("models", [])
        if record.get("lifecycle") == "active" and prices.is_priced(str(record["id"]))
    ]


@dataclass(frozen=True)
class CostComparison:
    """What a ledger's calls would cost on each model (see the module docstring).

    Attributes:
        rows: One dict per model, cheapest first, unpriced last: ``model``, ``cost`` (dollars,
            or None when unpriced), ``ratio`` (cost / actual, None when either is unknown),
            ``calls`` (recorded calls that used this model).
        actual: What the calls cost, or None when a call's model is unpriced (or no calls).
        calls: Recorded calls in all.
        simulated: Every call came from the offline emulator.
        prices_as_of: The price table's date.
    """

    rows: list[dict[str, Any]]
    actual: float | None
    calls: int
    simulated: bool
    prices_as_of: str

    def summary(self) -> str:
        """One line: the actual cost, the calls, and the prices' date."""
        plural = "" if self.calls == 1 else "s"
        actual = format_usd(self.actual, simulated=self.simulated and self.actual is not None)
        return (
            f"{self.calls} call{plural} re-priced; actual {actual}; "
            f"prices as of {self.prices_as_of}."
        )

    def _cells(self, row: dict[str, Any]) -> tuple[str, str, str, str]:
        used = f"{row['calls']} (used)" if row["calls"] else "0"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        return row["model"], used, format_usd(row["cost"]), ratio

    def _fraction(self, cost: float | None) -> float:
        highest = max((row["cost"] or 0.0 for row in self.rows), default=0.0)
        return 0.0 if cost is None or highest <= 0 else cost / highest

    def _repr_markdown_(self) -> str:
        lines = ["| model | calls | cost | vs actual | |", "|---|---|---|---|---|"]
        for row in self.rows:
            model, used, cost, ratio = self._cells(row)
            bar = "█" * round(self._fraction(row["cost"]) * _BAR_CHARACTERS)
            if row["cost"] is not None and not bar and row["cost"] > 0:
                bar = "▏"
            lines.append(f"| {model} | {used} | {markdown_dollars(cost)} | {ratio} | {bar} |")
        summary, assumption = markdown_dollars(self.summary()), markdown_dollars(ASSUMPTION)
        return "\n".join([*lines, "", summary, "", f"*{assumption}*"])

    def _repr_html_(self) -> str:
        body = []
        for row in self.rows:
            cells = "".join(f"<td>{html_dollars(escape(cell))}</td>" for cell in self._cells(row))
            color = _USED_COLOR if row["calls"] else _BAR_COLOR
            width = f"{self._fraction(row['cost']) * 100:.1f}%"
            bar = (
                ""
                if row["cost"] is None
                else f'<div style="background:{color};height:0.9em;width:{width};'
                'min-width:1px"></div>'
            )
            body.append(f'<tr>{cells}<td style="width:40%">{bar}</td></tr>')
        head = "".join(f"<th>{name}</th>" for name in ("model", "calls", "cost", "vs actual", ""))
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<p>{html_dollars(escape(self.summary()))}<br>"
            f"<em>{html_dollars(escape(ASSUMPTION))}</em></p>"
        )

    def __repr__(self) -> str:
        return f"<CostComparison {len(self.rows)} models; {self.summary()}>"


def compare_costs(
    records: Sequence[UsageRecord], prices: PriceTable, models: Iterable[str] | None = None
) -> CostComparison:
    """Re-price ``records`` at each model's rates.

    Args:
        records: The ledger's calls.
        prices: The price table (the ledger's, the user's overrides included).
        models: Model ids to compare (duplicates dropped); None: ``current_models(prices)``
            plus every model the records used.
    """
    used = Counter(record.model for record in records)
    chosen = list(models) if models is not None else [*current_models(prices), *used]
    rows = []
    costs = [record.cost(prices) for record in records]
    known = [cost for cost in costs if cost is not None]
    actual = sum(cost.total for cost in known) if records and len(known) == len(costs) else None
    for model in dict.fromkeys(chosen):
        cost = _cost_on(records, prices, model)
        ratio = None if cost is None or not actual else cost / actual
        rows.append({"model": model, "cost": cost, "ratio": ratio, "calls": used[model]})
    rows.sort(key=lambda row: (row["cost"] is None, row["cost"] or 0.0, row["model"]))
    simulated = bool(records) and all(record.offline for record in records)
    return CostComparison(rows, actual, len(records), simulated, prices.as_of)


def _cost_on(records: Sequence[UsageRecord], prices: PriceTable, model: str) -> float | None:
    if not prices.is_priced(model):
        return None
    total = Cost()
    for record in records:
        cost = prices.cost(record.tokens, model, batch=record.batch)
        total += cost or Cost()
    return total.total
