"""Shared fixtures: a scrubbed environment (autouse) and the emulator as a real subprocess.

The folders mirror the package: ``unit/<wing>/`` (one capability subpackage each),
``emulator/``, ``contract/`` (the official SDK as oracle), ``kernel/`` (real IPython kernels),
``browser/`` (headless chromium), ``course/`` (the tutorials, executed) and ``meta/`` (lint,
docs, public API). Every item gets its folder's marker, so
``-m "not kernel and not browser and not course"`` is the quick run. Helpers shared
with the benches are ``claude_nb.testing``'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from IPython.core.interactiveshell import InteractiveShell

from claude_nb.testing import HandlerTransport, emulator_process


@pytest.fixture(scope="session", autouse=True)
def _history_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """CLAUDE_NB_HOME, and HOME itself, in temporary directories for the whole run.

    Persistence is on by default, so nothing a test runs may write ``~/.claude_nb``. A
    ``Session(environ={})`` reads no ``CLAUDE_NB_HOME`` and falls back to ``~/.claude_nb``,
    so ``HOME`` moves too (kernels included); matplotlib's font cache and Playwright's
    browsers stay where they were (caches, slow to rebuild). At the end, the real
    ``~/.claude_nb`` must be as it was.
    """
    real = Path.home()
    before = _snapshot(real / ".claude_nb")
    home = str(tmp_path_factory.mktemp("claude_nb_home"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLAUDE_NB_HOME", home)
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv(
            "MPLCONFIGDIR", os.environ.get("MPLCONFIGDIR") or str(real / ".config" / "matplotlib")
        )
        browsers = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(
            real / ".cache" / "ms-playwright"
        )
        patch.setenv("PLAYWRIGHT_BROWSERS_PATH", browsers)
        yield home
    assert _snapshot(real / ".claude_nb") == before, "a test wrote the real ~/.claude_nb"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.is_dir():
        return {}
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No test sees the developer's ANTHROPIC_* or CLAUDE_NB_* variables.

    ``CLAUDE_NB_HOME`` is the test's own temporary directory (the history store lives there).
    """
    for name in list(os.environ):
        if name.startswith(("ANTHROPIC_", "CLAUDE_NB_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLAUDE_NB_HOME", str(tmp_path / "claude_nb_home"))


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    """A real InteractiveShell with ``%load_ext claude_nb`` (unloaded and cleared after)."""
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "claude_nb")
    try:
        yield ip
    finally:
        ip.run_line_magic("unload_ext", "claude_nb")
        InteractiveShell.clear_instance()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[str]:
    """Base URL of ``python -m claude_nb.emulator`` run as a subprocess on 127.0.0.1.

    The server requires a key (any non-empty key works) and stops at the end of the session.
    """
    with emulator_process() as base_url:
        yield base_url


@pytest.fixture
def emulator() -> Any:
    """A fresh open emulator (no key needed) with the default offline responder."""
    from claude_nb.emulator import Emulator

    return Emulator(require_key=False)


@pytest.fixture
def emulator_client(emulator: Any) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` on ``emulator``'s in-process transport, version header set."""
    with httpx.Client(
        transport=HandlerTransport(emulator.handle),
        base_url="https://api.anthropic.com",
        headers={"anthropic-version": "2023-06-01"},
    ) as client:
        yield client


_TESTS = Path(__file__).resolve().parent
FOLDER_MARKERS = {
    "unit": "unit: a unit test of one capability subpackage (tests/unit/<wing>/)",
    "emulator": "emulator: tests of the offline emulator (tests/emulator/)",
    "contract": "contract: the official anthropic SDK as oracle (tests/contract/)",
    "kernel": "kernel: runs a real IPython kernel",
    "browser": "browser: drives headless chromium",
    "meta": "meta: lint, docs, public API and import checks (tests/meta/)",
    "course": "course: every tutorial executed offline in a real kernel (tests/course/)",
}
REGISTERED_IN_PYPROJECT = {"kernel", "browser"}


def pytest_configure(config: pytest.Config) -> None:
    """Register the folder markers pyproject.toml does not (it has ``--strict-markers``)."""
    for name, line in FOLDER_MARKERS.items():
        if name not in REGISTERED_IN_PYPROJECT:
            config.addinivalue_line("markers", line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every item with its top folder under tests/ (``kernel``, ``browser``, ``unit``...)."""
    for item in items:
        try:
            folder = item.path.resolve().relative_to(_TESTS).parts[0]
        except (ValueError, IndexError):
            continue
        if folder in FOLDER_MARKERS:
            item.add_marker(folder)
