"""The course runner behind ``python -m claude_nb.demo --course``.

The course is ``notebooks/<language>/NN_slug.ipynb`` (``en`` and ``ko``, the same file names).
Every tutorial runs top to bottom in a fresh ``python3`` kernel (nbclient; a cell tagged
``raises-exception`` may raise, any other error fails that tutorial), a few at a time in worker
processes. Each is written as HTML (nbconvert) beside its executed copy, under
``<output>/<language>/``, and ``<output>/index.html`` links them all, both languages side by
side, with the time each took and its exercises: a cell tagged ``check`` passes when it printed
a line starting with ✅.

With ``cassette_mode`` (``demo --course --record`` / ``--replay``) each tutorial's kernel gets
``CLAUDE_NB_CASSETTE=<tutorial>.cassette.jsonl`` beside it: ``record`` (with a key) writes it
afresh, ``replay`` answers from it with no key and no network (``claude_nb._wire.cassette``).
"""

from __future__ import annotations

import html
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

__all__ = [
    "LANGUAGES",
    "CourseResult",
    "cassette_for",
    "execute_course",
    "execute_tutorial",
    "find_course",
    "run_course",
    "tutorials",
    "use_cassette",
    "write_index",
]

LANGUAGES = {"en": "English", "ko": "한국어"}
"""The course's languages, in the order the index shows them."""

CHECK_TAG = "check"
PASSED = "✅"


@dataclass
class CourseResult:
    """One executed tutorial.

    Attributes:
        language: ``en`` or ``ko``.
        name: The file name (``01_models.ipynb``).
        title: The first Markdown heading.
        seconds: Wall time to execute it.
        checks: One bool per check cell, in order (True: it printed ✅).
        error: The failure (the cell's error, shortened), or None when every cell ran.
        html: The rendered notebook (not kept in the index).
        notebook: The executed notebook as JSON text.
    """

    language: str
    name: str
    title: str
    seconds: float
    checks: list[bool] = field(default_factory=list)
    error: str | None = None
    html: str = field(default="", repr=False)
    notebook: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        """Every cell ran and every check passed."""
        return self.error is None and all(self.checks)


def find_course(start: Path | None = None) -> Path:
    """The course folder: ``./notebooks`` or the one next to the package (editable install).

    Raises:
        FileNotFoundError: Neither has ``en/`` and ``ko/`` tutorials.
    """
    candidates = (
        [start]
        if start
        else [Path.cwd() / "notebooks", Path(__file__).resolve().parents[1] / "notebooks"]
    )
    for candidate in candidates:
        if candidate is not None and all((candidate / code).is_dir() for code in LANGUAGES):
            return candidate
    raise FileNotFoundError("notebooks/en and notebooks/ko not found (run from the repository)")


def tutorials(course: Path) -> list[tuple[str, Path]]:
    """``(language, path)`` of every tutorial, by language then file name."""
    return [
        (code, path)
        for code in LANGUAGES
        for path in sorted((course / code).glob("[0-9][0-9]_*.ipynb"))
    ]


