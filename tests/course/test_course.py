"""The course: 12 tutorials in English and 12 in Korean, each executed offline in a fresh kernel.

The tutorials run through ``claude_nb._course`` (the engine of ``python -m claude_nb.demo
--course``), a few at a time. Every cell must run (a cell tagged ``raises-exception`` must
raise), and every exercise's check cell must print its ✅ line offline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from claude_nb._course import LANGUAGES, CourseResult, execute_course, tutorials
from claude_nb.testing import canary_key

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "notebooks"
FOUND = tutorials(COURSE)
NAMES = {code: [path.name for lang, path in FOUND if lang == code] for code in LANGUAGES}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")
CANARY = canary_key("course-canary-000000000000")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CourseResult]]:
    """Every tutorial executed once, offline, with no key and a fresh CLAUDE_NB_HOME."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("ANTHROPIC_", "CLAUDE_NB_")):
                patch.delenv(name, raising=False)
        patch.setenv("CLAUDE_NB_HOME", str(tmp_path_factory.mktemp("course_home")))
        results = execute_course(FOUND)
    yield {f"{r.language}/{r.name}": r for r in results}


def test_twelve_tutorials_in_each_language_with_the_same_file_names() -> None:
    assert len(NAMES["en"]) == 12
    assert NAMES["en"] == NAMES["ko"]
    assert [name[:3] for name in NAMES["en"]] == [f"{n:02d}_" for n in range(1, 13)]


@pytest.mark.parametrize(("language", "path"), FOUND, ids=[f"{c}/{p.name}" for c, p in FOUND])
def test_tutorial_is_committed_clean_with_an_exercise_and_a_check(
    language: str, path: Path
) -> None:
    notebook = _read(path)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), (
        "committed with outputs"
    )
    checks = [cell for cell in code if "check" in _tags(cell)]
    assert checks, "no check cell (tag 'check')"
    heading = "Exercise" if language == "en" else "연습"
    assert any(heading in cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("#")


@pytest.mark.parametrize("path", [p for c, p in FOUND if c == "ko"], ids=lambda p: p.name)
def test_korean_tutorials_are_written_in_korean(path: Path) -> None:
    prose = "\n".join(
        re.sub(r"`[^`]*`|```.*?```|\[[^\]]*\]\([^)]*\)", " ", cell.source, flags=re.DOTALL)
        for cell in _read(path).cells
        if cell.cell_type == "markdown"
    )
    hangul, latin = len(HANGUL.findall(prose)), len(LATIN.findall(prose))
    assert hangul > latin, f"{hangul} Hangul vs {latin} Latin letters in the prose"


def test_the_course_index_links_every_tutorial_in_both_languages() -> None:
    index = (COURSE / "README.md").read_text(encoding="utf-8")
    for language, path in FOUND:
        assert f"({language}/{path.name})" in index, f"{language}/{path.name} not linked"
    assert HANGUL.search(index), "the index speaks Korean too"


@pytest.mark.parametrize(("language", "path"), FOUND, ids=[f"{c}/{p.name}" for c, p in FOUND])
def test_tutorial_runs_offline_and_its_exercises_pass(
    executed: dict[str, CourseResult], language: str, path: Path
) -> None:
    result = executed[f"{language}/{path.name}"]
    assert result.error is None, result.error
    assert result.checks and all(result.checks), f"check cells: {result.checks}"
    notebook = nbformat.reads(result.notebook, as_version=4)  # type: ignore[no-untyped-call]
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if "raises-exception" in _tags(cell):
            assert errors, f"tagged raises-exception but ran cleanly:\n{cell.source}"
        else:
            assert not errors
    assert "offline" in result.html.lower() or "오프라인" in result.html
