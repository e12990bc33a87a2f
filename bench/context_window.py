"""Benchmark: the context-window check on a huge prompt (1.8 M tokens of text).

Run: ``.venv/bin/python bench/context_window.py``. Times the emulator answering such a
request with its 400 (goal under 1 s) and the client-side ``context_overflow`` check alone
(goal under 0.5 s). Exits non-zero only on errors: timings belong here, not in tests/.
"""

from __future__ import annotations

import json
import time

from claude_nb._api.context_window import context_overflow
from claude_nb.emulator import Emulator

HEADERS = {"content-type": "application/json", "anthropic-version": "2023-06-01"}


def main() -> None:
    body = {
        "model": "claude-opus-4-6",
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "x" * (4 * 1_800_000)}],
    }
    started = time.perf_counter()
    answer = Emulator(require_key=False).handle(
        "POST", "/v1/messages", HEADERS, json.dumps(body).encode("utf-8")
    )
    emulator_s = time.perf_counter() - started
    started = time.perf_counter()
    overflow = context_overflow(body)
    check_s = time.perf_counter() - started
    print(f"emulator answers {answer.status}: {emulator_s:.3f} s (goal < 1 s)")
    print(f"context_overflow: {check_s:.3f} s (goal < 0.5 s), overflow={overflow is not None}")


if __name__ == "__main__":
    main()
