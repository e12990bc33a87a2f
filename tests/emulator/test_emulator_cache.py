"""Prompt-cache accounting across turns, with an injected clock (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from claude_nb._api.estimate import BASE_OVERHEAD, estimate_input_tokens
from claude_nb.emulator import Emulator
from claude_nb.testing import HandlerTransport

LONG = "lorem ipsum dolor sit amet " * 120  # 3240 bytes -> 810 tokens: above 512, below 1024
EPHEMERAL = {"type": "ephemeral"}
HOUR = {"type": "ephemeral", "ttl": "1h"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cached(clock: Clock) -> Emulator:
    return Emulator(require_key=False, clock=clock)


def usage(emulator: Emulator, payload: dict[str, Any], key: str = "k") -> dict[str, Any]:
    with httpx.Client(
        transport=HandlerTransport(emulator.handle),
        base_url="https://api.anthropic.com",
        headers={"anthropic-version": "2023-06-01", "x-api-key": key},
    ) as client:
        response = client.post("/v1/messages", json=payload)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["usage"]
    total = (
        result["input_tokens"]
        + result["cache_read_input_tokens"]
        + result["cache_creation_input_tokens"]
    )
    assert total == estimate_input_tokens(payload, high_res=True)
    creation = result["cache_creation"]
    assert (
        creation["ephemeral_5m_input_tokens"] + creation["ephemeral_1h_input_tokens"]
        == result["cache_creation_input_tokens"]
    )
    return result


def request(system_control: Any = EPHEMERAL, model: str = "claude-opus-5", **extra: Any) -> dict:
    system = [{"type": "text", "text": LONG, "cache_control": system_control}]
    return {
        "model": model,
        "max_tokens": 50,
        "system": system,
        "messages": [{"role": "user", "content": "Hi"}],
        **extra,
    }


def test_write_then_read(cached: Emulator) -> None:
    first = usage(cached, request())
    prefix = BASE_OVERHEAD + 2 + 810
    assert first["cache_creation_input_tokens"] == prefix
    assert first["cache_creation"]["ephemeral_5m_input_tokens"] == prefix
    assert first["cache_read_input_tokens"] == 0
    assert first["input_tokens"] == 4 + 2 + 1  # the message after the breakpoint
    second = usage(cached, request())
    assert second["cache_read_input_tokens"] == prefix
    assert second["cache_creation_input_tokens"] == 0
    assert second["input_tokens"] == first["input_tokens"]


def test_expiry_and_refresh_on_hit(cached: Emulator, clock: Clock) -> None:
    usage(cached, request())
    clock.now += 299
    assert usage(cached, request())["cache_read_input_tokens"] > 0  # hit refreshes to +300
    clock.now += 299
    assert usage(cached, request())["cache_read_input_tokens"] > 0  # alive only by the refresh
    clock.now += 301
    expired = usage(cached, request())
    assert expired["cache_read_input_tokens"] == 0
    assert expired["cache_creation_input_tokens"] > 0


def test_one_hour_ttl(cached: Emulator, clock: Clock) -> None:
    assert usage(cached, request(HOUR))["cache_creation"]["ephemeral_1h_input_tokens"] > 0
    clock.now += 3599
    assert usage(cached, request(HOUR))["cache_read_input_tokens"] > 0
    clock.now += 3601
    assert usage(cached, request(HOUR))["cache_read_input_tokens"] == 0


def test_minimum_length_per_model(cached: Emulator) -> None:
    # 815 tokens: enough for Opus 5 (512) but not for Sonnet 5 (1024): silently not cached.
    for _ in range(2):
        small = usage(cached, request(model="claude-sonnet-5"))
        assert small["cache_creation_input_tokens"] == 0
        assert small["cache_read_input_tokens"] == 0
    assert usage(cached, request(model="claude-opus-5"))["cache_creation_input_tokens"] > 0


def test_automatic_caching_moves_forward(cached: Emulator) -> None:
    history: list[dict[str, Any]] = [{"role": "user", "content": LONG}]
    auto = {"model": "claude-opus-5", "max_tokens": 50, "cache_control": EPHEMERAL}
    first = usage(cached, {**auto, "messages": history})
    assert first["cache_creation_input_tokens"] == BASE_OVERHEAD + 4 + 2 + 810
    assert first["input_tokens"] == 0
    history += [{"role": "assistant", "content": "ok"}, {"role": "user", "content": "more"}]
    second = usage(cached, {**auto, "messages": history})
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == (4 + 2 + 1) + (4 + 2 + 1)
    assert second["input_tokens"] == 0


def test_mixed_ttls_bill_1h_then_5m(cached: Emulator) -> None:
    payload = request(HOUR)
    payload["messages"] = [
        {"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": EPHEMERAL}]}
    ]
    result = usage(cached, payload)
    assert result["cache_creation"]["ephemeral_1h_input_tokens"] == BASE_OVERHEAD + 2 + 810
    assert result["cache_creation"]["ephemeral_5m_input_tokens"] == 4 + 2 + 810


def test_lookback_limit_of_twenty_blocks(cached: Emulator) -> None:
    blocks = [{"type": "text", "text": f"block {index}"} for index in range(30)]
    first_blocks = [*blocks[:5], {**blocks[5], "cache_control": EPHEMERAL}]
    base = {"model": "claude-opus-5", "max_tokens": 50, "system": LONG}
    usage(cached, {**base, "messages": [{"role": "user", "content": first_blocks}]})
    near = [*blocks[:24], {**blocks[24], "cache_control": EPHEMERAL}]  # 19 blocks back: found
    assert (
        usage(cached, {**base, "messages": [{"role": "user", "content": near}]})[
            "cache_read_input_tokens"
        ]
        > 0
    )
    cache = Emulator(require_key=False)
    usage(cache, {**base, "messages": [{"role": "user", "content": first_blocks}]})
    far = [*blocks[:26], {**blocks[26], "cache_control": EPHEMERAL}]  # 21 blocks back: missed
    assert (
        usage(cache, {**base, "messages": [{"role": "user", "content": far}]})[
            "cache_read_input_tokens"
        ]
        == 0
    )


def test_isolated_per_api_key(cached: Emulator) -> None:
    usage(cached, request(), key="alice")
    assert usage(cached, request(), key="bob")["cache_read_input_tokens"] == 0
    assert usage(cached, request(), key="alice")["cache_read_input_tokens"] > 0


def test_tool_choice_change_keeps_system_cache(cached: Emulator) -> None:
    tools = [{"name": "t", "input_schema": {"type": "object"}}]
    payload = request(tools=tools, tool_choice={"type": "auto"})
    payload["messages"] = [
        {"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": EPHEMERAL}]}
    ]
    first = usage(cached, payload)
    changed = usage(cached, {**payload, "tool_choice": {"type": "none"}})
    assert changed["cache_read_input_tokens"] < first["cache_creation_input_tokens"]
    assert changed["cache_read_input_tokens"] > 0  # tools + system still hit
    assert changed["cache_creation_input_tokens"] == 4 + 2 + 810


def test_count_tokens_matches_billed_total(emulator_client: httpx.Client) -> None:
    # count_tokens must say what a real call bills, whatever of it the cache wrote or read
    for payload in (
        request(),
        request(HOUR),
        request(
            tools=[
                {
                    "name": "t",
                    "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
                }
            ]
        ),
    ):
        counted = emulator_client.post(
            "/v1/messages/count_tokens",
            json={k: v for k, v in payload.items() if k != "max_tokens"},
        )
        assert counted.status_code == 200
        for _ in range(2):  # a write, then a read
            billed = emulator_client.post("/v1/messages", json=payload)
            assert billed.status_code == 200, billed.text
            numbers = billed.json()["usage"]
            total = sum(
                numbers[key]
                for key in (
                    "input_tokens",
                    "cache_creation_input_tokens",
                    "cache_read_input_tokens",
                )
            )
            assert counted.json() == {"input_tokens": total}


def test_an_entry_is_gone_exactly_at_its_expiry(cached: Emulator, clock: Clock) -> None:
    start = clock.now
    usage(cached, request())
    clock.now = start + 299.999
    assert usage(cached, request())["cache_read_input_tokens"] > 0  # refreshed to +300 from here
    clock.now += 300
    expired = usage(cached, request())
    assert expired["cache_read_input_tokens"] == 0 and expired["cache_creation_input_tokens"] > 0


def test_a_1h_entry_is_refreshed_for_an_hour_not_five_minutes(
    cached: Emulator, clock: Clock
) -> None:
    usage(cached, request(HOUR))
    clock.now += 3000
    assert usage(cached, request(HOUR))["cache_read_input_tokens"] > 0
    clock.now += 3599  # past the first hour, inside the refreshed one
    hit = usage(cached, request(HOUR))
    assert hit["cache_read_input_tokens"] > 0 and hit["cache_creation_input_tokens"] == 0
    clock.now += 3600
    assert usage(cached, request(HOUR))["cache_read_input_tokens"] == 0


def test_the_lookback_covers_the_breakpoint_and_the_19_blocks_before_it(cached: Emulator) -> None:
    # 20 positions: an entry 19 blocks back is found (above), one exactly 20 back is not
    blocks = [{"type": "text", "text": f"block {index}"} for index in range(30)]
    base = {"model": "claude-opus-5", "max_tokens": 50, "system": LONG}
    first = [*blocks[:5], {**blocks[5], "cache_control": EPHEMERAL}]
    usage(cached, {**base, "messages": [{"role": "user", "content": first}]})
    twenty = [*blocks[:25], {**blocks[25], "cache_control": EPHEMERAL}]
    missed = usage(cached, {**base, "messages": [{"role": "user", "content": twenty}]})
    assert missed["cache_read_input_tokens"] == 0


def test_a_prefix_exactly_at_the_minimum_is_written_and_one_short_is_not() -> None:
    from claude_nb._api.estimate import BASE_OVERHEAD as OVERHEAD
    from claude_nb._api.estimate import segments
    from claude_nb.emulator._cache import PromptCache, plan_breakpoints

    parts = segments(request(model="claude-opus-5"))
    points = plan_breakpoints(parts, None)
    prefix = OVERHEAD + sum(part.tokens for part in parts[: points[-1].position + 1])
    kwargs = {"namespace": "k", "message_context": "", "now": 0.0}
    at = PromptCache().account(parts, points, min_tokens=prefix, **kwargs)
    short = PromptCache().account(parts, points, min_tokens=prefix + 1, **kwargs)
    assert at.ephemeral_5m_input_tokens == prefix and at.cache_read_input_tokens == 0
    assert short.cache_creation_input_tokens == 0 and short.input_tokens == at.input_tokens + prefix
