"""Bulk prompts: a sequential ``ask`` loop vs ``Session.map`` vs ``asyncio.gather`` over the SDK.

A small asyncio HTTP/1.1 server (in a subprocess, so its CPU is not the clients') answers
``POST /v1/messages`` after a fixed latency (0.2 s) with a JSON message, or an SSE stream when
``stream`` is true, and sends ``anthropic-ratelimit-*`` headers as the API does (a generous
allowance: 50,000 requests and 20M tokens a minute). N prompts (200) go through:

* sequential: ``session.ask(prompt, history=False)`` in a loop (``--sequential N`` of them,
  scaled to all when fewer: it is the slow row by design);
* ``session.map(template, items)``: concurrency from the rate-limit headers (starts at 8);
* ``session.map(..., concurrency=C)``: a fixed concurrency;
* the SDK: ``asyncio.gather`` of ``AsyncAnthropic().messages.create`` (when installed);
* a second map on the same session: it starts at the pace the first one learned from the
  headers (one wave) instead of 8 calls before the first answer;
* two floors, all N in flight, nothing decoded or recorded: ``asyncio.gather`` of bare
  ``httpx.AsyncClient.post`` (pools of 16: what any httpx-based client spends per call) and
  of bare ``H11Pool.request`` (the lean pool ``map`` sends on, ``_wire/h11_pool.py``);
* the ideal: one latency for unbounded concurrency; for a map, latency x the waves its
  concurrency allows (a first wave of 8, then its peak).

Goals (the issue's): ``map`` on a fresh session within 1.5x of the ideal its concurrency
allows, and at least as fast as the SDK's gather. The second map's row is shown beside them
(one wave: its ideal is one latency, which the bare httpx floor itself misses by 1.8x). Prints
the table; exits non-zero only on errors (a goal missed is reported, not failed).

    python bench/bulk.py [--items 200] [--latency 0.2] [--sequential 20] [--concurrency 50]
                         [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from claude_nb.testing import canary_key

KEY = canary_key("bench-not-a-real-key", kind="fake")
MODEL = "claude-sonnet-5-5"
START = 8


def _message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": f"Echo: {text[:40]}"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 20, "output_tokens": 8},
    }


def _sse(message: dict[str, Any]) -> bytes:
    start = {**message, "content": [], "stop_reason": None}
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": message["content"][0]["text"]},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 8},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return b"".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
    )


def _rate_headers() -> str:
    reset = (datetime.now(timezone.utc) + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    for name, limit in (("requests", 50_000), ("tokens", 20_000_000), ("input-tokens", 20_000_000)):
        lines += [
            f"anthropic-ratelimit-{name}-limit: {limit}",
            f"anthropic-ratelimit-{name}-remaining: {limit - 1}",
            f"anthropic-ratelimit-{name}-reset: {reset}",
        ]
    return "\r\n".join(lines)


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = json.loads(await reader.readexactly(length)) if length else {}
            await asyncio.sleep(latency)
            messages = body.get("messages") or [{}]
            content = messages[-1].get("content", "")
            message = _message(content if isinstance(content, str) else json.dumps(content))
            if body.get("stream"):
                payload, kind = _sse(message), "text/event-stream"
            else:
                payload, kind = json.dumps(message).encode(), "application/json"
            writer.write(
                f"HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {len(payload)}\r\n"
                f"request-id: req_bench\r\n{_rate_headers()}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(latency: float, port_pipe: Any) -> None:
    async def main() -> None:
        server = await asyncio.start_server(
            lambda r, w: _handle(r, w, latency), "127.0.0.1", 0, backlog=1024
        )
        port_pipe.send(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _session(base_url: str) -> Any:
    from claude_nb import Session

    return Session(KEY, base_url, model=MODEL, environ={}, max_retries=2)


def sequential(base_url: str, prompts: list[str]) -> float:
    session = _session(base_url)
    started = time.perf_counter()
    for prompt in prompts:
        session.ask(prompt, history=False, stream=False)
    return time.perf_counter() - started


def mapped(
    base_url: str, items: list[dict[str, Any]], concurrency: int | None
) -> tuple[float, int]:
    session = _session(base_url)
    started = time.perf_counter()
    result = session.map(
        "Classify item {n}: {text}", items, concurrency=concurrency, progress=False
    )
    elapsed = time.perf_counter() - started
    if result.errors or result.done != len(items):
        raise RuntimeError(f"map failed: {result.summary()}")
    return elapsed, result.peak_concurrency


def mapped_again(base_url: str, items: list[dict[str, Any]]) -> tuple[float, int]:
    """A second map on one session: it starts at the pace the first one learned."""
    session = _session(base_url)
    session.map("Warm up {n}", items[:16], progress=False)
    started = time.perf_counter()
    result = session.map("Classify item {n}: {text}", items, progress=False)
    elapsed = time.perf_counter() - started
    if result.errors or result.done != len(items):
        raise RuntimeError(f"map failed: {result.summary()}")
    return elapsed, result.peak_concurrency


def sdk_gather(base_url: str, prompts: list[str]) -> float | None:
    try:
        import anthropic
    except ImportError:
        return None

    async def run() -> float:
        client = anthropic.AsyncAnthropic(api_key=KEY, base_url=base_url, max_retries=2)
        started = time.perf_counter()
        await asyncio.gather(
            *(
                client.messages.create(
                    model=MODEL, max_tokens=64, messages=[{"role": "user", "content": prompt}]
                )
                for prompt in prompts
            )
        )
        elapsed = time.perf_counter() - started
        await client.close()
        return elapsed

    return asyncio.run(run())


def h11_floor(base_url: str, count: int, connections: int) -> float:
    """Bare posts over ``H11Pool``, the pool ``map`` sends on (nothing decoded or recorded)."""
    from claude_nb._config import Settings
    from claude_nb._wire.h11_pool import H11Pool
    from claude_nb._wire.transport import make_timeout

    async def run() -> float:
        pool = H11Pool(base_url, make_timeout(Settings()), connections)
        message = {"role": "user", "content": "x"}
        body = json.dumps({"model": MODEL, "max_tokens": 64, "messages": [message]})
        headers = {"content-type": "application/json"}
        started = time.perf_counter()
        await asyncio.gather(
            *(
                pool.request("POST", "/v1/messages", content=body.encode(), headers=headers)
                for _ in range(count)
            )
        )
        elapsed = time.perf_counter() - started
        await pool.aclose()
        return elapsed

    return asyncio.run(run())


def httpx_floor(base_url: str, count: int, connections: int) -> float:
    """Bare ``httpx.AsyncClient.post`` calls (pools of 16, no decoding): httpx's CPU floor."""
    import httpx

    async def run() -> float:
        pools = [
            httpx.AsyncClient(base_url=base_url, limits=httpx.Limits(max_connections=16))
            for _ in range(-(-connections // 16))
        ]
        body = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "x"}]}
        started = time.perf_counter()
        await asyncio.gather(
            *(pools[n % len(pools)].post("/v1/messages", json=body) for n in range(count))
        )
        elapsed = time.perf_counter() - started
        for pool in pools:
            await pool.aclose()
        return elapsed

    return asyncio.run(run())


