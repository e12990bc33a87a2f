"""Prices and costs: every expected dollar figure below was worked out by hand from the
published price table (https://docs.anthropic.com/en/docs/about-claude/pricing), not computed
by the code under test."""

from __future__ import annotations

import pytest

from claude_nb._accounting.pricing import (
    Cost,
    PriceTable,
    TokenCounts,
    merge_price_data,
    price_table,
    usage_cost,
)
from claude_nb._api.models import catalog

KINDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")

# Dollars for 10,000 tokens of one kind (= the per-million rate / 100):
#                     input   output  5m write 1h write cache read
PER_10K = {
    "claude-fable-5-2": (0.08, 0.40, 0.10, 0.16, 0.002),
    "claude-haiku-5-5": (0.001, 0.005, 0.00125, 0.002, 0.0001),
    "claude-sonnet-5-5": (0.02, 0.10, 0.025, 0.04, 0.001),
    "claude-fable-5-1": (0.10, 0.50, 0.125, 0.20, 0.0025),
    "claude-opus-5-5": (0.04, 0.20, 0.05, 0.08, 0.002),
    "claude-mythos-5-1": (0.10, 0.50, 0.125, 0.20, 0.0025),
    "claude-sonnet-5": (0.02, 0.10, 0.025, 0.04, 0.002),
    "claude-fable-5": (0.10, 0.50, 0.125, 0.20, 0.01),
    "claude-mythos-5": (0.10, 0.50, 0.125, 0.20, 0.01),
    "claude-opus-5": (0.05, 0.25, 0.0625, 0.10, 0.005),
    "claude-opus-4-8": (0.05, 0.25, 0.0625, 0.10, 0.005),
    "claude-opus-4-7": (0.05, 0.25, 0.0625, 0.10, 0.005),
    "claude-opus-4-6": (0.05, 0.25, 0.0625, 0.10, 0.005),
    "claude-sonnet-4-6": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-haiku-4-5": (0.01, 0.05, 0.0125, 0.02, 0.001),
    "claude-haiku-4-5-20251001": (0.01, 0.05, 0.0125, 0.02, 0.001),
    "claude-opus-4-5": (0.05, 0.25, 0.0625, 0.10, 0.005),
    "claude-sonnet-4-5": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-opus-4-1": (0.15, 0.75, 0.1875, 0.30, 0.015),
    # retired: priced for old records, resumed sessions and cassettes
    "claude-opus-4-20250514": (0.15, 0.75, 0.1875, 0.30, 0.015),
    "claude-sonnet-4-20250514": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-3-7-sonnet-20250219": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-3-5-haiku-20241022": (0.008, 0.04, 0.01, 0.016, 0.0008),
    "claude-3-5-sonnet-20241022": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-3-5-sonnet-20240620": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-3-haiku-20240307": (0.0025, 0.0125, 0.003, 0.005, 0.0003),
    "claude-3-opus-20240229": (0.15, 0.75, 0.1875, 0.30, 0.015),
    "claude-3-sonnet-20240229": (0.03, 0.15, 0.0375, 0.06, 0.003),
    "claude-2.1": (0.08, 0.24, 0.10, 0.16, 0.008),
    "claude-2.0": (0.08, 0.24, 0.10, 0.16, 0.008),
    "claude-instant-1.2": (0.008, 0.024, 0.01, 0.016, 0.0008),
}

UNPRICED = ["claude-mythos-5-2", "claude-mythos-preview", "claude-not-a-model", ""]


@pytest.mark.parametrize(
    ("model", "kind", "expected"),
    [(model, kind, row[i]) for model, row in PER_10K.items() for i, kind in enumerate(KINDS)],
)
def test_each_model_and_token_kind(model: str, kind: str, expected: float) -> None:
    cost = price_table().cost(TokenCounts(**{kind: 10_000}), model)
    assert cost is not None
    assert getattr(cost, kind) == pytest.approx(expected)
    assert cost.total == pytest.approx(expected)


def test_every_catalog_model_is_in_the_table_or_unpriced() -> None:
    ids = {record["id"] for record in catalog()["models"]}
    assert ids <= set(PER_10K) | set(UNPRICED)
    assert catalog()["prices_as_of"] == "2026-11-25"


