"""Stream throughput: claude_nb vs the Anthropic SDK vs a lean httpx-sse floor.

Starts ``python -m claude_nb.emulator`` as a subprocess, asks it for a stream of N text
deltas (the emulator's ``x-emulator-deltas`` header), and reads that same stream through:

* claude_nb: ``Session.ask`` (SSE decoding + full accumulation into a message);
* the SDK: ``client.messages.stream(...).text_stream`` (when ``anthropic`` is installed);
* a floor: ``httpx`` + ``httpx_sse.EventSource`` + ``json.loads`` (no accumulation).

Events/s are given by wall time and by client CPU time (the emulator runs in its own process,
so CPU time is what the client itself spent). ``--decoders`` adds a pure decoder micro-benchmark
(no network). Exits non-zero only on errors.

    python bench/stream_throughput.py [--deltas 20000] [--runs 3] [--decoders]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from claude_nb.testing import canary_key, emulator_process

KEY = canary_key("bench-not-a-real-key", kind="fake")
MODEL = "claude-sonnet-5-5"
PROMPT = "Stream a long answer for the benchmark."


def claude_nb_consumer(base_url: str, deltas: int) -> Callable[[], int]:
    from claude_nb import Session

    http = httpx.Client(base_url=base_url, headers={"x-emulator-deltas": str(deltas)}, timeout=120)
    session = Session(KEY, base_url, model=MODEL, http_client=http, environ={})

    def run() -> int:
        return len(session.ask(PROMPT, history=False, max_tokens=64000).text)

    return run


def sdk_consumer(base_url: str, deltas: int) -> Callable[[], int]:
    import anthropic

    client = anthropic.Anthropic(
        api_key=KEY, base_url=base_url, default_headers={"x-emulator-deltas": str(deltas)}
    )

    def run() -> int:
        total = 0
        with client.messages.stream(
            model=MODEL, max_tokens=64000, messages=[{"role": "user", "content": PROMPT}]
        ) as stream:
            for text in stream.text_stream:
                total += len(text)
        return total

    return run


def raw_request(deltas: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and headers of a bare streaming request (floor and event count)."""
    body = {
        "model": MODEL,
        "max_tokens": 64000,
        "stream": True,
        "messages": [{"role": "user", "content": PROMPT}],
    }
    headers = {
        "x-api-key": KEY,
        "anthropic-version": "2023-06-01",
        "x-emulator-deltas": str(deltas),
    }
    return body, headers


def floor_consumer(base_url: str, deltas: int) -> Callable[[], int]:
    from httpx_sse import EventSource

    body, headers = raw_request(deltas)
    client = httpx.Client(base_url=base_url, timeout=120)

    def run() -> int:
        total = 0
        with client.stream("POST", "/v1/messages", json=body, headers=headers) as response:
            for sse in EventSource(response).iter_sse():
                event = json.loads(sse.data)
                if event["type"] == "content_block_delta":
                    total += len(event["delta"].get("text", ""))
        return total

    return run


def count_events(base_url: str, deltas: int) -> int:
    body, headers = raw_request(deltas)
    response = httpx.post(f"{base_url}/v1/messages", json=body, headers=headers, timeout=120)
    response.raise_for_status()
    return response.text.count("\n\n")


def measure(consumers: dict[str, Callable[[], int]], runs: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds per consumer; runs are interleaved so load hits all alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in consumers}
    for run in consumers.values():
        run()  # warm-up: imports, connection
    for _ in range(runs):
        for name, run in consumers.items():
            wall, cpu = time.perf_counter(), time.process_time()
            if run() <= 0:
                raise RuntimeError(f"{name} received no text")
            samples[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        name: {
            "wall": statistics.median(w for w, _ in rows),
            "cpu": statistics.median(c for _, c in rows),
        }
        for name, rows in samples.items()
    }


def decoder_table(deltas: int) -> list[tuple[str, float]]:
    from claude_nb._wire.sse import SSEDecoder

    event = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": "w "},
    }
    payload = ("event: content_block_delta\ndata: " + json.dumps(event) + "\n\n") * deltas
    raw = payload.encode()
    chunks = [raw[i : i + 65536] for i in range(0, len(raw), 65536)]

    def ours() -> int:
        decoder = SSEDecoder()
        return sum(len(decoder.feed(chunk)) for chunk in chunks) + len(decoder.flush())

    candidates: list[tuple[str, Callable[[], int]]] = [("claude_nb SSEDecoder", ours)]
    try:
        from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder
        from httpx_sse._decoders import SSELineDecoder

        def httpx_sse() -> int:
            lines, decoder, count = SSELineDecoder(), HttpxSSEDecoder(), 0
            for chunk in chunks:
                for line in lines.decode(chunk.decode()):
                    count += decoder.decode(line) is not None
            return count

        candidates.append(("httpx-sse line+event decoders", httpx_sse))
    except ImportError:
        pass
    try:
        from anthropic._streaming import SSEDecoder as SDKDecoder

        candidates.append(
            (
                "anthropic SDK SSEDecoder",
                lambda: sum(1 for _ in SDKDecoder().iter_bytes(iter(chunks))),
            )
        )
    except ImportError:
        pass
    rows = []
    for name, decode in candidates:
        best = float("inf")
        for _ in range(5):
            began = time.perf_counter()
            if decode() != deltas:
                raise RuntimeError(f"{name} decoded the wrong number of events")
            best = min(best, time.perf_counter() - began)
        rows.append((name, deltas / best))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--decoders", action="store_true", help="also time the pure decoders")
    options = parser.parse_args()

    with emulator_process() as base_url:
        events = count_events(base_url, options.deltas)
        consumers = {"claude_nb Session.ask": claude_nb_consumer(base_url, options.deltas)}
        try:
            import anthropic  # noqa: F401

            consumers["anthropic SDK text_stream"] = sdk_consumer(base_url, options.deltas)
        except ImportError:
            print("(anthropic not installed: SDK row skipped)")
        try:
            import httpx_sse  # noqa: F401

            consumers["floor httpx+httpx-sse+json"] = floor_consumer(base_url, options.deltas)
        except ImportError:
            print("(httpx-sse not installed: floor row skipped)")
        results = measure(consumers, options.runs)

    print(
        f"\n{options.deltas:,} text deltas = {events:,} SSE events per stream; "
        f"median of {options.runs} interleaved runs"
    )
    print(
        f"{'consumer':<30} {'wall s':>8} {'events/s wall':>14} "
        f"{'client CPU s':>13} {'events/s CPU':>13}"
    )
    for name, result in results.items():
        print(
            f"{name:<30} {result['wall']:>8.3f} {events / result['wall']:>14,.0f} "
            f"{result['cpu']:>13.3f} {events / result['cpu']:>13,.0f}"
        )
    sdk = results.get("anthropic SDK text_stream")
    ours = results["claude_nb Session.ask"]
    if sdk:
        print(
            f"\nclaude_nb vs SDK: {sdk['wall'] / ours['wall']:.2f}x by wall time, "
            f"{sdk['cpu'] / ours['cpu']:.2f}x by client CPU (goal >= 3.5x)"
        )
    if options.decoders:
        print(f"\nPure SSE decoders, {options.deltas:,} events in 64 KiB chunks, best of 5")
        for name, rate in decoder_table(options.deltas):
            print(f"{name:<32} {rate:>12,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
