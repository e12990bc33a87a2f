"""Flag values the API would refuse are refused locally, in one line that names the fix."""

from __future__ import annotations

import pytest
from IPython.utils.capture import capture_output

from claude_nb import Session, get_session, model_catalog
from claude_nb._accounting.money import format_usd
from claude_nb.emulator import Emulator

SAMPLING_MODEL = next(
    row["id"] for row in model_catalog().current() if row["sampling"] != "defaults only"
)


def _error(shell, line):
    with capture_output() as captured:
        result = shell.run_cell(line)
    return result, captured


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("%claude --max-tokens -5 hi", "--max-tokens must be at least 1 (got -5)"),
        ("%claude --max-tokens 0 hi", "--max-tokens must be at least 1"),
        ("%claude --max-tokens 999999999 hi", "can write (128,000 tokens at most)"),
        ("%claude -m {s} --temperature 1.5 hi", "--temperature must be between 0 and 1"),
        ("%claude -m {s} --temperature nan hi", "--temperature must be between 0 and 1"),
        ("%claude -m {s} --top-p -0.1 hi", "--top-p must be between 0 and 1"),
        ("%claude -m {s} --top-k 0 hi", "--top-k must be at least 1"),
        ("%claude --budget 0 hi", "--budget must be more than $0"),
        ("%claude --budget -1 hi", "--budget must be more than $0"),
        ("%claude --max-steps 0 hi", "--max-steps must be at least 1"),
        ("%claude -m {s} --thinking 5000 hi", "must be below max_tokens (4,096)"),
        ("%claude --temperature 0.5 hi", "takes no --temperature (sampling is fixed on it)"),
        ("%claude --top-k 5 --top-p 0.5 hi", "takes no --top-p/--top-k"),
        ("%claude --thinking 2048 hi", "use --thinking adaptive"),
    ],
)
def test_bad_values_are_refused_before_sending(shell, line, says):
    emulator = Emulator(require_key=False)
    magics = shell.magics_manager.registry["ClaudeMagics"]
    magics._session = Session(offline=True, emulator=emulator)
    result, captured = _error(shell, line.format(s=SAMPLING_MODEL))
    message = str(result.error_in_exec)
    assert type(result.error_in_exec).__name__ == "UsageError", captured.stdout
    assert says in message and "\n" not in message
    assert not emulator.requests  # nothing was sent
    if "sampling is fixed" in says or "--top-p/" in says:
        assert SAMPLING_MODEL in message and "-m" in message
    if "adaptive" in says:
        assert "-m" in message


def test_sampling_flags_pass_on_a_model_that_takes_them(shell):
    result, _ = _error(shell, f"%claude -m {SAMPLING_MODEL} --temperature 0.3 --top-k 5 hi")
    assert result.error_in_exec is None
    assert get_session().last_reply.text


def test_small_budgets_are_written_with_their_digits(shell):
    result, _ = _error(shell, "%claude --budget 0.0001 hi")
    assert "budget of $0.0001" in str(result.error_in_exec)
    result, _ = _error(shell, "%claude --budget 0.000015 hi")
    assert "budget of $0.000015" in str(result.error_in_exec)
    assert format_usd(0.00002, precise=True) == "$0.00002" and format_usd(0.00002) == "$0.0000"
