"""Property tests (Hypothesis) with libraries as oracles: the SSE decoder, the accumulator, and
the partial parse of cut tool input.

* SSE: any chunking of a stream gives the events of the whole, and the same events as the
  Anthropic SDK's own ``SSEDecoder`` (the oracle) reading the whole;
* accumulator: any split of a tool input's JSON into ``input_json_delta`` fragments gives the
  input ``json.loads`` gives the whole text, and any split of text gives the same text;
* ``partial_json``: every prefix of a JSON object gives what ``jiter``'s partial mode (what the
  SDK uses) gives.

No deadline: a loaded machine makes examples slow, never wrong.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claude_nb._wire.partial_json import partial_json
from claude_nb._wire.sse import SSEDecoder, decode_all
from claude_nb._wire.stream import MessageSnapshot, accumulate

EXAMPLES = settings(
    max_examples=25 if "MUTANT_UNDER_TEST" in os.environ else 300,  # fewer under mutmut
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Field values without line breaks (a break would end the field) and without NUL.
line_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n\0"), max_size=30
)
event_block = st.fixed_dictionaries(
    {
        "event": st.one_of(st.none(), line_text.filter(lambda text: text.strip() == text)),
        "data": st.lists(line_text, min_size=1, max_size=3),
        "id": st.one_of(st.none(), line_text.filter(lambda text: text.strip() == text)),
        "retry": st.one_of(st.none(), st.integers(0, 10**6)),
        "comment": st.booleans(),
    }
)


def encode(blocks: list[dict[str, Any]], newline: str) -> bytes:
    lines: list[str] = []
    for block in blocks:
        if block["comment"]:
            lines.append(": keep-alive")
        if block["event"] is not None:
            lines.append(f"event: {block['event']}")
        if block["id"] is not None:
            lines.append(f"id: {block['id']}")
        if block["retry"] is not None:
            lines.append(f"retry: {block['retry']}")
        lines += [f"data: {line}" for line in block["data"]]
        lines.append("")
    return (newline.join(lines) + newline).encode("utf-8")


def split_at(payload: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(payload)) for cut in cuts})
    return [payload[a:b] for a, b in zip([0, *points], [*points, len(payload)], strict=True)]


def shape(events: Any) -> list[tuple[str, str, Any, Any]]:
    return [(e.event or "", e.data, e.id or None, e.retry) for e in events]


@EXAMPLES
@given(
    blocks=st.lists(event_block, min_size=1, max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.lists(st.integers(0, 2000), max_size=12),
)
def test_any_chunking_gives_the_events_the_sdk_decodes(
    blocks: list[dict[str, Any]], newline: str, cuts: list[int]
) -> None:
    streaming = pytest.importorskip("anthropic._streaming")
    payload = encode(blocks, newline)
    whole = decode_all(payload)
    decoder = SSEDecoder()
    chunked = [event for chunk in split_at(payload, cuts) for event in decoder.feed(chunk)]
    chunked += decoder.flush()
    assert shape(chunked) == shape(whole)
    oracle = list(streaming.SSEDecoder().iter_bytes(iter([payload])))
    assert shape(whole) == shape(oracle)
    assert [event.data for event in whole] == ["\n".join(block["data"]) for block in blocks]


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
tool_input = st.dictionaries(st.text(max_size=8), json_value, max_size=5)


def tool_stream(fragments: list[str], texts: list[str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "role": "assistant",
                "content": [],
                "usage": {"input_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}
            for t in texts
        ),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
        },
        *(
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": fragment},
            }
            for fragment in fragments
        ),
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 3},
        },
        {"type": "message_stop"},
    ]
    return events


@EXAMPLES
@given(
    value=tool_input,
    cuts=st.lists(st.integers(0, 400), max_size=10),
    ensure_ascii=st.booleans(),
    texts=st.lists(st.text(max_size=10), max_size=5),
)
def test_any_split_of_the_input_json_gives_the_same_input(
    value: dict[str, Any], cuts: list[int], ensure_ascii: bool, texts: list[str]
) -> None:
    raw = json.dumps(value, ensure_ascii=ensure_ascii)
    points = sorted({min(cut, len(raw)) for cut in cuts})
    fragments = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    snapshot = MessageSnapshot()
    for event in tool_stream(fragments, texts):
        snapshot = accumulate(snapshot, event)
    assert snapshot.finished
    block = snapshot.message["content"][1]
    assert block["input"] == json.loads(raw)  # the oracle: the whole text parsed at once
    assert "partial_json" not in block
    assert snapshot.text == "".join(texts)


@EXAMPLES
@given(value=tool_input, cut=st.integers(0, 10_000), indent=st.sampled_from([None, 1]))
def test_every_prefix_parses_as_the_sdk_partial_mode_does(
    value: dict[str, Any], cut: int, indent: int | None
) -> None:
    jiter = pytest.importorskip("jiter")
    raw = json.dumps(value, indent=indent)
    prefix = raw[: cut % (len(raw) + 1)]
    try:
        expected = jiter.from_json(prefix.encode(), partial_mode=True)
    except ValueError:
        expected = {}  # jiter refuses an empty text; we keep {} (nothing usable yet)
    assert partial_json(prefix) == expected
