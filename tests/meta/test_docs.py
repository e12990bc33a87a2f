"""The docs stay true: every trait is in the README's table, every module in ARCHITECTURE."""

from __future__ import annotations

import re
from pathlib import Path

from claude_nb._notebook.magics import ClaudeMagics

ROOT = Path(__file__).resolve().parents[2]


def test_readme_config_table_lists_every_trait():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`ClaudeMagics\.(\w+)`", table))
    assert documented == set(ClaudeMagics.class_own_traits(config=True))


def test_architecture_lists_every_module():
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([\w/]+)` \|", architecture, re.MULTILINE))
    modules = {path.stem for path in (ROOT / "claude_nb").glob("*.py")} | {"emulator/"}
    assert rows == modules
