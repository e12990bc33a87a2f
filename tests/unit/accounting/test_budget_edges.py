"""The budget at its exact edges: a call exactly at the limit, the warning exactly at its
fraction, each warning once, and every field of each decision (not only a total)."""

from __future__ import annotations

import pytest

from claude_nb._accounting.budget import Budget, BudgetDecision, worst_case_cost
from claude_nb._exceptions import BudgetExceededError


def test_a_call_exactly_at_the_limit_goes_ahead_and_a_cent_over_does_not() -> None:
    budget = Budget(1.0, warn_at=1.0)
    at_limit = budget.check(0.75, 0.25)
    assert at_limit == BudgetDecision(
        True,
        "$0.7500 spent; this call could bring the session to 100% of its $1.00 budget",
        0.75,
        0.25,
    )
    with pytest.raises(BudgetExceededError) as caught:
        Budget(1.0).check(0.75, 0.26)
    assert str(caught.value) == (
        "this call could cost up to $0.2600; with $0.7500 spent that passes the session "
        "budget of $1.00. Raise the budget or lower max_tokens."
    )


def test_the_warning_starts_exactly_at_its_fraction_and_comes_once() -> None:
    budget = Budget(10.0, warn_at=0.5)
    assert budget.check(4.0, 0.99) == BudgetDecision(False, "", 4.0, 0.99)  # 49.9%
    first = budget.check(4.0, 1.0)  # exactly 50%
    assert first == BudgetDecision(
        True,
        "$4.00 spent; this call could bring the session to 50% of its $10.00 budget",
        4.0,
        1.0,
    )
    assert budget.check(5.0, 1.0) == BudgetDecision(False, "", 5.0, 1.0)  # once only


def test_an_unpriced_call_warns_once_with_the_budget_written_precisely() -> None:
    budget = Budget(0.00005)
    first = budget.check(0.00001, None)
    assert first == BudgetDecision(
        True,
        "the model has no known price, so the budget of $0.00005 cannot be checked for this call",
        0.00001,
        None,
    )
    assert budget.check(0.00002, None) == BudgetDecision(False, "", 0.00002, None)
    # the two warnings are separate: the fraction one still comes once
    assert budget.check(0.00004, 0.000005).warn is True
    assert repr(budget) == "Budget($0.00005)"
    with pytest.raises(BudgetExceededError, match=r"session budget of \$0\.00005\."):
        budget.check(0.00004, 0.00002)


@pytest.mark.parametrize("warn_at", [0.0, -0.1, 1.01, 2.0])
def test_warn_at_outside_zero_to_one_is_refused(warn_at: float) -> None:
    with pytest.raises(ValueError, match=r"warn_at must be in \(0, 1\] \(got "):
        Budget(1.0, warn_at=warn_at)


@pytest.mark.parametrize("warn_at", [1.0, 0.01])
def test_warn_at_inside_is_kept(warn_at: float) -> None:
    assert Budget(1.0, warn_at=warn_at).warn_at == warn_at


@pytest.mark.parametrize("limit", [0, -1, float("nan")])
def test_a_limit_that_is_not_positive_is_refused(limit: float) -> None:
    with pytest.raises(ValueError, match=r"the budget must be more than \$0 \(got "):
        Budget(limit)


def test_the_worst_case_prices_the_dearest_write_and_every_output_token() -> None:
    body = {
        "model": "claude-haiku-4-5",
        "max_tokens": 1000,
        "messages": [{"role": "user", "content": "x" * 4000}],
    }
    plain = worst_case_cost(body)
    assert plain is not None
    hour = {
        **body,
        "system": [
            {"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
        ],
    }
    five = {
        **body,
        "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}],
    }
    hour_cost, five_cost = worst_case_cost(hour), worst_case_cost(five)
    assert hour_cost is not None and five_cost is not None
    output = 1000 * 5 / 1e6
    # the same prompt at 2x (1h write) and 1.25x (5m write) of the $1 input rate
    assert (hour_cost - output) == pytest.approx((five_cost - output) * 2 / 1.25)
    assert (plain - output) == pytest.approx((five_cost - output) / 1.25, rel=0.01)
    assert worst_case_cost(body, batch=True) == pytest.approx(plain / 2)
    assert worst_case_cost({**body, "model": "no-such-model"}) is None


HOUR = {"type": "ephemeral", "ttl": "1h"}


def _prompt_cost(body: dict, model: str = "claude-haiku-4-5") -> float:
    cost = worst_case_cost({**body, "model": model, "max_tokens": 0})
    assert cost is not None
    return cost


@pytest.mark.parametrize(
    "place",
    ["tools", "system", "message", "top level"],
)
def test_a_1h_breakpoint_anywhere_prices_the_prompt_as_a_1h_write(place: str) -> None:
    text = "x" * 40_000
    plain: dict = {
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        "system": [{"type": "text", "text": "s"}],
    }
    marked = json_copy(plain)
    if place == "tools":
        marked["tools"][0]["cache_control"] = HOUR
    elif place == "system":
        marked["system"][0]["cache_control"] = HOUR
    elif place == "message":
        marked["messages"][0]["content"][0]["cache_control"] = HOUR
    else:
        marked["cache_control"] = HOUR
    assert _prompt_cost(marked) == pytest.approx(_prompt_cost(plain) * 2)  # $2 vs $1 a million


def test_odd_shapes_and_unknown_ttls_fall_back_to_the_input_rate() -> None:
    body = {
        "messages": ["not a message", {"role": "user", "content": "hi"}],
        "tools": "not a list",
        "system": "plain",
        "cache_control": {"type": "ephemeral", "ttl": "2h"},
    }
    plain = {"messages": [{"role": "user", "content": "hi"}]}
    assert _prompt_cost(body) >= _prompt_cost(plain) > 0
    no_output = worst_case_cost({"model": "claude-haiku-4-5", "messages": plain["messages"]})
    assert no_output == pytest.approx(_prompt_cost(plain))  # no max_tokens: no output priced
    assert worst_case_cost(plain, model="claude-haiku-4-5") == pytest.approx(_prompt_cost(plain))
    assert worst_case_cost(plain) is None  # no model anywhere: unpriced


def test_the_prompt_length_band_and_high_res_images_count() -> None:
    short = {"messages": [{"role": "user", "content": "x" * 4 * 90_000}]}
    long = {"messages": [{"role": "user", "content": "x" * 4 * 110_000}]}
    per_token_short = _prompt_cost(short, "claude-haiku-5-5") / 90_000
    per_token_long = _prompt_cost(long, "claude-haiku-5-5") / 110_000
    assert per_token_long == pytest.approx(per_token_short * 5, rel=0.01)  # the >100K band
    import base64
    import io

    from PIL import Image

    from claude_nb._api.estimate import estimate_input_tokens

    buffer = io.BytesIO()
    Image.new("L", (2400, 1800)).save(buffer, "PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    picture = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": data},
    }
    body = {"model": "claude-fable-5", "messages": [{"role": "user", "content": [picture]}]}
    tokens = estimate_input_tokens(body, high_res=True)
    assert tokens != estimate_input_tokens(body, high_res=False)
    assert _prompt_cost(body, "claude-fable-5") == pytest.approx(tokens * 10 / 1e6)


def json_copy(value: dict) -> dict:
    import json

    copied: dict = json.loads(json.dumps(value))
    return copied
