"""The official SDK against the emulator over HTTP for the 2026-12 API (API.md §8).

Server tools (web search, web fetch: blocks the SDK parses into its own types, the searches
in ``usage.server_tool_use``), the Files API (``client.files``), preserved thinking (the
service's 400 for a bound block under another prefix, ``drop_block``), cache diagnostics
(``message.diagnostics.cache_miss_reason``) and a retired model (404).
"""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest
from anthropic.types import (
    FileMetadata,
    ServerToolUseBlock,
    WebFetchToolResultBlock,
    WebSearchToolResultBlock,
)

import claude_nb
from claude_nb.emulator import Emulator

MODEL = "claude-opus-5"
BOUND = "claude-opus-5-5"  # binds thinking to its prefix
CORPUS = "https://example.com/claude-nb-sample-corpus/"


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(log_requests=None)


@pytest.fixture(scope="module")
def client(emulator: Emulator) -> Iterator[anthropic.Anthropic]:
    with emulator.serve() as base_url, anthropic.Anthropic(
        api_key="sk-test-key", base_url=base_url, max_retries=0
    ) as sdk:
        yield sdk


def ask(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


def test_web_search_blocks_parse_and_the_searches_are_counted(client):
    message = client.messages.create(
        model=MODEL, max_tokens=1000, messages=ask("What does web search cost?"),
        tools=[claude_nb.web_search(max_uses=3)],
    )
    use, result, text = message.content
    assert isinstance(use, ServerToolUseBlock) and use.name == "web_search"
    assert isinstance(result, WebSearchToolResultBlock) and result.tool_use_id == use.id
    assert result.content and all(item.url.startswith(CORPUS) for item in result.content)
    assert "sample corpus" in text.text and "not from the web" in text.text
    assert message.usage.server_tool_use is not None
    assert message.usage.server_tool_use.web_search_requests == 1


def test_allowed_domains_are_honoured_offline(client):
    message = client.messages.create(
        model=MODEL, max_tokens=1000, messages=ask("What does web search cost?"),
        tools=[claude_nb.web_search(allowed_domains=["docs.example.org"])],
    )
    assert message.content[1].content == []  # no sample page is on that domain


def test_streamed_web_fetch_parses_into_the_sdk_types(client):
    with client.messages.stream(
        model=MODEL, max_tokens=1000, tools=[claude_nb.web_fetch()],
        messages=ask(f"Summarise {CORPUS}files-api please"),
    ) as stream:
        message = stream.get_final_message()
    use, result, _ = message.content
    assert isinstance(use, ServerToolUseBlock) and use.input == {"url": f"{CORPUS}files-api"}
    assert isinstance(result, WebFetchToolResultBlock)
    assert result.content.type == "web_fetch_result"
    assert "500 MB" in result.content.content.source.data
    assert message.usage.server_tool_use.web_fetch_requests == 1


def test_an_unknown_url_is_not_pretended_to_be_fetched(client):
    message = client.messages.create(
        model=MODEL, max_tokens=1000, tools=[claude_nb.web_fetch()],
        messages=ask("Read https://news.example.net/today"),
    )
    assert message.content[1].content.type == "web_fetch_tool_result_error"
    assert message.content[1].content.error_code == "url_not_accessible"


def test_files_upload_list_retrieve_use_and_delete(client):
    uploaded = client.files.upload(file=("notes.txt", b"The launch is on Tuesday.", "text/plain"))
    assert isinstance(uploaded, FileMetadata) and uploaded.id.startswith("file_")
    assert (uploaded.filename, uploaded.size_bytes) == ("notes.txt", 25)
    assert uploaded.id in [item.id for item in client.files.list()]
    assert client.files.retrieve_metadata(uploaded.id).mime_type == "text/plain"
    content = [
        {"type": "document", "source": {"type": "file", "file_id": uploaded.id}},
        {"type": "text", "text": "When is the launch?"},
    ]
    message = client.messages.create(
        model=MODEL, max_tokens=300, messages=[{"role": "user", "content": content}]
    )
    assert "Tuesday" in message.content[0].text
    with pytest.raises(anthropic.BadRequestError, match="cannot be downloaded"):
        client.files.download(uploaded.id)
    assert client.files.delete(uploaded.id).type == "file_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.files.retrieve_metadata(uploaded.id)
    with pytest.raises(anthropic.NotFoundError, match="File not found"):
        client.messages.create(
            model=MODEL, max_tokens=300, messages=[{"role": "user", "content": content}]
        )


def test_files_over_the_limit_are_refused_with_413(emulator, client):
    emulator._files.max_bytes = 10
    try:
        with pytest.raises(anthropic.APIStatusError) as caught:
            client.files.upload(file=("big.txt", b"x" * 11, "text/plain"))
    finally:
        emulator._files.max_bytes = 500 * 1024 * 1024
    assert caught.value.status_code == 413


def _thinking_turn(client: anthropic.Anthropic, system: str) -> list[dict]:
    first = client.messages.create(
        model=BOUND, max_tokens=2000, system=system, thinking={"type": "adaptive"},
        messages=ask("Plan a picnic"),
    )
    assert first.content[0].type == "thinking"
    answer = [block.model_dump(exclude_none=True) for block in first.content]
    return [*ask("Plan a picnic"), {"role": "assistant", "content": answer},
            {"role": "user", "content": "And the drinks?"}]


def test_a_bound_thinking_block_under_another_prefix_is_the_services_400(client):
    history = _thinking_turn(client, "Be helpful.")
    same = client.messages.create(
        model=BOUND, max_tokens=2000, system="Be helpful.", thinking={"type": "adaptive"},
        messages=history,
    )
    assert same.stop_reason == "end_turn"
    for change in ({"system": "Be brief."}, {"model": "claude-fable-5-2"},
                   {"tools": [{"name": "t", "input_schema": {"type": "object"}}]}):
        params = {"model": BOUND, "system": "Be helpful.", **change}
        with pytest.raises(anthropic.BadRequestError, match="bound to a different conversation"):
            client.messages.create(
                max_tokens=2000, thinking={"type": "adaptive"}, messages=history, **params
            )


def test_drop_block_lets_the_service_drop_a_bound_block(client):
    history = _thinking_turn(client, "Be helpful.")
    message = client.messages.create(
        model=BOUND, max_tokens=2000, system="Be brief.", messages=history,
        thinking={"type": "adaptive", "block_binding": {"prefix_mismatch_behavior": "drop_block"}},
        extra_headers={"anthropic-beta": "thinking-binding-controls-2026-08-01"},
    )
    assert message.stop_reason == "end_turn"


def test_cache_diagnostics_name_why_the_prefix_was_not_reused(client):
    system = [{"type": "text", "text": "Answer as a patient tutor. " * 300,
               "cache_control": {"type": "ephemeral"}}]
    first = client.messages.create(
        model=MODEL, max_tokens=200, system=system, messages=ask("Hello"),
        extra_body={"diagnostics": {"previous_message_id": None}},
    )
    assert first.diagnostics is not None and first.diagnostics.cache_miss_reason is None
    again = client.messages.create(
        model=MODEL, max_tokens=200, system=system, messages=ask("Hello"),
        extra_body={"diagnostics": {"previous_message_id": first.id}},
    )
    assert again.usage.cache_read_input_tokens and again.diagnostics.cache_miss_reason is None
    changed = [{**system[0], "text": "Answer as a strict examiner. " * 300}]
    miss = client.messages.create(
        model=MODEL, max_tokens=200, system=changed, messages=ask("Hello"),
        extra_body={"diagnostics": {"previous_message_id": again.id}},
    )
    reason = miss.diagnostics.cache_miss_reason
    assert reason.type == "system_changed" and reason.cache_missed_input_tokens > 1000
    unknown = client.messages.create(
        model=MODEL, max_tokens=200, system=system, messages=ask("Hello"),
        extra_body={"diagnostics": {"previous_message_id": "msg_unknown"}},
    )
    assert unknown.diagnostics.cache_miss_reason.type == "previous_message_not_found"


def test_a_retired_model_is_not_found(client):
    with pytest.raises(anthropic.NotFoundError, match="claude-sonnet-4-5"):
        client.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=ask("Hi"))
