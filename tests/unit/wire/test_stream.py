from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claude_nb._exceptions import MalformedStreamError, StreamEventError
from claude_nb._wire.sse import decode_all
from claude_nb._wire.stream import MessageSnapshot, accumulate

FIXTURES = Path(__file__).parent / "fixtures"


def _events(name: str) -> list[dict[str, Any]]:
    return [json.loads(event.data) for event in decode_all((FIXTURES / f"{name}.sse").read_bytes())]


def _fold(events: list[dict[str, Any]]) -> MessageSnapshot:
    snapshot = MessageSnapshot()
    for event in events:
        snapshot = accumulate(snapshot, event)
    return snapshot


def test_text_stream_accumulates_text_and_usage() -> None:
    snapshot = _fold(_events("text"))
    assert snapshot.finished and snapshot.started
    assert snapshot.text == "Hello, world! Café ☕ 😀"
    assert snapshot.message["stop_reason"] == "end_turn"
    assert snapshot.message["usage"] == {"input_tokens": 25, "output_tokens": 12}


def test_started_only_after_a_content_delta() -> None:
    events = _events("text")
    snapshot = _fold(events[:3])  # message_start, content_block_start, ping
    assert not snapshot.started and not snapshot.finished
    accumulate(snapshot, events[3])
    assert snapshot.started and snapshot.text == "Hello"


def test_tool_input_json_is_concatenated_and_parsed_at_block_stop() -> None:
    events = _events("tool_use")
    stop_index = max(i for i, e in enumerate(events) if e["type"] == "content_block_stop")
    before_stop = _fold(events[:stop_index])
    assert before_stop.message["content"][1]["input"] == {}
    snapshot = _fold(events)
    assert snapshot.message["content"][1]["input"] == {"city": "Paris", "unit": "c", "days": [1, 2]}
    assert snapshot.message["usage"]["cache_read_input_tokens"] == 1800
    assert snapshot.message["usage"]["output_tokens"] == 57


def test_thinking_and_signature() -> None:
    block = _fold(_events("thinking")).message["content"][0]
    assert block["thinking"] == "Let me think. 2 + 2 = 4."
    assert block["signature"].startswith("EqQB")


def test_citations_are_appended_to_their_text_block() -> None:
    content = _fold(_events("citations")).message["content"]
    assert content[0]["citations"] is None
    assert [c["cited_text"] for c in content[1]["citations"]] == ["The grass is green.", "Green."]


def test_unknown_events_blocks_and_deltas_are_skipped_or_kept() -> None:
    snapshot = _fold(_events("unknown_events"))
    types = [block["type"] for block in snapshot.message["content"]]
    assert types == ["text", "web_search_tool_result", "text"]
    assert snapshot.text == "Before. After."
    assert snapshot.finished


def test_message_delta_usage_is_cumulative_and_keeps_absent_fields() -> None:
    usage = _fold(_events("cache_usage")).message["usage"]
    assert usage["output_tokens"] == 7  # overwritten, not summed
    assert usage["input_tokens"] == 30  # present in the last delta
    assert usage["cache_creation_input_tokens"] == 2048  # never in a delta: start value kept
    assert usage["cache_read_input_tokens"] == 512  # set by the first delta, kept by the second
    assert usage["server_tool_use"] == {"web_search_requests": 1}


def test_error_event_raises_with_the_partial_message() -> None:
    with pytest.raises(StreamEventError) as caught:
        _fold(_events("error_after_content"))
    error = caught.value
    assert error.error_type == "overloaded_error" and error.status_code == 200
    assert error.partial_text == "Partial answer"
    assert error.partial is not None and error.partial["usage"]["input_tokens"] == 20


def test_bad_tool_json_raises_malformed_with_partial() -> None:
    with pytest.raises(MalformedStreamError) as caught:
        _fold(_events("bad_tool_json"))
    assert caught.value.partial is not None
    assert caught.value.partial["content"][0]["name"] == "f"
    assert "not valid JSON" in str(caught.value)


def test_events_before_message_start_are_malformed() -> None:
    with pytest.raises(MalformedStreamError):
        accumulate(
            MessageSnapshot(),
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )


def _text_events(count: int) -> list[dict[str, Any]]:
    head = _events("text")[:2]
    delta = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": "word "},
    }
    return head + [delta] * count


def test_accumulating_many_deltas_keeps_every_piece() -> None:
    # How the fold scales (linear, not quadratic) is a speed claim: bench/stream_fold.py.
    snapshot = _fold(_text_events(80_000))
    assert snapshot.text == "word " * 80_000
    assert snapshot.message["content"][0]["text"] == snapshot.text


def test_reading_text_caches_the_join_until_the_next_delta() -> None:
    snapshot = _fold(_text_events(3))
    first = snapshot.text
    assert snapshot.text is first
    accumulate(snapshot, _text_events(1)[-1])
    assert snapshot.text == first + "word "
