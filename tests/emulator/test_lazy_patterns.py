"""Importing the emulator compiles none of the teaching responder's patterns (first cell).

The first ``%%claude`` of a fresh kernel imports the emulator; its teaching modules hold
dozens of regular expressions, compiled on first use (``emulator._patterns.lazy``), not at
import. Checked in a fresh interpreter, so nothing else has used them yet.
"""

from __future__ import annotations

import subprocess
import sys

MODULES = ("_teach", "_json_reply", "_code_reply", "_extract", "_words", "_offline")

SCRIPT = f"""
import ast, importlib, inspect, re
import claude_nb.emulator
compiled = []
for name in {MODULES!r}:
    module = importlib.import_module("claude_nb.emulator." + name)
    tree = ast.parse(inspect.getsource(module))
    own = {{t.id for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}}
    for attr, value in vars(module).items():
        if attr not in own:
            continue
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, re.Pattern):
                compiled.append(name + "." + attr)
            elif type(item).__name__ == "LazyPattern" and item._compiled is not None:
                compiled.append(name + "." + attr + " (used)")
print(compiled)
"""


def test_importing_the_emulator_compiles_no_teaching_pattern() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_a_lazy_pattern_matches_like_the_compiled_one() -> None:
    import re

    from claude_nb.emulator._patterns import lazy

    pattern = lazy(r"(\d+)\s*words?", re.I)
    assert pattern.search("Write 12 Words").group(1) == "12"  # type: ignore[union-attr]
    assert pattern.findall("1 word, 2 words") == ["1", "2"]
    assert pattern.sub("N", "3 words") == "N"
    assert pattern.pattern == r"(\d+)\s*words?" and pattern.flags == re.I
