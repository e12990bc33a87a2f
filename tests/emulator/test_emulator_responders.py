"""What the emulated model says: offline responder (tools, images, tables), scripts, limits."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import httpx
import pytest

from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import HandlerTransport

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "default": 1},
        },
        "required": ["city", "unit"],
    },
}
ADD = {
    "name": "add",
    "input_schema": {
        "type": "object",
        "properties": {
            "a": {"type": "number"},
            "b": {"type": "number"},
            "exact": {"type": "boolean"},
        },
        "required": ["a", "b", "exact"],
    },
}


def ask(client: httpx.Client, content: Any, **extra: Any) -> dict[str, Any]:
    messages = content if isinstance(content, list) and "role" in content[0] else None
    payload = {
        "model": "claude-opus-5",
        "max_tokens": 2000,
        "messages": messages or [{"role": "user", "content": content}],
        **extra,
    }
    response = client.post("/v1/messages", json=payload)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """A small JSON-schema check: types, enums, required (enough for these schemas)."""
    kind = schema.get("type")
    types = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    if kind == "object":
        return (
            isinstance(value, dict)
            and all(name in value for name in schema.get("required", []))
            and all(
                conforms(value[name], spec)
                for name, spec in schema["properties"].items()
                if name in value
            )
        )
    if "enum" in schema and value not in schema["enum"]:
        return False
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, types[kind])


def test_offline_text_describes_request(emulator_client: httpx.Client) -> None:
    message = ask(emulator_client, "Summarise the plan", system="Be terse.")
    text = message["content"][0]["text"]
    assert text.startswith("*(offline emulator)*\n") and "offline emulator (claude_nb)" in text
    assert "> Summarise the plan" in text
    assert "Be terse." in text
    assert message["stop_reason"] == "end_turn"


def test_prompt_naming_a_tool_gets_schema_valid_call(emulator_client: httpx.Client) -> None:
    message = ask(emulator_client, "Use get_weather for Paris in fahrenheit", tools=[WEATHER, ADD])
    assert message["stop_reason"] == "tool_use"
    calls = [block for block in message["content"] if block["type"] == "tool_use"]
    assert [call["name"] for call in calls] == ["get_weather"]
    assert calls[0]["id"].startswith("toolu_")
    assert calls[0]["input"] == {"city": "Paris", "unit": "fahrenheit", "days": 1}
    assert conforms(calls[0]["input"], WEATHER["input_schema"])


def test_several_tools_and_numbers(emulator_client: httpx.Client) -> None:
    message = ask(
        emulator_client, "Please add 2.5 and 4, then get weather for Oslo", tools=[WEATHER, ADD]
    )
    calls = {
        block["name"]: block["input"] for block in message["content"] if block["type"] == "tool_use"
    }
    assert set(calls) == {"add", "get_weather"}
    assert calls["add"]["a"] == 2.5 and calls["add"]["b"] == 4
    assert conforms(calls["add"], ADD["input_schema"])
    assert conforms(calls["get_weather"], WEATHER["input_schema"])


def test_tool_result_answer_quotes_results(emulator_client: httpx.Client) -> None:
    first = ask(emulator_client, "call get_weather for Rome in celsius", tools=[WEATHER])
    call = next(block for block in first["content"] if block["type"] == "tool_use")
    history = [
        {"role": "user", "content": "call get_weather for Rome in celsius"},
        {"role": "assistant", "content": first["content"]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call["id"], "content": "21 C and sunny"}
            ],
        },
    ]
    answer = ask(emulator_client, history, tools=[WEATHER])
    assert answer["stop_reason"] == "end_turn"
    text = answer["content"][0]["text"]
    assert "`get_weather` returned" in text
    assert "> 21 C and sunny" in text


def test_tool_choice_none_and_forced(emulator_client: httpx.Client) -> None:
    quiet = ask(
        emulator_client, "get_weather please", tools=[WEATHER], tool_choice={"type": "none"}
    )
    assert quiet["stop_reason"] == "end_turn"
    forced = ask(
        emulator_client, "hello", tools=[WEATHER, ADD], tool_choice={"type": "tool", "name": "add"}
    )
    assert [b["name"] for b in forced["content"] if b["type"] == "tool_use"] == ["add"]


def test_image_facts_from_pixels(emulator_client: httpx.Client) -> None:
    from PIL import Image

    picture = Image.new("RGB", (320, 200), (255, 255, 255))
    for x in range(320):
        picture.putpixel((x, 100), (0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    block = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
    text = ask(emulator_client, [block, {"type": "text", "text": "What is this?"}])["content"][0][
        "text"
    ]
    assert "320×200 px PNG" in text
    assert "white" in text
    assert "text or lines" in text


def test_table_and_document_facts(emulator_client: httpx.Client) -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |"
    document = {
        "type": "document",
        "title": "Notes",
        "source": {"type": "text", "media_type": "text/plain", "data": "x" * 120},
    }
    text = ask(emulator_client, [document, {"type": "text", "text": table}])["content"][0]["text"]
    assert "3 rows and 2 columns" in text
    assert "“Notes” (text/plain, 120 characters)" in text


def test_length_hint_makes_long_answer(emulator_client: httpx.Client) -> None:
    message = ask(emulator_client, "write 2000 words about tides", max_tokens=20000)
    assert message["stop_reason"] == "end_turn"
    assert len(message["content"][0]["text"].split()) == 2000 + 2  # the marker line is 2 words
    cut = ask(emulator_client, "write 2000 words about tides", max_tokens=500)
    assert cut["stop_reason"] == "max_tokens"


def test_thinking_block_when_enabled(emulator_client: httpx.Client) -> None:
    message = ask(emulator_client, "think first", thinking={"type": "adaptive"})
    assert message["content"][0]["type"] == "thinking"
    assert message["content"][0]["signature"]


def scripted(turns: list[Any]) -> httpx.Client:
    emulator = Emulator(require_key=False, responder=ScriptedResponder(turns))
    return httpx.Client(
        transport=HandlerTransport(emulator.handle),
        base_url="https://api.anthropic.com",
        headers={"anthropic-version": "2023-06-01"},
    )


def test_scripted_turns_in_order() -> None:
    turns = [
        "first",
        {
            "content": [
                {"type": "thinking", "thinking": "hmm"},
                {"type": "tool_use", "name": "add", "input": {"a": 1, "b": 2}},
            ]
        },
    ]
    with scripted(turns) as client:
        one = ask(client, "x")
        two = ask(client, "y")
    assert one["content"] == [{"type": "text", "text": "first"}]
    thinking, call = two["content"]
    assert thinking["signature"]
    assert call["id"].startswith("toolu_")
    assert two["stop_reason"] == "tool_use"


def test_callable_responder() -> None:
    seen: list[dict[str, Any]] = []

    def responder(body: dict[str, Any]) -> str:
        seen.append(body)
        return f"echo {body['messages'][-1]['content']}"

    emulator = Emulator(require_key=False, responder=responder)
    with httpx.Client(
        transport=HandlerTransport(emulator.handle),
        base_url="https://x",
        headers={"anthropic-version": "2023-06-01"},
    ) as client:
        assert ask(client, "ping")["content"][0]["text"] == "echo ping"
    assert seen[0]["model"] == "claude-opus-5"


def test_max_tokens_cuts_text() -> None:
    with scripted(["word " * 100]) as client:
        message = ask(client, "x", max_tokens=10)
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 10
    assert len(message["content"][0]["text"]) == 40


@pytest.mark.parametrize("stream", [False, True])
def test_stop_sequences(stream: bool) -> None:
    with scripted(["alpha beta STOP gamma"]) as client:
        response = client.post(
            "/v1/messages",
            json={
                "model": "claude-opus-5",
                "max_tokens": 100,
                "stream": stream,
                "stop_sequences": ["STOP", "zzz"],
                "messages": [{"role": "user", "content": "x"}],
            },
        )
    if stream:
        lines = [line for line in response.text.splitlines() if line.startswith("data: ")]
        delta = next(json.loads(line[6:]) for line in lines if '"message_delta"' in line)
        assert delta["delta"]["stop_reason"] == "stop_sequence"
        assert delta["delta"]["stop_sequence"] == "STOP"
    else:
        message = response.json()
        assert message["content"][0]["text"] == "alpha beta "
        assert message["stop_reason"] == "stop_sequence"
        assert message["stop_sequence"] == "STOP"


def test_tables_and_code_are_echoed_outside_the_quote(emulator_client: httpx.Client) -> None:
    table = "|    | city   |   rain_mm |\n|---:|:-------|--------:|\n|  0 | Lisbon |  12 |"
    long_table = "| n |\n|---|\n" + "\n".join(f"| {row} |" for row in range(100))
    prompt = f"Compare:\n{table}\nand run\n```python\nprint('> not quoted')\n```\nThanks.\n\n"
    text = ask(emulator_client, prompt + long_table)["content"][0]["text"]
    lines = text.splitlines()
    assert "> Compare:" in lines and "> and run" in lines and "> Thanks." in lines
    assert "|  0 | Lisbon |  12 |" in lines  # a table row at the start of a line: it renders
    assert "print('> not quoted')" in lines and lines.count("```") == 1
    assert not any(line.startswith("> |") or line.startswith("> ```") for line in lines)
    assert "| 28 |" in lines and "| 29 |" not in lines and "*(… 71 more lines)*" in lines
    assert "a Markdown table with 1 rows and 2 columns (city, rain_mm) and an unnamed index " \
        "column" in text
    assert "a Markdown table with 100 rows and 1 columns (n)." in text
