"""Every model the API has served is priced at the price it was served at, and the retired
ones are retired: not current in the catalogue, answered 404 by the emulator as the service.

Old records, resumed sessions and cassettes name models such as ``claude-3-7-sonnet-20250219``,
``claude-sonnet-4-20250514`` and ``claude-3-opus-latest``; "unpriced" stays for the unknown.
"""

from __future__ import annotations

import json

import pytest

import claude_nb
from claude_nb._accounting.pricing import TokenCounts, price_table, usage_cost
from claude_nb._api.lifecycle import is_retired
from claude_nb._api.models import model_info
from claude_nb.emulator import Emulator

MILLION = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}

# (name as a record or stream says it, $ per million in, out, 5m write, 1h write, read)
SERVED = [
    ("claude-3-7-sonnet-20250219", 3, 15, 3.75, 6, 0.3),
    ("claude-3-7-sonnet-latest", 3, 15, 3.75, 6, 0.3),
    ("claude-sonnet-4-20250514", 3, 15, 3.75, 6, 0.3),
    ("claude-sonnet-4-0", 3, 15, 3.75, 6, 0.3),
    ("claude-opus-4-20250514", 15, 75, 18.75, 30, 1.5),
    ("claude-opus-4-0", 15, 75, 18.75, 30, 1.5),
    ("claude-opus-4-1-20250805", 15, 75, 18.75, 30, 1.5),
    ("claude-3-opus-latest", 15, 75, 18.75, 30, 1.5),
    ("claude-3-opus-20240229", 15, 75, 18.75, 30, 1.5),
    ("claude-3-5-sonnet-latest", 3, 15, 3.75, 6, 0.3),
    ("claude-3-5-sonnet-20241022", 3, 15, 3.75, 6, 0.3),
    ("claude-3-5-sonnet-20240620", 3, 15, 3.75, 6, 0.3),
    ("claude-3-5-haiku-latest", 0.8, 4, 1, 1.6, 0.08),
    ("claude-3-5-haiku-20241022", 0.8, 4, 1, 1.6, 0.08),
    ("claude-3-haiku-20240307", 0.25, 1.25, 0.3, 0.5, 0.03),
    ("claude-3-sonnet-20240229", 3, 15, 3.75, 6, 0.3),
    ("claude-2.1", 8, 24, 10, 16, 0.8),
    ("claude-2.0", 8, 24, 10, 16, 0.8),
    ("claude-instant-1.2", 0.8, 2.4, 1, 1.6, 0.08),
]


@pytest.mark.parametrize(("model", "inp", "out", "w5", "w1", "read"), SERVED)
def test_a_model_the_api_served_is_priced_at_its_price(
    model: str, inp: float, out: float, w5: float, w1: float, read: float
) -> None:
    table = price_table()
    assert table.is_priced(model)
    assert usage_cost(MILLION, model) == pytest.approx(inp + out)
    kinds = [("cache_creation_input_tokens", w5), ("cache_read_input_tokens", read)]
    for field, price in kinds:
        assert usage_cost({field: 1_000_000}, model) == pytest.approx(price)
    hour = {
        "cache_creation": {"ephemeral_1h_input_tokens": 1_000_000},
        "cache_creation_input_tokens": 1_000_000,
    }
    assert usage_cost(hour, model) == pytest.approx(w1)
    cost = table.cost(TokenCounts.from_usage(MILLION), model, batch=True)
    assert cost is not None and cost.total == pytest.approx((inp + out) / 2)


@pytest.mark.parametrize("model", [name for name, *_ in SERVED])
def test_a_served_model_no_longer_served_is_retired_and_not_current(model: str) -> None:
    record = model_info(model)
    assert record is not None and is_retired(model)
    current = {row["id"] for row in claude_nb.model_catalog().current()}
    assert record["id"] not in current and model not in current


@pytest.mark.parametrize(
    "model",
    [
        "claude-3-7-sonnet-20250219",
        "claude-3-opus-latest",
        "claude-sonnet-4-20250514",
        "claude-2.1",
    ],
)
def test_the_emulator_answers_a_retired_model_as_the_service(model: str) -> None:
    body = {"model": model, "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    answer = Emulator(require_key=False).handle(
        "POST",
        "/v1/messages",
        {"content-type": "application/json", "anthropic-version": "2023-06-01"},
        json.dumps(body).encode(),
    )
    assert answer.status == 404
    error = json.loads(answer.body)["error"]
    assert error["type"] == "not_found_error" and model in error["message"]


def test_the_truly_unknown_stays_unpriced() -> None:
    for model in ("claude-9-imaginary", "claude-3-7-sonnet-20990101", "gpt-4o", ""):
        assert not price_table().is_priced(model)
        assert usage_cost(MILLION, model) is None


def test_every_model_the_sdk_names_is_known() -> None:
    model_types = pytest.importorskip("anthropic.types.model")
    names = [arg for arg in model_types.Model.__args__[0].__args__]
    assert names and all(model_info(name) is not None for name in names)
