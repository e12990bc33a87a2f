"""A stopped call's output was billed: its tokens are estimated from the delivered text."""

from __future__ import annotations

import pytest

from claude_nb import Session
from claude_nb._api.estimate import text_tokens
from claude_nb._chat.view import cost_label
from claude_nb._store.store import Store


def interrupted_session() -> Session:
    session = Session(offline=True, model="claude-haiku-4-5")

    def stop(snapshot: object) -> None:
        if len(getattr(snapshot, "text", "")) > 400:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        session.ask("Write 400 words about tea.", on_event=stop)
    return session


def test_an_interrupted_call_records_an_estimate_marked_estimated(tmp_path: object) -> None:
    session = interrupted_session()
    reply = session.last_reply
    assert reply is not None and reply.interrupted and len(reply.text) > 400
    estimate = text_tokens(reply.text)
    assert reply.usage["output_tokens"] == estimate > 1
    assert reply.usage_estimated and reply.cost is not None and reply.cost > 0
    footer = reply.footer()
    assert f"~{estimate:,} out" in footer and "(estimated)" in footer
    assert "$0.0000" not in footer
    record = session.ledger.records[-1]
    assert record.output_tokens == estimate and record.estimated
    assert "estimated" in session.ledger.markdown(rich=False)
    label = cost_label(reply.usage, reply.cost, session.ledger.totals(), estimated=True)
    assert f"~{estimate:,} out" in label and "estimated" in label


def test_a_finished_call_is_not_estimated() -> None:
    session = Session(offline=True, model="claude-haiku-4-5")
    reply = session.ask("Hello")
    assert not reply.usage_estimated and not session.ledger.records[-1].estimated
    assert "~" not in reply.footer()


def test_the_flag_survives_the_store(tmp_path: object) -> None:
    from pathlib import Path

    session = interrupted_session()
    record = session.ledger.records[-1]
    store = Store(Path(str(tmp_path)) / "h.sqlite")
    assert record.estimated
    assert type(record)(**record.as_dict()).estimated  # what the store loads back
    store.close()
