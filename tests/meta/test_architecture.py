"""The house rules, checked: no import cycles, contracts kept, a small front floor, short modules.

The cycle check builds the package's import graph from the source with ``ast``: every
``import`` counts, including those under ``if TYPE_CHECKING:`` and inside functions, because
a cycle hidden there is still a design error (it only moves the failure to type-check time or
to the first call). The layer rules themselves are import-linter contracts in
``pyproject.toml``; ``lint-imports`` runs here so the test command enforces them.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "claude_nb"

MAX_TOP_LEVEL_MODULES = 10
MAX_MODULE_LINES = 400
WINGS = {
    "_api", "_wire", "_content", "_tools", "_accounting", "_session", "_store", "_display",
    "_chat", "_notebook", "emulator", "testing",
}


def module_files(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under ``package``."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> Iterable[str]:
    """Every dotted name ``module`` imports, wherever the import statement stands."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            # ``from pkg import name`` imports pkg (its __init__ runs) and pkg.name when that is
            # a module; import_graph resolves each name to the module that exists
            yield prefix
            yield from (f"{prefix}.{alias.name}" for alias in node.names)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (each name resolved to its module)."""
    modules = module_files(package)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target in imported_names(name, path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # an edge to an ancestor package counts (its __init__ runs first and may import
            # the child back), except to the root, whose __init__ every import runs anyway
            if target and target != name and target != package.name:
                graph[name].add(target)
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def write_package(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    return root / "pkg"


def test_the_cycle_finder_sees_type_checking_and_function_level_imports(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from pkg.b import B
            """,
        "pkg/b.py": """
            def f():
                from . import a
            """,
        "pkg/c.py": "from pkg import a\n",
    })
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b"]]


def test_the_cycle_finder_sees_a_child_importing_its_parent_package(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "from pkg.sub.core import Core\n",
        "pkg/sub/core.py": "class Core: ...\n",
        "pkg/sub/server.py": "from pkg.sub import Core\n",
        "pkg/sub/other.py": "from pkg.sub import server\n",
    })
    assert cycles(import_graph(package)) == []
    (package / "sub" / "core.py").write_text("from pkg.sub import server\nclass Core: ...\n")
    assert cycles(import_graph(package)) == [["pkg.sub", "pkg.sub.core", "pkg.sub.server"]]


def test_the_cycle_finder_passes_a_one_way_graph(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "pkg/__init__.py": "from pkg.sub import x\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/x.py": "from ..y import z\n",
        "pkg/y.py": "z = 1\n",
    })
    assert cycles(import_graph(package)) == []


def test_the_package_has_no_import_cycles() -> None:
    assert cycles(import_graph(PACKAGE)) == []


def test_lint_imports_keeps_every_contract() -> None:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("lint-imports is not installed: import-linter is in the test extra")
    result = subprocess.run(
        [executable, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_lint_imports_fails_on_a_forbidden_import(tmp_path: Path) -> None:
    """A contract can fail: httpx imported by the display wing of a copy of the package."""
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert executable is not None
    copy = tmp_path / "claude_nb"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "_display" / "render.py").open("a", encoding="utf-8") as handle:
        handle.write("\nimport httpx  # a deliberate breach\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run(
        [executable, "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        check=False, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "claude_nb._display.render -> httpx" in result.stdout


def test_the_front_floor_holds_only_foundations() -> None:
    loose = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(loose) <= MAX_TOP_LEVEL_MODULES, loose
    folders = {
        path.name for path in PACKAGE.iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }
    assert folders == WINGS


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
