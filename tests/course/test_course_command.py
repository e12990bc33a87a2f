"""``python -m claude_nb.demo --course`` on a small course: HTML per tutorial, an index, status."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from claude_nb.demo import main


def test_the_course_command_writes_both_languages_and_fails_on_a_failed_exercise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course = tmp_path / "course"
    for language, passes in (("en", True), ("ko", False)):
        notebook = nbformat.v4.new_notebook(  # type: ignore[no-untyped-call]
            cells=[
                nbformat.v4.new_markdown_cell("# Lesson" if passes else "# 수업"),  # type: ignore[no-untyped-call]
                nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),  # type: ignore[no-untyped-call]
                nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
                    f"print('✅ yes' if {passes} else '❌ not yet')", metadata={"tags": ["check"]}
                ),
            ]
        )
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        (course / language).mkdir(parents=True)
        nbformat.write(notebook, course / language / "01_lesson.ipynb")  # type: ignore[no-untyped-call]
    output = tmp_path / "out"
    status = main(["--course", "--course-dir", str(course), "--output", str(output)])
    assert status == 1  # the Korean exercise failed
    index = (output / "course" / "index.html").read_text(encoding="utf-8")
    assert 'href="en/01_lesson.html"' in index and 'href="ko/01_lesson.html"' in index
    assert "✅ 1/1" in index and "❌ 0/1" in index and "한국어" in index
    assert "<title>수업</title>" in (output / "course" / "ko" / "01_lesson.html").read_text()
    executed = json.loads((output / "course" / "en" / "01_lesson.ipynb").read_text())
    assert executed["cells"][1]["outputs"][0]["output_type"] == "error"
    assert "1 of 2 passed" in capsys.readouterr().out
