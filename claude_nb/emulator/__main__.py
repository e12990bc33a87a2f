"""``python -m claude_nb.emulator``: serve the emulator over HTTP until stopped.

The first line of stdout is the base URL (``http://127.0.0.1:PORT``), flushed at once, so a
parent process can read it. SIGTERM and Ctrl-C stop it cleanly.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from claude_nb.emulator._core import Emulator
from claude_nb.emulator._responders import ScriptedResponder
from claude_nb.emulator._server import EmulatorServer
from claude_nb.emulator._sse_writer import Pacing

__all__ = ["build_parser", "main"]


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, not {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m claude_nb.emulator",
        description="Offline emulator of the Claude Messages API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--port", type=int, default=0, help="port (0: pick a free one)")
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument(
        "--require-key",
        dest="require_key",
        action="store_true",
        default=True,
        help="reject requests without an API key (default; any non-empty key is accepted)",
    )
    keys.add_argument(
        "--open", dest="require_key", action="store_false", help="accept requests without a key"
    )
    parser.add_argument("--pacing", type=float, metavar="TPS", help="output tokens per second")
    parser.add_argument("--ttft", type=float, default=0.0, metavar="S", help="time to first token")
    parser.add_argument("--script", metavar="FILE", help="JSON list of scripted turns")
    parser.add_argument("--seed", type=int, default=0, help="seed for ids and JSON splits")
    parser.add_argument(
        "--any-beta", action="store_true", help="accept every anthropic-beta name (not only known)"
    )
    parser.add_argument(
        "--batch-seconds",
        type=_seconds,
        default=3.0,
        metavar="S",
        help="simulated seconds a Message Batch takes to process (default 3)",
    )
    parser.add_argument(
        "--batch-progress",
        action="store_true",
        help="move a batch's request_counts as requests finish (the service: only at the end)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the server; returns the exit status."""
    options = build_parser().parse_args(argv)
    responder = None
    if options.script:
        with open(options.script, encoding="utf-8") as handle:
            responder = ScriptedResponder(json.load(handle), repeat_last=True)
    pacing = None
    if options.pacing or options.ttft:
        pacing = Pacing(tokens_per_second=options.pacing, time_to_first_token=options.ttft)
    emulator = Emulator(
        require_key=options.require_key,
        responder=responder,
        pacing=pacing,
        seed=options.seed,
        accept_any_beta=options.any_beta,
        batch_seconds=options.batch_seconds,
        batch_progress=options.batch_progress,
    )
    server = EmulatorServer(emulator.handle, options.host, options.port)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
