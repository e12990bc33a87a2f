"""Cost of ``%load_ext claude_nb`` in fresh IPython processes, against ``ipython -c pass``.

Goal: at most 100 ms over the baseline (median of fresh processes). ``jupyter_ai_magics`` is
measured beside it when installed (the ``bench`` extra does not force it).

    python bench/load_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time

CASES = {
    "ipython -c pass (baseline)": "pass",
    "%load_ext claude_nb": "%load_ext claude_nb",
    "%load_ext jupyter_ai_magics": "%load_ext jupyter_ai_magics",
}


def time_once(code: str) -> float:
    command = [sys.executable, "-m", "IPython", "--no-banner", "--quick", "-c", code]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    have_ai = importlib.util.find_spec("jupyter_ai_magics") is not None
    cases = {name: code for name, code in CASES.items() if have_ai or "jupyter_ai" not in name}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(options.runs):  # interleaved, so drift hits every case alike
        for name, code in cases.items():
            samples[name].append(time_once(code))
    baseline = statistics.median(samples["ipython -c pass (baseline)"])
    print(f"| case | median (ms) | over baseline (ms) | runs={options.runs} |")
    print("|---|---:|---:|---|")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1000:.0f} | {(median - baseline) * 1000:+.0f} | |")
    if not have_ai:
        print("| %load_ext jupyter_ai_magics | not installed | (peers: +1050 to +1760) | |")
    over = statistics.median(samples["%load_ext claude_nb"]) - baseline
    print(f"\nclaude_nb load cost: {over * 1000:+.0f} ms (goal: <= +100 ms)")
    print("goal met" if over <= 0.100 else "GOAL NOT MET")
    return 0  # a benchmark reports; it fails only on errors


if __name__ == "__main__":
    sys.exit(main())
