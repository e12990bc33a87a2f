"""``python -m claude_nb.demo``: run the quickstart notebook in a real kernel, write HTML.

Executes ``notebooks/00_quickstart.ipynb`` with nbclient (offline through the emulator when
``ANTHROPIC_API_KEY`` is not set), writes ``artifacts/00_quickstart.html`` with nbconvert
(and the executed ``.ipynb`` beside it),
and prints where it is and how to open the notebook in JupyterLab. No key is ever printed.

``python -m claude_nb.demo --course`` executes every tutorial of the course
(``notebooks/en`` and ``notebooks/ko``, each in a fresh kernel, a few at a time) and writes
``artifacts/course/index.html`` linking both languages (see ``claude_nb._course``).

``--record`` (with ``ANTHROPIC_API_KEY``) writes each notebook's replies to a cassette beside it
(``00_quickstart.cassette.jsonl``); ``--replay`` runs from those files with no key, no network
and no spend, streaming at the recorded pace (``CLAUDE_NB_CASSETTE_SPEED=0``: at once).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["execute_notebook", "find_notebook", "main"]

NOTEBOOK_NAME = "00_quickstart.ipynb"


def find_notebook(name: str = NOTEBOOK_NAME) -> Path:
    """The notebook in ``./notebooks`` or next to the package (an editable install).

    Raises:
        FileNotFoundError: Neither place has it.
    """
    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        candidate = root / "notebooks" / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"notebooks/{name} not found (run from the repository root)")


def execute_notebook(path: Path, *, timeout: int = 300) -> tuple[object, str]:
    """Execute a notebook in a fresh ``python3`` kernel.

    Args:
        path: The ``.ipynb`` file.
        timeout: Seconds allowed per cell.

    Returns:
        The executed notebook node and its HTML.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    html, _ = HTMLExporter().from_notebook_node(notebook)  # type: ignore[no-untyped-call]
    return notebook, html


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m claude_nb.demo", description=__doc__)
    parser.add_argument("--notebook", type=Path, help="notebook to run (default: the quickstart)")
    parser.add_argument("--output", type=Path, default=Path("artifacts"), help="output folder")
    parser.add_argument(
        "--course",
        action="store_true",
        help="execute every tutorial (notebooks/en, notebooks/ko) and write "
        "OUTPUT/course/index.html",
    )
    parser.add_argument("--course-dir", type=Path, help="the course folder (default: notebooks)")
    parser.add_argument("--jobs", type=int, default=None, help="notebooks run at once")
    tape = parser.add_mutually_exclusive_group()
    tape.add_argument("--record", dest="cassette", action="store_const", const="record",
                      help="with a key: record each notebook's replies to a cassette beside it")
    tape.add_argument("--replay", dest="cassette", action="store_const", const="replay",
                      help="answer from those cassettes: no key, no network, no spend")
    options = parser.parse_args(argv)
    from claude_nb._config import resolve_settings

    if options.cassette == "record" and resolve_settings().offline:
        print("--record sends to the API: set ANTHROPIC_API_KEY first.", file=sys.stderr)
        return 2
    if options.course:
        from claude_nb._course import run_course

        return run_course(
            options.course_dir, options.output / "course", jobs=options.jobs,
            cassette_mode=options.cassette,
        )
    notebook_path = options.notebook or find_notebook()
    offline = resolve_settings().offline  # the kernel decides the same way
    mode = "offline (emulator)" if offline else "with your ANTHROPIC_API_KEY"
    if options.cassette:
        from claude_nb._course import cassette_for, use_cassette

        use_cassette(notebook_path, options.cassette)  # the kernel inherits it
        mode = f"{options.cassette}ing {cassette_for(notebook_path).name}"
    print(f"Executing {notebook_path} in a real kernel, {mode}...", flush=True)
    started = time.perf_counter()
    import nbformat

    executed, html = execute_notebook(notebook_path)
    options.output.mkdir(parents=True, exist_ok=True)
    html_path = options.output / notebook_path.with_suffix(".html").name
    html_path.write_text(html, encoding="utf-8")
    nbformat.write(executed, options.output / notebook_path.name)  # type: ignore[no-untyped-call]
    seconds = time.perf_counter() - started
    print(f"Done in {seconds:.1f} s. Open the executed notebook as HTML:\n  {html_path.resolve()}")
    print(
        "Open it live in JupyterLab:\n"
        '  .venv/bin/pip install -q jupyterlab -e ".[chat]"'
        f" && .venv/bin/jupyter lab {notebook_path}\n"
        "Use a real key: export ANTHROPIC_API_KEY=sk-ant-... before starting Jupyter."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
