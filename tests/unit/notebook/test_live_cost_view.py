"""``%claude_cost --live`` stays cheap on a long ledger: the table each call, the chart when due."""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb._accounting.ledger import Ledger
from claude_nb._display import chart
from claude_nb._notebook.cost_magics import CostView
from claude_nb._session.session import Session


class Handle:
    def __init__(self) -> None:
        self.updates: list[dict[str, str]] = []

    def update(self, bundle: dict[str, str], raw: bool = False) -> None:
        self.updates.append(bundle)


def _ledger(calls: int) -> Ledger:
    with Session(environ={}, model="claude-sonnet-5-5") as session:
        reply = session.ask("hello")
    ledger = Ledger()
    for _ in range(calls):
        ledger.record_reply(reply)
    return ledger


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    drawn: list[int] = []

    def fake_png(ledger: Ledger, **options: Any) -> bytes:
        drawn.append(len(ledger))
        return b"\x89PNG fake"

    monkeypatch.setattr(chart, "cost_chart_png", fake_png)
    return drawn


def test_a_long_live_ledger_repaints_the_table_every_call_but_not_the_whole_chart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = _counted(monkeypatch)
    ledger = _ledger(1000)
    view = CostView(ledger)
    table, picture = Handle(), Handle()
    view.handles = [table, picture]
    reply = ledger.records[-1]
    for _ in range(10):
        ledger.append(reply)
        view.refresh(ledger)
    assert len(table.updates) == 10
    assert "1010 calls" in table.updates[-1]["text/markdown"]
    assert len(drawn) <= 1  # not one full chart per call
    for _ in range(60):  # grown 5 %: drawn again, with every call
        ledger.append(reply)
        view.refresh(ledger)
    assert drawn and drawn[-1] >= 1050


def test_a_small_live_ledger_redraws_the_chart_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = _counted(monkeypatch)
    ledger = _ledger(3)
    view = CostView(ledger)
    view.handles = [Handle(), Handle()]
    for _ in range(3):
        ledger.append(ledger.records[-1])
        view.refresh(ledger)
    assert drawn == [4, 5, 6]
