"""The streamed answer: the API's full event sequence, cut into paced ``Chunk``s.

``stream_events`` lists (event name, data) pairs for a finished message; ``apply_stream_faults``
cuts or corrupts them; ``encode_events`` turns them into ``Chunk(delay, bytes)`` with pacing.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from claude_nb._api.estimate import text_tokens
from claude_nb.emulator._faults import Fault
from claude_nb.emulator._wire import Chunk, json_bytes

__all__ = ["Pacing", "apply_stream_faults", "encode_events", "stream_events"]

Event = tuple[str, Any]
PING_EVERY = 200
WORD = re.compile(r"\s*\S+\s*")


@dataclass(frozen=True)
class Pacing:
    """Simulated model speed.

    Attributes:
        tokens_per_second: Output speed; each delta is due ``tokens / tokens_per_second``
            after the one before it.
        time_to_first_token: Seconds before the first content delta.
        tick: The finest wait, in seconds. Waits shorter than this add up and are taken
            once a tick's worth is owed, so deltas due within one tick leave together, as
            a real server's writes do; at a real model's speed (a delta every 10 to 50 ms)
            every delta still leaves on its own.
    """

    tokens_per_second: float | None = None
    time_to_first_token: float = 0.0
    tick: float = 0.005


def _pieces(text: str, count: int | None) -> list[str]:
    words = WORD.findall(text) or ([text] if text else [])
    if count is None or count <= 0 or count >= len(words):
        return words
    size, extra = divmod(len(words), count)
    pieces: list[str] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append("".join(words[start:end]))
        start = end
    return pieces


def _json_pieces(text: str, rng: random.Random) -> list[str]:
    pieces = [""]
    position = 0
    while position < len(text):
        step = rng.randint(1, 12)
        pieces.append(text[position : position + step])
        position += step
    return pieces


def _block_events(
    block: dict[str, Any], delta_count: int | None, rng: random.Random
) -> Iterator[tuple[str, Any]]:
    kind = block.get("type")
    if kind == "text":
        yield "content_block_start", {"type": "text", "text": ""}
        for piece in _pieces(block["text"], delta_count):
            yield "delta", {"type": "text_delta", "text": piece}
        for citation in block.get("citations") or []:  # after the text, as the API sends them
            yield "delta", {"type": "citations_delta", "citation": citation}
    elif kind == "thinking":
        yield "content_block_start", {"type": "thinking", "thinking": "", "signature": ""}
        for piece in _pieces(block["thinking"], None):
            yield "delta", {"type": "thinking_delta", "thinking": piece}
        yield "delta", {"type": "signature_delta", "signature": block["signature"]}
    elif kind in ("tool_use", "server_tool_use"):
        start = {key: value for key, value in block.items() if key != "input"}
        yield "content_block_start", {**start, "input": {}}
        for piece in _json_pieces(json.dumps(block["input"], ensure_ascii=False), rng):
            yield "delta", {"type": "input_json_delta", "partial_json": piece}
    else:
        yield "content_block_start", block


def stream_events(
    message: dict[str, Any], delta_count: int | None = None, seed: int = 0
) -> list[Event]:
    """The event sequence for a finished ``message`` (with final content and usage).

    Args:
        message: The complete Message dict.
        delta_count: Split the text into exactly this many deltas (benchmarks).
        seed: Seeds where tool JSON is split.
    """
    rng = random.Random(seed)
    usage = message["usage"]
    start_usage = {**usage, "output_tokens": 1 if usage["output_tokens"] else 0}
    events: list[Event] = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    **message,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": start_usage,
                },
            },
        )
    ]
    deltas = 0
    for index, block in enumerate(message["content"]):
        for name, payload in _block_events(block, delta_count, rng):
            if name == "content_block_start":
                events.append((name, {"type": name, "index": index, "content_block": payload}))
                if index == 0:
                    events.append(("ping", {"type": "ping"}))
                continue
            events.append(
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": payload},
                )
            )
            deltas += 1
            if deltas % PING_EVERY == 0:
                events.append(("ping", {"type": "ping"}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    delta = {
        "stop_reason": message["stop_reason"],
        "stop_sequence": message["stop_sequence"],
        "stop_details": message.get("stop_details"),
    }
    events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def apply_stream_faults(events: list[Event], faults: list[Fault]) -> list[Event]:
    """Cut or corrupt the event list after N events as the stream faults say."""
    for fault in faults:
        count = int(fault.argument)
        if fault.kind == "truncate-after":
            events = events[:count]
        elif fault.kind == "error-after":
            error = {
                "type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"},
            }
            events = [*events[:count], ("error", error)]
        elif fault.kind == "malformed-after":
            events = [*events[:count], ("content_block_delta", '{"type": "content_block_del')]
    return events


def _delta_tokens(data: Any) -> int:
    if not isinstance(data, dict) or data.get("type") != "content_block_delta":
        return 0
    delta = data["delta"]
    text = delta.get("text") or delta.get("thinking") or delta.get("partial_json") or ""
    return text_tokens(text)


def encode_events(events: list[Event], pacing: Pacing | None) -> Iterator[Chunk]:
    """The SSE bytes of ``events`` (``event:`` and ``data:`` lines), one chunk per event."""
    first_delta = True
    owed = 0.0
    for name, data in events:
        delay = 0.0
        if pacing is not None and name == "content_block_delta":
            if first_delta:
                delay += pacing.time_to_first_token
                first_delta = False
            speed = pacing.tokens_per_second
            # counted only when paced: unpaced streams (the benches) skip a UTF-8 encode per event
            tokens = _delta_tokens(data) if speed else 0
            if speed and tokens:
                owed += tokens / speed
                if delay > 0 or owed >= pacing.tick:
                    delay += owed
                    owed = 0.0
        payload = data.encode("utf-8") if isinstance(data, str) else json_bytes(data)
        yield Chunk(delay, b"event: " + name.encode() + b"\ndata: " + payload + b"\n\n")
