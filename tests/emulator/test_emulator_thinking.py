"""Echoed thinking: blocks in the latest assistant turn must come back as they were sent.

Modified (signature not the emulator's for the text) or dropped beside a tool call -> 400 with
the documented message; claude_nb's own tool loop, which echoes thinking, passes.
"""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb import Session
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.emulator._responders import signature_for
from claude_nb.testing import assistant, body, post, text, thinking, user

HAIKU = "claude-haiku-4-5"  # 200k context, prefill allowed, no system messages
OLD = {"anthropic-version": "2023-06-01"}
THINKING_MESSAGE = (
    "`thinking` or `redacted_thinking` blocks in the latest assistant message cannot be "
    "modified. These blocks must remain as they were in the original response."
)
TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}


def _tool_turn(emulator: Emulator) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    first = body(
        HAIKU,
        user(text("please call lookup")),
        tools=[TOOL],
        thinking={"type": "enabled", "budget_tokens": 1024},
        max_tokens=2000,
    )
    message = post("/v1/messages", OLD, first, emulator).json()
    assert [block["type"] for block in message["content"]][::2] == ["thinking", "tool_use"]
    return first["messages"], message


def _follow_up(history: list[dict[str, Any]], content: list[dict[str, Any]]) -> dict[str, Any]:
    tool_id = next(block["id"] for block in content if block["type"] == "tool_use")
    result = {"type": "tool_result", "tool_use_id": tool_id, "content": "42"}
    return body(
        HAIKU,
        *history,
        assistant(*content),
        user(result),
        tools=[TOOL],
        thinking={"type": "enabled", "budget_tokens": 1024},
        max_tokens=2000,
    )


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("echoed", 200),
        ("dropped", 400),
        ("re-signed", 400),
    ],
)
def test_thinking_beside_tool_calls_must_come_back_unchanged(change: str, status: int) -> None:
    emulator = Emulator(require_key=False)
    history, message = _tool_turn(emulator)
    content = message["content"]
    if change == "dropped":
        content = [block for block in content if block["type"] != "thinking"]
    elif change == "re-signed":  # a valid signature, but not the block the emulator sent
        content = [thinking("another plan") if b["type"] == "thinking" else b for b in content]
    response = post("/v1/messages", OLD, _follow_up(history, content), emulator)
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["error"]["message"].endswith(THINKING_MESSAGE)
    counted = post(
        "/v1/messages/count_tokens",
        OLD,
        {k: v for k, v in _follow_up(history, content).items() if k != "max_tokens"},
        emulator,
    )
    assert counted.status_code == status


def test_redacted_thinking_beside_a_tool_call_cannot_change() -> None:
    turn = {
        "content": [
            {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va"},
            {"type": "tool_use", "name": "lookup", "input": {}},
        ]
    }
    emulator = Emulator(require_key=False, responder=ScriptedResponder([turn], repeat_last=True))
    history, message = (
        [user(text("go"))],
        post("/v1/messages", OLD, body(HAIKU, user(text("go")), tools=[TOOL]), emulator).json(),
    )
    ok = post("/v1/messages", OLD, _follow_up(history, message["content"]), emulator)
    assert ok.status_code == 200, ok.text
    changed = [dict(block) for block in message["content"]]
    changed[0]["data"] = "EmwKAhgBEgy3vb"
    bad = post("/v1/messages", OLD, _follow_up(history, changed), emulator)
    assert bad.status_code == 400
    assert THINKING_MESSAGE in bad.json()["error"]["message"]


@pytest.mark.parametrize("stream", [True, False])
def test_claude_nb_tool_loop_echoes_thinking_the_emulator_accepts(stream: bool) -> None:
    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator, environ={}, max_retries=0, model=HAIKU)
    session.tools.register(lookup)
    options: dict[str, Any] = {
        "stream": stream,
        "max_tokens": 4000,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    reply = session.ask("please call lookup", **options)
    assert reply.error is None, reply.error
    sent = [request.body for request in emulator.requests if request.path == "/v1/messages"]
    echoed = sent[1]["messages"][1]["content"]
    assert echoed[0]["type"] == "thinking"
    assert echoed[0]["signature"] == signature_for(echoed[0]["thinking"])
    again = session.ask("and now?", **options)
    assert again.error is None, again.error


def lookup() -> str:
    """Look something up."""
    return "42"
