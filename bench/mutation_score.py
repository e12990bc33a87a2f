"""The mutation score per module, from ``mutmut results`` (run ``mutmut run`` first).

Run from the repository root: ``.venv/bin/python bench/mutation_score.py [--equivalent FILE]``.
Prints one row per mutated module: mutants, killed (timeouts and segfaults count as killed),
survived (a mutant no test reaches counts as survived), not yet checked, and the score
killed / (killed + survived). With ``--equivalent``, mutants named in FILE (one name a line,
``#`` comments) are set aside before scoring: they change nothing observable (the list and
the reason for each are in docs/equivalent_mutants.txt).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

KILLED = {"killed", "timeout", "segfault", "suspicious"}


def results() -> dict[str, str]:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        name, _, verdict = line.strip().rpartition(": ")
        if name:
            status[name] = verdict.strip()
    return status


def module_of(name: str) -> str:
    return re.sub(r"\.x[_ǁ].*$", "", name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--equivalent", type=Path)
    args = parser.parse_args()
    equivalent: set[str] = set()
    if args.equivalent:
        for line in args.equivalent.read_text().splitlines():
            name = line.split("#", 1)[0].strip()
            if name:
                equivalent.add(name)
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name, verdict in results().items():
        row = rows[module_of(name)]
        row["mutants"] += 1
        if name in equivalent:
            row["equivalent"] += 1
        elif verdict in KILLED:
            row["killed"] += 1
        elif verdict in ("survived", "no tests"):  # no test reaches it: not caught
            row["survived"] += 1
        else:
            row["unchecked"] += 1
    print(
        f"{'module':42} {'mutants':>7} {'killed':>6} {'survived':>8} {'equiv':>5} "
        f"{'unchecked':>9} {'score':>6}"
    )
    for module in sorted(rows):
        row = rows[module]
        done = row["killed"] + row["survived"]
        score = f"{100 * row['killed'] / done:.0f}%" if done else "-"
        print(
            f"{module:42} {row['mutants']:7} {row['killed']:6} {row['survived']:8} "
            f"{row['equivalent']:5} {row['unchecked']:9} {score:>6}"
        )


if __name__ == "__main__":
    main()
