"""The SSE decoder line by line (https://html.spec.whatwg.org/multipage/server-sent-events.html):
one space after the colon, fields without a colon, ids, retry, comments, CR/LF split across
chunks, a last event without its blank line, and bytes that are not UTF-8."""

from __future__ import annotations

from claude_nb._wire.sse import ServerSentEvent, SSEDecoder, decode_all


def events(payload: bytes | str) -> list[tuple[str, str, str | None, int | None]]:
    return [(e.event, e.data, e.id, e.retry) for e in decode_all(payload)]


def test_one_space_after_the_colon_is_dropped_and_no_more() -> None:
    assert events("data:x\n\n") == [("", "x", None, None)]
    assert events("data:  x\n\n") == [("", " x", None, None)]
    assert events("event:ping\ndata: 1\n\n") == [("ping", "1", None, None)]
    assert events("data\n\n") == [("", "", None, None)]  # a field alone: an empty value


def test_data_lines_join_with_newlines_and_the_fast_path_agrees() -> None:
    assert events("event: a\ndata: 1\ndata: 2\n\n") == [("a", "1\n2", None, None)]
    assert events("event: a\ndata: {}\n\n") == [("a", "{}", None, None)]
    assert events("data: {}\nevent: a\n\n") == [("a", "{}", None, None)]


def test_ids_persist_retry_needs_digits_and_comments_or_unknown_fields_make_no_event() -> None:
    stream = (
        "id: 7\ndata: a\n\n"
        "data: b\n\n"
        "id: x\0y\ndata: c\n\n"
        "retry: 150\ndata: d\n\n"
        "retry: soon\ndata: e\n\n"
        ": just a comment\n\n"
        "mystery: 1\n\n"
        "event: after\ndata: f\n\n"
    )
    assert events(stream) == [
        ("", "a", "7", None),
        ("", "b", "7", None),
        ("", "c", "7", None),
        ("", "d", "7", 150),
        ("", "e", "7", None),
        ("after", "f", "7", None),
    ]


def test_line_ends_split_across_chunks_make_one_event() -> None:
    decoder = SSEDecoder()
    got: list[ServerSentEvent] = []
    for chunk in (b"event: a\r", b"\ndata: 1\r", b"\n\r", b"\n", b"data: 2\r\r"):
        got += decoder.feed(chunk)
    got += decoder.flush()
    assert [(e.event, e.data) for e in got] == [("a", "1"), ("", "2")]
    assert decoder.feed(b"") == [] and decoder.feed("") == []


def test_the_last_event_without_a_blank_line_comes_from_flush_only() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: tail\r\n") == []
    assert [(e.event, e.data) for e in decoder.flush()] == [("", "tail")]
    assert decoder.flush() == []
    empty = SSEDecoder()
    empty.feed(b"\n")
    assert empty.flush() == []


def test_utf8_split_across_chunks_and_bad_bytes() -> None:
    decoder = SSEDecoder()
    data = "data: café ☕\n\n".encode()
    got = [event for i in range(len(data)) for event in decoder.feed(data[i : i + 1])]
    assert [e.data for e in got] == ["café ☕"]
    assert events(b"data: \xff\xfe\n\n") == [("", "\ufffd\ufffd", None, None)]
    assert events(b"data: a\n\ndata: b") == [("", "a", None, None), ("", "b", None, None)]


def test_a_character_cut_at_the_very_end_is_replaced_not_lost() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\xe2\x82") == []
    assert [e.data for e in decoder.flush()] == ["a\ufffd"]


def test_extra_blank_lines_unknown_fields_and_feeding_after_a_flush() -> None:
    assert events("data: a\n\n\ndata: b\n\n") == [("", "a", None, None), ("", "b", None, None)]
    assert events("foo: 1\ndata: x\n\n") == [("", "x", None, None)]
    decoder = SSEDecoder()
    decoder.feed(b"data: first")
    assert [e.data for e in decoder.flush()] == ["first"]
    assert [e.data for e in decoder.feed(b"data: second\n\n")] == ["second"]
