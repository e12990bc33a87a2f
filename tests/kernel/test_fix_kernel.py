"""The notebook as context in a real kernel, offline: the recorder, --context, %claude_fix.

The kernel has no key, so replies come from the in-process emulator, whose teaching responder
answers fix requests (``claude_nb.emulator._fix``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from claude_nb.testing import Kernel, running_kernel

pytest.importorskip("jupyter_client")

LAST_TEXT = "''.join(b.get('text', '') for b in _.request['messages'][-1]['content'])"
LAST_TYPES = "[b['type'] for b in _.request['messages'][-1]['content']]"
REPLY = "__import__('claude_nb').get_session().last_reply.text"


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with running_kernel() as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        yield kernel


def ok(kernel: Kernel, code: str) -> str:
    execution = kernel.execute(code)
    assert execution.reply["status"] == "ok", execution.text
    return execution.text


def test_no_error_yet_is_one_line(kernel):
    execution = kernel.execute("%claude_fix")
    assert execution.reply["status"] == "ok"
    assert execution.stdout.strip() == (
        "%claude_fix: no error yet (it explains the newest cell that raised one)."
    )


def test_context_two_cells_sends_code_and_printed_output(kernel):
    ok(kernel, "a = 6 * 7")
    ok(kernel, "print(a)")
    text = ok(kernel, "%claude --context 2 --dry-run what is a?")
    assert "In[" in text and "stdout" in text  # the pieces, listed with their tokens
    sent = eval(kernel.value(LAST_TEXT))
    assert "<code>\na = 6 * 7\n</code>" in sent
    assert "<code>\nprint(a)\n</code>\n<stdout>\n42\n</stdout>" in sent
    assert sent.index("a = 6 * 7") < sent.index("what is a?")


def test_failing_cell_dry_run_shows_code_error_and_variables(kernel):
    ok(kernel, "numerator = 10\ndenominator = 0")
    failing = kernel.execute("ratio = numerator / denominator")
    assert failing.reply["status"] == "error"
    text = ok(kernel, "%claude_fix --dry-run")
    sent = eval(kernel.value(LAST_TEXT))
    assert "<code>\nratio = numerator / denominator\n</code>" in sent
    assert "ZeroDivisionError: division by zero" in sent
    assert "denominator: int = 0" in sent
    assert "interactiveshell.py" not in sent  # only the user's frames
    assert "ZeroDivisionError" in text and "instruction (fix)" in text


def test_fix_streams_and_proposes_the_cell_with_a_diff(kernel):
    ok(kernel, "numerator = 10\ndenominator = 0")
    kernel.execute("ratio = numerator / denominator")
    execution = kernel.execute("%claude_fix")
    assert execution.reply["status"] == "ok", execution.text
    payloads = execution.reply["payload"]
    assert payloads and payloads[0]["source"] == "set_next_input"
    proposed = payloads[0]["text"]
    assert "if denominator != 0:" in proposed
    assert payloads[0]["replace"] is False  # a new cell, never run
    assert "-ratio = numerator / denominator" in execution.text  # the diff above it
    assert kernel.value("'ratio' in globals()") == "False"


def test_hint_mode_gives_no_code_block_and_metadata_wins(kernel, tmp_path: Path):
    kernel.execute("total = 5\nprint(totl)")
    ok(kernel, '%config ClaudeMagics.fix_mode = "hint"')
    execution = kernel.execute("%claude_fix")
    assert execution.reply["status"] == "ok"
    reply = eval(kernel.value(REPLY))
    assert "```" not in reply and "totl" in reply
    assert not execution.reply["payload"]
    ok(kernel, '%config ClaudeMagics.fix_mode = "fix"')
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text(json.dumps({"metadata": {"claude_nb": {"fix_mode": "hint"}},
                                    "cells": [], "nbformat": 4, "nbformat_minor": 5}))
    ok(kernel, f"__session__ = {str(notebook)!r}")
    kernel.execute("%claude_fix")
    assert "```" not in eval(kernel.value(REPLY))
    ok(kernel, "del __session__")
    kernel.execute("%claude_fix")
    assert "print(total)" in eval(kernel.value(REPLY))


def test_plot_cell_goes_in_as_an_image(kernel):
    pytest.importorskip("matplotlib")
    ok(kernel, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()")
    text = ok(kernel, "%claude --context 1 --dry-run describe the plot")
    types = eval(kernel.value(LAST_TYPES))
    assert "image" in types and types[-1] == "text"
    assert "figure" in text and "PNG" in text


def test_budget_trims_a_five_megabyte_output_with_a_note(kernel):
    ok(kernel, "print('x' * 5_000_000)")
    text = ok(kernel, "%claude --context 1 --dry-run what did it print?")
    sent = eval(kernel.value(LAST_TEXT))
    assert "characters cut here to fit the context budget" in sent
    assert "of 5,000,001 characters" in sent  # the note counts what the cell really printed
    context = sent[: sent.index("</notebook_cells>") + len("</notebook_cells>")]
    assert len(context) <= 6000 * 4  # within ClaudeMagics.context_budget (4 bytes a token)
    assert "cut" in text


def test_err_and_last_error_interpolate_and_code_shows_a_diff(kernel):
    failing = kernel.execute("d = {'apple': 1}\nd['aple']")
    count = failing.reply["execution_count"]
    ok(kernel, f"%claude --dry-run why {{Err[{count}]}}")
    assert "KeyError: 'aple'" in eval(kernel.value(LAST_TEXT))
    ok(kernel, "%claude --dry-run why {_last_error}")
    assert "KeyError: 'aple'" in eval(kernel.value(LAST_TEXT))
    execution = kernel.execute(f"%%claude -f code\nfix this code: {{In[{count}]}}\n")
    assert execution.reply["status"] == "ok", execution.text
    assert f"In[{count}]" in execution.text and "proposed (next cell)" in execution.text


def test_recorder_off_with_a_trait(kernel):
    ok(kernel, "%config ClaudeMagics.record_cells = False")
    ok(kernel, "secret_cell = 1")
    ok(kernel, "%config ClaudeMagics.record_cells = True")
    ok(kernel, "%claude --context 3 --dry-run hi")
    assert "secret_cell" not in eval(kernel.value(LAST_TEXT))
