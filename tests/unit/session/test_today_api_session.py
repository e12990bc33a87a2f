"""The 2026-12 API on a ``Session`` against the emulator: the client's half of each rule.

* Preserved thinking: undo + an edited turn, a new system prompt, new tools, a model switch
  and a resumed history never send a bound block the service would reject (the emulator
  enforces the rule with the service's 400: with the guard off, each case fails); one note.
* Cache diagnostics: every request after the first names the previous reply; the footer
  says why an expected read did not happen.
* Files: ``upload`` once per content, ``files()``, ``.delete()``, ``attach=[file]`` by id.
* Server tools: ``tools=[web_search()]`` priced at $10 per 1,000 in the reply and ledger.
* Retired models: the 404 names the successor; the catalog says "retired".
"""

from __future__ import annotations

from typing import Any

import pytest

import claude_nb
from claude_nb import Session
from claude_nb._accounting.pricing import Cost, TokenCounts, price_table
from claude_nb._exceptions import BadRequestError, ContentError, NotFoundError
from claude_nb._session.prefix_guard import PrefixGuard
from claude_nb.emulator import Emulator

BOUND = "claude-opus-5-5"
THINK = {"type": "adaptive"}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(require_key=False, log_requests=None)


def session_on(emulator: Emulator, **options: Any) -> Session:
    return Session(offline=True, emulator=emulator, **{"model": BOUND, **options})


def messages_bodies(emulator: Emulator) -> list[dict[str, Any]]:
    return [r.body for r in emulator.requests if r.path == "/v1/messages"]


def sent_thinking(body: dict[str, Any]) -> int:
    return sum(
        1 for message in body["messages"] if message["role"] == "assistant"
        for block in message["content"] if block.get("type") == "thinking"
    )


def _changes() -> dict[str, Any]:
    def system(session: Session) -> dict[str, Any]:
        session.system = "Answer in one line."
        return {}

    def tools(session: Session) -> dict[str, Any]:
        return {"tools": [claude_nb.web_fetch()]}

    def model(session: Session) -> dict[str, Any]:
        return {"model": "claude-fable-5-2"}

    def undo_and_edit(session: Session) -> dict[str, Any]:
        session.ask("And a second step?", thinking=THINK)
        session.history[0] = {"role": "user", "content": "Plan a different trip"}
        return {}

    def resumed(session: Session) -> dict[str, Any]:
        history = list(session.history)
        session._prefix_guard._made.clear()  # a fresh session that loaded this history
        session.history[:] = history
        return {}

    return {"system": system, "tools": tools, "model": model, "edit": undo_and_edit,
            "resume": resumed}


@pytest.mark.parametrize("change", sorted(_changes()))
def test_bound_thinking_is_dropped_when_its_prefix_changed(emulator, change):
    session = session_on(emulator)
    session.ask("Plan a trip", thinking=THINK)
    params = _changes()[change](session)
    reply = session.ask("And then?", thinking=THINK, **params)
    assert reply.stop_reason == "end_turn"
    assert sent_thinking(messages_bodies(emulator)[-1]) == 0
    assert "thinking from earlier turns was left out" in " ".join(reply.content_report.notes)
    again = session.ask("One more?", thinking=THINK, **params)
    assert again.content_report is None or not again.content_report.notes  # said once


@pytest.mark.parametrize("change", sorted(set(_changes()) - {"resume"}))
def test_without_the_guard_the_emulator_rejects_as_the_service(emulator, change, monkeypatch):
    monkeypatch.setattr(PrefixGuard, "prepare", lambda self, body: (body, None))
    session = session_on(emulator)
    session.ask("Plan a trip", thinking=THINK)
    params = _changes()[change](session)
    with pytest.raises(BadRequestError, match="bound to a different conversation"):
        session.ask("And then?", thinking=THINK, **params)


def test_an_unchanged_prefix_keeps_its_thinking_and_undo_alone_keeps_it_too(emulator):
    session = session_on(emulator)
    session.ask("Plan a trip", thinking=THINK)
    session.ask("And then?", thinking=THINK)
    assert sent_thinking(messages_bodies(emulator)[-1]) == 1
    session.undo()
    session.ask("Something else?", thinking=THINK)
    assert sent_thinking(messages_bodies(emulator)[-1]) == 1


def test_models_that_do_not_bind_keep_their_thinking(emulator):
    session = session_on(emulator, model="claude-opus-4-6")
    session.ask("Plan a trip", thinking=THINK)
    session.system = "Answer in one line."
    session.ask("And then?", thinking=THINK)
    assert sent_thinking(messages_bodies(emulator)[-1]) == 1


def test_diagnostics_name_the_previous_reply_and_the_footer_says_why(emulator):
    session = session_on(emulator, model="claude-opus-5")
    session.system = "Answer as a patient tutor. " * 300
    first = session.ask("Hello")
    assert "diagnostics" not in messages_bodies(emulator)[-1]
    second = session.ask("And again")
    assert messages_bodies(emulator)[-1]["diagnostics"] == {
        "previous_message_id": first.message["id"]
    }
    assert second.usage["cache_read_input_tokens"] > 0 and "no cache read" not in second.footer()
    session.system = "Answer as a strict examiner. " * 300
    third = session.ask("Once more")
    assert "no cache read: the system prompt changed (~" in third.footer()
    session.reset()
    session.ask("Fresh start")
    assert "diagnostics" not in messages_bodies(emulator)[-1]