def best(runs: int, function: Any, *arguments: Any) -> Any:
    """The fastest of ``runs`` calls (the first element when a call returns a tuple)."""
    results = [function(*arguments) for _ in range(runs)]
    return min(results, key=lambda value: value[0] if isinstance(value, tuple) else value or 0)


def ideal_for(items: int, latency: float, peak: int, adaptive: bool) -> float:
    if adaptive and peak > START:
        return latency * (1 + math.ceil(max(0, items - START) / peak))
    return latency * math.ceil(items / max(peak, 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument(
        "--sequential",
        type=int,
        default=20,
        help="prompts the sequential row really sends (scaled to --items)",
    )
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per row")
    options = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=_serve, args=(options.latency, send), daemon=True)
    server.start()
    try:
        base_url = f"http://127.0.0.1:{receive.recv()}"
        items = [{"n": n, "text": f"row {n} of the bench"} for n in range(options.items)]
        prompts = [f"Classify item {item['n']}: {item['text']}" for item in items]
        few = min(options.sequential, options.items)
        seq = sequential(base_url, prompts[:few]) * options.items / few
        runs = options.runs
        adaptive, peak = best(runs, mapped, base_url, items, None)
        fixed, fixed_peak = best(runs, mapped, base_url, items, options.concurrency)
        again, again_peak = best(runs, mapped_again, base_url, items)
        sdk = best(runs, sdk_gather, base_url, prompts)
        floor = best(runs, httpx_floor, base_url, options.items, options.items)
        lean = best(runs, h11_floor, base_url, options.items, options.items)
    finally:
        server.terminate()
    n, latency = options.items, options.latency
    ideal_adaptive = ideal_for(n, latency, peak, True)
    ideal_fixed = ideal_for(n, latency, fixed_peak, False)
    ideal_again = ideal_for(n, latency, again_peak, False)
    rows = [
        ("sequential ask loop" + (f" ({few} sent, scaled)" if few < n else ""), seq, latency * n),
        (f"map (adaptive, peak {peak} in flight)", adaptive, ideal_adaptive),
        (f"map (concurrency={options.concurrency})", fixed, ideal_fixed),
        (f"map again, same session (learned pace, peak {again_peak})", again, ideal_again),
    ]
    if sdk is not None:
        rows.append(("SDK AsyncAnthropic + asyncio.gather", sdk, latency))
    rows.append((f"floor: bare httpx.AsyncClient posts, {n} in flight", floor, latency))
    rows.append((f"floor: bare H11Pool posts (map's pool), {n} in flight", lean, latency))
    rows.append(("ideal (unbounded concurrency)", latency, latency))
    print(f"{n} prompts at {latency:g} s latency, best of {options.runs} runs")
    print(f"{'method':56} {'seconds':>8} {'ideal':>7} {'x ideal':>8}")
    for name, seconds, ideal in rows:
        print(f"{name:56} {seconds:8.2f} {ideal:7.2f} {seconds / ideal:8.2f}")
    goals = [
        (
            f"map within 1.5x of its ideal ({adaptive:.2f} <= {1.5 * ideal_adaptive:.2f})",
            adaptive <= 1.5 * ideal_adaptive,
        ),
    ]
    if sdk is not None:
        goals.append(
            (
                f"map at least as fast as the SDK gather ({adaptive:.2f} <= {sdk:.2f})",
                adaptive <= sdk,
            )
        )
    for text, met in goals:
        print(f"{'met ' if met else 'MISSED'} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
