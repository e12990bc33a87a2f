"""A long conversation costs its new turns only: no per-turn pass over the whole history.

The client's Python work for one ``Session.ask`` (function calls in ``claude_nb``, counted
with ``sys.setprofile`` on the asking thread; the emulator answers over HTTP on its own
thread) must not grow with the history, and the emulator must estimate only the new turns
of each request. The key is still never sent: a turn replaced in the history is redacted
again, and anything changed in place is caught by the last guard on the bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

import claude_nb._api.estimate as estimate
from claude_nb import Session
from claude_nb.emulator import Emulator
from claude_nb.testing import canary_key

KEY = canary_key("TURNCOST") + "q" * 40
PROMPT = "one more idea about long conversations, please " * 3


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator()
    with emulator.serve() as url:
        yield emulator, url


def _calls_in_one_ask(session: Session) -> int:
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call" and "claude_nb" in frame.f_code.co_filename:
            count += 1

    sys.setprofile(profile)
    try:
        session.ask(PROMPT)
    finally:
        sys.setprofile(None)
    return count


def test_client_work_per_ask_does_not_grow_with_the_history(served: Any) -> None:
    _, url = served
    session = Session(KEY, url, model="claude-sonnet-5-5", environ={})
    for _ in range(20):
        session.ask(PROMPT)
    short = min(_calls_in_one_ask(session) for _ in range(3))
    for _ in range(180):
        session.ask(PROMPT)
    long = min(_calls_in_one_ask(session) for _ in range(3))
    assert long < short * 1.5 + 200, (short, long)  # 10x the history, about the same work


def test_the_emulator_estimates_only_the_new_turns(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = served
    session = Session(KEY, url, model="claude-sonnet-5-5", environ={})
    for _ in range(60):
        session.ask(PROMPT)
    counted = [0]
    original = estimate.block_tokens

    def counting(block: Any, **options: Any) -> int:
        counted[0] += 1
        return original(block, **options)

    monkeypatch.setattr(estimate, "block_tokens", counting)
    session.ask(PROMPT)
    # client and emulator: the new user turn (a few times) and the last answer, not 120 turns
    assert counted[0] <= 12, counted[0]


def test_a_replaced_history_turn_is_redacted_again_and_the_bytes_always_are(
    served: Any,
) -> None:
    emulator, url = served
    session = Session(KEY, url, model="claude-sonnet-5-5", environ={})
    for _ in range(3):
        session.ask(PROMPT)
    session.history[0] = {"role": "user", "content": f"my key is {KEY}"}  # a replaced turn
    body = session.build_request("next")
    assert KEY not in str(body) and "REDACTED" in str(body["messages"][0])
    session.history[2]["content"] = [{"type": "text", "text": f"and {KEY}"}]  # content swapped
    assert KEY not in str(session.build_request("next"))
    block = session.history[4]["content"]
    if isinstance(block, list):  # a block changed in place: caught on the wire
        block[0]["text"] += KEY
    else:
        session.history[4]["content"] = [{"type": "text", "text": block + KEY}]
    session.ask("and now?")
    sent = emulator.requests[-1]
    assert KEY not in str(sent)
