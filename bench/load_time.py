"""Cost of ``%load_ext claude_nb`` in fresh IPython processes, against ``ipython -c pass``.

Goal: at most 100 ms over the baseline (median of fresh processes). ``jupyter_ai_magics`` is
measured beside it when it is installed here, or in another interpreter given with
``--peer-python`` (its own baseline measured there too), so the peer's dependencies
(langchain...) stay out of the project's environment:

    python3 -m venv .venv-peers
    .venv-peers/bin/pip install jupyter-ai-magics langchain-anthropic ipython
    python bench/load_time.py [--runs 15] [--peer-python .venv-peers/bin/python]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time

BASELINE = "ipython -c pass (baseline)"
PEER_BASELINE = "peer env: ipython -c pass (baseline)"
PEER = "%load_ext jupyter_ai_magics"


def time_once(python: str, code: str) -> float:
    command = [python, "-m", "IPython", "--no-banner", "--quick", "-c", code]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--peer-python", help="interpreter with jupyter_ai_magics installed")
    options = parser.parse_args()
    # name -> (interpreter, code, the baseline it is measured against)
    cases = {
        BASELINE: (sys.executable, "pass", BASELINE),
        "%load_ext claude_nb": (sys.executable, "%load_ext claude_nb", BASELINE),
    }
    if options.peer_python:
        cases[PEER_BASELINE] = (options.peer_python, "pass", PEER_BASELINE)
        cases[PEER] = (options.peer_python, "%load_ext jupyter_ai_magics", PEER_BASELINE)
    elif importlib.util.find_spec("jupyter_ai_magics") is not None:
        cases[PEER] = (sys.executable, "%load_ext jupyter_ai_magics", BASELINE)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(options.runs):  # interleaved, so drift hits every case alike
        for name, (python, code, _) in cases.items():
            samples[name].append(time_once(python, code))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"| case | median (ms) | over its baseline (ms) | runs={options.runs} |")
    print("|---|---:|---:|---|")
    for name, (_, _, baseline_name) in cases.items():
        over = medians[name] - medians[baseline_name]
        print(f"| {name} | {medians[name] * 1000:.0f} | {over * 1000:+.0f} | |")
    if PEER not in cases:
        print(f"| {PEER} | not installed (see --peer-python) | (peers: +1050 to +1760) | |")
    over = medians["%load_ext claude_nb"] - medians[BASELINE]
    print(f"\nclaude_nb load cost: {over * 1000:+.0f} ms (goal: <= +100 ms)")
    print("goal met" if over <= 0.100 else "GOAL NOT MET")
    return 0  # a benchmark reports; it fails only on errors


if __name__ == "__main__":
    sys.exit(main())
