"""The docs stay true: every trait in the README's table, every wing and module on the map."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from claude_nb._notebook.magics import ClaudeMagics

ROOT = Path(__file__).resolve().parents[2]


def test_readme_config_table_lists_every_trait():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`ClaudeMagics\.(\w+)`", table))
    assert documented == set(ClaudeMagics.class_own_traits(config=True))


def architecture() -> str:
    return (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_architecture_maps_every_wing_and_module():
    rows = dict(re.findall(r"^\| (`[^|]+) \| (.+) \|$", architecture(), re.MULTILINE))
    mapped = {name.strip("`/") for cell in rows for name in cell.split(", ")}
    package = ROOT / "claude_nb"
    wings = {path.name for path in package.iterdir() if (path / "__init__.py").exists()}
    loose = {path.stem for path in package.glob("*.py")} - {"__init__"}
    assert mapped == wings | loose
    for cell, text in rows.items():
        wing = cell.strip("`/")
        if wing in wings and wing not in {"emulator", "testing"}:
            files = {path.stem for path in (package / wing).glob("*.py")} - {"__init__"}
            missing = {name for name in files if f"`{name}`" not in text}
            assert not missing, f"{wing}: {sorted(missing)} not on the map"


def test_architecture_layers_are_the_contract():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    layers = next(contract for contract in contracts if contract["type"] == "layers")
    block = architecture().split("## The import rules", 1)[1].split("```", 2)[1]
    assert block.strip().splitlines() == layers["layers"]
