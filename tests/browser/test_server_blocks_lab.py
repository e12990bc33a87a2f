"""Server tool results in JupyterLab: folded, the sources listed as links, no maths.

``%claude --web-search 2`` offline (the sample corpus) in JupyterLab in headless chromium: the
search's result is a closed ``<details>`` whose summary counts the sources; opened, it lists
each source as a link; the reply's dollar amounts stay text. Reuses ``test_browser``'s
JupyterLab and chromium fixtures; a screenshot goes to ``artifacts/screenshots/``.
"""

from __future__ import annotations

from typing import Any

import test_lab_math
from test_browser import TOKEN, browser, emulator_url, jupyter, shoot  # noqa: F401 (fixtures)
from test_lab_math import MATH

CELLS = [
    "import os\n"
    "os.environ['CLAUDE_NB_OFFLINE'] = '1'\n"
    "%load_ext claude_nb\n"
    "%config ClaudeMagics.persist = False",
    "%claude --web-search 2 --no-history How much does web search cost?",
]


def test_web_search_results_are_folded_with_their_sources(
    jupyter: str, browser: Any, monkeypatch: Any  # noqa: F811
) -> None:
    monkeypatch.setattr(test_lab_math, "CELLS", CELLS)
    test_lab_math.upload(jupyter, "server-blocks.ipynb")
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{jupyter}/lab/tree/server-blocks.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    page.wait_for_function(
        """() => { const context = window.jupyterapp?.shell?.currentWidget?.sessionContext;
                   return !!context && context.isReady && !context.hasNoKernel
                          && context.session?.kernel?.status === 'idle'; }""",
        timeout=60_000,
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    output = test_lab_math.outputs(page, 1)
    page.wait_for_function(  # the reply is whole: its footer is there, no cursor
        """() => { const cells = document.querySelectorAll('.jp-Notebook .jp-CodeCell');
                   const text = cells[1]?.innerText || '';
                   return text.includes('1 web search') && !text.includes('▌'); }""",
        timeout=90_000,
    )
    search = output.locator("details", has_text="Web search: 2 sources")
    assert search.count() == 1
    assert search.get_attribute("open") is None  # folded
    links = search.locator("a[href*='claude-nb-sample-corpus']")
    assert links.count() == 2 and not links.first.is_visible()
    search.locator("summary").click()
    assert links.first.is_visible() and "Sample corpus" in links.first.inner_text()
    shoot(page, "lab-server-blocks")
    text = "\n".join(output.all_inner_texts())
    assert output.locator(MATH).count() == 0 and "$10 per 1,000" in text
    assert "not from the web" in text
    page.close()
