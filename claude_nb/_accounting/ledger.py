"""The cost ledger: one ``UsageRecord`` per API call, append-only, with derived totals.

Every call makes a record (``UsageRecord``, in ``_accounting.usage_record``): each step of a tool
loop, and interrupted or failed calls whose usage is known. A record holds facts only (time, model,
tokens by kind, timings, request id, offline flag, cell); cost, hit ratio and savings are derived
from a ``PriceTable`` when asked, so a price override re-prices the whole ledger. An unpriced model
shows as "unpriced" and warns once per ledger (``UnpricedModelWarning``), never as $0. Offline
calls are priced as the call would have cost and marked *simulated*.

Integration (the session's ``on_call`` callbacks receive every ``Reply``)::

    ledger = Ledger()
    session.on_call.append(ledger.record_reply)     # cell from ledger.cell, set per cell
    ledger.cell = "In[7]"                           # by the magics before each cell runs
    ledger                                          # renders the %claude_cost table
    ledger.totals().cost, ledger.to_dataframe()

Cache-hit ratio = cache read / (cache read + cache write + uncached input).
"""

from __future__ import annotations

import time as time_module
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from claude_nb._accounting.compare import CostComparison, compare_costs
from claude_nb._accounting.money import format_saving, format_usd
from claude_nb._accounting.pricing import (
    PRICE_KINDS,
    Cost,
    PriceTable,
    TokenCounts,
    UnpricedModelWarning,
)
from claude_nb._accounting.usage_record import UsageRecord, has_usage, hit_ratio
from claude_nb._accounting.user_prices import default_price_table
from claude_nb._api.markup import html_dollars, markdown_dollars

__all__ = ["Ledger", "LedgerTotals", "UsageRecord", "has_usage", "hit_ratio"]

_TABLE_ROWS = 20


@dataclass(frozen=True)
class LedgerTotals:
    """Sums over a ledger.

    Attributes:
        calls: Number of records.
        tokens: Tokens by kind over all calls.
        cost: Dollars by kind over the priced calls.
        simulated_cost: The part of ``cost.total`` from offline (emulated) calls.
        savings: Dollars caching saved over the priced calls.
        unpriced_calls: Calls whose model has no price (not in ``cost``).
        unpriced_models: Those models' ids.
    """

    calls: int
    tokens: TokenCounts
    cost: Cost
    simulated_cost: float
    savings: float
    unpriced_calls: int
    unpriced_models: tuple[str, ...]

    @property
    def hit_ratio(self) -> float | None:
        """Cache-hit ratio over all calls (None when there was no input)."""
        return hit_ratio(self.tokens)


_EMPTY_TOTALS = LedgerTotals(0, TokenCounts(), Cost(), 0.0, 0.0, 0, ())


