"""For the same streamed bytes, claude_nb's accumulated message equals the SDK's final message.

Each fixture's raw bytes are served by a tiny HTTP server on 127.0.0.1; the official SDK
(``anthropic.Anthropic(base_url=...).messages.stream(...).get_final_message()``) and
``claude_nb.Session`` read the same bytes over real HTTP, and the two dicts are compared,
ignoring only fields the SDK fills in as None defaults.
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

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "wire" / "fixtures"  # the wire tests' own
SDK_STREAMS = [
    "text",
    "tool_use",
    "thinking",
    "citations",
    "unknown_events",
    "cache_usage",
]


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
        # Write in small pieces so events straddle reads.
        for start in range(0, len(payload), 97):
            self.wfile.write(payload[start : start + 97])
            self.wfile.flush()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[tuple[str, type[_FixtureHandler]]]:
    handler = type("Handler", (_FixtureHandler,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
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


@pytest.mark.parametrize("name", SDK_STREAMS)
def test_accumulated_message_equals_sdk_final_message(
    name: str, fixture_server: tuple[str, type[_FixtureHandler]]
) -> None:
    base_url, handler = fixture_server
    handler.body = (FIXTURES / f"{name}.sse").read_bytes()

    client = anthropic.Anthropic(api_key="sk-ant-test-000", base_url=base_url, max_retries=0)
    try:
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=64,
            messages=[{"role": "user", "content": "hi"}],
        ) as stream:
            sdk_message = stream.get_final_message().model_dump(mode="json", exclude_none=True)
    finally:
        client.close()

    with Session(
        api_key="sk-ant-test-000", base_url=base_url, max_retries=0, environ={}
    ) as session:
        reply = session.ask("hi")

    assert _drop_none(reply.message) == _drop_none(sdk_message)
    assert reply.request_id == "req_fixture"
    assert reply.text == "".join(
        block["text"] for block in sdk_message["content"] if block["type"] == "text"
    )
