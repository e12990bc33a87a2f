"""Tool input numbers JSON cannot carry (1e400 parses to inf, NaN) are refused, never run.

The call gets an ``is_error`` result naming the value; the model's tool_use stays in the
history with the number as ``null`` (what ``JSON.stringify`` writes), so every later request
is strict JSON. A body that still cannot be encoded is a ``ContentError`` naming where.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from claude_nb import ContentError, Session
from claude_nb._config import Settings
from claude_nb._tools.schema_check import validate_instance
from claude_nb._wire.request import build_body, encode_body

RAN: list[Any] = []


def strict(value: Any) -> bytes:
    return json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")


def scale(n: float) -> float:
    """Scale a number."""
    RAN.append(n)
    return n * 2


@pytest.mark.parametrize("text", ["1e400", "-1e400", "nan", "inf"])
def test_a_non_finite_input_is_an_error_result_and_the_tool_does_not_run(text: str) -> None:
    RAN.clear()
    session = Session(offline=True, environ={})
    session.ask(f"Use scale with n={text}", tools=[scale])
    assert RAN == []
    results = [
        block
        for turn in session.history
        if isinstance(turn["content"], list)
        for block in turn["content"]
        if block.get("type") == "tool_result"
    ]
    assert len(results) == 1 and results[0]["is_error"] is True
    assert "input.n" in results[0]["content"] and "finite" in results[0]["content"]
    session.ask("Fine, use n=2 then.", tools=[scale])  # the next request is encodable
    strict(session.last_reply.request)


@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, [1.0, math.inf], {"deep": {"x": [math.nan]}}]
)
def test_the_schema_check_refuses_non_finite_numbers_anywhere(value: Any) -> None:
    problems = validate_instance({"n": value}, {"type": "object"})  # even where unconstrained
    assert problems and "finite" in problems[0] and problems[0].startswith("input.n")


def test_build_body_writes_non_finite_tool_inputs_as_null() -> None:
    history = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "t1",
                    "name": "scale",
                    "input": {"n": math.inf, "m": [1.5, math.nan]},
                }
            ],
        },
    ]
    body = build_body(Settings(), history=history, prompt="next")
    assert body["messages"][1]["content"][0]["input"] == {"n": None, "m": [1.5, None]}
    assert history[1]["content"][0]["input"]["n"] == math.inf  # the caller's copy untouched
    passed = build_body(Settings(), params={"messages": history})  # messages= passes too
    assert passed["messages"][1]["content"][0]["input"]["n"] is None
    strict(body)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"model": "m", "temperature": math.nan}, "body['temperature']"),
        ({"model": "m", "messages": [{"role": "user", "content": "\ud800"}]}, "['content']"),
        ({"model": "m", "metadata": {"when": object()}}, "body['metadata']['when']"),
    ],
)
def test_an_unencodable_body_is_a_content_error_naming_where(body: Any, where: str) -> None:
    with pytest.raises(ContentError, match="cannot be sent") as caught:
        encode_body(body)
    assert where in str(caught.value)


def test_encode_body_matches_httpx_json_encoding() -> None:
    import httpx

    body = {"model": "m", "messages": [{"role": "user", "content": "héllo ✓"}], "x": 1.5}
    assert encode_body(body) == httpx.Request("POST", "http://x", json=body).content


@pytest.mark.parametrize("stream", [True, False])
def test_a_session_refuses_an_unencodable_body_before_sending(stream: bool) -> None:
    from claude_nb.emulator import Emulator

    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator)
    with pytest.raises(ContentError, match=r"temperature.*NaN"):
        session.ask("hello", temperature=float("nan"), stream=stream)
    assert emulator.requests == [] and session.history == []
    assert session.ask("hello again").text  # the session is still usable


def test_tool_input_nested_too_deep_is_a_malformed_stream_not_a_recursion_error() -> None:
    from claude_nb import MalformedStreamError
    from claude_nb._wire.stream import MessageSnapshot, accumulate

    snapshot = MessageSnapshot()
    accumulate(snapshot, {"type": "message_start", "message": {"id": "m", "content": []}})
    block = {"type": "tool_use", "id": "t", "name": "f", "input": {}}
    accumulate(snapshot, {"type": "content_block_start", "index": 0, "content_block": block})
    deep = "[" * 200_000 + "]" * 200_000
    delta = {"type": "input_json_delta", "partial_json": deep}
    accumulate(snapshot, {"type": "content_block_delta", "index": 0, "delta": delta})
    with pytest.raises(MalformedStreamError, match="nested too deep"):
        accumulate(snapshot, {"type": "content_block_stop", "index": 0})
