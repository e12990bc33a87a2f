"""``Ledger.compare``: a hand-made ledger re-priced with exact numbers from the price table.

Sonnet 4.6 is $3 / $15 / $3.75 (5m write) / $6 (1h write) / $0.30 (read) per MTok; Haiku 4.5
is a third of that on every kind, Opus 4.7 five thirds ($5 / $25 / $6.25 / $10 / $0.50).
"""

from __future__ import annotations

import pytest

from claude_nb._accounting.compare import ASSUMPTION, CostComparison, current_models
from claude_nb._accounting.ledger import Ledger, UsageRecord
from claude_nb._accounting.pricing import price_table
from claude_nb._api.markup import DOLLAR

CALLS = [
    UsageRecord(
        "claude-sonnet-4-6", input_tokens=1000, output_tokens=200, cache_write_5m_tokens=2000
    ),
    UsageRecord(
        "claude-sonnet-4-6",
        input_tokens=100,
        output_tokens=50,
        cache_write_1h_tokens=400,
        cache_read_tokens=2000,
    ),
]
# Sonnet 4.6: input 1,100 x 3 + output 250 x 15 + 5m 2,000 x 3.75 + 1h 400 x 6 + read 2,000 x 0.3
ACTUAL = (3300 + 3750 + 7500 + 2400 + 600) / 1e6  # $0.01755


def ledger(*records: UsageRecord) -> Ledger:
    return Ledger(records, prices=price_table(), warn_unpriced=False)


def by_model(comparison: CostComparison) -> dict[str, dict]:
    return {row["model"]: row for row in comparison.rows}


def test_every_kind_is_priced_at_each_models_rate() -> None:
    comparison = ledger(*CALLS).compare(
        ["claude-opus-4-7", "claude-haiku-4-5", "claude-sonnet-4-6"]
    )
    assert comparison.actual == pytest.approx(ACTUAL)
    rows = by_model(comparison)
    haiku = (1100 * 1 + 250 * 5 + 2000 * 1.25 + 400 * 2 + 2000 * 0.1) / 1e6  # $0.00585
    opus = (1100 * 5 + 250 * 25 + 2000 * 6.25 + 400 * 10 + 2000 * 0.5) / 1e6  # $0.02925
    assert rows["claude-haiku-4-5"]["cost"] == pytest.approx(haiku)
    assert rows["claude-opus-4-7"]["cost"] == pytest.approx(opus)
    assert rows["claude-sonnet-4-6"]["cost"] == pytest.approx(ACTUAL)
    assert rows["claude-haiku-4-5"]["ratio"] == pytest.approx(1 / 3)
    assert rows["claude-opus-4-7"]["ratio"] == pytest.approx(5 / 3)
    assert rows["claude-sonnet-4-6"]["ratio"] == pytest.approx(1.0)
    assert [row["calls"] for row in comparison.rows] == [0, 2, 0]
    assert [row["model"] for row in comparison.rows] == [  # cheapest first
        "claude-haiku-4-5",
        "claude-sonnet-4-6",
        "claude-opus-4-7",
    ]


def test_each_kind_alone() -> None:
    kinds = {
        "input_tokens": 3.0,
        "output_tokens": 15.0,
        "cache_write_5m_tokens": 3.75,
        "cache_write_1h_tokens": 6.0,
        "cache_read_tokens": 0.3,
    }
    for field, sonnet_rate in kinds.items():
        record = UsageRecord("claude-haiku-4-5", **{field: 1_000_000})
        row = by_model(ledger(record).compare(["claude-sonnet-4-6"]))["claude-sonnet-4-6"]
        assert row["cost"] == pytest.approx(sonnet_rate), field


def test_batch_calls_keep_their_discount() -> None:
    record = UsageRecord("claude-haiku-4-5", input_tokens=1_000_000, batch=True)
    (row,) = ledger(record).compare(["claude-opus-4-7"]).rows
    assert row["cost"] == pytest.approx(2.5) and row["ratio"] == pytest.approx(5.0)


def test_unpriced_models_say_so_and_come_last() -> None:
    mystery = UsageRecord("mystery-model", input_tokens=10, output_tokens=10)
    comparison = ledger(*CALLS, mystery).compare(["no-such-model", "claude-haiku-4-5"])
    assert comparison.actual is None  # one call's price is unknown
    haiku, unknown = comparison.rows
    assert haiku["cost"] == pytest.approx((5850 + 10 + 50) / 1e6) and haiku["ratio"] is None
    assert unknown == {"model": "no-such-model", "cost": None, "ratio": None, "calls": 0}
    markdown = comparison._repr_markdown_()
    assert "| no-such-model | 0 | unpriced |  |  |" in markdown
    assert "$0.0000" not in markdown and "actual unpriced" in markdown
    assert "unpriced" in comparison._repr_html_()


def test_the_default_models_are_the_current_priced_ones_and_the_used_ones() -> None:
    mystery = UsageRecord("mystery-model", input_tokens=10)
    retired = UsageRecord("claude-opus-4-1", input_tokens=10)
    comparison = ledger(mystery, retired).compare()
    models = [row["model"] for row in comparison.rows]
    current = current_models(price_table())
    assert set(models) == {*current, "mystery-model", "claude-opus-4-1"}
    assert "claude-mythos-5-2" not in current  # active but unpriced
    assert "claude-sonnet-4-5" not in current  # deprecated
    assert models[-1] == "mystery-model"
    costs = [row["cost"] for row in comparison.rows[:-1]]
    assert costs == sorted(costs)


def test_renderings_state_the_assumption_and_draw_bars() -> None:
    comparison = ledger(*CALLS).compare(["claude-haiku-4-5", "claude-opus-4-7"])
    markdown = comparison._repr_markdown_().replace(DOLLAR, "$")  # test_no_math checks "$"
    assert "| claude-opus-4-7 | 0 | $0.0293 | 1.67× | ████████████████████ |" in markdown
    assert "| claude-haiku-4-5 | 0 | $0.0059 | 0.33× | ████ |" in markdown
    assert ASSUMPTION in markdown and "actual $0.017" in markdown
    html = comparison._repr_html_()
    assert "width:100.0%" in html and "width:20.0%" in html and "<table>" in html
    assert "2 call" in repr(comparison)


def test_an_empty_ledger() -> None:
    comparison = ledger().compare(["claude-haiku-4-5"])
    assert comparison.actual is None and comparison.rows[0]["cost"] == 0.0
    assert comparison.rows[0]["ratio"] is None
