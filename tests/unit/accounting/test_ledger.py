"""The ledger and budget, fed by a real offline Session (the in-process emulator)."""

from __future__ import annotations

import time
import warnings
from typing import Any, ClassVar

import pytest

from claude_nb import APIError, BudgetExceededError, Session
from claude_nb._accounting.budget import Budget, worst_case_cost
from claude_nb._accounting.ledger import Ledger, UsageRecord, hit_ratio
from claude_nb._accounting.pricing import TokenCounts, UnpricedModelWarning, price_table
from claude_nb.emulator import Emulator
from claude_nb.testing import canary_key


@pytest.fixture
def session() -> Any:
    emulator = Emulator(require_key=False)
    with Session(environ={}, emulator=emulator, max_retries=0) as live:
        live.emulator_for_test = emulator
        yield live


def test_every_call_of_a_real_session_is_recorded(session: Any) -> None:
    ledger = Ledger()
    session.on_call.append(ledger.record_reply)
    ledger.cell = "In[1]"
    first = session.ask("hello there", max_tokens=60)
    second = session.ask("and again", max_tokens=60)
    assert len(ledger) == 2
    record = ledger[0]
    usage = first.message["usage"]
    assert (record.input_tokens, record.output_tokens) == (
        usage["input_tokens"], usage["output_tokens"])
    assert record.offline and record.cell == "In[1]" and record.model == first.model
    assert record.request_id == first.request_id and record.request_id
    assert record.duration == first.duration and record.time_to_first_token is not None
    assert record.cost(ledger.prices).total == pytest.approx(first.cost)
    assert ledger.total_cost == pytest.approx(first.cost + second.cost)
    totals = ledger.totals()
    assert totals.simulated_cost == pytest.approx(totals.cost.total)
    assert "simulated" in ledger._repr_markdown_()


def test_failed_and_interrupted_calls_are_recorded(session: Any) -> None:
    ledger = Ledger()
    session.on_call.append(ledger.record_reply)
    session.emulator_for_test.inject("error-after:4")
    with pytest.raises(APIError):
        session.ask("this stream breaks", max_tokens=200)

    def stop(snapshot: Any) -> None:
        if snapshot.text:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        session.ask("stop me", max_tokens=200, on_event=stop)
    failed, stopped = ledger.records
    assert failed.error and failed.error.split(":")[0].endswith("Error")
    assert failed.input_tokens > 0  # the usage of message_start was known
    assert stopped.interrupted and stopped.input_tokens > 0
    assert "interrupted" in ledger._repr_markdown_()


