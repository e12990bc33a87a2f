"""Offline streaming speed: a class without keys still sees replies stream (no key, no network)."""

from __future__ import annotations

import time

import pytest

from claude_nb import ConfigurationError, Session
from claude_nb._wire import handler_transport
from claude_nb._wire.stream import MessageSnapshot


def timed_ask(session: Session, prompt: str) -> tuple[float, float, int, int]:
    """(time to first text, total time, output tokens, events that grew the text)."""
    started = time.perf_counter()
    first: list[float] = []
    growth = 0
    seen = 0

    def on_event(snapshot: MessageSnapshot) -> None:
        nonlocal growth, seen
        length = len(snapshot.text)
        if length > seen:
            growth += 1
            seen = length
            if not first:
                first.append(time.perf_counter() - started)

    reply = session.ask(prompt, on_event=on_event, history=False)
    return first[0], time.perf_counter() - started, reply.usage["output_tokens"], growth


def test_offline_speed_paces_the_in_process_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    class RecordingTime:
        @staticmethod
        def sleep(seconds: float) -> None:
            waits.append(seconds)
            time.sleep(seconds)

    # the pacing is the delays the transport was told to wait: counted, not clocked
    monkeypatch.setattr(handler_transport, "time", RecordingTime)
    prompt = "Describe a tidy notebook in a few sentences."
    with Session(offline=True, environ={}) as instant:
        timed_ask(instant, prompt)
    assert waits == []  # no simulated speed, no waiting
    with Session(offline=True, offline_speed=400, environ={}) as paced:
        first, total, tokens, growth = timed_ask(paced, prompt)
    assert waits[0] >= 0.25  # the simulated time to first token
    assert sum(waits) >= 0.25 + 0.8 * tokens / 400
    assert first >= 0.25 and total >= sum(waits)  # a slow machine only adds to the waits
    assert growth > 5  # the text arrived in many pieces over time


def test_offline_speed_from_the_environment() -> None:
    session = Session(offline=True, environ={"CLAUDE_NB_OFFLINE_SPEED": "120"})
    assert session.settings.offline_speed == 120.0
    instant = Session(offline=True, environ={"CLAUDE_NB_OFFLINE_SPEED": "0"})
    assert instant.settings.offline_speed is None
    with pytest.raises(ConfigurationError, match="tokens per second"):
        Session(offline=True, environ={"CLAUDE_NB_OFFLINE_SPEED": "fast"})
    with pytest.raises(ConfigurationError, match="positive"):
        Session(offline=True, offline_speed=-3, environ={})



def test_config_trait_rebuilds_the_session_and_keeps_the_conversation(shell) -> None:
    magics = shell.magics_manager.registry["ClaudeMagics"]
    shell.run_cell("%claude --max-tokens 30 First question", store_history=True)
    history = list(magics.session.history)
    assert len(history) == 2
    shell.run_line_magic("config", "ClaudeMagics.offline_speed = 300")
    assert magics.session.settings.offline_speed == 300
    assert magics.session.history == history
    started = time.perf_counter()
    result = shell.run_cell("%claude --max-tokens 30 Second question", store_history=True)
    assert result.error_in_exec is None
    assert time.perf_counter() - started >= 0.25
    assert len(magics.session.history) == 4
