"""Cancelling an ``ask_async`` task loses nothing that was paid for, as Ctrl-C in ``ask`` does.

A cancelled task (a notebook's interrupt of an awaited cell, ``asyncio.wait_for``, a UI's Stop)
raises ``CancelledError`` inside the stream. The partial reply, its usage in the ledger and a
valid history must survive it, and the error must still propagate.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from claude_nb import Session, tool
from claude_nb.emulator import Emulator, Pacing, ScriptedResponder

LONG = " ".join(f"word{index}" for index in range(400))


def paced_session(responder: Any = None) -> Session:
    emulator = Emulator(
        require_key=False,
        responder=responder,
        pacing=Pacing(tokens_per_second=400, time_to_first_token=0.0),
    )
    return Session(offline=True, emulator=emulator, environ={}, max_retries=0)


async def cancel_once_text_arrives(session: Session, prompt: str, **params: Any) -> None:
    seen = asyncio.Event()

    def on_event(snapshot: Any) -> None:
        if snapshot.text:
            seen.set()

    task = asyncio.ensure_future(session.ask_async(prompt, on_event=on_event, **params))
    await asyncio.wait_for(seen.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_cancelled_stream_keeps_its_partial_reply_usage_and_a_valid_history() -> None:
    session = paced_session(ScriptedResponder([LONG]))
    asyncio.run(cancel_once_text_arrives(session, "Write a long text"))

    reply = session.last_reply
    assert reply is not None and reply.interrupted
    assert 0 < len(reply.text) < len(LONG)
    assert [record.interrupted for record in session.ledger] == [True]
    assert session.ledger.records[0].output_tokens > 0
    assert [turn["role"] for turn in session.history] == ["user", "assistant"]
    assert session.history[-1]["content"][0]["text"] == reply.text


def test_cancelled_tool_step_keeps_the_step_and_the_tool_results_that_ran() -> None:
    ran: list[str] = []

    @tool
    def lookup(key: str) -> str:
        """Look a key up.

        Args:
            key: The key.
        """
        ran.append(key)
        return f"value of {key}"

    call = {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"key": "a"}}
    responder = ScriptedResponder([{"content": [call], "stop_reason": "tool_use"}, LONG])
    session = paced_session(responder)
    asyncio.run(cancel_once_text_arrives(session, "Look a up, then write", tools=[lookup]))

    assert ran == ["a"]
    assert [record.interrupted for record in session.ledger] == [False, True]
    roles = [turn["role"] for turn in session.history]
    assert roles == ["user", "assistant", "user", "assistant"]
    results = session.history[2]["content"]
    assert results[0]["type"] == "tool_result" and "value of a" in str(results[0]["content"])
    reply = session.last_reply
    assert reply is not None and reply.interrupted and len(reply.steps) == 2
