"""The 2026-12 API through ``%%claude`` in a real kernel (emulator over HTTP, in this process).

``--web-search [N]`` / ``--web-fetch`` offer the server tools and fold their results with the
sources listed, the search priced in the footer and ledger; ``--file`` uploads once and sends
the file by id; a changed system prompt or a model switch on a model that binds thinking
drops the bound blocks (the emulator would answer 400) and says so once; the footer names
why an expected cache read did not happen; a retired model fails naming its successor.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from claude_nb.emulator import Emulator
from claude_nb.testing import Kernel, kernel_on

SESSION = "get_ipython().find_magic('claude').__self__.session"
CORPUS = "https://example.com/claude-nb-sample-corpus/"


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(require_key=True, log_requests=None)


@pytest.fixture(scope="module")
def kernel(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    pytest.importorskip("jupyter_client")
    with kernel_on(emulator) as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        folder = tmp_path_factory.mktemp("today")
        (folder / "report.txt").write_text("Revenue grew 12% in the third quarter.")
        assert kernel.execute(f"import os; os.chdir({str(folder)!r})").reply["status"] == "ok"
        yield kernel


def last_body(emulator: Emulator) -> dict[str, Any]:
    return [r for r in emulator.requests if r.path == "/v1/messages"][-1].body


def ok(kernel: Kernel, code: str) -> str:
    execution = kernel.execute(code)
    assert execution.reply["status"] == "ok", execution.text
    return execution.text


def test_web_search_is_offered_folded_with_its_sources_and_priced(kernel, emulator):
    before = float(kernel.value(f"{SESSION}.ledger.totals().cost.web_search"))
    text = ok(kernel, "%%claude --web-search 2 --no-history\nHow much does web search cost?\n")
    assert {"type": "web_search_20260318", "name": "web_search", "max_uses": 2} in (
        last_body(emulator)["tools"]
    )
    assert "🔎 Web search: 2 sources" in text and f"{CORPUS}web-search-pricing" in text
    assert "not from the web" in text and "1 web search" in text
    after = float(kernel.value(f"{SESSION}.ledger.totals().cost.web_search"))
    assert after - before == pytest.approx(0.01)


def test_web_search_without_a_count_leaves_the_prompt_whole(kernel, emulator):
    ok(kernel, "%claude --web-search --no-history What is prompt caching?")
    body = last_body(emulator)
    assert {"type": "web_search_20260318", "name": "web_search"} in body["tools"]
    assert body["messages"][-1]["content"] in (
        "What is prompt caching?", [{"type": "text", "text": "What is prompt caching?"}]
    )


def test_web_fetch_folds_the_page_it_fetched(kernel, emulator):
    text = ok(kernel, f"%claude --web-fetch --no-history Summarise {CORPUS}files-api")
    assert {"type": "web_fetch_20260318", "name": "web_fetch"} in last_body(emulator)["tools"]
    assert "🌐 Web fetch: 1 source" in text


def test_file_is_uploaded_once_and_sent_by_id(kernel, emulator):
    def uploads() -> int:
        return sum(r.method == "POST" and r.path == "/v1/files" for r in emulator.requests)

    before = uploads()
    text = ok(kernel, "%claude --file report.txt --no-history How much did revenue grow?")
    assert "12%" in text
    first = last_body(emulator)["messages"][-1]["content"][0]
    ok(kernel, "%claude --file report.txt --no-history And in which quarter?")
    second = last_body(emulator)["messages"][-1]["content"][0]
    assert uploads() == before + 1
    assert first["source"]["type"] == "file" and first["source"] == second["source"]
    file_id = first["source"]["file_id"]
    assert kernel.value(f"[f.id for f in {SESSION}.files()]") == repr([file_id])
    ok(kernel, "%claude --file report.txt --dry-run What grew?")
    assert uploads() == before + 1  # a dry run uploads nothing


def test_bound_thinking_is_dropped_once_said_after_a_system_change_and_a_switch(kernel):
    ok(kernel, "%claude --new -m claude-opus-5-5 --thinking adaptive Plan a picnic")
    text = ok(kernel, "%claude -m claude-opus-5-5 --thinking adaptive -s 'Be brief.' Drinks?")
    assert "thinking from earlier turns was left out" in text
    text = ok(kernel, "%claude -m claude-fable-5-2 --thinking adaptive -s 'Be brief.' Games?")
    assert "thinking from earlier turns was left out" not in text  # said once


def test_the_footer_says_why_an_expected_cache_read_did_not_happen(kernel):
    ok(kernel, f"{SESSION}.system = 'Answer as a patient tutor. ' * 300")
    ok(kernel, "%claude --new -m claude-opus-5 Hello")
    assert "no cache read" not in ok(kernel, "%claude -m claude-opus-5 And again")
    ok(kernel, f"{SESSION}.system = 'Answer as a strict examiner. ' * 300")
    text = ok(kernel, "%claude -m claude-opus-5 Once more")
    assert "no cache read: the system prompt changed" in text
    ok(kernel, f"{SESSION}.system = None")


def test_a_retired_model_fails_naming_its_successor(kernel):
    execution = kernel.execute("%claude -m claude-sonnet-4-5 --no-history Hello")
    assert execution.reply["status"] == "error"
    assert "retired on 2026-11-30; use claude-sonnet-5-5" in execution.text
