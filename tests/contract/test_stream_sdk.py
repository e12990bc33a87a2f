"""``Session.stream`` against the official SDK's ``client.messages.stream(...)`` as the oracle.

For the same streamed bytes (the wire fixtures, served raw) and for the same scripted turn
(``Emulator().serve()`` over real HTTP), the sequence of event types ``Session.stream`` hands
out equals the SDK's raw event types, its text deltas equal the SDK's ``text_stream``, and
``final_message()`` equals ``get_final_message()``. The SDK drops ``ping`` and adds events
of its own (``text``, ``input_json``, ...) next to the raw ones: both are filtered out.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from claude_nb import Session
from claude_nb.emulator import Emulator, ScriptedResponder

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "wire" / "fixtures"
SDK_ONLY = {"text", "input_json", "citation", "thinking", "signature"}
KEY = "sk-ant-test-stream-000"
MODEL = "claude-opus-5"


class _FixtureHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        payload = type(self).body
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("request-id", "req_fixture")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        for start in range(0, len(payload), 97):  # events straddle reads
            self.wfile.write(payload[start : start + 97])
            self.wfile.flush()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[tuple[str, type[_FixtureHandler]]]:
    handler = type("Handler", (_FixtureHandler,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _drop_none(value: Any) -> Any:
    """Remove keys whose value is None (the SDK adds optional fields as None)."""
    if isinstance(value, dict):
        return {key: _drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_none(item) for item in value]
    return value


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
    name: str, fixture_server: tuple[str, type[_FixtureHandler]]
) -> None:
    base_url, handler = fixture_server
    handler.body = (FIXTURES / f"{name}.sse").read_bytes()
    sdk_types, sdk_text, sdk_message = _sdk(base_url, "hi")
    types, text, message = _ours(base_url, "hi")
    assert types == sdk_types
    assert text == sdk_text
    assert _drop_none(message) == _drop_none(sdk_message)


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
