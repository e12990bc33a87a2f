"""``Session.stream`` / ``stream_async``: events, text, history, ledger, faults, early exits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from claude_nb import _exceptions as errors
from claude_nb._session.reply import Reply
from claude_nb._session.session import Session
from claude_nb._session.streaming import StreamClosed
from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import canary_key

KEY = canary_key("stream-secret-0123456789")
WORDS = "Streaming one word at a time, in order, for the test."
TURN = {"content": [{"type": "text", "text": WORDS}], "delta_count": 6}
TYPES = [
    "message_start",
    "content_block_start",
    "ping",
    *["content_block_delta"] * 6,
    "content_block_stop",
    "message_delta",
    "message_stop",
]


def _session(*turns: Any, **options: Any) -> Session:
    emulator = Emulator(require_key=False, responder=ScriptedResponder(turns or [TURN]))
    session = Session(emulator=emulator, environ={}, **options)
    session._sync_client()._sleep = lambda seconds: None
    return session


def _without_ids(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key != "id"}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(require_key=True, responder=ScriptedResponder([TURN], repeat_last=True))
    with emulator.serve() as base_url:
        yield emulator, base_url


def _http_session(base_url: str, **options: Any) -> Session:
    session = Session(KEY, base_url, environ={}, **options)
    session._sync_client()._sleep = lambda seconds: None
    return session


def test_events_are_the_api_dicts_in_order() -> None:
    with _session() as session, session.stream("Hi", max_tokens=300) as s:
        events = list(s)
    assert [event["type"] for event in events] == TYPES
    start = events[0]["message"]
    assert start["role"] == "assistant" and start["content"] == [] and start["id"]
    assert events[1] == {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    deltas = [event["delta"]["text"] for event in events if event["type"] == "content_block_delta"]
    assert "".join(deltas) == WORDS
    assert events[-2]["delta"]["stop_reason"] == "end_turn" and events[-1] == {
        "type": "message_stop"
    }
    assert s.text == WORDS and s.reply is not None and s.reply.text == WORDS


def test_unknown_event_types_pass_through() -> None:
    payload = (
        b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1",'
        b'"type":"message","role":"assistant","model":"claude-opus-5","content":[],"usage":{}}}\n\n'
        b'event: surprise\ndata: {"type":"surprise","x":1}\n\n'
        b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    )
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=payload
        )
    )
    http = httpx.Client(base_url="https://api.test", transport=transport)
    with (
        Session(KEY, "https://api.test", http_client=http, environ={}) as session,
        session.stream("Hi") as s,
    ):
        events = list(s)
    assert events[1] == {"type": "surprise", "x": 1}
    assert [event["type"] for event in events] == ["message_start", "surprise", "message_stop"]


def test_text_stream_is_the_reply_text_and_final_message_is_what_ask_returns() -> None:
    with _session() as session, session.stream("Hi", max_tokens=300) as s:
        pieces = list(s.text_stream)
        message = s.final_message()
    with _session() as other:
        asked = other.ask("Hi", max_tokens=300)
    assert len(pieces) == 6 and "".join(pieces) == s.text == WORDS
    assert s.reply is not None and s.reply.message is message
    assert _without_ids(message) == _without_ids(asked.message)
    assert s.reply.request == {**asked.request}


def test_final_message_drains_the_rest() -> None:
    with _session() as session, session.stream("Hi") as s:
        first = next(iter(s))
        message = s.final_message()
        assert list(s) == [] and list(s.text_stream) == []
    assert first["type"] == "message_start" and message["stop_reason"] == "end_turn"


def test_history_ledger_and_callbacks_as_ask() -> None:
    with _session(TURN, TURN) as session:
        calls: list[Reply] = []
        changes: list[Any] = []
        session.on_call.append(calls.append)
        session.on_history.append(changes.append)
        with session.stream("Hi", system="Be brief.") as s:
            s.final_message()
        assert s.reply is calls[0] is session.last_reply
        assert session.history == [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [{"type": "text", "text": WORDS}]},
        ]
        assert changes[0].offset == 0 and changes[0].turns == session.history
        assert len(session.ledger.records) == 1
        assert session.ledger.records[0].output_tokens == s.reply.usage["output_tokens"] > 0
        assert s.reply.request["system"] == "Be brief." and s.reply.offline
        assert s.reply.time_to_first_token is not None
        reply = session.ask("Again")  # the history is valid for the next request
        assert reply.request["messages"][:2] == session.history[:2]


def test_history_false_sends_and_keeps_no_history() -> None:
    with _session(TURN, TURN) as session:
        session.ask("First")
        with session.stream("One-shot", history=False) as s:
            s.final_message()
        assert s.reply is not None and len(s.reply.request["messages"]) == 1
        assert len(session.history) == 2


def test_break_early_closes_and_records_an_interrupt() -> None:
    with _session(TURN, "Next.") as session:
        with session.stream("Go") as s:
            for event in s:
                if event["type"] == "content_block_delta":
                    break
        reply = s.reply
        assert reply is not None and reply.interrupted and isinstance(reply.error, StreamClosed)
        assert session.last_reply is reply and len(session.ledger.records) == 1
        first_word = event["delta"]["text"]
        assert 0 < len(first_word) < len(WORDS)
        assert s.text == reply.text == first_word
        assert session.history == [
            {"role": "user", "content": "Go"},
            {"role": "assistant", "content": [{"type": "text", "text": first_word}]},
        ]
        assert s.final_message() == reply.message  # the partial message
        assert session.ask("Continue").text == "Next."
        assert len(session.history) == 4


def test_leaving_before_any_text_drops_the_user_turn() -> None:
    with _session() as session:
        with session.stream("Go") as s:
            pass
        assert s.reply is not None and s.reply.interrupted and s.reply.text == ""
        assert session.history == []


def test_an_error_in_the_body_is_an_interrupt_and_propagates() -> None:
    with _session() as session:
        with pytest.raises(ValueError, match="mine"), session.stream("Go") as s:
            for piece in s.text_stream:
                raise ValueError(f"mine {piece}")
        assert s.reply is not None and s.reply.interrupted and s.reply.text
        assert len(session.history) == 2


def test_keyboard_interrupt_in_the_body_is_recorded_as_itself() -> None:
    with _session() as session:
        with pytest.raises(KeyboardInterrupt), session.stream("Go") as s:
            for _ in s.text_stream:
                raise KeyboardInterrupt
        assert s.reply is not None and isinstance(s.reply.error, KeyboardInterrupt)
        assert s.reply.interrupted and len(session.history) == 2


def test_leaving_early_closes_the_http_response() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield (
                b'event: message_start\ndata: {"type":"message_start","message":{"id":"m",'
                b'"type":"message","role":"assistant","model":"claude-opus-5","content":[],"usage":{}}}\n\n'
                b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
                b'"content_block":{"type":"text","text":""}}\n\n'
            )
            while True:
                yield (
                    b'event: content_block_delta\ndata: {"type":"content_block_delta",'
                    b'"index":0,"delta":{"type":"text_delta","text":"la "}}\n\n'
                )

        def close(self) -> None:
            closed.append(True)

    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Body()
        )
    )
    http = httpx.Client(base_url="https://api.test", transport=transport)
    with Session(KEY, "https://api.test", http_client=http, environ={}) as session:
        with session.stream("Sing") as s:
            for count, _ in enumerate(s.text_stream):
                if count == 2:
                    break
        assert closed == [True]
        assert s.reply is not None and s.reply.interrupted and s.reply.text == "la la la "


def test_ctrl_c_while_reading_the_network_is_an_interrupt() -> None:
    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield (
                b'event: message_start\ndata: {"type":"message_start","message":{"id":"m",'
                b'"type":"message","role":"assistant","model":"claude-opus-5","content":[],'
                b'"usage":{}}}\n\n'
                b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
                b'"content_block":{"type":"text","text":""}}\n\n'
                b'event: content_block_delta\ndata: {"type":"content_block_delta",'
                b'"index":0,"delta":{"type":"text_delta","text":"half"}}\n\n'
            )
            raise KeyboardInterrupt

    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Body()
        )
    )
    http = httpx.Client(base_url="https://api.test", transport=transport)
    with Session(KEY, "https://api.test", http_client=http, environ={}) as session:
        seen: list[str] = []
        with pytest.raises(KeyboardInterrupt), session.stream("Go") as s:
            seen.extend(s.text_stream)
        assert seen == ["half"] and s.reply is session.last_reply is not None
        assert s.reply.interrupted and isinstance(s.reply.error, KeyboardInterrupt)
        assert session.history[-1] == {
            "role": "assistant",
            "content": [{"type": "text", "text": "half"}],
        }


def test_iterating_again_continues_where_it_stopped() -> None:
    with _session() as session, session.stream("Hi") as s:
        head = [next(s) for _ in range(4)]
        pieces = list(s.text_stream)
        rest = list(s)
    assert [event["type"] for event in head] == TYPES[:4]
    assert len(pieces) == 5 and head[3]["delta"]["text"] + "".join(pieces) == WORDS
    assert rest == [] and s.reply is not None and s.reply.text == WORDS


def test_the_request_goes_on_entering_and_before_send_can_refuse_it() -> None:
    with _session() as session:
        stream = session.stream("Hi")
        assert session._emulator is None or not session._emulator.requests

        def refuse(body: dict[str, Any]) -> None:
            raise RuntimeError("over budget")

        session.before_send.append(refuse)
        with pytest.raises(RuntimeError, match="over budget"), stream:
            pass
        assert session.last_reply is None and session.history == []


def test_tools_are_offered_never_run() -> None:
    ran: list[str] = []

    def get_weather(city: str) -> str:
        """The weather in a city."""
        ran.append(city)
        return "sunny"

    turn = {
        "content": [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}},
        ],
        "stop_reason": "tool_use",
    }
    with _session(turn) as session:
        session.tools.register(get_weather)
        with session.stream("Weather in Oslo?", tools=[get_weather]) as s:
            events = list(s)
    assert ran == []
    assert s.reply is not None and s.reply.request["tools"][0]["name"] == "get_weather"
    assert any(event.get("content_block", {}).get("type") == "tool_use" for event in events)
    assert s.reply.stop_reason == "tool_use"
    assert s.reply.message["content"][1]["input"] == {"city": "Oslo"}
    with _session() as plain:
        plain.tools.register(get_weather)
        assert "tools" not in plain.stream("Hi")._call.body  # none by default


# -- faults over real HTTP (127.0.0.1) -------------------------------------------------------


def test_a_429_then_success_is_retried(served: tuple[Emulator, str]) -> None:
    emulator, base_url = served
    with _http_session(base_url) as session:
        emulator.inject("429;retry-after=0.01", times=1)
        with session.stream("Hi") as s:
            events = list(s)
    assert [event["type"] for event in events] == TYPES
    assert s.reply is not None and s.reply.retries == 1 and s.reply.text == WORDS


def test_a_failure_after_message_start_is_retried_without_repeating_events(
    served: tuple[Emulator, str],
) -> None:
    emulator, base_url = served
    with _http_session(base_url) as session:
        emulator.inject("error-after:2", times=1)  # message_start, content_block_start, error
        with session.stream("Hi") as s:
            events = list(s)
    assert [event["type"] for event in events] == TYPES
    assert s.reply is not None and s.reply.retries == 1


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("truncate-after:5", errors.IncompleteStreamError),
        ("error-after:5", errors.StreamEventError),
    ],
)
def test_a_stream_cut_midway_raises_the_typed_error_with_partial(
    served: tuple[Emulator, str], fault: str, expected: type[errors.APIError]
) -> None:
    emulator, base_url = served
    with _http_session(base_url) as session:
        emulator.inject(fault, times=1)
        seen: list[str] = []
        with pytest.raises(expected) as caught, session.stream("Hi") as s:
            seen.extend(s.text_stream)
        error = caught.value
        assert error.partial is not None and error.partial_text == "".join(seen) != ""
        assert session.last_reply is s.reply and s.reply is not None
        assert s.reply.error is error and not s.reply.interrupted
        assert s.reply.text == error.partial_text
        assert session.history == [] and len(session.ledger.records) == 1
        with pytest.raises(expected):
            s.final_message()


def test_a_failure_before_the_stream_raises_on_entering(served: tuple[Emulator, str]) -> None:
    emulator, base_url = served
    with _http_session(base_url, max_retries=1) as session:
        emulator.inject("529", times=2)
        with pytest.raises(errors.OverloadedError) as caught, session.stream("Hi"):
            pytest.fail("the body must not run")
        assert caught.value.retries == 1 and session.last_reply is not None
        assert session.last_reply.error is caught.value and session.history == []


# -- the async twin -------------------------------------------------------------------------


def test_async_twin_gives_the_same_events_text_and_history() -> None:
    with _session() as session, session.stream("Hi") as s:
        sync_events = list(s)

    async def scenario() -> tuple[list[Any], list[str], dict[str, Any], Session]:
        session = _session(TURN, TURN)
        try:
            async with session.stream_async("Hi") as s:
                events = [event async for event in s]
            async with session.stream_async("Again") as t:
                pieces = [piece async for piece in t.text_stream]
                message = await t.final_message()
            return events, pieces, message, session
        finally:
            await session.aclose()

    events, pieces, message, async_session = asyncio.run(scenario())

    def shape(event: dict[str, Any]) -> Any:
        return {**event, "message": _without_ids(event["message"])} if "message" in event else event

    assert [shape(event) for event in events] == [shape(event) for event in sync_events]
    assert "".join(pieces) == message["content"][0]["text"] == WORDS
    assert len(async_session.history) == 4 and len(async_session.ledger.records) == 2


def test_async_break_and_cancel_are_interrupts() -> None:
    async def scenario() -> tuple[Reply | None, Reply | None, int]:
        session = _session(TURN, TURN)
        try:
            async with session.stream_async("Go") as s:
                async for event in s:
                    if event["type"] == "content_block_delta":
                        break

            async def cancelled() -> None:
                async with session.stream_async("Again") as t:
                    async for _ in t.text_stream:
                        asyncio.current_task().cancel()  # type: ignore[union-attr]
                        await asyncio.sleep(0)

            with pytest.raises(asyncio.CancelledError):
                await cancelled()
            return s.reply, session.last_reply, len(session.history)
        finally:
            await session.aclose()

    first, second, turns = asyncio.run(scenario())
    assert first is not None and first.interrupted and isinstance(first.error, StreamClosed)
    assert second is not None and second.interrupted
    assert isinstance(second.error, asyncio.CancelledError) and turns == 4


def test_async_failure_raises_the_typed_error(served: tuple[Emulator, str]) -> None:
    emulator, base_url = served

    async def scenario() -> tuple[errors.APIError, Reply | None]:
        session = Session(KEY, base_url, environ={})
        try:
            emulator.inject("truncate-after:5", times=1)
            with pytest.raises(errors.IncompleteStreamError) as caught:
                async with session.stream_async("Hi") as s:
                    async for _ in s:
                        pass
            return caught.value, session.last_reply
        finally:
            await session.aclose()

    error, reply = asyncio.run(scenario())
    assert error.partial_text and reply is not None and reply.text == error.partial_text
