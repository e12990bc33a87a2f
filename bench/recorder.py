"""Per-cell cost of the cell recorder in a real kernel: a cell printing 10,000 lines.

Runs the cell ``--runs`` times with ``ClaudeMagics.record_cells`` on and off (interleaved)
and reports the medians of the cell's round trip (execute request to idle) and their
difference::

    python bench/recorder.py [--runs 15] [--lines 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from claude_nb.testing import running_kernel


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--lines", type=int, default=10_000)
    options = parser.parse_args()
    cell = f"for i in range({options.lines}):\n    print('line', i)"
    samples: dict[bool, list[float]] = {True: [], False: []}
    with running_kernel() as kernel:
        kernel.execute("%load_ext claude_nb")
        kernel.execute(cell)  # warm up
        for _ in range(options.runs):
            for recording in (False, True):  # on last: the last recorded cell printed
                kernel.execute(f"%config ClaudeMagics.record_cells = {recording}")
                started = time.perf_counter()
                kernel.execute(cell)
                samples[recording].append(time.perf_counter() - started)
        kept = kernel.value(
                            "get_ipython().magics_manager.registry['ClaudeMagics']"
                            ".recorder.cells[-1].outputs[0].total")
    on, off = (statistics.median(samples[flag]) * 1000 for flag in (True, False))
    print(f"| recorder | median cell time (ms), {options.lines:,} printed lines |")
    print("|---|---:|")
    print(f"| off | {off:.1f} |")
    print(f"| on | {on:.1f} |")
    print(f"\nper-cell overhead: {on - off:+.1f} ms ({(on - off) / off * 100:+.1f}%); "
          f"characters recorded from the last cell: {kept}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
