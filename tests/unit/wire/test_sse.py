from __future__ import annotations

from pathlib import Path

import pytest

from claude_nb._wire.sse import ServerSentEvent, SSEDecoder, decode_all

FIXTURES = Path(__file__).parent / "fixtures"


def _feed_in_pieces(payload: bytes, size: int) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for start in range(0, len(payload), size):
        events.extend(decoder.feed(payload[start : start + size]))
    return events + decoder.flush()


@pytest.mark.parametrize("separator", ["\n", "\r", "\r\n"])
def test_every_line_ending_splits_events(separator: str) -> None:
    text = "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n".replace("\n", separator)
    events = decode_all(text.encode())
    assert [(event.event, event.data) for event in events] == [("a", "1"), ("b", "2")]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
def test_chunk_boundaries_anywhere_give_the_same_events(size: int) -> None:
    payload = (FIXTURES / "text.sse").read_bytes().replace(b"\n", b"\r\n")
    assert _feed_in_pieces(payload, size) == decode_all(payload)
    assert len(decode_all(payload)) == 11


def test_utf8_character_split_across_chunks() -> None:
    payload = "data: café ☕ 😀\n\n".encode()
    for cut in range(1, len(payload)):
        decoder = SSEDecoder()
        events = decoder.feed(payload[:cut]) + decoder.feed(payload[cut:])
        assert [event.data for event in events] == ["café ☕ 😀"]


def test_comments_multiline_data_ids_retry_and_unknown_fields() -> None:
    text = (
        ": comment only\n\n"
        "event: multi\ndata: line one\ndata:line two\ndata\nid: 7\nretry: 1500\nfoo: bar\n\n"
        "data: no event name\n\n"
    )
    events = decode_all(text)
    assert events == [
        ServerSentEvent("multi", "line one\nline two\n", "7", 1500),
        ServerSentEvent("", "no event name", "7", None),
    ]


def test_last_event_without_blank_line_is_flushed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: x\ndata: {}\n") == []
    assert decoder.flush() == [ServerSentEvent("x", "{}")]
    assert decoder.flush() == []


def test_carriage_return_held_across_chunks_is_one_line_break() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"data: a\r") + decoder.feed(b"\n\r") + decoder.feed(b"\ndata: b\r\n\r\n")
    assert [event.data for event in events] == ["a", "b"]
