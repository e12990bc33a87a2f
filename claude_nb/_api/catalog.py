"""``claude_nb.model_catalog()``: the model facts as a table a notebook can show and query.

Rows come from ``claude_nb/data/models.json`` (dated by ``prices_as_of``; a user price file
does not change this table, which shows the shipped facts). Each model line belongs to one of
the three tiers the course talks about:

* **most capable**: the ``fable``, ``mythos`` and ``opus`` lines (complex reasoning, analysis);
* **balanced**: ``sonnet`` (capability and cost in balance);
* **fastest**: ``haiku`` (quick answers, high volume).

A model without prices is shown as "unpriced", never as $0.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from claude_nb._api.lifecycle import effective_lifecycle
from claude_nb._api.markup import html_dollars, markdown_dollars
from claude_nb._api.models import catalog as _data
from claude_nb._api.models import model_ids

__all__ = ["TIERS", "ModelCatalog", "model_catalog"]

TIERS: dict[str, str] = {
    "fable": "most capable",
    "mythos": "most capable",
    "opus": "most capable",
    "sonnet": "balanced",
    "haiku": "fastest",
}
"""The tier of each model line."""

_COLUMNS = (
    ("id", "model"),
    ("tier", "tier"),
    ("context_window", "context window"),
    ("max_output", "max output"),
    ("input_price", "input $/MTok"),
    ("output_price", "output $/MTok"),
    ("cache_read_price", "cache read $/MTok"),
    ("sampling", "sampling"),
    ("lifecycle", "lifecycle"),
)


def _row(record: dict[str, Any]) -> dict[str, Any]:
    prices = record.get("prices") or {}
    line = str(record.get("line") or "")
    return {
        "id": record["id"],
        "display_name": record.get("display_name", record["id"]),
        "line": line,
        "tier": TIERS.get(line, "other"),
        "context_window": record.get("max_input_tokens"),
        "max_output": record.get("max_tokens"),
        "input_price": prices.get("input"),
        "output_price": prices.get("output"),
        "cache_read_price": prices.get("cache_read"),
        "cache_write_5m_price": prices.get("cache_write_5m"),
        "cache_write_1h_price": prices.get("cache_write_1h"),
        "cache_min_tokens": record.get("cache_min_tokens"),
        "lifecycle": effective_lifecycle(record),  # retires_at passed: retired
        "sampling": (
            "defaults only" if record.get("sampling_default_only") else "temperature, top_p, top_k"
        ),
        "created_at": record.get("created_at"),
    }


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "unpriced" if key.endswith("_price") else "?"
    if key.endswith("_price"):
        return f"${value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class ModelCatalog:
    """The shipped model facts, newest first.

    Attributes:
        rows: One dict per model: ``id``, ``display_name``, ``line``, ``tier``,
            ``context_window``, ``max_output``, ``input_price``, ``output_price``,
            ``cache_read_price``, ``cache_write_5m_price``, ``cache_write_1h_price`` (dollars per
            million tokens, None when unpriced), ``cache_min_tokens``, ``lifecycle``
            (active, deprecated, retired), ``sampling`` and ``created_at``.
        prices_as_of: The date the prices were checked (``YYYY-MM-DD``).
        batch_discount: The Message Batches API's discount (0.5: half price).
    """

    rows: list[dict[str, Any]] = field(repr=False)
    prices_as_of: str
    batch_discount: float

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, model_id: str) -> dict[str, Any]:
        for row in self.rows:
            if row["id"] == model_id:
                return row
        raise KeyError(model_id)

    def current(self) -> list[dict[str, Any]]:
        """The active models (not deprecated or retired)."""
        return [row for row in self.rows if row["lifecycle"] == "active"]

    def pick(self, tier: str) -> str:
        """The newest active, priced model of a tier: ``most capable``, ``balanced``, ``fastest``.

        Raises:
            ValueError: An unknown tier (the message lists the known ones).
        """
        known = sorted(set(TIERS.values()))
        if tier not in known:
            raise ValueError(f"unknown tier {tier!r}; choose one of {', '.join(known)}")
        for row in self.current():
            if row["tier"] == tier and row["input_price"] is not None:
                return str(row["id"])
        raise ValueError(f"no active priced model in the {tier!r} tier")

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Header and rows as text, the way the reprs show them."""
        header = [title for _, title in _COLUMNS]
        body = [[_cell(key, row[key]) for key, _ in _COLUMNS] for row in self.rows]
        return header, body

    def __repr__(self) -> str:
        return f"ModelCatalog({len(self.rows)} models, prices as of {self.prices_as_of})"

    def _repr_markdown_(self) -> str:
        header, body = self.table()
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        lines.append(f"\nPrices in US dollars per million tokens, as of {self.prices_as_of}.")
        return markdown_dollars("\n".join(lines))

    def _repr_html_(self) -> str:
        header, body = self.table()
        head = "".join(f"<th>{html_dollars(html.escape(title))}</th>" for title in header)
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{html_dollars(html.escape(cell))}</td>" for cell in row)
            + "</tr>"
            for row in body
        )
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>Prices in US dollars per million tokens, as of "
            f"{html.escape(self.prices_as_of)}.</p>"
        )


def model_catalog() -> ModelCatalog:
    """The shipped model catalog, newest model first (see the module docstring)."""
    data = _data()
    by_id = {record["id"]: record for record in data["models"]}
    return ModelCatalog(
        rows=[_row(by_id[model_id]) for model_id in model_ids()],
        prices_as_of=str(data.get("prices_as_of", "unknown")),
        batch_discount=float(data.get("batch_discount", 0.5)),
    )
