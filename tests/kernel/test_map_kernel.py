"""``Session.map`` and ``%%claude_map`` in a real kernel; a batch survives a kernel restart.

The emulator is served over HTTP from this process, so its batches outlive the kernel: a
3-row DataFrame is mapped concurrently (history untouched, one ledger row per row, the texts
on the DataFrame's index), then as a Message Batch waited to the end (batch-priced ledger
rows); another batch is left running, the kernel restarts, ``get_session().batches()`` lists
it and ``claude_nb.BatchJob.resume(id)`` (no session given: the kernel's) waits for it and
fetches the results.
"""

from __future__ import annotations

import ast
from pathlib import Path

from claude_nb.emulator import Emulator
from claude_nb.testing import kernel_on

FRAME = (
    "import pandas as pd\n"
    "df = pd.DataFrame({'city': ['Oslo', 'Lima', 'Pune'], 'n': [1, 2, 3]}, index=[7, 8, 9])\n"
)


def test_map_concurrent_then_batch_then_resume_after_restart(tmp_path: Path) -> None:
    emulator = Emulator(require_key=True, batch_seconds=1.0)
    with kernel_on(emulator, CLAUDE_NB_HOME=str(tmp_path)) as kernel:
        kernel.checked("%load_ext claude_nb")
        kernel.checked(FRAME)
        kernel.checked("import claude_nb\ns = claude_nb.get_session()")
        shown = kernel.checked("r = s.map('Describe {city} in {n} words.', df)")
        bars = [m["content"]["data"] for m in shown.of_type("display_data")]
        assert any("application/vnd.jupyter.widget-view+json" in data for data in bars)
        assert kernel.value("(r.texts.count(None), len(r.texts), len(s.history))") == "(0, 3, 0)"
        assert ast.literal_eval(kernel.value("list(r.to_series().index)")) == [7, 8, 9]
        sent = [request.body for request in emulator.requests[-3:]]
        prompts = sorted(str(body["messages"][-1]["content"]) for body in sent)
        assert ["Lima" in prompts[0], "Oslo" in prompts[1], "Pune" in prompts[2]] == [True] * 3
        assert all(not body.get("tools") and len(body["messages"]) == 1 for body in sent)
        assert kernel.value("(len(s.ledger), sum(x.batch for x in s.ledger))") == "(3, 0)"

        magic = kernel.checked("%%claude_map df -o answers --max-tokens 50\nName {city}.\n")
        assert "MapResult" in magic.text
        assert kernel.value("(type(answers).__name__, list(answers.index))") == (
            "('Series', [7, 8, 9])"
        )

        kernel.checked("job = s.map('Summarise {city}.', df, batch=True)")
        assert kernel.value("job.id").strip("'").startswith("msgbatch_")
        kernel.checked("done = job.wait(timeout=60).results()")
        assert kernel.value("(done.texts.count(None), done.batch)") == "(0, True)"
        assert kernel.value("sum(x.batch for x in s.ledger)") == "3"

        kernel.checked("later = s.map('Rate {city}.', df, batch=True)")
        later_id = ast.literal_eval(kernel.value("later.id"))
        kernel.manager.restart_kernel(now=True)
        kernel.client.wait_for_ready(timeout=60)
        kernel.checked("%load_ext claude_nb")
        kernel.checked("import claude_nb\ns = claude_nb.get_session()")
        listed = ast.literal_eval(kernel.value("[job.id for job in s.batches()]"))
        assert later_id in listed and len(listed) == 2
        listing = kernel.checked("%claude_batches")
        assert later_id in listing.text
        kernel.checked(f"job = claude_nb.BatchJob.resume({later_id!r})")  # the kernel's session
        kernel.checked("res = job.wait(timeout=60).results()")
        assert kernel.value("(res.texts.count(None), len(s.ledger))") == "(0, 3)"
        assert kernel.value("[job.status for job in s.batches()]") == "['ended', 'ended']"
