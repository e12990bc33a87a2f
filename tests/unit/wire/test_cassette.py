"""Cassettes through ``Session``: record over real HTTP, replay with no key (sync and async).

The emulator is served over HTTP and scripted, so a replay cannot be mistaken for the offline
emulator; ``CANARY`` is a key-shaped key no file may ever hold.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from claude_nb import Session
from claude_nb._exceptions import CassetteError, ConfigurationError
from claude_nb._wire.cassette import Exchange, normalise_request
from claude_nb.emulator import Emulator, Pacing, ScriptedResponder
from claude_nb.testing import canary_key

CANARY = canary_key("CANARYcassette0123456789abcdef")
SHAPED = canary_key("abcdefghijklmnop", kind="other")  # key-shaped, not the key
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


TOOL_TURN = {
    "content": [{"type": "tool_use", "id": "toolu_x1", "name": "add", "input": {"a": 2, "b": 3}}],
    "stop_reason": "tool_use",
}


@pytest.fixture
def served() -> Iterator[tuple[str, ScriptedResponder]]:
    responder = ScriptedResponder(repeat_last=True)
    emulator = Emulator(
        responder=responder, pacing=Pacing(tokens_per_second=80, time_to_first_token=0.2)
    )
    with emulator.serve() as url:
        yield url, responder


def recorder(url: str, path: Path, mode: str = "record", **more: object) -> Session:
    return Session(
        api_key=CANARY,
        base_url=url,
        cassette=path,
        cassette_mode=mode,
        environ={},
        cache=False,
        **more,
    )  # type: ignore[arg-type]


def player(path: Path, **more: object) -> Session:
    return Session(cassette=path, cassette_mode="replay", environ={}, cache=False, **more)  # type: ignore[arg-type]


def test_record_then_replay_sync_tool_loop_timing_and_no_key(
    served: tuple[str, ScriptedResponder], tmp_path: Path
) -> None:
    url, script = served
    for turn in (TOOL_TURN, "Five, says the recorded tide table.", "Recorded twice, first."):
        script.add(turn)
    path = tmp_path / "lesson.cassette.jsonl"
    live = recorder(url, path)
    started = time.perf_counter()
    first = live.ask(f"What is 2 + 3? (my key is {CANARY})", tools=[add])
    recorded_seconds = time.perf_counter() - started
    again = live.ask("Same question", history=False)
    script.add("Recorded twice, second.")
    again2 = live.ask("Same question", history=False)
    tokens = live.count_tokens("How many tokens?")
    text = path.read_text("utf-8")
    assert CANARY not in text and "CANARYcassette" not in text
    assert first.text == "Five, says the recorded tide table."

    replay = player(path)
    assert replay.settings.api_key is None and not replay.offline
    started = time.perf_counter()
    replayed = replay.ask(f"What is 2 + 3? (my key is {CANARY})", tools=[add])
    assert time.perf_counter() - started >= 0.6 * recorded_seconds  # the recorded pace
    assert replayed.text == first.text and len(replayed.steps) == 2  # type: ignore[attr-defined]
    assert "replayed from lesson.cassette.jsonl" in replayed.footer()
    # the same request twice: its recordings in recorded order
    assert replay.ask("Same question", history=False).text == again.text
    assert replay.ask("Same question", history=False).text == again2.text
    assert replay.count_tokens("How many tokens?") == tokens
    assert replay.ledger.records[-1].offline  # priced as simulated: nothing was spent
    with pytest.raises(
        CassetteError,
        match=r"for \"Unrecorded\" is not in the cassette "
        r"lesson\.cassette\.jsonl.*messages\[0\]\.content differs",
    ):
        replay.ask("Unrecorded", history=False)


def test_replay_async_and_instant(served: tuple[str, ScriptedResponder], tmp_path: Path) -> None:
    url, script = served
    script.add("An async answer, recorded with care and a long enough text to take a while.")
    path = tmp_path / "async.cassette.jsonl"

    async def record() -> str:
        return (await recorder(url, path).ask_async("Hello async")).text

    text = asyncio.run(record())

    async def replay() -> tuple[str, float, str]:
        started = time.perf_counter()
        reply = await player(path, cassette_speed=0).ask_async("Hello async")
        return reply.text, time.perf_counter() - started, reply.footer()

    replayed, seconds, footer = asyncio.run(replay())
    assert replayed == text and seconds < 0.2 and "replayed from" in footer


def test_auto_records_what_is_missing_and_drops_replayed_thinking(
    served: tuple[str, ScriptedResponder], tmp_path: Path
) -> None:
    url, script = served
    path = tmp_path / "auto.cassette.jsonl"
    script.add(
        {
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "SIG-recorded"},
                {"type": "text", "text": "Thought first."},
            ]
        }
    )
    recorder(url, path).ask("Think", thinking={"type": "adaptive"}, max_tokens=2048)
    script.add("Live second turn.")
    session = recorder(url, path, mode="auto", cassette_speed=0)
    sent: list[bytes] = []
    session.ask("Think", thinking={"type": "adaptive"}, max_tokens=2048)
    assert session.last_reply is not None and session.last_reply.replayed
    transport = session._clients.sync().http._transport  # type: ignore[attr-defined]
    live = transport.live
    original = live.handle_request

    def spy(request):  # type: ignore[no-untyped-def]
        sent.append(request.read())
        return original(request)

    live.handle_request = spy
    reply = session.ask("Go on", thinking={"type": "adaptive"}, max_tokens=2048)
    assert reply.text == "Live second turn." and reply.replayed is None
    assert b"SIG-recorded" not in sent[0]  # another account's signature never goes live
    # recorded as the session built it: a replay of the whole conversation matches
    replay = player(path, cassette_speed=0)
    replay.ask("Think", thinking={"type": "adaptive"}, max_tokens=2048)
    assert (
        replay.ask("Go on", thinking={"type": "adaptive"}, max_tokens=2048).text
        == "Live second turn."
    )


def test_transient_failures_are_not_recorded_only_the_retry(tmp_path: Path) -> None:
    exchange = Exchange({"method": "POST", "path": "/v1/messages"}, 529, {})
    assert exchange.transient
    overloaded = Exchange(
        {},
        200,
        {},
        events=[(0.1, {"type": "error", "error": {"type": "overloaded_error"}}, "error")],
    )
    assert overloaded.transient and not Exchange({}, 400, {}, body={}).transient


def test_normalised_request_drops_key_and_volatile_headers_and_hashes_images() -> None:
    body = json.dumps(
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                        {"type": "text", "text": f"key {CANARY}"},
                    ],
                }
            ]
        }
    ).encode()
    headers = {
        "x-api-key": CANARY,
        "Authorization": f"Bearer {CANARY}",
        "user-agent": "x/1",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "b1",
    }
    normal = normalise_request("post", "/v1/messages", "", headers, body, [CANARY])
    text = json.dumps(normal)
    assert CANARY not in text and PNG not in text and "user-agent" not in text
    assert normal["headers"] == {"anthropic-version": "2023-06-01", "anthropic-beta": "b1"}
    source = normal["body"]["messages"][0]["content"][0]["source"]
    assert set(source) == {"type", "media_type", "bytes", "sha256"}


def test_response_lines_never_hold_the_key(tmp_path: Path) -> None:
    exchange = Exchange(
        {"path": "/v1/messages"},
        200,
        {"request-id": "req_1"},
        body={"echo": f"your key {CANARY}", "other": SHAPED},
    )
    line = exchange.to_line([CANARY])
    assert CANARY not in line and SHAPED not in line
    assert json.loads(line)["response"]["headers"] == {"request-id": "req_1"}


def test_settings_replay_needs_no_key_record_needs_one(tmp_path: Path) -> None:
    path = str(tmp_path / "c.jsonl")
    env = {
        "CLAUDE_NB_CASSETTE": path,
        "CLAUDE_NB_CASSETTE_MODE": "replay",
        "CLAUDE_NB_CASSETTE_SPEED": "0",
    }
    session = Session(environ=env)
    assert session.settings.cassette == path and session.settings.cassette_speed == 0
    assert not session.offline  # never the emulator
    with pytest.raises(ConfigurationError, match=r"record.*ANTHROPIC_API_KEY"):
        Session(cassette=path, cassette_mode="record", environ={})
    with pytest.raises(ConfigurationError, match="cassette_mode must be"):
        Session(cassette=path, cassette_mode="rewind", environ={})
    with pytest.raises(CassetteError, match="not found"):
        Session(cassette=path, cassette_mode="replay", environ={}).ask("hi")


def test_models_list_is_recorded_too(served: tuple[str, ScriptedResponder], tmp_path: Path) -> None:
    url, _ = served
    path = tmp_path / "models.cassette.jsonl"
    live = recorder(url, path)
    models = live._clients.sync().list_models()
    assert player(path)._clients.sync().list_models() == models


def test_the_course_points_each_kernel_at_the_cassette_beside_its_tutorial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claude_nb._course import cassette_for, use_cassette

    tutorial = tmp_path / "01_models.ipynb"
    cassette_for(tutorial).write_text("old\n", encoding="utf-8")
    monkeypatch.delenv("CLAUDE_NB_CASSETTE", raising=False)
    monkeypatch.delenv("CLAUDE_NB_CASSETTE_MODE", raising=False)
    use_cassette(tutorial, "replay")
    assert Path(os.environ["CLAUDE_NB_CASSETTE"]).name == "01_models.cassette.jsonl"
    use_cassette(tutorial, "record")  # re-recorded afresh
    assert not cassette_for(tutorial).exists()
    use_cassette(tutorial, None)
    assert "CLAUDE_NB_CASSETTE" not in os.environ