def test_upload_once_per_content_list_attach_and_delete(emulator, tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("Revenue grew 12% in the third quarter.")
    copy = tmp_path / "copy.txt"
    copy.write_text(report.read_text())
    session = session_on(emulator, model="claude-opus-5")
    uploaded = session.upload(report)
    assert uploaded.id.startswith("file_") and uploaded.name == "report.txt"
    assert uploaded.size == len(report.read_bytes()) and uploaded.mime_type == "text/plain"
    assert session.upload(copy) is uploaded  # same bytes: not uploaded again
    assert sum(r.path == "/v1/files" and r.method == "POST" for r in emulator.requests) == 1
    assert [f.id for f in session.files()] == [uploaded.id]
    reply = session.ask("How much did revenue grow?", attach=[uploaded])
    assert "12%" in reply.text
    sent = messages_bodies(emulator)[-1]["messages"][-1]["content"][0]
    assert sent["source"] == {"type": "file", "file_id": uploaded.id}
    uploaded.delete()
    assert session.files() == []
    assert session.upload(report).id != uploaded.id  # forgotten once deleted


def test_upload_refuses_what_cannot_be_sent(emulator, tmp_path, monkeypatch):
    session = session_on(emulator)
    with pytest.raises(ContentError, match="cannot read"):
        session.upload(tmp_path / "missing.pdf")
    monkeypatch.setattr("claude_nb._session.files.MAX_FILE_BYTES", 3)
    big = tmp_path / "big.txt"
    big.write_text("four")
    with pytest.raises(ContentError, match="500 MB"):
        session.upload(big)
    assert not any(r.path == "/v1/files" for r in emulator.requests)


def test_web_searches_are_priced_in_the_reply_and_the_ledger(emulator):
    session = session_on(emulator, model="claude-opus-5")
    reply = session.ask("What does web search cost?", tools=[claude_nb.web_search(max_uses=2)])
    tokens = TokenCounts.from_usage(reply.usage)
    assert tokens.web_search_requests == 1
    token_cost = price_table().cost(TokenCounts(input=tokens.input, output=tokens.output),
                                    "claude-opus-5")
    assert token_cost is not None
    assert reply.cost == pytest.approx(token_cost.total + 0.01)
    assert "1 web search" in reply.footer()
    totals = session.ledger.totals()
    assert totals.cost.web_search == pytest.approx(0.01)
    assert "1 web search ($0.0100 at $10 per 1,000)" in session.ledger.table()[2]
    assert session.ledger.to_dataframe()["cost_web_search"].tolist() == [pytest.approx(0.01)]
    assert (Cost(web_search=0.01) + Cost(input=1.0)).total == pytest.approx(1.01)


def test_server_tool_helpers_check_their_arguments():
    assert claude_nb.web_search(max_uses=3, allowed_domains=["example.com"]) == {
        "type": "web_search_20260318", "name": "web_search", "max_uses": 3,
        "allowed_domains": ["example.com"],
    }
    for bad in ({"max_uses": 0}, {"max_uses": True}, {"allowed_domains": [""]},
                {"allowed_domains": ["a.com"], "blocked_domains": ["b.com"]}):
        with pytest.raises(ValueError):
            claude_nb.web_search(**bad)


def test_a_retired_model_fails_as_the_service_with_the_successor_named(emulator):
    session = session_on(emulator, model="claude-sonnet-4-5")
    with pytest.raises(NotFoundError, match=r"retired on 2026-11-30; use claude-sonnet-5-5"):
        session.ask("Hello")
    assert session.ledger.prices.is_priced("claude-sonnet-4-5")  # old records keep prices
    assert claude_nb.model_catalog()["claude-sonnet-4-5"]["lifecycle"] == "retired"
    assert claude_nb.model_catalog()["claude-opus-4-5"]["lifecycle"] == "deprecated"


@pytest.mark.parametrize("guarded", [True, False])
def test_a_history_resumed_on_another_account_drops_account_bound_thinking(
    emulator, guarded, monkeypatch
):
    if not guarded:
        monkeypatch.setattr(PrefixGuard, "prepare", lambda self, body: (body, None))
    first = Session(offline=True, emulator=emulator, model="claude-sonnet-5-5", api_key="sk-a")
    first.ask("Plan a trip", thinking=THINK)
    other = Session(offline=True, emulator=emulator, model="claude-sonnet-5-5", api_key="sk-b")
    other.history[:] = first.history  # as %claude_resume loads it
    if not guarded:
        with pytest.raises(BadRequestError, match="bound to a different conversation"):
            other.ask("And then?", thinking=THINK)
        return
    assert other.ask("And then?", thinking=THINK).stop_reason == "end_turn"
    assert sent_thinking(messages_bodies(emulator)[-1]) == 0


def test_the_cost_chart_stacks_the_searches_on_top_only_when_there_are_any(emulator):
    pytest.importorskip("matplotlib")
    from claude_nb._display.chart import cost_figure

    session = session_on(emulator, model="claude-opus-5")
    session.ask("Hello")
    legend = cost_figure(session.ledger).legends[0]
    assert [text.get_text() for text in legend.get_texts()] == [
        "input", "output", "cache write", "cache read", "cumulative $"]
    session.ask("What does web search cost?", tools=[claude_nb.web_search()])
    figure = cost_figure(session.ledger)
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert labels[-2:] == ["web search", "cumulative $"]
    search = figure.axes[0].collections[-1].get_paths()
    assert len(search) == 1  # one bar has a search share
    heights = search[0].vertices[:, 1]
    assert heights.max() - heights.min() == pytest.approx(0.01)
