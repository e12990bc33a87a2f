"""Model facts as data (``claude_nb._api.models`` over ``claude_nb/data/models.json``).

The data file is read here independently (plain ``json``) so the lookups are checked against
the file itself; the field checks cover every key the rest of the package reads from a record
(limits, cache minimum, thinking rules, yes/no flags, prices and price bands).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import claude_nb
from claude_nb._api.models import (
    DEFAULT_CACHE_MIN_TOKENS,
    FLAG_DEFAULTS,
    catalog,
    model_flag,
    model_ids,
    model_info,
)

DATA = json.loads((Path(claude_nb.__file__).parent / "data" / "models.json").read_text("utf-8"))
RECORDS: list[dict[str, Any]] = DATA["models"]
IDS = [record["id"] for record in RECORDS]
ALIASES = [(alias, record["id"]) for record in RECORDS for alias in record.get("aliases", [])]
PRICE_KINDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


def _timestamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- the data file ------------------------------------------------------------------------


def test_the_data_file_is_dated() -> None:
    as_of = catalog()["prices_as_of"]
    assert isinstance(as_of, str)
    assert dt.date.fromisoformat(as_of).year >= 2025


def test_the_data_file_has_its_table_level_facts() -> None:
    data = catalog()
    assert isinstance(data["currency"], str) and data["currency"]
    assert 0 < data["batch_discount"] < 1
    assert data["models"]


def test_catalog_is_the_data_file() -> None:
    assert catalog() == DATA
    assert catalog() is catalog()  # read once


def test_ids_and_aliases_are_unique() -> None:
    names = IDS + [alias for alias, _ in ALIASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_model_has_the_fields_the_code_reads(record: dict[str, Any]) -> None:
    assert isinstance(record["id"], str) and record["id"].startswith("claude-")
    assert isinstance(record["display_name"], str) and record["display_name"]
    _timestamp(record["created_at"])
    if record.get("retires_at") is not None:
        assert _timestamp(record["retires_at"]) > _timestamp(record["created_at"])
    assert record["lifecycle"] in ("active", "deprecated", "retired")
    assert isinstance(record["line"], str) and record["line"]
    assert isinstance(record["generation"], (int, float))
    for name in ("max_input_tokens", "max_tokens", "cache_min_tokens"):
        assert isinstance(record[name], int) and not isinstance(record[name], bool)
        assert record[name] > 0
    assert record["max_tokens"] <= record["max_input_tokens"]
    assert set(record["thinking"]) == {"enabled", "adaptive", "disabled"}
    assert all(isinstance(value, bool) for value in record["thinking"].values())
    for flag in FLAG_DEFAULTS:
        assert isinstance(record[flag], bool), flag
    for alias in record.get("aliases", []):
        assert isinstance(alias, str) and alias


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_prices_are_absent_or_complete_numbers(record: dict[str, Any]) -> None:
    prices = record["prices"]  # null: the model is unpriced
    if prices is None:
        assert not record.get("price_bands")
        return
    assert {"input", "output"} <= set(prices) <= set(PRICE_KINDS)
    assert all(isinstance(value, (int, float)) and value >= 0 for value in prices.values())
    for band in record.get("price_bands") or ():
        assert isinstance(band["above_prompt_tokens"], int)
        assert 0 < band["above_prompt_tokens"] < record["max_input_tokens"]
        assert {"input", "output"} <= set(band["prices"]) <= set(PRICE_KINDS)


# --- model_info and model_ids -------------------------------------------------------------


@pytest.mark.parametrize("model_id", IDS)
def test_model_info_finds_every_id(model_id: str) -> None:
    record = model_info(model_id)
    assert record is not None
    assert record["id"] == model_id
    assert record == RECORDS[IDS.index(model_id)]


def test_model_info_finds_aliases_as_their_model() -> None:
    assert ALIASES, "the data file has dated aliases (e.g. claude-haiku-4-5-20251001)"
    for alias, model_id in ALIASES:
        assert model_info(alias) is model_info(model_id)


@pytest.mark.parametrize(
    "model_id",
    ["", "claude-unknown-9", "gpt-4o", "claude-sonnet-4-5-", " claude-sonnet-4-5", "models",
     "prices_as_of", "claude-sonnet-4-5-20990101"],
)
def test_model_info_of_an_unknown_model_is_none(model_id: str) -> None:
    assert model_info(model_id) is None


def test_model_ids_are_newest_first_without_aliases() -> None:
    # created_at descending, as the Models API lists them; equal stamps keep the file's order
    stamps = {record["id"]: record["created_at"] for record in RECORDS}
    newest = [stamps[model_id] for model_id in model_ids()]
    assert newest == sorted(newest, reverse=True)
    assert sorted(model_ids()) == sorted(IDS)
    assert model_ids().index("claude-fable-5-1") < model_ids().index("claude-opus-5-5")
    assert not {alias for alias, _ in ALIASES} & set(model_ids())


def test_model_ids_returns_a_fresh_list() -> None:
    ids = model_ids()
    ids.clear()
    assert sorted(model_ids()) == sorted(IDS)


def test_default_cache_minimum() -> None:
    assert DEFAULT_CACHE_MIN_TOKENS == 1024


# --- model_flag ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FLAG_DEFAULTS))
def test_model_flag_defaults_for_an_unknown_model(name: str) -> None:
    assert model_flag(None, name) is FLAG_DEFAULTS[name]
    assert model_flag({}, name) is FLAG_DEFAULTS[name]
    assert model_flag(model_info("claude-unknown-9"), name) is FLAG_DEFAULTS[name]


def test_flag_defaults_are_the_documented_ones() -> None:
    assert FLAG_DEFAULTS == {
        "prefill": True,
        "system_messages": False,
        "forced_tool_choice": True,
        "sampling_default_only": False,
        "high_res_vision": False,
    }


def test_model_flag_reads_the_record_over_the_default() -> None:
    assert model_flag({"prefill": False}, "prefill") is False
    assert model_flag({"system_messages": True}, "system_messages") is True
    assert model_flag({"prefill": False}, "system_messages") is False  # other flags: default
    assert model_flag({"forced_tool_choice": 0}, "forced_tool_choice") is False  # a bool
    assert model_flag({"high_res_vision": 1}, "high_res_vision") is True


def test_model_flag_rejects_a_name_that_is_not_a_flag() -> None:
    with pytest.raises(KeyError):
        model_flag(None, "no_such_flag")


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_model_flag_of_every_record_is_its_value(record: dict[str, Any]) -> None:
    for name in FLAG_DEFAULTS:
        assert model_flag(model_info(record["id"]), name) is record[name]


# --- the documented facts -----------------------------------------------------------------


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_system_messages_are_fable_5_mythos_5_and_opus_4_8_on(record: dict[str, Any]) -> None:
    line, generation = record["line"], record["generation"]
    expected = (line in ("fable", "mythos") and generation >= 5) or (
        line == "opus" and generation >= 4.8)
    assert model_flag(record, "system_messages") is expected


def test_forced_tool_choice_is_off_only_on_opus_and_sonnet_5_5() -> None:
    off = {
        model_id for model_id in IDS
        if not model_flag(model_info(model_id), "forced_tool_choice")
    }
    assert off == {"claude-opus-5-5", "claude-sonnet-5-5"}


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_high_res_vision_is_claude_4_7_on(record: dict[str, Any]) -> None:
    assert model_flag(record, "high_res_vision") is (record["generation"] >= 4.7)
