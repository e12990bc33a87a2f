"""Dollar amounts stay text in JupyterLab: claude_nb's own Markdown is never typeset as maths.

JupyterLab typesets ``$…$`` in Markdown and HTML outputs (MathJax), so a footer such as
``+$0.0007 to write · $0.0040`` became a formula. This runs, in JupyterLab in headless
chromium, ``%%claude`` offline twice (a cache write, then a read: two amounts in each footer),
a ``--dry-run`` and ``%claude_cost``, then checks that no maths element was rendered in those
outputs and that the amounts read literally. A last cell is the control: the model's own
maths (a Markdown output with ``$x^2$``) is still typeset. Reuses ``test_browser``'s JupyterLab
and chromium fixtures; screenshots go to ``artifacts/screenshots/lab-math-*.png``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from typing import Any

from test_browser import TOKEN, browser, emulator_url, jupyter, shoot  # noqa: F401 (fixtures)

MATH = ".MathJax, mjx-container, .katex"
AMOUNT = re.compile(r"\$\d+\.\d{2,4}")
CELLS = [
    "import os\n"
    "os.environ['CLAUDE_NB_OFFLINE'] = '1'  # the in-process emulator, fast\n"
    "%load_ext claude_nb\n"
    "%config ClaudeMagics.persist = False\n"
    "long_text = 'The price of tea in the harbour rose again this week. ' * 700",
    "%%claude\nSummarise this in one line: {long_text}",
    "%%claude\nAnd in one word?",
    "%%claude --dry-run\nHow much is $5 and $6 together?",
    "%claude_cost",
    "%claude Where is France?",
    "from IPython.display import Markdown\nMarkdown('control: $x^2 + y^2$')",
]


def notebook() -> dict[str, Any]:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for source in CELLS
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def upload(base: str, name: str) -> None:
    body = json.dumps({"type": "notebook", "format": "json", "content": notebook()}).encode()
    request = urllib.request.Request(
        f"{base}/api/contents/{name}?token={TOKEN}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()


def outputs(page: Any, index: int) -> Any:
    return page.locator(".jp-Notebook .jp-CodeCell").nth(index).locator(".jp-OutputArea-output")


def test_dollar_amounts_are_not_maths_in_jupyterlab(jupyter: str, browser: Any) -> None:  # noqa: F811
    upload(jupyter, "lab-math.ipynb")
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{jupyter}/lab/tree/lab-math.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    page.wait_for_function(
        """() => { const context = window.jupyterapp?.shell?.currentWidget?.sessionContext;
                   return !!context && context.isReady && !context.hasNoKernel
                          && context.session?.kernel?.status === 'idle'; }""",
        timeout=60_000,
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    last = len(CELLS) - 1
    page.wait_for_function(  # the control cell has run: every cell before it has too
        f"""() => {{ const cells = document.querySelectorAll('.jp-Notebook .jp-CodeCell');
                    const out = cells[{last}]?.querySelector('.jp-OutputArea-output');
                    return !!out && out.innerText.includes('control'); }}""",
        timeout=90_000,
    )
    page.wait_for_selector(f".jp-Notebook .jp-CodeCell >> nth={last} >> {MATH}", timeout=30_000)
    time.sleep(2.0)  # the typesetter runs after rendering: give it every chance
    shoot(page, "lab-math-notebook")

    # the control: the typesetter is on, and the model's own maths is still maths
    assert outputs(page, last).locator(MATH).count() >= 1

    texts = {}
    for index, name in ((1, "write"), (2, "read"), (3, "dry-run"), (4, "cost")):
        cell = page.locator(".jp-Notebook .jp-CodeCell").nth(index)
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(_screenshot(f"lab-math-{name}")))
        assert outputs(page, index).locator(MATH).count() == 0, name
        texts[name] = outputs(page, index).all_inner_texts()

    write_footer, read_footer = texts["write"][-1], texts["read"][-1]
    assert "to write" in write_footer and len(AMOUNT.findall(write_footer)) >= 2, write_footer
    assert "saved" in read_footer and len(AMOUNT.findall(read_footer)) >= 2, read_footer
    dry_run = "\n".join(texts["dry-run"])
    assert "at most" in dry_run and len(AMOUNT.findall(dry_run)) >= 2, dry_run
    assert "$5 and $6" in dry_run  # the prompt, in the JSON body, as written
    question = outputs(page, 5)
    question.last.scroll_into_view_if_needed()
    shoot(page, "lab-question")
    answered = "\n".join(question.all_inner_texts())
    assert "You wrote" in answered and "Where is France?" in answered, answered
    assert "Docstring" not in answered and "not found" not in answered
    cost = "\n".join(texts["cost"])
    assert cost.count("$") >= 4 and "Total" in cost, cost
    for text in (write_footer, read_footer, dry_run, cost):
        assert "&#36;" not in text and "<span>" not in text
    page.close()


def _screenshot(name: str) -> Any:
    from test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