def _title(notebook: Any, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return str(line.lstrip("#").strip())
    return fallback


def _check_results(notebook: Any) -> list[bool]:
    results = []
    for cell in notebook.cells:
        if CHECK_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        printed = "".join(
            str(output.get("text", ""))
            for output in cell.get("outputs", [])
            if output.get("output_type") == "stream"
        )
        results.append(any(line.startswith(PASSED) for line in printed.splitlines()))
    return results


def cassette_for(tutorial: Path) -> Path:
    """The cassette recorded beside a tutorial: ``01_models.cassette.jsonl``."""
    return tutorial.with_suffix(".cassette.jsonl")


def use_cassette(source: Path, mode: str | None) -> None:
    """Point the next kernel (it inherits this worker's environment) at the cassette."""
    for name in ("CLAUDE_NB_CASSETTE", "CLAUDE_NB_CASSETTE_MODE"):
        os.environ.pop(name, None)
    if mode is None:
        return
    cassette = cassette_for(source.resolve())
    if mode == "record":
        cassette.unlink(missing_ok=True)  # a lesson re-recorded starts afresh
    os.environ["CLAUDE_NB_CASSETTE"] = str(cassette)
    os.environ["CLAUDE_NB_CASSETTE_MODE"] = mode


def execute_tutorial(
    language: str, path: str, timeout: int = 300, cassette_mode: str | None = None
) -> CourseResult:
    """Execute one tutorial in a fresh kernel (run in a worker process by ``run_course``)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    source = Path(path)
    use_cassette(source, cassette_mode)
    notebook = nbformat.read(source, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
    )
    started = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = str(failure).strip().splitlines()[-1][:300] if str(failure).strip() else "error"
    except Exception as failure:  # a kernel that died or timed out: report, keep going
        error = f"{type(failure).__name__}: {failure}"[:300]
    seconds = time.perf_counter() - started
    title = _title(notebook, source.stem)
    rendered, _ = HTMLExporter().from_notebook_node(  # type: ignore[no-untyped-call]
        notebook, resources={"metadata": {"name": title}}
    )
    return CourseResult(
        language=language,
        name=source.name,
        title=title,
        seconds=seconds,
        checks=_check_results(notebook),
        error=error,
        html=rendered,
        notebook=nbformat.writes(notebook),  # type: ignore[no-untyped-call]
    )


def _status(result: CourseResult) -> str:
    if result.error is not None:
        return f"❌ {html.escape(result.error)}"
    passed = sum(result.checks)
    mark = PASSED if result.ok else "❌"
    return f"{mark} {passed}/{len(result.checks)} exercises"


def write_index(
    results: list[CourseResult], output: Path, seconds: float, cassette_mode: str | None = None
) -> Path:
    """Write ``output/index.html``: both languages side by side, each tutorial linked."""
    columns = []
    for code, language in LANGUAGES.items():
        items = "".join(
            f'<li><a href="{code}/{Path(r.name).with_suffix(".html").name}">'
            f"{html.escape(r.title)}</a> <small>{r.seconds:.1f} s · {_status(r)}</small></li>"
            for r in results
            if r.language == code
        )
        columns.append(f'<section lang="{code}"><h2>{language}</h2><ol>{items}</ol></section>')
    from claude_nb._config import resolve_settings

    mode = "offline (the emulator)" if resolve_settings().offline else "with your API key"
    if cassette_mode == "replay":
        mode = "from their cassettes (no key, no network)"
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title>claude_nb course</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto}"
        "main{display:flex;gap:3rem}section{flex:1}li{margin:.4rem 0}small{color:#555}"
        "</style></head><body><h1>claude_nb course · 강좌</h1>"
        f"<p>{len(results)} tutorials executed {mode} in {seconds:.0f} s.</p>"
        f"<main>{''.join(columns)}</main></body></html>"
    )
    index = output / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def execute_course(
    found: list[tuple[str, Path]],
    *,
    jobs: int | None = None,
    echo: bool = False,
    cassette_mode: str | None = None,
) -> list[CourseResult]:
    """Execute tutorials ``jobs`` at a time (worker processes), results in the given order."""
    jobs = max(1, jobs or min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(execute_tutorial, code, str(path), 300, cassette_mode)
            for code, path in found
        ]
        results = []
        for future in futures:
            result = future.result()
            if echo:
                print(
                    f"  {result.language}/{result.name}: {result.seconds:.1f} s, {_status(result)}",
                    flush=True,
                )
            results.append(result)
    return results


def run_course(
    course: Path | None,
    output: Path,
    *,
    jobs: int | None = None,
    cassette_mode: str | None = None,
) -> int:
    """Execute every tutorial, write the HTML and the index; 0 when all ran and passed.

    ``cassette_mode``: ``record`` (needs a key) or ``replay`` each tutorial's cassette.
    """
    folder = find_course(course)
    found = tutorials(folder)
    print(f"Executing {len(found)} tutorials from {folder}...", flush=True)
    started = time.perf_counter()
    results = execute_course(found, jobs=jobs, echo=True, cassette_mode=cassette_mode)
    seconds = time.perf_counter() - started
    for code in LANGUAGES:
        (output / code).mkdir(parents=True, exist_ok=True)
    for result in results:
        target = output / result.language / result.name
        target.with_suffix(".html").write_text(result.html, encoding="utf-8")
        target.write_text(result.notebook, encoding="utf-8")
    index = write_index(results, output, seconds, cassette_mode)
    failed = [r for r in results if not r.ok]
    print(
        f"Done in {seconds:.1f} s: {len(results) - len(failed)} of {len(results)} passed.\n"
        f"Open the course:\n  {index.resolve()}"
    )
    return 1 if failed else 0
