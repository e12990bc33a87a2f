"""Tool specs and results round-trip through the emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import httpx

from claude_nb._tools.execute import execute_tool_calls
from claude_nb._tools.registry import ToolRegistry


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


@dataclass
class Place:
    city: str
    country: str = "NO"


def get_weather(
    place: Place, unit: Unit = Unit.CELSIUS, days: list[int] | None = None
) -> dict[str, Any]:
    """Get the weather for a place.

    Args:
        place: Where.
        unit: Temperature unit.
        days: Which days ahead.
    """
    assert isinstance(place, Place) and isinstance(unit, Unit)
    return {"city": place.city, "unit": unit.value, "temperature": 7}


async def count_words(text: str) -> int:
    """Count the words of a text."""
    return len(text.split())


def post(base_url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{base_url}/v1/messages",
        json=body,
        headers={"x-api-key": "test-key", "anthropic-version": "2023-06-01"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


def test_specs_are_accepted_and_calls_validate_and_run(emulator_server: str) -> None:
    registry = ToolRegistry([get_weather, count_words])
    prompt = "Use get_weather for Oslo, then count_words on this sentence."
    body: dict[str, Any] = {
        "model": "claude-haiku-4-5",
        "max_tokens": 512,
        "tools": registry.specs(),
        "messages": [{"role": "user", "content": prompt}],
    }
    reply = post(emulator_server, body)
    assert reply["stop_reason"] == "tool_use"
    calls = [block for block in reply["content"] if block["type"] == "tool_use"]
    assert [call["name"] for call in calls] == ["get_weather", "count_words"]

    results = execute_tool_calls(reply, registry)
    assert [result["tool_use_id"] for result in results] == [call["id"] for call in calls]
    assert not any(result.get("is_error") for result in results), results

    body["messages"] += [
        {"role": "assistant", "content": reply["content"]},
        {"role": "user", "content": results},
    ]
    final = post(emulator_server, body)
    assert final["stop_reason"] == "end_turn"
    assert "temperature" in final["content"][0]["text"]
