"""Executed cells as context within a budget, and what the recorder keeps (pure parts)."""

from __future__ import annotations

from IPython.core.interactiveshell import InteractiveShell

from claude_nb._api.estimate import text_tokens
from claude_nb._content.cell_context import context_content, cut_text
from claude_nb._content.cell_records import RecordedCell, RecordedOutput
from claude_nb._content.variables import describe_variables
from claude_nb.testing import canary_key


def cell(n: int, source: str, *outputs: RecordedOutput) -> RecordedCell:
    return RecordedCell(n, source, list(outputs))


def test_every_long_output_is_cut_to_a_share_with_a_visible_note():
    cells = [
        cell(1, "print(big)", RecordedOutput("stdout", "y" * 400_000, total=400_000)),
        cell(2, "a = 1"),
        cell(3, "print(other)", RecordedOutput("stdout", "z" * 90_000, total=90_000)),
    ]
    context = context_content(cells, 2000)
    text = "".join(block["text"] for block in context.blocks)
    assert text.count("characters cut here to fit the context budget") == 2
    assert "a = 1" in text and context.tokens <= 2000
    assert any("In[1] stdout cut: 400,000" in note for note in context.notes)


def test_oldest_cells_go_when_even_cut_outputs_do_not_fit():
    cells = [cell(n, f"x{n} = {n}\n" * 40) for n in range(1, 30)]
    context = context_content(cells, 500, wanted=29)
    text = "".join(block["text"] for block in context.blocks)
    assert "x29 = 29" in text and "x1 = 1" not in text
    assert "did not fit the context budget" in text


def test_cut_keeps_head_and_tail():
    kept, cut = cut_text("HEAD" + "m" * 10_000 + "TAIL", 200)
    assert kept.startswith("HEAD") and kept.endswith("TAIL") and cut > 9000
    assert text_tokens(kept) <= 200


def test_key_shaped_secrets_in_outputs_are_redacted():
    secret = canary_key("") + "a" * 40
    context = context_content([cell(1, "print(key)", RecordedOutput("stdout", secret))], 1000)
    assert secret not in str(context.blocks)


def test_variables_by_type_and_shape_never_whole_values():
    namespace = {"d": {f"k{i}": "v" * 1000 for i in range(50)}, "b": 0, "xs": list(range(10**5))}
    lines = describe_variables("d['q'] + xs[b] + ghost", namespace)
    assert "b: int = 0" in lines and "ghost: not defined" in lines
    assert any(line.startswith("d: dict, 50 keys: 'k0'") for line in lines)
    assert "v" * 100 not in str(lines) and "99999" not in str(lines)


def test_recorder_in_a_terminal_shell_tees_and_restores(shell: InteractiveShell, capsys):
    import sys

    shell.run_cell("0")  # IPython sets attributes of its own on the stream on the first cell
    stdout, own = sys.stdout, dict(vars(sys.stdout))
    shell.run_cell(
        "print('hello')\nimport sys\nsys.stderr.write('warn')\n1 / 0", store_history=True
    )
    assert sys.stdout is stdout and vars(sys.stdout) == own  # the tee is gone, as it was
    recorder = shell.magics_manager.registry["ClaudeMagics"].recorder
    recorded = recorder.cells[-1]
    assert [(o.kind, o.text) for o in recorded.outputs] == [
        ("stdout", "hello\n"),
        ("stderr", "warn"),
    ]
    assert recorded.error is not None and recorded.error.ename == "ZeroDivisionError"
    assert "hello" in capsys.readouterr().out  # what the user sees is unchanged
