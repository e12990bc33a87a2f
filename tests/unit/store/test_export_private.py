"""Exports are conversations: written 0600 like the store, never readable by others."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from claude_nb import Session
from claude_nb._store.export import write_private_text
from claude_nb._store.persistence import Persistence
from claude_nb.emulator import Emulator

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
@pytest.mark.parametrize("suffix", [".json", ".md", ".markdown"])
@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_exports_are_created_0600(tmp_path: Path, suffix: str, umask: int) -> None:
    persistence = Persistence(environ={"CLAUDE_NB_HOME": str(tmp_path / "home")})
    session = Session(offline=True, emulator=Emulator(require_key=False), environ={})
    session.on_call.append(persistence.record)
    session.ask("a private question", max_tokens=40)
    old = os.umask(umask)
    try:
        target = persistence.export(tmp_path / f"s{suffix}")
    finally:
        os.umask(old)
    assert mode(target) == 0o600
    assert "a private question" in target.read_text("utf-8")


@posix_only
def test_an_existing_world_readable_file_is_replaced_private(tmp_path: Path) -> None:
    target = tmp_path / "old.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    write_private_text(target, json.dumps({"secret": "x"}))
    assert mode(target) == 0o600
    assert json.loads(target.read_text("utf-8")) == {"secret": "x"}
    assert [p.name for p in tmp_path.iterdir()] == ["old.json"]  # no temporary left behind


@posix_only
def test_no_window_where_the_content_is_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file that ever holds the content is 0600 before the first byte is written."""
    seen: list[int] = []
    real_write = os.write

    def spying_write(fd: int, data: bytes) -> int:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", spying_write)
    write_private_text(tmp_path / "x.md", "secret " * 10_000)
    assert seen and set(seen) == {0o600}


def test_a_failed_write_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_write(fd: int, data: bytes) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError, match="disk full"):
        write_private_text(tmp_path / "x.md", "secret")
    assert list(tmp_path.iterdir()) == []
