"""``CLAUDE_NB_HOME/prices.json`` reaches the prices a session actually bills with.

Through the public path only: ``claude_nb.Session()`` (offline, the emulator, since the
conftest scrubs every key), one ask, then ``session.ledger``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import claude_nb
from claude_nb import ConfigurationError
from claude_nb._api.markup import DOLLAR
from claude_nb._config import home_dir, price_file, read_price_file

MODEL = "claude-sonnet-5-5"  # packaged: $2 input, $10 output per million tokens


def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prices: object | str) -> Path:
    """A CLAUDE_NB_HOME whose prices.json holds ``prices`` (text as is, else as JSON)."""
    directory = tmp_path / "home"
    directory.mkdir()
    text = prices if isinstance(prices, str) else json.dumps(prices)
    (directory / "prices.json").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CLAUDE_NB_HOME", str(directory))
    return directory


def test_session_ledger_bills_at_the_users_price_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    override = {"models": [{"id": MODEL, "prices": {"input": 200, "output": 1000}}]}
    home(monkeypatch, tmp_path, override)
    session = claude_nb.Session(model=MODEL)
    assert session.offline
    reply = session.ask("Say hello in five words.")

    [record] = session.ledger.records
    tokens = record.tokens
    assert tokens.input > 0 and tokens.output > 0 and tokens.cache_write == tokens.cache_read == 0
    expected = (tokens.input * 200 + tokens.output * 1000) / 1_000_000  # 100 x the packaged
    assert session.ledger.total_cost == pytest.approx(expected)
    assert reply.cost == pytest.approx(expected)  # the reply's footer says the same
    assert session.ledger.totals().simulated_cost == pytest.approx(expected)


def test_prices_json_edited_between_sessions_is_read_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    directory = home(monkeypatch, tmp_path, {"models": [{"id": MODEL, "prices": None}]})
    assert not claude_nb.Session(model=MODEL).ledger.prices.is_priced(MODEL)
    (directory / "prices.json").write_text(
        json.dumps({"models": [{"id": MODEL, "prices": {"input": 7}}]}), encoding="utf-8"
    )
    pricing = claude_nb.Session(model=MODEL).ledger.prices.pricing(MODEL)
    assert pricing is not None and pricing.base.input == 7 and pricing.base.output == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read the price file"),
        ("[1, 2]", "must hold a JSON object"),
        (json.dumps({"models": [{"prices": {"input": 1}}]}), "shape of claude_nb/data/models.json"),
        (json.dumps({"models": [{"id": MODEL, "prices": {"input": "x"}}]}), "shape of"),
    ],
)
def test_an_invalid_price_file_is_a_clear_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str, message: str
) -> None:
    directory = home(monkeypatch, tmp_path, content)
    with pytest.raises(ConfigurationError, match=message) as raised:
        claude_nb.Session(model=MODEL)
    assert str(directory / "prices.json") in str(raised.value)


def test_without_a_price_file_the_packaged_prices_bill(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLAUDE_NB_HOME", str(tmp_path / "empty"))
    session = claude_nb.Session(model=MODEL)
    session.ask("Hello")
    tokens = session.ledger[0].tokens
    assert session.ledger.total_cost == pytest.approx((tokens.input * 2 + tokens.output * 10) / 1e6)


def test_the_price_file_is_prices_json_in_claude_nb_home(tmp_path: Path) -> None:
    environ = {"CLAUDE_NB_HOME": str(tmp_path)}
    assert home_dir(environ) == tmp_path and price_file(environ) == tmp_path / "prices.json"
    assert read_price_file(price_file(environ)) is None
    (tmp_path / "prices.json").write_text('{"models": [{"id": "x", "prices": null}]}')
    assert read_price_file(price_file(environ)) == {"models": [{"id": "x", "prices": None}]}
    (tmp_path / "prices.json").write_text("[1, 2]")
    with pytest.raises(ConfigurationError, match="JSON object"):
        read_price_file(price_file(environ))


def test_a_reply_is_priced_by_the_session_that_made_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Editing (or breaking) prices.json later changes neither the reply nor its footer."""
    directory = home(monkeypatch, tmp_path, {"models": [{"id": MODEL, "prices": {"input": 200}}]})
    session = claude_nb.Session(model=MODEL)
    reply = session.ask("Say hello in five words.")
    billed = session.ledger.total_cost
    (directory / "prices.json").write_text("{not json", encoding="utf-8")
    assert reply.cost == pytest.approx(billed)
    assert "$" in reply.footer() and DOLLAR in reply._repr_markdown_()
    (directory / "prices.json").write_text(
        json.dumps({"models": [{"id": MODEL, "prices": {"input": 1}}]}), encoding="utf-8"
    )
    assert reply.cost == pytest.approx(billed)


def test_a_session_with_its_own_environment_prices_its_replies_from_it(tmp_path: Path) -> None:
    directory = tmp_path / "elsewhere"
    directory.mkdir()
    (directory / "prices.json").write_text(
        json.dumps({"models": [{"id": MODEL, "prices": {"input": 300, "output": 3000}}]}),
        encoding="utf-8",
    )
    session = claude_nb.Session(model=MODEL, environ={"CLAUDE_NB_HOME": str(directory)})
    reply = session.ask("Say hello in five words.")
    assert session.ledger.total_cost is not None and session.ledger.total_cost > 0.001
    assert reply.cost == pytest.approx(session.ledger.total_cost)
