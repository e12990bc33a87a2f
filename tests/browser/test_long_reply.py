"""A long streamed reply in JupyterLab and Notebook 7: one output, rendered in full.

The byte budget (``claude_nb._display.throttle.ByteBudget``) holds back repaints of a long
reply; this checks, in headless chromium, that the cell still streams into one output and
ends as exactly the reply's text and its footer (offline, ~20 KB at 1,500 tokens a second).
Reuses ``test_browser``'s JupyterLab and chromium fixtures.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from test_browser import TOKEN, browser, emulator_url, jupyter, shoot  # noqa: F401 (fixtures)

CELLS = [
    "import os\n"
    "os.environ['CLAUDE_NB_OFFLINE'] = '1'\n"
    "%load_ext claude_nb\n"
    "%config ClaudeMagics.persist = False\n"
    "%config ClaudeMagics.offline_speed = 1500.0",
    "%%claude --max-tokens 8000\nWrite 3000 words about the history of tea.",
    "print('WORDS', len(_.text.split()))",
]
READY = """() => { const context = window.jupyterapp?.shell?.currentWidget?.sessionContext;
                   return !!context && context.isReady && !context.hasNoKernel
                          && context.session?.kernel?.status === 'idle'; }"""


def upload_cells(base: str, name: str, sources: list[str]) -> None:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for source in sources
    ]
    content = {
        "cells": cells,
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    }
    body = json.dumps({"type": "notebook", "format": "json", "content": content}).encode()
    request = urllib.request.Request(
        f"{base}/api/contents/{name}?token={TOKEN}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()


@pytest.mark.parametrize("app", ["lab/tree", "notebooks"])
def test_a_long_reply_streams_into_one_output_and_ends_whole(
    jupyter: str,  # noqa: F811
    browser: Any,  # noqa: F811
    app: str,
) -> None:
    name = f"long-{app.split('/')[0]}.ipynb"
    upload_cells(jupyter, name, CELLS)
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{jupyter}/{app}/{name}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    reply = page.locator(".jp-Notebook .jp-CodeCell").nth(1).locator(".jp-OutputArea-output")
    page.wait_for_function(  # streaming: some text shows before the end
        """() => { const cell = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[1];
                   const outs = cell ? [...cell.querySelectorAll('.jp-OutputArea-output')] : [];
                   return outs.some((out) => out.innerText.includes('▌')); }""",
        timeout=60_000,
    )
    page.wait_for_function(
        """() => { const out = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[2]
                     ?.querySelector('.jp-OutputArea-output');
                   return !!out && out.innerText.includes('WORDS'); }""",
        timeout=90_000,
    )
    shoot(page, f"long-reply-{app.split('/')[0]}")
    texts = reply.all_inner_texts()
    markdown = (
        page.locator(".jp-Notebook .jp-CodeCell")
        .nth(1)
        .locator(
            ".jp-OutputArea-output.jp-RenderedMarkdown, .jp-OutputArea-output .jp-RenderedMarkdown"
        )
    )
    assert markdown.count() == 1, texts  # one reply output (beside the offline notice)
    words = int(
        page.locator(".jp-Notebook .jp-CodeCell")
        .nth(2)
        .locator(".jp-OutputArea-output")
        .inner_text()
        .split()[1]
    )
    rendered = texts[-1]
    assert words > 1500 and "▌" not in rendered
    assert len(rendered.split()) >= words  # the whole reply (and its footer) is shown
    page.close()
