"""Benchmark: folding a stream's deltas into a message is linear in the number of deltas.

Run: ``.venv/bin/python bench/stream_fold.py``. Folds 20,000 and 80,000 text deltas (best of
three each) through ``accumulate`` and prints both times and their ratio: linear is about 4x,
quadratic would be about 16x. Goal: ratio under 8 and 20,000 deltas under 0.5 s. Exits non-zero
only on errors (a missed goal is reported, not failed: timings belong here, not in tests/).
"""

from __future__ import annotations

import time
from typing import Any

from claude_nb._wire.stream import MessageSnapshot, accumulate

RATIO_GOAL = 8.0
SMALL_GOAL_S = 0.5


def _events(count: int) -> list[dict[str, Any]]:
    start = {
        "type": "message_start",
        "message": {"id": "m", "role": "assistant", "content": [], "usage": {}},
    }
    block = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    delta = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": "word "},
    }
    return [start, block] + [delta] * count


def _time_fold(count: int) -> float:
    events = _events(count)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        snapshot = MessageSnapshot()
        for event in events:
            snapshot = accumulate(snapshot, event)
        assert len(snapshot.text) == 5 * count
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    small, large = _time_fold(20_000), _time_fold(80_000)
    ratio = large / small
    print(f"20,000 deltas: {small:.3f} s (goal < {SMALL_GOAL_S} s)")
    print(f"80,000 deltas: {large:.3f} s")
    print(f"ratio: {ratio:.1f}x (linear ~4x, quadratic ~16x; goal < {RATIO_GOAL}x)")
    print("goals met" if ratio < RATIO_GOAL and small < SMALL_GOAL_S else "GOAL MISSED")


if __name__ == "__main__":
    main()
