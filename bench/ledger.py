"""Benchmark: per-call overhead of the ledger and the SQLite store, and the 10,000-call chart.

Run: ``.venv/bin/python bench/ledger.py [--calls N]``. Prints a table; exits non-zero only on
errors (a missed goal is reported in the table, not as a failure).

What one call costs the notebook after the reply arrives: ``UsageRecord.from_reply`` +
``Ledger.append`` (ledger), and ``Store.record_reply`` (one SQLite transaction in WAL mode,
with the request's new message and the reply as JSON). The replies are real ones from the
offline emulator, replayed so that only our overhead is timed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from claude_nb import Session
from claude_nb._accounting.ledger import Ledger, UsageRecord
from claude_nb._content.images import render_figure
from claude_nb._display.chart import cost_figure
from claude_nb._store.store import Store

LEDGER_GOAL_MS = 2.0
CHART_GOAL_S = 1.0


def sample_replies(count: int) -> list[Any]:
    """A few real replies from the offline emulator (reused round-robin)."""
    with Session(environ={}) as session:
        return [session.ask(f"question number {number}: " + "context " * 200, max_tokens=200)
                for number in range(count)]


def time_calls(replies: list[Any], calls: int, directory: Path) -> dict[str, list[float]]:
    ledger = Ledger()
    timings: dict[str, list[float]] = {"ledger": [], "store": [], "both": []}
    with Store(directory / "history.sqlite", environ={}) as store:
        session_id = store.start_session("claude-sonnet-5-5", "bench.ipynb")
        for number in range(calls):
            reply = replies[number % len(replies)]
            started = time.perf_counter()
            ledger.record_reply(reply, cell=f"In[{number}]")
            middle = time.perf_counter()
            store.record_reply(session_id, reply, cell=f"In[{number}]")
            ended = time.perf_counter()
            timings["ledger"].append((middle - started) * 1000)
            timings["store"].append((ended - middle) * 1000)
            timings["both"].append((ended - started) * 1000)
        started = time.perf_counter()
        saved = store.load_session(session_id)
        timings["load"] = [(time.perf_counter() - started) * 1000]
        if len(saved.records) != calls:
            raise RuntimeError(f"stored {len(saved.records)} of {calls} calls")
    return timings


def time_chart(records: int) -> dict[str, float]:
    import matplotlib  # noqa: F401  (import time is not the chart's)

    started = time.perf_counter()
    ledger = Ledger(
        UsageRecord("claude-sonnet-5-5", input_tokens=100 + number % 900, output_tokens=300,
                    cache_write_5m_tokens=2000 * (number % 7 == 0),
                    cache_read_tokens=15000 * (number % 3 == 0), offline=True, time=0.0)
        for number in range(records)
    )
    built = time.perf_counter() - started
    started = time.perf_counter()
    totals = ledger.totals()
    summed = time.perf_counter()
    ledger._repr_markdown_()
    tabled = time.perf_counter()
    figure = cost_figure(ledger)
    drawn = time.perf_counter()
    png = render_figure(figure, tight=False)  # what cost_chart_png does
    ended = time.perf_counter()
    if not png or totals.calls != records:
        raise RuntimeError("the chart did not render")
    return {"build": built, "totals": summed - started, "markdown": tabled - summed,
            "figure": drawn - tabled, "png": ended - drawn, "chart": ended - tabled}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--chart-records", type=int, default=10_000)
    options = parser.parse_args()
    replies = sample_replies(5)
    with tempfile.TemporaryDirectory() as directory:
        timings = time_calls(replies, options.calls, Path(directory))
    chart = time_chart(options.chart_records)

    rows = []
    for name in ("ledger", "store", "both"):
        values = sorted(timings[name])
        p95 = values[int(len(values) * 0.95) - 1]
        goal = f"< {LEDGER_GOAL_MS} ms" if name == "both" else ""
        verdict = ("met" if p95 < LEDGER_GOAL_MS else "MISSED") if goal else ""
        rows.append((f"per call: {name}", f"{statistics.median(values):.3f} ms",
                     f"p95 {p95:.3f} ms", goal, verdict))
    rows.append((f"load session ({options.calls} turns)", f"{timings['load'][0]:.1f} ms",
                 "", "", ""))
    count = f"{options.chart_records:,} calls"
    rows.append((f"build ledger, {count}", f"{chart['build'] * 1000:.0f} ms", "", "", ""))
    rows.append((f"totals, {count}", f"{chart['totals'] * 1000:.0f} ms", "", "", ""))
    rows.append((f"markdown table, {count}", f"{chart['markdown'] * 1000:.0f} ms", "", "", ""))
    rows.append((f"chart figure, {count}", f"{chart['figure'] * 1000:.0f} ms", "", "", ""))
    rows.append((f"chart PNG, {count}", f"{chart['png'] * 1000:.0f} ms", "", "", ""))
    rows.append((f"chart total, {count}", f"{chart['chart']:.2f} s", "",
                 f"< {CHART_GOAL_S} s", "met" if chart["chart"] < CHART_GOAL_S else "MISSED"))
    header = ("measure", "median / value", "p95", "goal", "")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\npython {sys.version.split()[0]}, {options.calls} calls, sqlite WAL, "
          "synchronous=NORMAL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