# (model, usage, batch, expected dollars worked by hand)
MIXED = [
    # 1200*2 + 350*10 + 3000*2.5 + 20000*0.1 = 2400+3500+7500+2000 = 15400 micro-dollars
    (
        "claude-sonnet-5-5",
        {"input_tokens": 1200, "output_tokens": 350, "cache_creation_input_tokens": 3000,
         "cache_read_input_tokens": 20000},
        False,
        0.0154,
    ),
    # Haiku 5.5 at exactly 100,000 prompt tokens stays in the base band:
    # 50000*0.1 + 50000*0.01 + 1000*0.5 = 5000+500+500 = 6000 micro-dollars
    (
        "claude-haiku-5-5",
        {"input_tokens": 50000, "cache_read_input_tokens": 50000, "output_tokens": 1000},
        False,
        0.006,
    ),
    # 100,001 prompt tokens (a cache write tips it over): every kind at the upper band.
    # 50000*0.5 + 40000*0.05 + 10001*0.625 + 1000*2.5 = 25000+2000+6250.625+2500
    (
        "claude-haiku-5-5",
        {"input_tokens": 50000, "cache_read_input_tokens": 40000,
         "cache_creation_input_tokens": 10001, "output_tokens": 1000},
        False,
        0.035750625,
    ),
    # Batch: (100000*5 + 10000*25) / 2 = (500000+250000)/2 micro-dollars
    ("claude-opus-5", {"input_tokens": 100000, "output_tokens": 10000}, True, 0.375),
    # Batch on Haiku 5.5's upper band: (200000*0.5 + 2000*2.5) / 2 = (100000+5000)/2
    ("claude-haiku-5-5", {"input_tokens": 200000, "output_tokens": 2000}, True, 0.0525),
    # Both TTLs: 10000*8 (1h) + 10000*5 (5m) = 80000+50000
    (
        "claude-opus-5-5",
        {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 20000,
         "cache_creation": {"ephemeral_5m_input_tokens": 10000,
                            "ephemeral_1h_input_tokens": 10000}},
        False,
        0.13,
    ),
    # Batch with cache kinds (the discount stacks on cache rates): (4000*1.25 + 8000*0.1)/2
    (
        "claude-haiku-4-5",
        {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 4000,
         "cache_read_input_tokens": 8000},
        True,
        0.0029,
    ),
]


@pytest.mark.parametrize(("model", "usage", "batch", "expected"), MIXED)
def test_mixed_usage_costs(model: str, usage: dict, batch: bool, expected: float) -> None:
    assert usage_cost(usage, model, batch=batch) == pytest.approx(expected)


@pytest.mark.parametrize("model", UNPRICED)
def test_unknown_or_priceless_model_is_unpriced_not_zero(model: str) -> None:
    assert usage_cost({"input_tokens": 10, "output_tokens": 10}, model) is None
    assert price_table().cost(TokenCounts(input=1), model) is None
    assert not price_table().is_priced(model)


def test_token_counts_from_usage_edge_cases() -> None:
    assert TokenCounts.from_usage(None) == TokenCounts()
    assert TokenCounts.from_usage({"input_tokens": None, "output_tokens": 3}) == TokenCounts(
        output=3
    )
    # No split given: the whole write is the default 5m TTL.
    assert TokenCounts.from_usage({"cache_creation_input_tokens": 7}).cache_write_5m == 7
    split = TokenCounts.from_usage(
        {"cache_creation_input_tokens": 9,
         "cache_creation": {"ephemeral_5m_input_tokens": 4, "ephemeral_1h_input_tokens": 5},
         "server_tool_use": {"web_search_requests": 1}, "unknown_field": "x"}
    )
    assert (split.cache_write_5m, split.cache_write_1h, split.cache_write) == (4, 5, 9)
    assert (TokenCounts(input=1, output=2) + TokenCounts(cache_read=3)).prompt == 4
    assert (Cost(input=1.0) + Cost(output=2.0, cache_write_1h=0.5)).total == 3.5


def test_user_override_merges_over_packaged_prices() -> None:
    override = {
        "prices_as_of": "2027-01-01",
        "models": [
            {"id": "claude-sonnet-5-5", "prices": {"input": 3}},
            {"id": "claude-opus-5-5", "prices": None},
            {"id": "my-proxy-model", "prices": {"input": 1, "output": 2}},
        ],
    }
    table = price_table(override)
    assert table.as_of == "2027-01-01"
    sonnet = table.cost(TokenCounts(input=10_000, output=10_000, cache_read=10_000),
                        "claude-sonnet-5-5")
    # input overridden to $3 (0.03 per 10k); output $10 (0.10) and read $0.10 (0.001) kept
    assert sonnet is not None and sonnet.total == pytest.approx(0.131)
    assert table.cost(TokenCounts(input=1), "claude-opus-5-5") is None
    # a model with only input/output gets the standard cache multipliers of its input price:
    # 1M 5m write at 1.25, 1M 1h write at 2, 1M read at 0.1
    proxy = table.cost(
        TokenCounts(cache_write_5m=1_000_000, cache_write_1h=1_000_000, cache_read=1_000_000),
        "my-proxy-model",
    )
    assert proxy is not None and proxy.total == pytest.approx(3.35)
    # the packaged table is untouched
    assert price_table().cost(TokenCounts(input=10_000), "claude-sonnet-5-5").total == (
        pytest.approx(0.02)
    )


def test_merge_does_not_mutate_inputs() -> None:
    base = {"models": [{"id": "m", "prices": {"input": 1, "output": 2}}]}
    override = {"models": [{"id": "m", "prices": {"input": 5}}]}
    merged = merge_price_data(base, override)
    assert base["models"][0]["prices"] == {"input": 1, "output": 2}
    assert merged["models"][0]["prices"] == {"input": 5, "output": 2}
    table = PriceTable.from_json(merged)
    assert table.cost(TokenCounts(output=1_000_000), "m").total == pytest.approx(2.0)
