"""The accumulator's less travelled paths, each field checked: message_delta's copy rules,
error events, and what a malformed stream carries."""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb._api.history import close_exchange, undo_point
from claude_nb._exceptions import MalformedStreamError, StreamEventError
from claude_nb._wire.stream import MessageSnapshot, accumulate

START = {
    "type": "message_start",
    "message": {
        "id": "m",
        "role": "assistant",
        "content": [],
        "usage": {"input_tokens": 5, "output_tokens": 1},
    },
}


def fold(*events: dict[str, Any], snapshot: MessageSnapshot | None = None) -> MessageSnapshot:
    snapshot = snapshot or MessageSnapshot()
    for event in events:
        snapshot = accumulate(snapshot, event)
    return snapshot


def test_message_delta_sets_the_stop_fields_and_copies_only_what_is_given() -> None:
    snapshot = fold(
        START,
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": "stop_sequence",
                "stop_sequence": "END",
                "stop_details": {"category": "x"},
                "container": None,
            },
            "usage": {
                "output_tokens": 7,
                "cache_read_input_tokens": None,
                "server_tool_use": {"web_search_requests": 1},
            },
        },
    )
    message = snapshot.message
    assert message["stop_reason"] == "stop_sequence" and message["stop_sequence"] == "END"
    assert message["stop_details"] == {"category": "x"} and "container" not in message
    assert message["usage"] == {
        "input_tokens": 5,
        "output_tokens": 7,
        "server_tool_use": {"web_search_requests": 1},
    }
    again = fold(
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": None},
        },
        snapshot=snapshot,
    )
    assert again.message["stop_sequence"] is None  # each message_delta sets both fields
    assert again.message["usage"]["output_tokens"] is None  # output_tokens is always taken
    bare = fold(
        {"type": "message_start", "message": {"id": "m", "content": []}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
    )
    assert bare.message["usage"] == {}


def test_events_out_of_order_are_malformed_without_a_partial() -> None:
    with pytest.raises(MalformedStreamError) as caught:
        fold({"type": "message_delta", "delta": {}})
    assert str(caught.value) == "message_delta before message_start"
    assert caught.value.partial is None
    with pytest.raises(MalformedStreamError) as caught:
        fold(START, {"type": "content_block_delta", "index": 3, "delta": {}})
    assert caught.value.partial is not None and caught.value.partial["id"] == "m"


def test_an_error_event_carries_its_message_type_request_id_and_the_partial() -> None:
    snapshot = fold(
        START,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
    )
    snapshot.request_id = "req_snapshot"
    event = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(StreamEventError) as caught:
        fold(event, snapshot=snapshot)
    error = caught.value
    assert "Overloaded" in str(error) and error.error_type == "overloaded_error"
    assert error.request_id == "req_snapshot" and error.body == event
    assert error.partial is not None and error.partial["content"][0]["text"] == "Hel"
    with pytest.raises(StreamEventError) as caught:
        fold({**event, "request_id": "req_event", "error": {}}, snapshot=snapshot)
    assert caught.value.request_id == "req_event"
    assert caught.value.message == "200 error: error event in stream (request id req_event)"
    assert caught.value.error_type is None
    with pytest.raises(StreamEventError) as caught:
        fold({"type": "error"})
    assert caught.value.partial is None


def test_a_block_stop_for_an_odd_index_is_ignored() -> None:
    snapshot = fold(
        START,
        {"type": "content_block_stop", "index": [0]},
        {"type": "content_block_stop", "index": "0"},
    )
    assert snapshot.message["content"] == []


def test_a_tool_loop_cut_keeps_the_right_turn() -> None:
    prompt = {"role": "user", "content": "go"}
    call = {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "first"},
            {"type": "tool_use", "id": "a", "name": "f", "input": {}},
        ],
    }
    results = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a"}]}
    again = {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "second"},
            {"type": "tool_use", "id": "b", "name": "f", "input": {}},
        ],
    }
    kept = close_exchange([prompt, call, results, again])
    assert kept == [
        prompt,
        call,
        results,
        {"role": "assistant", "content": [{"type": "text", "text": "second"}]},
    ]
    # undo cuts at the prompt, never at a tool_result turn, from the very end
    assert undo_point([prompt, call, results, again]) == 0
    assert undo_point([prompt, call, results, kept[-1], {"role": "user", "content": "next"}]) == 4


