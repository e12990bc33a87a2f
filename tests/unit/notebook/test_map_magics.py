"""``%%claude_map`` and ``%claude_batches`` through a real InteractiveShell, offline."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb import MapResult, Session
from claude_nb.emulator import Emulator


def offline(ip: InteractiveShell) -> Emulator:
    emulator = Emulator(require_key=False, batch_seconds=0.2)
    claude = ip.magics_manager.registry["ClaudeMagics"]
    claude._session = Session(offline=True, emulator=emulator)
    claude.accounting.attach(claude._session)
    return emulator


def cell(ip: InteractiveShell, line: str, body: str) -> Any:
    with capture_output():
        return ip.run_cell_magic("claude_map", line, body)


def test_map_magic_stores_a_series_on_the_index(shell: InteractiveShell) -> None:
    emulator = offline(shell)
    shell.user_ns["df"] = pd.DataFrame({"city": ["Oslo", "Lima"]}, index=["x", "y"])
    result = cell(shell, "df -o out --max-tokens 40 --concurrency 2", "Name {city}.\n")
    assert isinstance(result, MapResult) and result.done == 2
    assert list(shell.user_ns["out"].index) == ["x", "y"]
    assert all(request.body["max_tokens"] == 40 for request in emulator.requests)
    column = cell(shell, "df --column city -o names", "Spell {item}.")
    assert column.errors == {} and list(shell.user_ns["names"].index) == ["x", "y"]


def test_map_magic_batch_then_listed(shell: InteractiveShell) -> None:
    offline(shell)
    shell.user_ns["items"] = ["a", "b"]
    job = cell(shell, "items --batch -o job", "Say {item}")
    assert shell.user_ns["job"] is job and job.id.startswith("msgbatch_")
    job.wait(timeout=30, progress=False)
    listed = shell.run_line_magic("claude_batches", "")
    assert [stored.id for stored in listed] == [job.id] and listed[0].status == "ended"
    assert job.id in listed._repr_markdown_()


@pytest.mark.parametrize(
    ("line", "body", "message"),
    [
        ("df --column nope", "{item}", "df has no column 'nope' (columns: city)"),
        ("df", "Name {town}", "template field {town} matches no column (columns: city)"),
        ("missing", "{item}", "no variable 'missing' to map over"),
        ("empty", "{city}", "nothing to map: the input has no rows"),
    ],
)
def test_bad_input_is_a_one_line_usage_error(
    shell: InteractiveShell, line: str, body: str, message: str
) -> None:
    emulator = offline(shell)
    shell.user_ns["df"] = pd.DataFrame({"city": ["Oslo"]})
    shell.user_ns["empty"] = pd.DataFrame({"city": []})
    with pytest.raises(UsageError) as info:
        cell(shell, line, body)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert emulator.requests == []


def test_map_calls_are_stored_like_asks(shell: InteractiveShell) -> None:
    from claude_nb._store.store import Store

    offline(shell)
    shell.user_ns["items"] = ["a", "b", "c"]
    cell(shell, "items", "Say {item}")
    with Store() as store:
        (summary,) = store.list_sessions()
        saved = store.load_session(summary.id)
    assert len(saved.turns) == 3 and saved.history == []


def test_an_offline_batch_survives_a_settings_change_that_rebuilds_the_session(
    shell: InteractiveShell,
) -> None:
    # %config of a connection setting rebuilds the kernel's session; offline, its emulator
    # (which holds the batch) goes to the new session instead of being dropped with the old
    shell.user_ns["items"] = ["a", "b"]
    shell.run_line_magic("config", "ClaudeMagics.offline = True")
    job = cell(shell, "items --batch -o job", "Say {item}")
    shell.run_line_magic("config", "ClaudeMagics.max_retries = 4")
    import claude_nb

    resumed = claude_nb.BatchJob.resume(job.id)
    assert resumed.session is claude_nb.get_session() and resumed.session is not job.session
    assert resumed.wait(timeout=30, progress=False).results().done == 2
    listed = shell.run_line_magic("claude_batches", "")
    assert [stored.status for stored in listed if stored.id == job.id] == ["ended"]
