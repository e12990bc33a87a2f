"""ruff and mypy run clean, as part of the README's one test command (so CI runs them too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_tool(module: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    if shutil.which(module, path=str(Path(sys.executable).parent)) is None:
        pytest.fail(f"{module} is not installed: it is in the test extra")
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )


def test_ruff_is_clean() -> None:
    result = run_tool("ruff", "check", "claude_nb", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
