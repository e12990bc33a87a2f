"""Import cost: ``import claude_nb`` + ``Session()`` beside ``import anthropic``.

Each measurement runs in a fresh interpreter (so nothing is cached in ``sys.modules``) and
times only the import (and construction) inside it, excluding interpreter start-up. Prints
the median of N runs and the ratio; the goal is claude_nb at most 1/8 of the SDK.

    python bench/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SNIPPETS = {
    "import claude_nb": "import claude_nb",
    "import claude_nb + Session()": "import claude_nb; claude_nb.Session(environ={})",
    "import anthropic": "import anthropic",
    "import anthropic + Anthropic()": "import anthropic; anthropic.Anthropic(api_key='sk-ant-x')",
}

TIMER = (
    "import time, sys; began = time.perf_counter(); {snippet}; "
    "print(time.perf_counter() - began, 'httpx' in sys.modules)"
)


def time_snippet(snippet: str) -> tuple[float, bool]:
    result = subprocess.run(
        [sys.executable, "-c", TIMER.format(snippet=snippet)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, httpx_loaded = result.stdout.split()
    return float(seconds), httpx_loaded == "True"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    medians: dict[str, float] = {}
    print(f"{'what':<32} {'median ms':>10} {'min ms':>8}  httpx imported")
    for name, snippet in SNIPPETS.items():
        try:
            samples = [time_snippet(snippet) for _ in range(options.runs)]
        except subprocess.CalledProcessError:
            print(f"{name:<32} {'(not installed)':>10}")
            continue
        times = [seconds for seconds, _ in samples]
        medians[name] = statistics.median(times)
        print(
            f"{name:<32} {medians[name] * 1000:>10.1f} {min(times) * 1000:>8.1f}  {samples[0][1]}"
        )
    ours = medians.get("import claude_nb + Session()")
    sdk = medians.get("import anthropic")
    if ours and sdk:
        print(f"\nclaude_nb + Session() is 1/{sdk / ours:.1f} of import anthropic (goal <= 1/8)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
