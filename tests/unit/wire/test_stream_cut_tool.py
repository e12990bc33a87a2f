"""A tool call cut by ``max_tokens``: the partial input is kept, marked, never run, and noted.

The SDK keeps a best-effort partial parse of a cut ``input_json_delta`` buffer (``jiter``,
``partial_mode=True``); so do we, with the raw JSON text beside it, and jiter is the oracle
(property test in tests/unit/wire/test_properties.py).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from claude_nb import Session
from claude_nb._api.stop_reasons import stop_note
from claude_nb._exceptions import MalformedStreamError
from claude_nb._wire.stream import MessageSnapshot, accumulate, partial_json

RAW = '{"city": "Paris", "days": [1, 2], "note": "war'


def cut_stream(
    raw: str, *, block_stop: bool, stop_reason: str = "max_tokens"
) -> list[dict[str, Any]]:
    pieces = ["", *(raw[i : i + 7] for i in range(0, len(raw), 7))]  # the API sends "" first
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-haiku-4-5",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 30, "output_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "Checking."},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}},
        },
        *(
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            }
            for piece in pieces
        ),
    ]
    if block_stop:
        events.append({"type": "content_block_stop", "index": 1})
    events += [
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 20},
        },
        {"type": "message_stop"},
    ]
    return events


def fold(events: list[dict[str, Any]]) -> MessageSnapshot:
    snapshot = MessageSnapshot()
    for event in events:
        snapshot = accumulate(snapshot, event)
    return snapshot


@pytest.mark.parametrize("block_stop", [True, False])
def test_a_cut_tool_input_keeps_the_raw_json_and_a_partial_parse(block_stop: bool) -> None:
    snapshot = fold(cut_stream(RAW, block_stop=block_stop))
    block = snapshot.message["content"][1]
    assert block["input"] == {"city": "Paris", "days": [1, 2]}  # what jiter's partial mode gives
    assert block["partial_json"] == RAW  # what was paid for, kept whole
    assert snapshot.message["stop_reason"] == "max_tokens"


def test_a_call_cut_before_any_input_is_marked_too() -> None:
    block = fold(cut_stream("", block_stop=True)).message["content"][1]
    assert block["input"] == {} and block["partial_json"] == ""
    no_arguments = fold(cut_stream("", block_stop=True, stop_reason="tool_use"))
    assert "partial_json" not in no_arguments.message["content"][1]


def test_a_complete_tool_input_carries_no_partial_mark() -> None:
    whole = '{"city": "Paris"}'
    block = fold(cut_stream(whole, block_stop=True, stop_reason="tool_use")).message["content"][1]
    assert block == {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "weather",
        "input": {"city": "Paris"},
    }


def test_cut_json_without_max_tokens_is_still_malformed() -> None:
    with pytest.raises(MalformedStreamError, match="not valid JSON"):
        fold(cut_stream(RAW, block_stop=True, stop_reason="tool_use"))
    with pytest.raises(MalformedStreamError, match="not valid JSON"):  # garbage is never a cut
        fold(cut_stream('{"city": ]', block_stop=True))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ("{", {}),
        ('{"a"', {}),
        ('{"a": tr', {}),
        ('{"a": 1.', {}),
        ('{"a": 12', {"a": 12}),
        ('{"a": true, "b": nul', {"a": True}),
        ('{"a": {"x": [1, {"y": "z"', {"a": {"x": [1, {"y": "z"}]}}),
        ('{"a": "x\\', {}),
        ('{"a": "x\\"y", "b": "\\u00e9', {"a": 'x"y'}),
        ('{"a": [1, 2], ', {"a": [1, 2]}),
    ],
)
def test_partial_json_matches_the_sdk_partial_mode(raw: str, expected: Any) -> None:
    assert partial_json(raw) == expected


def test_the_note_names_the_cut_call() -> None:
    message = fold(cut_stream(RAW, block_stop=True)).message
    note = stop_note(message, {"max_tokens": 64})
    assert note is not None and "max_tokens (64)" in note
    assert "weather" in note and "incomplete" in note and "did not run" in note
    # a text-only cut says nothing about tool calls
    plain = stop_note({"stop_reason": "max_tokens", "content": [{"type": "text", "text": "a"}]})
    assert plain is not None and "did not run" not in plain


def sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(
        f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode() for event in events
    )


def test_a_session_never_runs_the_cut_call_and_says_so() -> None:
    ran: list[Any] = []

    def weather(city: str, days: list[int], note: str) -> str:
        """Weather for a city."""
        ran.append(city)
        return "sunny"

    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 1:
            return httpx.Response(
                200,
                headers={"content-type": "text/event-stream"},
                content=sse(cut_stream(RAW, block_stop=True)),
            )
        done = [
            event
            for event in cut_stream("", block_stop=False, stop_reason="end_turn")
            if event.get("index") != 1
        ]
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=sse(done))

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.test")
    session = Session(
        api_key="sk-ant-test",
        http_client=client,
        environ={},
        max_retries=0,
        model="claude-haiku-4-5",
    )
    session.tools.register(weather)
    reply = session.ask("Weather in Paris?", max_tokens=64)
    assert ran == []  # never run on a partial input
    assert reply.stop_reason == "max_tokens"
    cut = reply.message["content"][1]
    assert cut["partial_json"] == RAW and cut["input"] == {"city": "Paris", "days": [1, 2]}
    assert reply.stop_note is not None and "weather" in reply.stop_note
    assert "did not run" in reply._repr_markdown_()
    # the history keeps only the text: the cut call has no result to go with it
    assert session.history[-1] == {"role": "assistant", "content": "Checking."} or (
        session.history[-1]
        == {"role": "assistant", "content": [{"type": "text", "text": "Checking."}]}
    )
    session.ask("and now?", tools=[])
    assert "partial_json" not in json.dumps(bodies[-1])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a":1,"b":[2,3],"c":{"d":"e"}}', {"a": 1, "b": [2, 3], "c": {"d": "e"}}),
        ('{"a":1,"b":[2,3', {"a": 1, "b": [2, 3]}),
        ('{"a":"\\u00e9","b":"\\u00', {"a": "é"}),
        ('{"a":"\\ud83d\\ude00","b":"\\ud83d\\u', {"a": "😀"}),
        ('[1,"x",{"k":[true', [1, "x", {"k": [True]}]),
        ('{"a" :1 , "b" : 2', {"a": 1, "b": 2}),
        ('{"a": "' + "x" * 40, {}),  # a long string cut far from its start
        ("[", []),
        ("[]", []),
        ("  ", {}),
        ("-", {}),
        ("12.5", 12.5),
    ],
)
def test_partial_json_on_compact_and_spaced_text(raw: str, expected: Any) -> None:
    assert partial_json(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{X", "expected a key at 1"),
        ('{"a" 1', "expected ':' at 5"),
        ('{"a": 1 2', "expected ',' or '}' at 8"),
        ("[1 2", "expected ',' or ']' at 3"),
        ('{"a": 1x', "expected ',' or '}' at 7"),
        ('{"a": 1.5.5', "bad number at 6"),
        ('{"a": ?', "unexpected '?' at 6"),
        ('{"a": "\\q' + "x" * 10, "Invalid \\escape"),
        ('{"a": "\\u12zz"', "Invalid \\uXXXX escape"),
        ("1 2", "extra data at 1"),
        ("X", "unexpected 'X' at 0"),
        ("[" * 100_000, "nested too deep"),
    ],
)
def test_partial_json_refuses_what_no_cut_can_explain(raw: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        partial_json(raw)
    assert str(caught.value).startswith(message)
