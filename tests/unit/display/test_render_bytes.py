"""Bytes a streaming reply sends to the frontend: linear in its length, at most 25x the text.

Counted through IPython's capturing display publisher (what a kernel's publisher sends as
``display_data``/``update_display_data``), with a fake clock: one delta a millisecond.
"""

from __future__ import annotations

import json

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb._display.render import StreamRenderer, surface_for
from claude_nb._wire.stream import MessageSnapshot, accumulate


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def text_events(pieces: list[str]) -> list[dict]:
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "role": "assistant",
                "content": [],
                "usage": {"input_tokens": 3},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    events += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
        for p in pieces
    ]
    return [*events, {"type": "content_block_stop", "index": 0}, {"type": "message_stop"}]


def _pieces(deltas: int) -> list[str]:
    """~4 characters a delta, a paragraph break every 60 deltas, some non-ASCII."""
    return [
        ("\n\n" if i % 60 == 59 else "") + ("가나 " if i % 7 == 0 else f"ab{i % 10} ")
        for i in range(deltas)
    ]


def _sent_bytes(deltas: int, output_format: str = "markdown", ms_per_delta: float = 1.0):
    clock = FakeClock()
    pieces = _pieces(deltas)
    text = "".join(pieces)
    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            surface = surface_for(shell, output_format)
            renderer = StreamRenderer(surface, clock=clock)
            snapshot = MessageSnapshot()
            for index, event in enumerate(text_events(pieces)):
                clock.now = index * ms_per_delta / 1000
                renderer.on_event(accumulate(snapshot, event))
            renderer.finish(text + "\n\n<sub>footer</sub>", text + "\n\nfooter")
    finally:
        InteractiveShell.clear_instance()
    sent = sum(len(json.dumps(out.data, ensure_ascii=False).encode()) for out in captured.outputs)
    return sent, len(text.encode()), captured.outputs


@pytest.mark.parametrize("output_format", ["markdown", "text"])
@pytest.mark.parametrize("ms_per_delta", [0.2, 1.0, 10.0])
def test_a_20k_delta_reply_sends_at_most_25_times_its_text(output_format, ms_per_delta):
    sent, text_bytes, outputs = _sent_bytes(20_000, output_format, ms_per_delta)
    assert sent <= 25 * text_bytes, f"{sent:,} bytes for {text_bytes:,}: {sent / text_bytes:.0f}x"
    assert not outputs[0].update and all(out.update for out in outputs[1:])  # one output


@pytest.mark.parametrize("ms_per_delta", [1.0, 10.0])
def test_the_bytes_grow_linearly_with_the_reply_whatever_the_stream_rate(ms_per_delta):
    short, short_text, _ = _sent_bytes(4_000, ms_per_delta=ms_per_delta)
    long, long_text, _ = _sent_bytes(40_000, ms_per_delta=ms_per_delta)
    assert long <= 25 * long_text and short <= 25 * short_text
    assert long / short <= 1.3 * long_text / short_text  # 10x the text: about 10x the bytes
