"""For the same streamed bytes, claude_nb's accumulated message equals the SDK's final message.

Each fixture's raw bytes are served by a tiny HTTP server on 127.0.0.1; the official SDK
(``anthropic.Anthropic(base_url=...).messages.stream(...).get_final_message()``) and
``claude_nb.Session`` read the same bytes over real HTTP, and the two dicts are compared,
ignoring only fields the SDK fills in as None defaults.
"""

from __future__ import annotations

import anthropic
import pytest
from sse_fixture import FIXTURES, FixtureHandler, drop_none

from claude_nb import Session

SDK_STREAMS = [
    "text",
    "tool_use",
    "thinking",
    "citations",
    "unknown_events",
    "cache_usage",
]


@pytest.mark.parametrize("name", SDK_STREAMS)
def test_accumulated_message_equals_sdk_final_message(
    name: str, fixture_server: tuple[str, type[FixtureHandler]]
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

    assert drop_none(reply.message) == drop_none(sdk_message)
    assert reply.request_id == "req_fixture"
    assert reply.text == "".join(
        block["text"] for block in sdk_message["content"] if block["type"] == "text"
    )
