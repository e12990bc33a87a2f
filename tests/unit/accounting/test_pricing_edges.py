"""Pricing by kind, not only in total: the 5m and 1h write rates are not interchangeable,
bands apply strictly above their threshold, and a merged table keeps what it does not
override."""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb._accounting.pricing import (
    Prices,
    PriceTable,
    TokenCounts,
    cache_savings,
    merge_price_data,
)


def test_usage_splits_cache_writes_by_ttl_and_ignores_what_is_not_a_count() -> None:
    usage = {
        "input_tokens": 10,
        "output_tokens": 20,
        "cache_read_input_tokens": 30,
        "cache_creation_input_tokens": 100,
        "cache_creation": {"ephemeral_5m_input_tokens": 60, "ephemeral_1h_input_tokens": 40},
    }
    assert TokenCounts.from_usage(usage) == TokenCounts(10, 20, 60, 40, 30)
    unsplit = {
        "cache_creation_input_tokens": 100,
        "cache_creation": {"ephemeral_1h_input_tokens": 30},
    }
    assert TokenCounts.from_usage(unsplit) == TokenCounts(cache_write_5m=70, cache_write_1h=30)
    assert TokenCounts.from_usage({"cache_creation_input_tokens": 5, "cache_creation": "x"}) == (
        TokenCounts(cache_write_5m=5)
    )
    odd = {"input_tokens": True, "output_tokens": 2.5, "cache_read_input_tokens": None}
    assert TokenCounts.from_usage(odd) == TokenCounts()
    assert TokenCounts.from_usage(None) == TokenCounts() == TokenCounts.from_usage({})
    assert TokenCounts(1, 2, 3, 4, 5) + TokenCounts(10, 20, 30, 40, 50) == TokenCounts(
        11, 22, 33, 44, 55
    )
    assert TokenCounts(1, 2, 3, 4, 5).prompt == 1 + 3 + 4 + 5


def test_missing_cache_rates_follow_the_standard_multipliers_each_its_own() -> None:
    prices = Prices.from_json({"input": 4, "output": 20})
    assert prices == Prices(input=4, output=20, cache_write_5m=5, cache_write_1h=8, cache_read=0.4)
    given = Prices.from_json({"input": 4, "output": 20, "cache_write_1h": 9, "cache_read": 1})
    assert (given.cache_write_5m, given.cache_write_1h, given.cache_read) == (5, 9, 1)


def table(**record: Any) -> PriceTable:
    base = {
        "id": "m",
        "prices": {
            "input": 1,
            "output": 2,
            "cache_write_5m": 3,
            "cache_write_1h": 4,
            "cache_read": 5,
        },
    }
    return PriceTable.from_json({"models": [{**base, **record}]})


def test_each_kind_is_billed_at_its_own_rate() -> None:
    priced = table()
    for kind, rate in [
        ("input", 1),
        ("output", 2),
        ("cache_write_5m", 3),
        ("cache_write_1h", 4),
        ("cache_read", 5),
    ]:
        cost = priced.cost(TokenCounts(**{kind: 1_000_000}), "m")
        assert cost is not None and getattr(cost, kind) == rate and cost.total == rate
    both = priced.cost(TokenCounts(cache_write_5m=1_000_000, cache_write_1h=1_000_000), "m")
    assert both is not None and both.cache_write == 7


def test_the_table_reads_ids_aliases_dates_and_skips_the_unpriced() -> None:
    data = {
        "prices_as_of": "2026-01-01",
        "batch_discount": 0.4,
        "models": [
            {"id": "a", "aliases": ["a-1"], "prices": {"input": 1, "output": 2}},
            {"id": "b", "prices": None},
        ],
    }
    priced = PriceTable.from_json(data)
    assert priced.as_of == "2026-01-01" and priced.batch_discount == 0.4
    assert set(priced.models) == {"a", "a-1"} and priced.models["a-1"].model == "a"
    assert not priced.is_priced("b") and not priced.is_priced(None) and not priced.is_priced("")
    cost = priced.cost(TokenCounts(output=1_000_000), "a-1", batch=True)
    assert cost is not None and cost.total == pytest.approx(0.8)
    bare = PriceTable.from_json({})
    assert bare.as_of == "unknown" and bare.batch_discount == 0.5 and dict(bare.models) == {}


def test_bands_apply_strictly_above_their_threshold_in_any_order() -> None:
    banded = table(
        price_bands=[
            {"above_prompt_tokens": 200, "prices": {"input": 30, "output": 2}},
            {"above_prompt_tokens": 100, "prices": {"input": 20, "output": 2}},
        ]
    )
    pricing = banded.pricing("m")
    assert pricing is not None and pricing.model == "m"
    assert [pricing.prices_for(n).input for n in (100, 101, 200, 201)] == [1, 20, 20, 30]


def test_merging_keeps_what_it_does_not_override() -> None:
    base = {
        "prices_as_of": "2026-01-01",
        "currency": "USD",
        "models": [
            {"id": "a", "prices": {"input": 1, "output": 2}, "line": "x"},
            {"id": "b", "prices": {"input": 3, "output": 4}},
        ],
    }
    override = {
        "prices_as_of": "2026-02-02",
        "models": [
            {"id": "a", "prices": {"output": 5}},
            {"id": "b", "prices": None},
            {"id": "c", "prices": {"input": 7, "output": 8}},
        ],
    }
    merged = merge_price_data(base, override)
    assert merged["prices_as_of"] == "2026-02-02" and merged["currency"] == "USD"
    assert merged["models"] == [
        {"id": "a", "prices": {"input": 1, "output": 5}, "line": "x"},
        {"id": "b", "prices": None},
        {"id": "c", "prices": {"input": 7, "output": 8}},
    ]
    assert base["models"][0]["prices"] == {"input": 1, "output": 2}  # not mutated
    assert merge_price_data({}, {})["models"] == []


def test_savings_are_none_when_either_side_is_unpriced() -> None:
    usage = {"input_tokens": 10, "cache_read_input_tokens": 1_000_000}
    assert cache_savings(usage, "m", table=table()) == pytest.approx(1 - 5)
    assert cache_savings(usage, "nope", table=table()) is None


def test_a_larger_5m_figure_than_the_total_implies_is_taken_as_given() -> None:
    usage = {
        "cache_creation_input_tokens": 100,
        "cache_creation": {"ephemeral_5m_input_tokens": 80, "ephemeral_1h_input_tokens": 40},
    }
    assert TokenCounts.from_usage(usage) == TokenCounts(cache_write_5m=80, cache_write_1h=40)


def test_usage_cost_is_not_a_batch_price_unless_asked() -> None:
    from claude_nb._accounting.pricing import usage_cost

    usage = {"input_tokens": 1_000_000}
    assert usage_cost(usage, "m", table=table()) == 1
    assert usage_cost(usage, "m", table=table(), batch=True) == 0.5
    assert usage_cost(usage, "zz", table=table()) is None


def test_model_pricing_costs_full_price_unless_discounted() -> None:
    pricing = table().pricing("m")
    assert pricing is not None
    assert pricing.cost(TokenCounts(output=1_000_000)).total == 2
    assert pricing.cost(TokenCounts(output=1_000_000), batch_discount=0.5).total == 1
