"""Automatic prompt-cache planning, checked against hand-built bodies and the emulator's own
cache accounting (the real code that bills offline calls)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from claude_nb._accounting.cache_plan import count_breakpoints, plan_cache
from claude_nb._accounting.pricing import TokenCounts, cache_savings
from claude_nb._api.estimate import segments
from claude_nb.emulator._cache import PromptCache, plan_breakpoints

LONG = "lorem ipsum dolor sit amet " * 400  # about 2,700 tokens by the documented estimate
EPHEMERAL = {"type": "ephemeral"}


def body(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hello"}],
    }
    base.update(fields)
    return base


def tool(name: str, description: str = "a tool") -> dict[str, Any]:
    return {"name": name, "description": description, "input_schema": {"type": "object"}}


def test_short_prompt_gets_no_breakpoint_and_an_equal_body() -> None:
    request = body(system="be brief")
    plan = plan_cache(request)
    assert plan.added == ()
    assert plan.body == request
    assert plan.body is not request


def test_long_prefix_gets_tool_system_and_rolling_breakpoints_without_mutation() -> None:
    request = body(
        tools=[tool("a"), tool("b", LONG)],
        system="You are terse.",
        messages=[
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
            {"role": "user", "content": [{"type": "text", "text": "second"}]},
        ],
    )
    before = copy.deepcopy(request)
    plan = plan_cache(request)
    assert request == before
    assert plan.added == ("tools[1]", "system[0]", "messages[2].content[0]")
    assert plan.body["tools"][1]["cache_control"] == EPHEMERAL
    assert "cache_control" not in plan.body["tools"][0]
    assert plan.body["system"] == [
        {"type": "text", "text": "You are terse.", "cache_control": EPHEMERAL}
    ]
    assert plan.body["messages"][2]["content"][0]["cache_control"] == EPHEMERAL
    assert plan.body["messages"][0] is request["messages"][0]  # untouched parts are shared
    assert count_breakpoints(plan.body) == 3


def test_system_long_but_tools_short_places_no_tool_breakpoint() -> None:
    plan = plan_cache(body(tools=[tool("a")], system=[{"type": "text", "text": LONG}]))
    assert plan.added == ("system[0]", "messages[0].content[0]")


def test_minimum_comes_from_the_model() -> None:
    text = "x" * 4 * 800  # 800 tokens: above Opus 5's 512, below Haiku 4.5's 4096
    assert plan_cache(body(model="claude-opus-5", system=text)).added == (
        "system[0]", "messages[0].content[0]")
    assert plan_cache(body(model="claude-haiku-4-5", system=text)).added == ()
    assert plan_cache(body(model="claude-haiku-4-5", system=text), min_tokens=100).added != ()
    # an unknown model uses the generic 1024 minimum, never an error
    assert plan_cache(body(model="claude-unknown", system=text)).added == ()


def test_never_more_than_four_counting_the_users_own() -> None:
    marked = {"type": "text", "text": LONG, "cache_control": EPHEMERAL}
    request = body(
        tools=[{**tool("a", LONG), "cache_control": EPHEMERAL}],
        system=[marked, dict(marked)],
    )
    plan = plan_cache(request)
    assert plan.existing == 3
    assert plan.added == ("messages[0].content[0]",)  # the rolling one wins the last slot
    assert count_breakpoints(plan.body) == 4
    full = plan_cache(plan.body)
    assert full.added == () and count_breakpoints(full.body) == 4


def test_top_level_cache_control_already_rolls() -> None:
    request = body(system=LONG, cache_control=EPHEMERAL)
    plan = plan_cache(request)
    assert plan.added == ("system[0]",)
    assert plan.existing == 1


def test_skips_thinking_and_empty_text_blocks() -> None:
    request = body(
        system=LONG,
        messages=[
            {"role": "user", "content": "question"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "answer"},
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "text", "text": ""},
            ]},
        ],
    )
    plan = plan_cache(request)
    assert plan.added[-1] == "messages[1].content[0]"


def test_ttl_order_stays_valid() -> None:
    request = body(
        tools=[tool("a", LONG)],
        system=[{"type": "text", "text": "sys", "cache_control": EPHEMERAL}],
    )
    plan = plan_cache(request, ttl="1h")
    # 1h may go before the user's 5m breakpoint, but the rolling one after it must be 5m.
    assert plan.body["tools"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert plan.body["messages"][0]["content"][0]["cache_control"] == EPHEMERAL
    # the emulator's validation (the API's rules) accepts the result
    assert len(plan_breakpoints(segments(plan.body), None)) == 3


def test_bad_ttl_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="ttl"):
        plan_cache(body(), ttl="10m")  # type: ignore[arg-type]


def test_odd_shapes_pass_through() -> None:
    request = body(messages=[{"role": "user", "content": []}, "junk", {"role": "user"}],
                   system=None, tools="nope", unknown_field={"x": 1})
    plan = plan_cache(request, min_tokens=0)
    assert plan.body["unknown_field"] == {"x": 1}
    assert plan.added == ()


def _account(cache: PromptCache, request: dict[str, Any], now: float) -> Any:
    parts = segments(request)
    points = plan_breakpoints(parts, request.get("cache_control"))
    return cache.account(parts, points, namespace="k", message_context="", min_tokens=1024,
                         now=now)


def test_each_turn_reads_the_previous_prefix_in_the_emulator() -> None:
    cache = PromptCache()
    history: list[dict[str, Any]] = [{"role": "user", "content": "turn one " + LONG}]
    first = _account(cache, plan_cache(body(messages=history)).body, now=0.0)
    assert first.cache_read_input_tokens == 0
    assert first.cache_creation_input_tokens > 2000
    history += [
        {"role": "assistant", "content": [{"type": "text", "text": "reply one"}]},
        {"role": "user", "content": "turn two"},
    ]
    second = _account(cache, plan_cache(body(messages=history)).body, now=10.0)
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens > 0
    assert second.input_tokens == 0
    third_history = [
        *history,
        {"role": "assistant", "content": "reply two"},
        {"role": "user", "content": "turn three"},
    ]
    third = _account(cache, plan_cache(body(messages=third_history)).body, now=20.0)
    assert third.cache_read_input_tokens == (
        second.cache_read_input_tokens + second.cache_creation_input_tokens
    )


def test_cache_savings_by_hand() -> None:
    # read 10,000 + input 100 on Sonnet 5.5: actual 100*2 + 10000*0.1 = 1,200 micro-dollars;
    # uncached 10,100*2 = 20,200 micro-dollars; saved 19,000 micro-dollars
    saved = cache_savings(TokenCounts(input=100, cache_read=10_000), "claude-sonnet-5-5")
    assert saved == pytest.approx(0.019)
    # a 5m write of 10,000: 10000*2.5 vs 10000*2 -> costs 5,000 micro-dollars more
    wrote = cache_savings({"cache_creation_input_tokens": 10_000}, "claude-sonnet-5-5")
    assert wrote == pytest.approx(-0.005)
    # batch halves both sides: 0.019 / 2
    assert cache_savings(TokenCounts(input=100, cache_read=10_000), "claude-sonnet-5-5",
                         batch=True) == pytest.approx(0.0095)
    assert cache_savings(TokenCounts(cache_read=5), "claude-mythos-5-2") is None
