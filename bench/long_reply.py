"""A long reply's cost to the frontend: iopub messages and bytes, kernel CPU, for N deltas.

A real kernel (``claude_nb.testing.running_kernel``) runs one cell per way of showing the
same streamed reply, read from an SSE server started by this file (``--serve``: a subprocess
answering every POST with N text deltas of ~4 characters, a paragraph break every 60; not the
emulator, whose pacing limits the rate). ``--tps`` paces the server (deltas a second, 2,000 by
default: 8 KB of text a second, ~25x a real stream, so 100k deltas take 50 s; 0: as fast as
it can write, which ends a reply before a second repaint is due). For 2k, 20k and 100k
deltas:

* ``%%claude``: what the package does (one Markdown output, repainted, then final);
* naive per-token display: one ``Markdown`` display updated with the whole text per event
  (up to ``--naive-max`` deltas, 2,000 by default: its bytes are quadratic, 20k sends
  0.8 GB and can overrun the iopub queue, losing the idle message; 100k would be ~20 GB);
* append-only floor: each event's new text written to stdout (ipykernel batches it), every
  character sent once: the least any live display can send.

iopub bytes are each message's header, parent header, metadata and content as JSON (what
the kernel signs and sends, less the signature frames). Prints one table, then the ratios:
bytes / text bytes, and the bytes' growth against the text's (1.0: linear). Exits non-zero
only on errors (a bench reports)::

    python bench/long_reply.py [--deltas 2000,20000,100000] [--tps 2000] [--naive-max 2000]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from claude_nb.testing import FAKE_KEY, Kernel, running_kernel

MODEL = "claude-sonnet-5-5"


def reply_text(deltas: int) -> list[str]:
    """The reply's deltas: ``ab3 ``-like words, a paragraph break every 60."""
    return [("\n\n" if i % 60 == 59 else "") + f"ab{i % 10} " for i in range(deltas)]


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _stream(deltas: int) -> Iterator[bytes]:
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
    yield _event("message_start", {"type": "message_start", "message": message})
    yield _event(
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        },
    )
    for piece in reply_text(deltas):
        yield _event(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": piece},
            },
        )
    yield _event("content_block_stop", {"type": "content_block_stop", "index": 0})
    yield _event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": deltas},
        },
    )
    yield _event("message_stop", {"type": "message_stop"})


def serve(tps: float) -> None:
    """Answer POSTs with the prompt's ``N deltas`` (paced at ``tps``); print the port."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            found = re.search(rb"(\d+) deltas", body)  # the prompt says how many
            deltas = int(found.group(1)) if found else 1000
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("request-id", "req_bench")
            self.send_header("connection", "close")
            self.end_headers()
            start, batch = time.monotonic(), []
            for sent, chunk in enumerate(_stream(deltas)):
                batch.append(chunk)
                if len(batch) >= 50:
                    self.wfile.write(b"".join(batch))
                    batch = []
                    if tps:  # the next event is due at sent / tps
                        time.sleep(max(0.0, start + sent / tps - time.monotonic()))
            self.wfile.write(b"".join(batch))
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


@contextmanager
def bench_server(tps: float) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--tps", str(tps)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait(10)


SETUP = "import claude_nb, sys\nfrom IPython.display import Markdown, display"

CPU = (
    "import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); "
    "print('CPU', _u.ru_utime + _u.ru_stime)"
)

WAYS = {
    "%%claude": "%%claude --no-history --max-tokens 128000\nWrite a long reply of {n} deltas\n",
    "naive per-token display": """
_handle = display(Markdown(""), display_id=True)
claude_nb.get_session().ask("Write a long reply of {n} deltas", history=False,
    max_tokens=128000, on_event=lambda s: _handle.update(Markdown(s.text)))
""",
    "append-only floor (stdout)": """
claude_nb.get_session().ask("Write a long reply of {n} deltas", history=False,
    max_tokens=128000, on_event=lambda s: s.text_delta and sys.stdout.write(s.text_delta))