class Ledger:
    """Append-only list of ``UsageRecord`` with totals and notebook renderings.

    Args:
        records: Records to start with (e.g. loaded from the store to resume a session).
        prices: The price table (default: ``default_price_table()``, the packaged prices with
            ``CLAUDE_NB_HOME/prices.json`` merged over them).
        warn_unpriced: Warn once per unpriced model (off for exports and reports).
    """

    def __init__(
        self,
        records: Iterable[UsageRecord] = (),
        *,
        prices: PriceTable | None = None,
        warn_unpriced: bool = True,
    ) -> None:
        self._records: list[UsageRecord] = []
        self._costs: list[Cost | None] = []
        self._savings: list[float | None] = []
        self._totals = _EMPTY_TOTALS
        self._warned: set[str] = set()
        self._warn_unpriced = warn_unpriced
        self._prices = prices or default_price_table()
        self.cell: str | None = None
        """The cell to stamp on records made by ``record_reply`` when none is given."""
        for record in records:
            self.append(record)

    @property
    def prices(self) -> PriceTable:
        """The price table; setting another one re-prices every record."""
        return self._prices

    @prices.setter
    def prices(self, table: PriceTable) -> None:
        records = self._records
        self._records, self._costs, self._savings = [], [], []
        self._totals, self._prices = _EMPTY_TOTALS, table
        for record in records:
            self._add(record)

    def append(self, record: UsageRecord) -> UsageRecord:
        """Add a record; warn once per ledger for each unpriced model."""
        if (
            self._warn_unpriced
            and record.model not in self._warned
            and not self._prices.is_priced(record.model)
        ):
            self._warned.add(record.model)
            warnings.warn(
                f"no price known for model {record.model!r}: its cost is shown as unknown",
                UnpricedModelWarning,
                stacklevel=2,
            )
        self._add(record)
        return record

    def _add(self, record: UsageRecord) -> None:
        """Append with its derived numbers, kept so totals stay O(1) for large ledgers."""
        cost = record.cost(self._prices)
        saving = None if cost is None else record.savings(self._prices)
        self._records.append(record)
        self._costs.append(cost)
        self._savings.append(saving)
        old = self._totals
        unpriced = () if cost is not None or record.model in old.unpriced_models else (
            record.model,)
        self._totals = LedgerTotals(
            calls=old.calls + 1,
            tokens=old.tokens + record.tokens,
            cost=old.cost if cost is None else old.cost + cost,
            simulated_cost=old.simulated_cost + (cost.total if cost and record.offline else 0),
            savings=old.savings + (saving or 0.0),
            unpriced_calls=old.unpriced_calls + (cost is None),
            unpriced_models=tuple(sorted((*old.unpriced_models, *unpriced))),
        )

    def record_reply(
        self, reply: Any, cell: str | None = None, **fields: Any
    ) -> UsageRecord | None:
        """Make and append the record of a ``Reply`` (a ``Session.on_call`` callback).

        A failed call that reported no usage (refused, or stopped before the model answered)
        was not billed and adds nothing: None.
        """
        if not has_usage(reply):
            return None
        return self.append(UsageRecord.from_reply(reply, cell or self.cell, **fields))

    @property
    def records(self) -> tuple[UsageRecord, ...]:
        """All records, oldest first."""
        return tuple(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[UsageRecord]:
        return iter(list(self._records))

    def __getitem__(self, index: int) -> UsageRecord:
        return self._records[index]

    def costs(self) -> list[Cost | None]:
        """Each record's cost by kind (None for unpriced), in order."""
        return list(self._costs)

    def totals(self) -> LedgerTotals:
        """Sums of tokens, cost, simulated cost and savings over every record."""
        return self._totals

    @property
    def total_cost(self) -> float:
        """Dollars over the priced calls (simulated ones included)."""
        return self.totals().cost.total

    def rows(self) -> list[dict[str, Any]]:
        """One dict per call: the record's fields plus cost by kind, total, hit ratio, savings."""
        rows = []
        derived = zip(self._records, self._costs, self._savings, strict=True)
        for record, cost, saving in derived:
            row = record.as_dict()
            row.update(_cost_columns(cost))
            row["hit_ratio"] = hit_ratio(record.tokens)
            row["savings"] = saving
            rows.append(row)
        return rows

    def compare(self, models: Iterable[str] | None = None) -> CostComparison:
        """These calls re-priced on other models (``_accounting.compare``: tokens as recorded).

        Args:
            models: Model ids; None: every current priced model plus the models used.
        """
        return compare_costs(self._records, self._prices, models)

    def to_dataframe(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs pandas; ``time`` as datetimes)."""
        import pandas

        frame = pandas.DataFrame(self.rows(), columns=_COLUMNS)
        frame["time"] = pandas.to_datetime(frame["time"], unit="s")
        return frame

    def __repr__(self) -> str:
        totals = self.totals()
        plural = "" if totals.calls == 1 else "s"
        return f"<Ledger {totals.calls} call{plural}, {_money(totals)}>"

    def table(self, last: int = _TABLE_ROWS) -> tuple[list[str], list[list[str]], str]:
        """The ``%claude_cost`` table as text cells: header, rows, and a summary line.

        Args:
            last: How many of the latest calls get a row (the totals row covers all).
        """
        header = ["#", "time", "cell", "model", "input", "output", "cache write",
                  "cache read", "hit", "cost", "saved", "first token", "duration", "note"]
        start = max(0, len(self._records) - last)
        rows = [
            _row(start + offset + 1, record, self._costs[start + offset],
                 self._savings[start + offset])
            for offset, record in enumerate(self._records[start:])
        ]
        totals = self.totals()
        tokens = totals.tokens
        calls = f"{totals.calls} call" + ("" if totals.calls == 1 else "s")
        rows.append(["", "", "", calls, f"{tokens.input:,}",
                     f"{tokens.output:,}", f"{tokens.cache_write:,}", f"{tokens.cache_read:,}",
                     _ratio(totals.hit_ratio), format_usd(totals.cost.total),
                     _saved(totals.savings), "", "", "total"])
        summary = f"Total {_money(totals)}"
        if totals.savings:
            word = "saved" if totals.savings > 0 else "extra"
            summary += f"; caching {word} {format_usd(abs(totals.savings))}"
        if start:
            summary += f"; showing the last {last} of {len(self._records)} calls"
        if tokens.web_search_requests:
            searches = tokens.web_search_requests
            summary += (f"; {searches:,} web search{'' if searches == 1 else 'es'} "
                        f"({format_usd(totals.cost.web_search)} at $10 per 1,000)")
        if totals.unpriced_models:
            summary += f"; no price for {', '.join(totals.unpriced_models)}"
        summary += f"; prices as of {self.prices.as_of}."
        return header, rows, summary

    def markdown(self, *, rich: bool = True) -> str:
        """The table and its summary as Markdown.

        Args:
            rich: For a frontend that renders it (``_repr_markdown_``): every ``$`` is kept
                from maths typesetting (``_api.markup``). False: bare ``$``, to read as text.
        """
        header, rows, summary = self.table()
        dollars = markdown_dollars if rich else str
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in rows:
            cells = [dollars(cell.replace("|", "\\|")) for cell in row]
            if row[-1] == "total":
                cells = [f"**{cell}**" if cell else "" for cell in cells]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join([*lines, "", dollars(summary)])

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_html_(self) -> str:
        header, rows, summary = self.table()
        head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html_dollars(escape(cell))}</td>" for cell in row) + "</tr>"
            for row in rows
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>{html_dollars(escape(summary))}</p>"
        )


_COLUMNS = [*UsageRecord.__dataclass_fields__, *(f"cost_{kind}" for kind in PRICE_KINDS),
            "cost_web_search", "cost", "hit_ratio", "savings"]


def _cost_columns(cost: Cost | None) -> dict[str, float | None]:
    columns: dict[str, float | None] = {
        f"cost_{kind}": None if cost is None else getattr(cost, kind) for kind in PRICE_KINDS
    }
    columns["cost_web_search"] = None if cost is None else cost.web_search
    columns["cost"] = None if cost is None else cost.total
    return columns


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} s"


def _saved(value: float | None) -> str:
    """Money caching saved, or a write's extra cost (``format_saving``); blank when unpriced."""
    return format_saving(value)


def _row(number: int, record: UsageRecord, cost: Cost | None, saving: float | None) -> list[str]:
    notes = [name for name, flag in (("simulated", record.offline), ("batch", record.batch),
                                     ("interrupted", record.interrupted),
                                     ("estimated", record.estimated)) if flag]
    if record.web_search_requests:  # $10 per 1,000, in the cost column
        count = record.web_search_requests
        notes.append(f"{count} web search" + ("" if count == 1 else "es"))
    if record.error:
        notes.append(record.error.split(":", 1)[0])
    tokens = record.tokens
    return [str(number), time_module.strftime("%H:%M:%S", time_module.localtime(record.time)),
            record.cell or "", record.model, f"{tokens.input:,}", f"{tokens.output:,}",
            f"{tokens.cache_write:,}", f"{tokens.cache_read:,}", _ratio(hit_ratio(tokens)),
            format_usd(None if cost is None else cost.total), _saved(saving),
            _seconds(record.time_to_first_token), _seconds(record.duration), ", ".join(notes)]


def _money(totals: LedgerTotals) -> str:
    total, simulated = totals.cost.total, totals.simulated_cost
    text = format_usd(total, simulated=bool(simulated) and simulated == total)
    if simulated and simulated != total:
        text += f" ({format_usd(simulated)} simulated offline)"
    if totals.unpriced_calls:
        text += f" + {totals.unpriced_calls} unpriced"
    return text
