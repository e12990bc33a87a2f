"""Long conversations: per-turn client time and memory at N = 10, 100, 500, 1,000 turns.

Four runs, each growing one conversation to the largest N and measuring at every N:

* **client time** (online): ``Session.ask`` at turn N (median of a few turns) beside a floor,
  ``httpx`` + ``json`` posting the same history and reading the same stream (``json.loads``
  per event, no accumulation), against a bench SSE server started by this file
  (``--serve``: a subprocess that reads each body and answers a fixed streamed reply);
* **process memory**: this process's RSS growth since the session's first turn (gc'd),
  online (the bench server) and offline (the in-process emulator);
* **kernel memory**: a real IPython kernel's RSS growth after N ``%%claude`` cells, online
  (the bench server) and offline (no key, no URL: the kernel's own emulator).

Prints one table per run and a table of ratios. Exits non-zero only on errors (a bench is not
a test)::

    python bench/long_session.py [--turns 10,100,500,1000] [--skip-kernel] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from claude_nb.testing import canary_key

KEY = canary_key("bench-not-a-real-key", kind="fake")
MODEL = "claude-sonnet-5-5"
PROMPT = "Explain, in a few sentences, one more idea about long conversations. " * 4
REPLY_TEXT = "A long conversation keeps every turn and sends it again with the next one. " * 8
TIMED = 5  # turns timed around each N


def _rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- the bench SSE server (a subprocess: its work does not count as the client's) -----------


def _events() -> bytes:
    words = REPLY_TEXT.split(" ")
    chunks = [" ".join(words[i : i + 8]) + " " for i in range(0, len(words), 8)]
    message = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
    ]
    events += [
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": chunk},
            },
        )
        for chunk in chunks
    ]
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": len(chunks)},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


def serve() -> None:
    """Answer every POST with the same streamed reply; print the port; run until killed."""
    payload = _events()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", "req_bench")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


@contextmanager
def bench_server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


# -- runs ------------------------------------------------------------------------------------


def _floor(http: Any, history: list[dict[str, Any]]) -> float:
    """httpx + json: post the same history plus a prompt, decode every event."""
    start = time.perf_counter()
    body = {
        "model": MODEL,
        "max_tokens": 1024,
        "stream": True,
        "messages": [*history, {"role": "user", "content": PROMPT}],
    }
    with http.stream("POST", "/v1/messages", json=body) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                json.loads(line[6:])
    return time.perf_counter() - start


def client_run(turns: list[int], offline: bool) -> list[dict[str, float]]:
    """Grow one session; at each N: ask time, the floor (online), and this process's RSS."""
    import httpx

    from claude_nb import Session

    rows: list[dict[str, float]] = []
    with contextmanager(lambda: (yield None))() if offline else bench_server() as url:
        if offline:
            session = Session(model=MODEL, offline=True, environ={})
            http = None
        else:
            http = httpx.Client(
                base_url=url,
                headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"},
                timeout=60,
            )
            session = Session(KEY, url, model=MODEL, environ={})
        session.ask(PROMPT)
        base = _rss()
        done = 1
        for n in turns:
            while done < n - TIMED:
                session.ask(PROMPT)
                done += 1
            times, floors = [], []
            while done < n:
                if http is not None:
                    floors.append(_floor(http, session.history))
                start = time.perf_counter()
                session.ask(PROMPT)
                times.append(time.perf_counter() - start)
                done += 1
            row = {
                "n": n,
                "ask_ms": statistics.median(times) * 1000,
                "rss_mb": (_rss() - base) / 2**20,
            }
            if floors:
                row["floor_ms"] = statistics.median(floors) * 1000
            rows.append(row)
            print("  ", {k: round(v, 1) for k, v in row.items()}, flush=True)
        session.close()
    return rows


KERNEL_RSS = (
    "(__import__('gc').collect(), int(open('/proc/self/statm').read().split()[1]) "
    "* __import__('os').sysconf('SC_PAGE_SIZE'))[1]"
)


def kernel_run(turns: list[int], offline: bool) -> list[dict[str, float]]:
    """A real kernel: N ``%%claude`` cells; its RSS growth since the first one."""
    from claude_nb.testing import FAKE_KEY, running_kernel

    rows: list[dict[str, float]] = []
    with contextmanager(lambda: (yield None))() if offline else bench_server() as url:
        environment = {} if offline else {"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": FAKE_KEY}
        with running_kernel(CLAUDE_NB_MODEL=MODEL, **environment) as kernel:

            def cell() -> float:
                start = time.perf_counter()
                execution = kernel.execute(f"%%claude\n{PROMPT}\n", timeout=120)
                if execution.reply["status"] != "ok":
                    raise RuntimeError(f"cell failed: {execution.text[:500]}")
                return time.perf_counter() - start

            kernel.execute("%load_ext claude_nb")
            cell()
            base = int(kernel.value(KERNEL_RSS))
            done = 1
            for n in turns:
                times = []
                while done < n:
                    times.append(cell())
                    done += 1
                rss = (int(kernel.value(KERNEL_RSS)) - base) / 2**20
                row = {"n": n, "cell_ms": statistics.median(times[-TIMED:]) * 1000, "rss_mb": rss}
                rows.append(row)
                print("  ", {k: round(v, 1) for k, v in row.items()}, flush=True)
    return rows


FILL_LEDGER = """
import claude_nb
_s = claude_nb.get_session()
_r = _s.last_reply
for _ in range({calls} - len(_s.ledger)):
    _s.ledger.record_reply(_r)
len(_s.ledger)
"""