def test_unpriced_model_warns_once_and_is_never_zero() -> None:
    ledger = Ledger()
    with pytest.warns(UnpricedModelWarning, match="claude-mystery"):
        ledger.append(UsageRecord("claude-mystery", input_tokens=10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ledger.append(UsageRecord("claude-mystery", input_tokens=10))
        ledger.append(UsageRecord("claude-sonnet-5-5", input_tokens=1_000_000))
    totals = ledger.totals()
    assert totals.unpriced_calls == 2 and totals.unpriced_models == ("claude-mystery",)
    assert totals.cost.total == pytest.approx(2.0)  # only the priced call: 1M input at $2
    assert ledger.rows()[0]["cost"] is None
    assert "unpriced" in ledger._repr_markdown_()
    assert "2 unpriced" in repr(ledger)


def test_totals_hit_ratio_and_savings_by_hand() -> None:
    ledger = Ledger([
        # Sonnet 5.5: 1000*2 + 200*10 + 4000*2.5 = 2000+2000+10000 = 14,000 micro-dollars
        UsageRecord("claude-sonnet-5-5", input_tokens=1000, output_tokens=200,
                    cache_write_5m_tokens=4000),
        # 50*2 + 100*10 + 5000*0.1 = 100+1000+500 = 1,600 micro-dollars
        UsageRecord("claude-sonnet-5-5", input_tokens=50, output_tokens=100,
                    cache_read_tokens=5000),
        # batch Opus 5: (1000*5 + 1000*25)/2 = 15,000 micro-dollars
        UsageRecord("claude-opus-5", input_tokens=1000, output_tokens=1000, batch=True),
    ])
    totals = ledger.totals()
    assert totals.cost.total == pytest.approx(0.0306)
    assert totals.cost.cache_write == pytest.approx(0.01)
    # read 5000 / (5000 + 4000 + 2050 uncached)
    assert totals.hit_ratio == pytest.approx(5000 / 11050)
    # savings: first call -4000*0.5 = -2,000; second +5000*1.9 = +9,500; third 0
    assert totals.savings == pytest.approx(0.0075)
    assert totals.tokens == TokenCounts(2050, 1300, 4000, 0, 5000)
    assert hit_ratio(TokenCounts(output=5)) is None
    assert totals.simulated_cost == 0
    # The %claude_cost table shows what caching saved per call and in all.
    header, rows, summary = ledger.table()
    saved = header.index("saved")
    assert [row[saved] for row in rows] == ["+$0.0020 to write", "$0.0095", "-", "$0.0075"]
    assert "$-" not in ledger.markdown(rich=False) and "$-" not in repr(ledger)
    assert rows[-1][3] == "3 calls"
    assert "caching saved $0.0075" in summary


def test_from_reply_reads_a_reply_like_object() -> None:
    class Fake:
        message: ClassVar[dict[str, Any]] = {
            "usage": {"input_tokens": 7, "output_tokens": 3, "cache_creation_input_tokens": 9,
                      "cache_creation": {"ephemeral_1h_input_tokens": 9}}}
        model = "claude-haiku-4-5"
        request_id = "req_1"
        offline = False
        time_to_first_token = 0.5
        duration = 1.5
        interrupted = False
        error = ValueError("x" * 500)

    record = UsageRecord.from_reply(Fake(), cell="In[4]", time=100.0, batch=True)
    assert record == UsageRecord(
        "claude-haiku-4-5", input_tokens=7, output_tokens=3, cache_write_1h_tokens=9,
        time=100.0, time_to_first_token=0.5, duration=1.5, request_id="req_1", cell="In[4]",
        error=("ValueError: " + "x" * 500)[:200], batch=True)
    empty = UsageRecord.from_reply(object())
    assert empty.model == "unknown" and empty.tokens == TokenCounts()


def test_dataframe_and_renderings() -> None:
    moment = 1_800_000_000.0
    ledger = Ledger([UsageRecord("<b>model</b>", input_tokens=1, time=moment)],
                    prices=price_table({"models": [{"id": "<b>model</b>",
                                                    "prices": {"input": 1, "output": 1}}]}))
    for index in range(30):
        ledger.append(UsageRecord("claude-opus-5", input_tokens=index, time=moment,
                                  offline=index % 2 == 0, cell=f"In[{index}]"))
    frame = ledger.to_dataframe()
    assert len(frame) == 31 and frame["cost"].iloc[-1] == pytest.approx(29 * 5 / 1e6)
    assert str(frame["time"].dtype).startswith("datetime64")
    markdown = ledger.markdown(rich=False)  # bare "$"; test_no_math checks the rich one
    lines = markdown.splitlines()
    assert lines[0].startswith("| # | time | cell | model |")
    assert len([line for line in lines if line.startswith("| ")]) == 1 + 20 + 1
    clock = time.strftime("%H:%M:%S", time.localtime(moment))
    assert f"| 31 | {clock} | In[29] | claude-opus-5 | 29 | 0 | 0 | 0 | 0% | $0.0001 |" in markdown
    assert "showing the last 20 of 31 calls" in markdown
    html = ledger._repr_html_()
    assert "<b>model</b>" not in html and html.startswith("<table>")


def test_worst_case_cost_by_hand() -> None:
    body = {"model": "claude-sonnet-5-5", "max_tokens": 1000,
            "messages": [{"role": "user", "content": "x" * 400}]}
    # estimate: 3 base + 4 message + 2 block + 100 text = 109 tokens
    # 109*2 + 1000*10 = 10,218 micro-dollars
    assert worst_case_cost(body) == pytest.approx(0.010218)
    cached = {**body, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    assert worst_case_cost(cached) == pytest.approx((109 * 4 + 10_000) / 1e6)
    assert worst_case_cost(body, batch=True) == pytest.approx(0.005109)
    assert worst_case_cost({**body, "model": "claude-mythos-5-2"}) is None


def test_budget_ok_then_warns_once_then_refuses() -> None:
    budget = Budget(1.0)
    assert not budget.check(0.1, 0.2).warn
    warned = budget.check(0.5, 0.3)
    assert warned.warn and "80%" in warned.message
    assert not budget.check(0.85, 0.1).warn  # only once
    with pytest.raises(BudgetExceededError, match=r"budget of \$1\.00"):
        budget.check(0.95, 0.1)
    unpriced = budget.check(0.0, None)
    assert unpriced.warn and "no known price" in unpriced.message
    assert not budget.check(0.0, None).warn
    with pytest.raises(ValueError):
        Budget(0)


def test_setting_prices_reprices_every_record() -> None:
    ledger = Ledger([UsageRecord("claude-sonnet-5-5", input_tokens=1_000_000)] * 3)
    assert ledger.total_cost == pytest.approx(6.0)  # 3 x 1M input at $2
    ledger.prices = price_table({"models": [{"id": "claude-sonnet-5-5", "prices": {"input": 1}}]})
    assert ledger.total_cost == pytest.approx(3.0)
    assert [cost.total for cost in ledger.costs()] == pytest.approx([1.0, 1.0, 1.0])
    assert len(ledger) == 3


def test_calls_over_real_http_are_not_simulated(emulator_server: str, tmp_path: Any) -> None:
    from claude_nb._store.store import Store

    key = canary_key("HTTPTESTKEY0123456789")
    environ = {"ANTHROPIC_API_KEY": key, "CLAUDE_NB_HOME": str(tmp_path)}
    ledger = Ledger()
    with Session(base_url=emulator_server, environ=environ, max_retries=0) as session, \
            Store(environ=environ) as store:
        session_id = store.start_session(session.settings.model)
        session.on_call.append(ledger.record_reply)
        session.on_call.append(lambda reply: store.record_reply(session_id, reply))
        reply = session.ask("over the wire", max_tokens=60)
    assert not session.offline and not ledger[0].offline
    assert ledger.totals().simulated_cost == 0
    assert ledger.total_cost == pytest.approx(reply.cost)
    assert "simulated" not in ledger._repr_markdown_()
    blob = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"over the wire" in blob and key.encode() not in blob