def test_a_fresh_snapshot_and_the_fields_each_event_sets() -> None:
    fresh = MessageSnapshot()
    assert (fresh.started, fresh.finished, fresh.request_id, fresh.event, fresh.text_delta) == (
        False,
        False,
        None,
        {},
        "",
    )
    prefilled = {
        "type": "message_start",
        "message": {"id": "m", "content": [{"type": "text", "text": "Hi"}], "usage": {}},
    }
    snapshot = fold(prefilled)
    assert snapshot.message["content"] == [{"type": "text", "text": "Hi"}]
    assert snapshot.message["content"][0] is not prefilled["message"]["content"][0]
    snapshot = fold(
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "text", "text": " there"},
        },
        snapshot=snapshot,
    )
    assert snapshot.text_delta == " there" and snapshot.text == "Hi there"
    thinking = fold(
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {"type": "thinking", "thinking": ""},
        },
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "thinking_delta", "thinking": "hmm"},
        },
        snapshot=snapshot,
    )
    assert thinking.text_delta == ""
    signed = fold(
        {"type": "content_block_delta", "index": 2, "delta": {"type": "signature_delta"}},
        snapshot=thinking,
    )
    assert signed.message["content"][2]["signature"] == ""
    assert fold({"type": "ping"}, snapshot=signed).text_delta == ""


def test_citations_keep_the_text_right_and_stay_on_text_blocks() -> None:
    snapshot = fold(
        START,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "Cited."},
        },
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "thinking", "thinking": "t"},
        },
    )
    assert snapshot.text == "Cited."
    cite = {"type": "char_location", "cited_text": "x"}
    for index in (0, 1):
        snapshot = fold(
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "citations_delta", "citation": cite},
            },
            snapshot=snapshot,
        )
    assert snapshot.text == "Cited."
    assert snapshot.message["content"][0]["citations"] == [cite]
    assert "citations" not in snapshot.message["content"][1]


def test_out_of_range_blocks_and_early_blocks_are_malformed() -> None:
    with pytest.raises(MalformedStreamError) as caught:
        fold({"type": "content_block_start", "index": 0, "content_block": {"type": "text"}})
    assert str(caught.value) == "content_block_start before message_start"
    with pytest.raises(MalformedStreamError) as caught:
        fold(START, {"type": "content_block_delta", "index": 0, "delta": {}})
    assert str(caught.value) == "content_block_delta for unknown block 0"


def test_an_error_event_without_any_request_id_has_none() -> None:
    with pytest.raises(StreamEventError) as caught:
        fold(START, {"type": "error", "error": {"type": "api_error", "message": "x"}})
    assert caught.value.request_id is None


def test_a_tool_call_without_input_stops_cleanly_and_bad_json_keeps_its_cause() -> None:
    import json as json_module

    tool = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
    }
    empty = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": ""},
    }
    done = fold(
        START, tool, empty, {"type": "content_block_stop", "index": 0}, {"type": "message_stop"}
    )
    assert done.finished and done.message["content"][0]["input"] == {}
    bad = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": '{"a": ]'},
    }
    with pytest.raises(MalformedStreamError) as caught:
        fold(START, tool, bad, {"type": "content_block_stop", "index": 0})
    assert isinstance(caught.value.__cause__, json_module.JSONDecodeError)
    cut_garbage = fold(
        START, tool, bad, {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}}
    )
    block = cut_garbage.message["content"][0]
    assert block["input"] == {} and block["partial_json"] == '{"a": ]'