""",
}


def _wire_bytes(message: dict[str, Any]) -> int:
    parts = (message["header"], message["parent_header"], message["metadata"], message["content"])
    return sum(len(json.dumps(part, default=str, ensure_ascii=False).encode()) for part in parts)


def _cpu(kernel: Kernel) -> float:
    return float(kernel.execute(CPU).stdout.split()[1])


def measure(kernel: Kernel, way: str, deltas: int) -> dict[str, float]:
    code = WAYS[way].format(n=deltas)
    before = _cpu(kernel)
    start = time.perf_counter()
    execution = kernel.execute(code, timeout=1800)
    wall = time.perf_counter() - start
    cpu = _cpu(kernel) - before
    if execution.reply["status"] != "ok":
        raise RuntimeError(f"{way}: {execution.text[-2000:]}")
    shown = [m for m in execution.messages if m["msg_type"] not in ("status", "execute_input")]
    return {
        "messages": len(shown),
        "bytes": sum(_wire_bytes(m) for m in execution.messages),
        "cpu": cpu,
        "wall": wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tps", type=float, default=2000.0, help="server deltas/s (0: unpaced)")
    parser.add_argument("--deltas", default="2000,20000,100000")
    parser.add_argument("--naive-max", type=int, default=2000)
    parser.add_argument("--json", help="write the results here")
    options = parser.parse_args(argv)
    if options.serve:
        serve(options.tps)
        return 0
    sizes = [int(value) for value in options.deltas.split(",")]
    rows: list[dict[str, Any]] = []
    with (
        bench_server(options.tps) as url,
        running_kernel(ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY=FAKE_KEY) as kernel,
    ):
        kernel.execute("%load_ext claude_nb")
        kernel.execute(SETUP)
        for deltas in sizes:
            text = len("".join(reply_text(deltas)).encode())
            for way in WAYS:
                if way.startswith("naive") and deltas > options.naive_max:
                    continue
                row = {"way": way, "deltas": deltas, "text": text, **measure(kernel, way, deltas)}
                row["ratio"] = row["bytes"] / text
                rows.append(row)
                print(
                    f"  {way} {deltas:,}: {row['bytes']:,} B ({row['ratio']:.1f}x), "
                    f"{row['cpu']:.2f} s CPU",
                    file=sys.stderr,
                    flush=True,
                )
    pace = f"{options.tps:,.0f} deltas/s" if options.tps else "unpaced"
    print(f"\nserver {pace}; bytes: iopub JSON of the cell; text: the reply's UTF-8 bytes\n")
    print(
        "| way | deltas | text B | iopub msgs | iopub bytes | bytes / text | kernel CPU s "
        "| wall s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['way']} | {row['deltas']:,} | {row['text']:,} | {row['messages']:,} | "
            f"{row['bytes']:,} | {row['ratio']:.1f}x | {row['cpu']:.2f} | {row['wall']:.2f} |"
        )
    print("\ngrowth from the smallest size (bytes growth / text growth; 1.0 is linear):")
    for way in WAYS:
        mine = [row for row in rows if row["way"] == way]
        if len(mine) > 1:
            first = mine[0]
            growth = ", ".join(
                f"{row['deltas']:,}: "
                f"{(row['bytes'] / first['bytes']) / (row['text'] / first['text']):.2f}"
                for row in mine[1:]
            )
            print(f"  {way}: {growth}")
    ours = {row["deltas"]: row for row in rows if row["way"] == "%%claude"}
    floor = {row["deltas"]: row for row in rows if row["way"].startswith("append")}
    naive = {row["deltas"]: row for row in rows if row["way"].startswith("naive")}
    print("\n%%claude against the others (bytes; kernel CPU):")
    for deltas, row in ours.items():
        against = [
            f"floor x{row['bytes'] / floor[deltas]['bytes']:.1f} bytes, "
            f"x{row['cpu'] / max(floor[deltas]['cpu'], 1e-9):.2f} CPU"
        ]
        if deltas in naive:
            against.append(
                f"naive /{naive[deltas]['bytes'] / row['bytes']:.0f} bytes, "
                f"/{naive[deltas]['cpu'] / max(row['cpu'], 1e-9):.1f} CPU"
            )
        print(
            f"  {deltas:,} deltas: {row['ratio']:.1f}x the text (goal <= 25x); "
            + "; ".join(against)
        )
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(rows, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
