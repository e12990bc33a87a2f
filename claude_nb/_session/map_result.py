"""``MapResult``: the outcome of ``Session.map`` (or of a ``BatchJob``), one slot per item.

Slots are in input order. A slot holds the item's ``Reply`` when a call finished, its error
when it failed, nothing when it never ran (an interrupted map). ``texts`` is one text per
item, ``None`` where there is no answer (or the answer failed its ``output=`` check);
``failures`` maps an item's position to the typed error that ended it, ``errors`` the same
by label (the DataFrame's or Series' index, else its position; with repeated labels, use
``failures``); ``usage`` and ``cost`` add up every billed call. ``to_series()`` and
``join()`` put the texts back on the input's index (pandas is imported only there, when
asked).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._session.reply import Reply

__all__ = ["MapResult"]

_PREVIEW_ROWS = 8


@dataclass(eq=False)
class MapResult:
    """What a map produced, item by item, in input order.

    Attributes:
        labels: Each item's label (index label, or position).
        replies: Each item's finished ``Reply`` (billed, even when its answer then failed the
            ``output=`` check), or None (failed or not run).
        failures: Position -> the error that ended that item (an ``APIError``, a
            ``ContentError``, a ``StructuredOutputError``).
        source: The DataFrame or Series mapped over, or None.
        batch: The answers came through the Message Batches API (half price).
        interrupted: The map was stopped before every item ran.
        elapsed: Seconds the map took (for a batch: from creation to the results).
        peak_concurrency: The most calls that were in flight at once (concurrent maps).
    """

    labels: list[Any]
    replies: list[Reply | None]
    failures: dict[int, BaseException] = field(default_factory=dict)
    source: Any = field(default=None, repr=False)
    batch: bool = False
    interrupted: bool = False
    elapsed: float = 0.0
    peak_concurrency: int = 0
    output: Any = field(default=None, repr=False)  # map(..., output=Model): its OutputSpec

    @property
    def errors(self) -> dict[Any, BaseException]:
        """Label -> the error that ended that item (``failures`` by position)."""
        return {self.labels[position]: error for position, error in self.failures.items()}

    def _answer(self, position: int) -> Reply | None:
        """The item's reply when it is an answer (not failed, not missing)."""
        return None if position in self.failures else self.replies[position]

    @property
    def texts(self) -> list[str | None]:
        """Each item's answer text, None where it failed or did not run."""
        answers = (self._answer(position) for position in range(len(self.replies)))
        return [None if reply is None else reply.text for reply in answers]

    @property
    def done(self) -> int:
        """Items answered."""
        return sum(self._answer(position) is not None for position in range(len(self.replies)))

    @property
    def pending(self) -> list[Any]:
        """Labels of items that neither finished nor failed (an interrupted map)."""
        return [
            label
            for position, (label, reply) in enumerate(zip(self.labels, self.replies, strict=True))
            if reply is None and position not in self.failures
        ]

    @property
    def usage(self) -> dict[str, int]:
        """Tokens of every answered item, added up by usage field."""
        totals: dict[str, int] = {}
        for reply in self.replies:
            usage = (reply.message.get("usage") or {}) if reply is not None else {}
            for name, value in usage.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    totals[name] = totals.get(name, 0) + value
        return totals

    @property
    def cost(self) -> float | None:
        """Dollars of every answered item (batch rate for a batch); None when unpriced."""
        costs = [reply.cost for reply in self.replies if reply is not None]
        if any(cost is None for cost in costs):
            return None
        return sum(cost or 0.0 for cost in costs)

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self) -> Iterator[str | None]:
        return iter(self.texts)

    def __getitem__(self, position: int) -> str | None:
        return self.texts[position]

    def to_series(self, name: str = "text") -> Any:
        """The texts as a pandas Series on the input's index (None where there is none)."""
        import pandas as pd

        return pd.Series(self.texts, index=self._index(), name=name, dtype="object")

    @property
    def parsed(self) -> list[Any]:
        """With ``output=``: each item's answer as the model, None where there is none."""
        answers = (self._answer(position) for position in range(len(self.replies)))
        return [None if reply is None else reply.parsed for reply in answers]

    def to_dataframe(self) -> Any:
        """With ``output=``: one row per item, one column per field, on the input's index."""
        if self.output is None:
            raise TypeError("to_dataframe needs map(..., output=Model); to_series() has the texts")
        import pandas as pd

        return pd.DataFrame([_fields(value) for value in self.parsed], index=self._index())

    def _index(self) -> Any:
        index = getattr(self.source, "index", None)
        return index if index is not None and len(index) == len(self.labels) else self.labels

    def join(self, frame: Any = None, column: str = "text") -> Any:
        """``frame`` (default: the DataFrame mapped over) with the texts as ``column``."""
        frame = self.source if frame is None else frame
        if frame is None or not hasattr(frame, "assign"):
            raise TypeError("join needs a DataFrame: pass one, or map over one")
        return frame.assign(**{column: self.to_series(column).to_numpy()})

    def summary(self) -> str:
        """One line: items, answered, failed, not run, cost, time."""
        parts = [f"{len(self):,} items", f"{self.done:,} done"]
        if self.failures:
            parts.append(f"{len(self.failures):,} failed")
        if self.pending:
            parts.append(f"{len(self.pending):,} not run (interrupted)")
        cost = self.cost
        parts.append("cost unknown" if cost is None else format_usd(cost))
        if self.batch:
            parts.append("batch (50% off)")
        if self.elapsed:
            parts.append(f"{self.elapsed:.1f} s")
        return " · ".join(parts)

    def __repr__(self) -> str:
        return f"MapResult({self.summary()})"

    def _rows(self) -> Iterator[tuple[Any, str, str]]:
        for position, (label, reply) in enumerate(zip(self.labels, self.replies, strict=True)):
            error = self.failures.get(position)
            if error is not None:
                yield label, "✗", f"{type(error).__name__}: {error}"
            elif reply is not None:
                yield label, "✓", reply.text
            else:
                yield label, "·", "(not run)"

    def _repr_html_(self) -> str:
        rows = []
        for position, (label, mark, text) in enumerate(self._rows()):
            if position == _PREVIEW_ROWS:
                rows.append(f"<tr><td colspan='3'>… {len(self) - _PREVIEW_ROWS:,} more</td></tr>")
                break
            short = text if len(text) <= 160 else text[:159] + "…"
            rows.append(
                f"<tr><td>{html.escape(str(label))}</td><td>{mark}</td>"
                f"<td style='text-align:left'>{html.escape(short)}</td></tr>"
            )
        return (
            f"<div class='claude-nb-map'><b>MapResult</b>: {html.escape(self.summary())}"
            "<table><thead><tr><th>item</th><th></th><th style='text-align:left'>text</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )


def _fields(value: Any) -> dict[str, Any]:
    """A parsed value's fields: a dataclass's, a pydantic model's, a dict's; else ``value``."""
    if value is None:
        return {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return dict(value.model_dump())
    return dict(value) if isinstance(value, dict) else {"value": value}
