"""``Session.stream`` against the official SDK's ``client.messages.stream(...)`` as the oracle.

For the same streamed bytes (the wire fixtures, served raw) and for the same scripted turn
(``Emulator().serve()`` over real HTTP), the sequence of event types ``Session.stream`` hands
out equals the SDK's raw event types, its text deltas equal the SDK's ``text_stream``, and
``final_message()`` equals ``get_final_message()``. The SDK drops ``ping`` and adds events
of its own (``text``, ``input_json``, ...) next to the raw ones: both are filtered out.
"""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from sse_fixture import FIXTURES, FixtureHandler, drop_none

from claude_nb import Session
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import canary_key

SDK_ONLY = {"text", "input_json", "citation", "thinking", "signature"}
KEY = canary_key("stream-000", kind="test")
MODEL = "claude-opus-5"


def _sdk(base_url: str, prompt: str, **params: Any) -> tuple[list[str], str, dict[str, Any]]:
    """The SDK's raw event types, text and final message for one streamed request."""
    with anthropic.Anthropic(api_key=KEY, base_url=base_url, max_retries=0) as client:
        with client.messages.stream(
            model=MODEL, max_tokens=300, messages=[{"role": "user", "content": prompt}], **params
        ) as stream:
            types = [event.type for event in stream if event.type not in SDK_ONLY]
            final = stream.get_final_message().model_dump(mode="json", exclude_none=True)
        with client.messages.stream(
            model=MODEL, max_tokens=300, messages=[{"role": "user", "content": prompt}], **params
        ) as stream:
            text = "".join(stream.text_stream)
    return types, text, final


def _ours(base_url: str, prompt: str, **params: Any) -> tuple[list[str], str, dict[str, Any]]:
    with Session(KEY, base_url, model=MODEL, max_retries=0, environ={}) as session:
        with session.stream(prompt, max_tokens=300, **params) as s:
            types = [event["type"] for event in s if event["type"] != "ping"]
            final = s.final_message()
        with session.stream(prompt, max_tokens=300, history=False, **params) as s:
            text = "".join(s.text_stream)
            assert text == s.text
    return types, text, final


@pytest.mark.parametrize(
    "name", ["text", "tool_use", "thinking", "citations", "unknown_events", "cache_usage"]
)
def test_same_bytes_same_events_text_and_message(
    name: str, fixture_server: tuple[str, type[FixtureHandler]]
) -> None:
    base_url, handler = fixture_server
    handler.body = (FIXTURES / f"{name}.sse").read_bytes()
    sdk_types, sdk_text, sdk_message = _sdk(base_url, "hi")
    types, text, message = _ours(base_url, "hi")
    assert types == sdk_types
    assert text == sdk_text
    assert drop_none(message) == drop_none(sdk_message)


WEATHER = {
    "name": "get_weather",
    "description": "Current weather",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
TURNS = {
    "text": {"content": [{"type": "text", "text": "Four words, then more."}], "delta_count": 5},
    "tool_use": {
        "content": [
            {"type": "text", "text": "Looking it up."},
            {
                "type": "tool_use",
                "id": "toolu_01",
                "name": "get_weather",
                "input": {"city": "Oslo"},
            },
        ],
        "stop_reason": "tool_use",
    },
}


@pytest.mark.parametrize("name", sorted(TURNS))
def test_same_scripted_turn_over_the_emulator(name: str) -> None:
    emulator = Emulator(
        require_key=True, responder=ScriptedResponder([TURNS[name]], repeat_last=True)
    )
    params: dict[str, Any] = {"tools": [WEATHER]} if name == "tool_use" else {}
    with emulator.serve() as base_url:
        sdk_types, sdk_text, sdk_message = _sdk(base_url, "Weather in Oslo?", **params)
        types, text, message = _ours(base_url, "Weather in Oslo?", **params)
    assert types == sdk_types and "ping" not in types
    assert text == sdk_text != ""
    fields = ("type", "role", "model", "content", "stop_reason", "stop_sequence")
    assert {key: message.get(key) for key in fields} == {
        key: sdk_message.get(key) for key in fields
    }
    assert message["usage"]["output_tokens"] == sdk_message["usage"]["output_tokens"]