def live_run(calls: int = 10_000, cells: int = 5) -> dict[str, float]:
    """A kernel whose ledger has ``calls`` calls: a ``%%claude`` cell without, then with
    ``%claude_cost --live`` showing (median ms of ``cells`` cells each)."""
    from claude_nb.testing import running_kernel

    with running_kernel(CLAUDE_NB_MODEL=MODEL) as kernel:

        def cell() -> float:
            start = time.perf_counter()
            execution = kernel.execute(f"%%claude\n{PROMPT}\n", timeout=120)
            if execution.reply["status"] != "ok":
                raise RuntimeError(f"cell failed: {execution.text[:500]}")
            return time.perf_counter() - start

        kernel.execute("%load_ext claude_nb")
        cell()
        kernel.execute(FILL_LEDGER.format(calls=calls))
        plain = statistics.median(cell() for _ in range(cells))
        start = time.perf_counter()
        kernel.execute("%claude_cost --live")
        shown = time.perf_counter() - start
        live = statistics.median(cell() for _ in range(cells))
    row = {
        "calls": calls,
        "cell_ms": plain * 1000,
        "live_cell_ms": live * 1000,
        "extra_ms": (live - plain) * 1000,
        "show_ms": shown * 1000,
    }
    print("  ", {k: round(v, 1) for k, v in row.items()}, flush=True)
    return row


def first_cell_run(repeats: int = 3) -> dict[str, float]:
    """A fresh kernel: the first ``%%claude`` (offline) vs the second, median of kernels."""
    from claude_nb.testing import running_kernel

    firsts, seconds, modules = [], [], []
    for _ in range(repeats):
        with running_kernel(CLAUDE_NB_MODEL=MODEL) as kernel:
            kernel.execute("%load_ext claude_nb")
            before = int(kernel.value("len(__import__('sys').modules)"))
            for timings in (firsts, seconds):
                start = time.perf_counter()
                kernel.execute(f"%%claude\n{PROMPT}\n", timeout=120)
                timings.append(time.perf_counter() - start)
                if timings is firsts:
                    modules.append(int(kernel.value("len(__import__('sys').modules)")) - before)
    row = {
        "first_ms": statistics.median(firsts) * 1000,
        "second_ms": statistics.median(seconds) * 1000,
        "new_modules": statistics.median(modules),
    }
    print("  ", {k: round(v, 1) for k, v in row.items()}, flush=True)
    return row


def _table(title: str, rows: list[dict[str, float]], columns: list[str]) -> str:
    lines = [title, " | ".join(f"{c:>10}" for c in columns)]
    for row in rows:
        lines.append(" | ".join(f"{row.get(c, float('nan')):>10,.1f}" for c in columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--turns", default="10,100,500,1000")
    parser.add_argument("--skip-kernel", action="store_true")
    parser.add_argument(
        "--skip-extras", action="store_true", help="skip the --live and first-cell measurements"
    )
    parser.add_argument("--only-extras", action="store_true")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    turns = sorted(int(value) for value in args.turns.split(","))
    runs: dict[str, Callable[[], list[dict[str, float]]]] = {
        "client online": lambda: client_run(turns, offline=False),
        "client offline": lambda: client_run(turns, offline=True),
    }
    if not args.skip_kernel:
        runs["kernel online"] = lambda: kernel_run(turns, offline=False)
        runs["kernel offline"] = lambda: kernel_run(turns, offline=True)
    if args.only_extras:
        runs = {}
    if not args.skip_extras:
        runs["live"] = lambda: [live_run()]
        runs["first cell"] = lambda: [first_cell_run()]
    results: dict[str, list[dict[str, float]]] = {}
    for name, run in runs.items():
        print(f"{name}...", flush=True)
        results[name] = run()
    print()
    if "live" in results:
        print(
            _table(
                "%claude_cost --live (kernel, ledger of 10,000 calls; ms per cell)",
                results["live"],
                ["calls", "cell_ms", "live_cell_ms", "extra_ms", "show_ms"],
            )
        )
        print(
            _table(
                "first %%claude in a fresh kernel (offline; ms, modules it imports)",
                results["first cell"],
                ["first_ms", "second_ms", "new_modules"],
            )
        )
    if "client online" not in results:
        return 0
    online = results["client online"]
    for row in online:
        row["ratio"] = row["ask_ms"] / row["floor_ms"]
    print(
        _table(
            "client online (Session.ask vs httpx+json floor, ms; process RSS growth, MB)",
            online,
            ["n", "ask_ms", "floor_ms", "ratio", "rss_mb"],
        )
    )
    print(
        _table(
            "client offline (in-process emulator; ms, MB)",
            results["client offline"],
            ["n", "ask_ms", "rss_mb"],
        )
    )
    for name in ("kernel online", "kernel offline"):
        if name in results:
            print(
                _table(
                    f"{name} (%%claude cell ms; kernel RSS growth, MB)",
                    results[name],
                    ["n", "cell_ms", "rss_mb"],
                )
            )
    print(
        "ratios at the largest N: ask/floor "
        f"{online[-1]['ratio']:.1f}x; MB per 1,000 turns: "
        + ", ".join(
            f"{name} {rows[-1]['rss_mb'] * 1000 / rows[-1]['n']:.0f}"
            for name, rows in results.items()
            if "rss_mb" in rows[-1]
        )
    )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
