"""``claude_nb.model_catalog()``: the shipped facts as rows, tiers and prices."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import claude_nb
from claude_nb._api.catalog import TIERS


def _data() -> dict:
    return json.loads(resources.files("claude_nb").joinpath("data/models.json").read_text())


def test_every_model_of_the_data_file_is_a_row_newest_first() -> None:
    catalog = claude_nb.model_catalog()
    data = _data()
    assert {row["id"] for row in catalog.rows} == {m["id"] for m in data["models"]}
    stamps = [row["created_at"] for row in catalog.rows]
    assert stamps == sorted(stamps, reverse=True)
    assert catalog.prices_as_of == data["prices_as_of"]
    assert catalog.batch_discount == data["batch_discount"]


def test_rows_carry_the_records_limits_and_prices() -> None:
    catalog = claude_nb.model_catalog()
    for record in _data()["models"]:
        row = catalog[record["id"]]
        prices = record.get("prices") or {}
        assert row["context_window"] == record["max_input_tokens"]
        assert row["max_output"] == record["max_tokens"]
        assert row["input_price"] == prices.get("input")
        assert row["output_price"] == prices.get("output")
        assert row["cache_read_price"] == prices.get("cache_read")
        assert row["cache_write_1h_price"] == prices.get("cache_write_1h")
        assert row["tier"] == TIERS[record["line"]]
        expected = "defaults only" if record.get("sampling_default_only") else "temperature"
        assert row["sampling"].startswith(expected)


def test_pick_gives_the_newest_active_priced_model_of_each_tier() -> None:
    catalog = claude_nb.model_catalog()
    for tier in ("most capable", "balanced", "fastest"):
        chosen = catalog[catalog.pick(tier)]
        assert chosen["tier"] == tier and chosen["lifecycle"] == "active"
        assert chosen["input_price"] is not None
        newer = [
            row
            for row in catalog.current()
            if row["tier"] == tier
            and row["input_price"] is not None
            and row["created_at"] > chosen["created_at"]
        ]
        assert newer == []
    with pytest.raises(ValueError, match="balanced"):
        catalog.pick("cheap")


def test_unpriced_models_are_never_shown_as_zero() -> None:
    catalog = claude_nb.model_catalog()
    unpriced = [row for row in catalog.rows if row["input_price"] is None]
    assert unpriced, "the data file has an unpriced model (mythos 5.2)"
    text = catalog._repr_markdown_()
    line = next(x for x in text.splitlines() if f"| {unpriced[0]['id']} |" in x)
    assert "unpriced" in line and "$0 " not in line
    assert catalog.prices_as_of in catalog._repr_html_()
    assert [row["id"] for row in catalog.current()] == [
        row["id"] for row in catalog.rows if row["lifecycle"] == "active"
    ]
