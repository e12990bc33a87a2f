"""The cache planner at its edges: a prefix exactly at the minimum, the four-breakpoint cap
with the user's own, and the TTL a new breakpoint gets between 1h and 5m ones."""

from __future__ import annotations

from typing import Any

from claude_nb._accounting.cache_plan import count_breakpoints, plan_cache

LONG = "lorem ipsum dolor sit amet " * 400
HOUR = {"type": "ephemeral", "ttl": "1h"}
FIVE = {"type": "ephemeral"}


def request(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 100,
        "tools": [{"name": "t", "description": LONG, "input_schema": {"type": "object"}}],
        "system": [{"type": "text", "text": LONG}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": LONG}]}],
    }
    base.update(fields)
    return base


def test_a_prefix_exactly_at_the_minimum_is_marked_and_one_token_short_is_not() -> None:
    total = plan_cache(request(), min_tokens=1).prefix_tokens
    assert plan_cache(request(), min_tokens=total).added == ("messages[0].content[0]",)
    assert plan_cache(request(), min_tokens=total + 1).added == ()


def test_the_cap_counts_the_users_own_breakpoints() -> None:
    mine = request(
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "a", "cache_control": FIVE}]},
            {
                "role": "assistant",
                "content": [{"type": "text", "text": "b", "cache_control": FIVE}],
            },
            {"role": "user", "content": [{"type": "text", "text": LONG}]},
        ]
    )
    plan = plan_cache(mine)
    assert plan.existing == 2
    assert plan.added == ("system[0]", "messages[2].content[0]")  # two free: rolling, system
    assert count_breakpoints(plan.body) == 4
    three = request(
        system=[{"type": "text", "text": LONG, "cache_control": FIVE}],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": "a", "cache_control": FIVE}]},
            {
                "role": "assistant",
                "content": [{"type": "text", "text": "b", "cache_control": FIVE}],
            },
            {"role": "user", "content": [{"type": "text", "text": LONG}]},
        ],
    )
    assert plan_cache(three).added == ("messages[2].content[0]",)
    four = request(
        tools=[
            {
                "name": "t",
                "description": LONG,
                "input_schema": {"type": "object"},
                "cache_control": FIVE,
            }
        ],
        messages=[
            *three["messages"][:2],
            {"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": FIVE}]},
        ],
    )
    assert plan_cache(four).added == () and count_breakpoints(plan_cache(four).body) == 4


def test_a_1h_breakpoint_later_makes_the_new_earlier_ones_1h() -> None:
    later_hour = request(
        messages=[
            {"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": HOUR}]}
        ]
    )
    plan = plan_cache(later_hour, ttl="5m")
    assert plan.added == ("tools[0]", "system[0]")
    assert plan.body["tools"][0]["cache_control"] == HOUR
    assert plan.body["system"][0]["cache_control"] == HOUR


def test_a_5m_breakpoint_earlier_makes_the_new_later_ones_5m() -> None:
    earlier_five = request(
        tools=[
            {
                "name": "t",
                "description": LONG,
                "input_schema": {"type": "object"},
                "cache_control": FIVE,
            }
        ]
    )
    plan = plan_cache(earlier_five, ttl="1h")
    assert plan.added == ("system[0]", "messages[0].content[0]")
    assert plan.body["system"][0]["cache_control"] == FIVE
    assert plan.body["messages"][0]["content"][0]["cache_control"] == FIVE


def test_with_nothing_around_the_wanted_ttl_is_used() -> None:
    plan = plan_cache(request(), ttl="1h")
    assert plan.added == ("tools[0]", "system[0]", "messages[0].content[0]")
    assert all(plan.body[k][0].get("cache_control") == HOUR for k in ("tools", "system"))


def test_no_ttl_fits_between_a_5m_before_and_a_1h_after() -> None:
    squeezed = request(
        tools=[
            {
                "name": "t",
                "description": LONG,
                "input_schema": {"type": "object"},
                "cache_control": FIVE,
            }
        ],
        messages=[
            {"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": HOUR}]}
        ],
    )
    assert plan_cache(squeezed).added == ()  # the user's own order is already invalid


def test_a_top_level_1h_marker_makes_the_new_ones_1h_and_takes_the_rolling_place() -> None:
    plan = plan_cache(request(cache_control=HOUR), ttl="5m")
    assert plan.added == ("tools[0]", "system[0]")
    assert plan.body["system"][0]["cache_control"] == HOUR
    five_top = plan_cache(request(cache_control=FIVE), ttl="1h")
    assert five_top.added == ("tools[0]", "system[0]")
    assert five_top.body["tools"][0]["cache_control"] == HOUR


def test_odd_messages_are_skipped_not_the_end_of_the_count() -> None:
    odd = request(
        tools=[
            {"name": "a", "input_schema": {"type": "object"}},
            {"name": "b", "input_schema": {"type": "object"}, "cache_control": FIVE},
        ],
        messages=[
            "not a message",
            {"role": "user", "content": []},
            {"role": "user"},
            {"role": "user", "content": [{"type": "text", "text": "x", "cache_control": FIVE}]},
        ],
    )
    assert count_breakpoints(odd) == 2
    assert count_breakpoints({**odd, "cache_control": FIVE}) == 3


def test_a_high_res_model_counts_its_images_at_high_resolution() -> None:
    import base64
    import io

    from PIL import Image

    from claude_nb._api.estimate import estimate_input_tokens

    buffer = io.BytesIO()
    Image.new("L", (2400, 1800)).save(buffer, "PNG")
    picture = {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.b64encode(buffer.getvalue()).decode(),
        },
    }
    body = {
        "model": "claude-fable-5",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": [picture, {"type": "text", "text": "?"}]}],
    }
    high = estimate_input_tokens(body, high_res=True)
    assert high != estimate_input_tokens(body, high_res=False)
    assert plan_cache(body).prefix_tokens == high


def test_a_1h_breakpoint_earlier_lets_the_new_ones_be_1h() -> None:
    earlier_hour = request(
        tools=[
            {
                "name": "t",
                "description": LONG,
                "input_schema": {"type": "object"},
                "cache_control": HOUR,
            }
        ]
    )
    plan = plan_cache(earlier_hour, ttl="1h")
    assert plan.added == ("system[0]", "messages[0].content[0]")
    assert plan.body["system"][0]["cache_control"] == HOUR


def test_an_unknown_ttl_of_the_users_counts_as_5m() -> None:
    odd = {"type": "ephemeral", "ttl": "10m"}
    earlier = request(
        tools=[
            {
                "name": "t",
                "description": LONG,
                "input_schema": {"type": "object"},
                "cache_control": odd,
            }
        ]
    )
    plan = plan_cache(earlier, ttl="1h")
    assert plan.body["system"][0]["cache_control"] == FIVE  # not 1h after a (5m-like) one
    later = request(
        messages=[
            {"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": odd}]}
        ]
    )
    assert plan_cache(later, ttl="5m").body["system"][0]["cache_control"] == FIVE
    top = plan_cache(request(cache_control=odd), ttl="1h")
    assert top.body["system"][0]["cache_control"] == HOUR
