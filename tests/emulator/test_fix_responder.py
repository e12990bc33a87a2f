"""The teaching responder answers %claude_fix requests for the common errors (both languages)."""

from __future__ import annotations

import pytest

from claude_nb._content.cell_context import fix_content
from claude_nb._content.cell_records import RecordedCell, RecordedError
from claude_nb.emulator._fix import fix_reply

CASES = [
    ("b = 0\nc = 10 / b", "ZeroDivisionError", "division by zero", 2, ["b: int = 0"],
     "if b != 0:"),
    ("count = 3\nprint(cout)", "NameError", "name 'cout' is not defined", 2, ["count: int = 3"],
     "print(count)"),
    ("print(mystery)", "NameError", "name 'mystery' is not defined", 1, [], None),
    ("x = np.ones(3)", "NameError", "name 'np' is not defined", 1, [], "import numpy as np"),
    ("d = {'Name': 1}\nd['name']", "KeyError", "'name'", 2, ["d: dict, 1 keys: 'Name'"],
     "d['Name']"),
    ("n = 4\nprint('n=' + n)", "TypeError", 'can only concatenate str (not "int") to str', 2,
     ["n: int = 4"], "str(n)"),
    ("s = '4'\nt = s + 1", "TypeError", "unsupported operand type(s) for +: 'int' and 'str'", 2,
     ["s: str = '4'"], "int(s)"),
    ("xs = [1, 2]\nfor i in range(len(xs) + 1):\n    xs[i]", "IndexError",
     "list index out of range", 3, ["xs: list, 2 items (first: int)"], "range(len(xs))"),
    ("xs = [1, 2]\nxs[2]", "IndexError", "list index out of range", 2,
     ["xs: list, 2 items (first: int)"], "xs[-1]"),
    ("import sklearn", "ModuleNotFoundError", "No module named 'sklearn'", 1, [],
     "%pip install scikit-learn"),
    ("import pandsa", "ModuleNotFoundError", "No module named 'pandsa'", 1, [], "import pandas"),
]


def request(code: str, ename: str, evalue: str, line: int, variables: list[str], mode: str,
            korean: bool = False) -> str:
    trace = f"Traceback:\n  Cell In[4], line {line}, in <module>\n{ename}: {evalue}"
    cell = RecordedCell(4, code, [], RecordedError(ename, evalue, trace, line))
    context = fix_content(cell, [], variables=variables, mode=mode, korean=korean, note="",
                          budget=4000)
    return "".join(block.get("text", "") for block in context.blocks)


@pytest.mark.parametrize(("code", "ename", "evalue", "line", "variables", "expected"), CASES)
def test_fix_mode_explains_and_fixes_the_simple_cases(code, ename, evalue, line, variables,
                                                      expected):
    answer, korean = fix_reply(request(code, ename, evalue, line, variables, "fix")) or ("", 1)
    assert not korean
    assert ename in answer and f"line {line}" in answer.lower()
    if expected is None:
        assert "```" not in answer
    else:
        block = answer.split("```python\n", 1)[1].split("\n```", 1)[0]
        assert expected in block
        compile(block.replace("%pip", "# %pip"), "<fixed>", "exec")


@pytest.mark.parametrize(("code", "ename", "evalue", "line", "variables", "expected"), CASES)
def test_hint_and_explain_modes_give_no_code(code, ename, evalue, line, variables, expected):
    for mode in ("hint", "explain"):
        answer, _ = fix_reply(request(code, ename, evalue, line, variables, mode)) or ("", 0)
        assert ename in answer and "```" not in answer


def test_korean_request_gets_a_korean_answer():
    text = request("b = 0\nc = 1 / b", "ZeroDivisionError", "division by zero", 2,
                   ["b: int = 0"], "fix", korean=True)
    answer, korean = fix_reply(text) or ("", False)
    assert korean and "나누" in answer and "if b != 0:" in answer


def test_other_prompts_are_not_fix_requests():
    assert fix_reply("Why does <code> fail?") is None
