"""``format_usd``: the one way claude_nb writes an amount of dollars, every branch."""

from __future__ import annotations

import pytest

from claude_nb._accounting.budget import Budget
from claude_nb._accounting.ledger import Ledger, UsageRecord
from claude_nb._accounting.money import SIMULATED, UNPRICED, format_saving, format_usd
from claude_nb._chat.view import cost_label
from claude_nb._session.dry_run import DryRun


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (None, "unpriced"),  # an unpriced model is never $0
        (0.0, "$0.0000"),
        (0.0123, "$0.0123"),  # under a dollar: four decimals
        (0.00004, "$0.0000"),
        (0.00005, "$0.0001"),  # rounded half up by the float's own digits (5e-05 > 0.00005)
        (0.9999, "$0.9999"),
        (0.99996, "$1.00"),  # rounds to a dollar: cents
        (1.0, "$1.00"),
        (12.345, "$12.35"),  # from a dollar up: cents
        (1234.5, "$1234.50"),
        (-0.002, "-$0.0020"),  # the sign before the "$", never "$-"
        (-3.5, "-$3.50"),
    ],
)
def test_format_usd(amount: float | None, text: str) -> None:
    assert format_usd(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0.0063, "$0.0063"),  # what caching saved
        (-0.0018, "+$0.0018 to write"),  # what a cache write cost extra (the footer's words)
        (-2.5, "+$2.50 to write"),
        (0.0, "-"),  # nothing saved or spent
        (-0.00004, "-"),
        (None, ""),  # unpriced: a blank cell
    ],
)
def test_format_saving_never_writes_a_negative_amount(amount: float | None, text: str) -> None:
    assert format_saving(amount) == text


def test_simulated_amounts_are_marked_and_unpriced_stays_unpriced() -> None:
    assert format_usd(0.01, simulated=True) == "$0.0100 (simulated offline)"
    assert format_usd(2.0, simulated=True) == f"$2.00 {SIMULATED}"
    assert format_usd(None, simulated=True) == UNPRICED == "unpriced"


def test_every_surface_writes_money_the_same_way() -> None:
    """The ledger, the chat label, the budget and the dry run agree on one amount."""
    record = UsageRecord("claude-sonnet-5-5", input_tokens=600_000, output_tokens=10_000)
    ledger = Ledger([record])
    total = ledger.total_cost  # 600k x $2/M + 10k x $10/M = $1.30
    assert total == pytest.approx(1.3)
    assert format_usd(total) == "$1.30"
    assert repr(ledger) == "<Ledger 1 call, $1.30>"
    assert ledger.table()[1][0][9] == "$1.30"  # the row's cost cell
    assert "session: 1 call · $1.30" in cost_label({}, total, ledger.totals())
    assert repr(Budget(0.5)) == "Budget($0.5000)" and repr(Budget(20)) == "Budget($20.00)"
    dry = DryRun("u", {}, {"model": "m"}, 10, input_cost=0.00002, max_cost=1.5, offline=False)
    assert "≈ $0.0000 input, at most $1.50 in all" in dry.summary()
    assert DryRun("u", {}, {}, 1, None, None, offline=True).summary().count("unpriced") == 1
