"""A long streamed reply, executed by nbclient: the saved cell holds one clean Markdown reply.

The cell streams ~20 KB offline at 1,500 tokens a second (about 3 s of repaints, so the
byte budget holds some back); the executed notebook must keep exactly one rich output for
the reply, whose Markdown is the whole reply and its footer, with no cursor, and the iopub
bytes stay within 25x the text.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from claude_nb.testing import kernel_environment

pytestmark = pytest.mark.timeout(180)

SETUP = (
    "import os\n"
    "os.environ['CLAUDE_NB_OFFLINE'] = '1'\n"
    "%load_ext claude_nb\n"
    "%config ClaudeMagics.persist = False\n"
    "%config ClaudeMagics.offline_speed = 1500.0"
)
ASK = "%%claude --max-tokens 8000\nWrite 3000 words about the history of tea."


def test_a_long_reply_saves_one_final_markdown_output(tmp_path, monkeypatch):
    for name, value in kernel_environment({"CLAUDE_NB_HOME": str(tmp_path)}).items():
        monkeypatch.setenv(name, value)
    cells = [
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_code_cell(ASK),
        nbformat.v4.new_code_cell("print(len(_.text)); print(_.text)"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    sent: list[int] = []
    client = NotebookClient(notebook, timeout=120, kernel_name="python3")
    original = client.process_message

    def counting(msg, cell, cell_index):  # every iopub message, display updates included
        if cell_index == 1 and msg["msg_type"] in ("display_data", "update_display_data"):
            sent.append(sum(len(value) for value in msg["content"]["data"].values()))
        return original(msg, cell, cell_index)

    client.process_message = counting
    client.execute()
    text = notebook.cells[2].outputs[0]["text"].split("\n", 1)[1].rstrip("\n")
    assert len(text) > 10_000
    rich = [
        out
        for out in notebook.cells[1].outputs
        if out["output_type"] in ("display_data", "execute_result")
    ]
    assert len(rich) == 1, notebook.cells[1].outputs
    markdown = rich[0]["data"]["text/markdown"]
    assert markdown.startswith(text) and "▌" not in markdown
    assert "<sub>" in markdown.split(text, 1)[1]  # the footer, after the whole reply
    assert len(sent) > 2  # it was repainted while streaming, not only shown at the end
    assert sum(sent) <= 25 * len(text), f"{sum(sent):,} characters for {len(text):,}"
