"""claude_nb's own Markdown and HTML never hand a maths typesetter a ``$…$`` pair.

JupyterLab typesets ``$…$`` in Markdown and HTML outputs (MathJax), so every ``$`` claude_nb
writes itself is ``claude_nb._api.markup.DOLLAR``; code spans and fences keep theirs, and the
model's own text is never touched. (The browser test checks the real frontend.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from claude_nb import Session
from claude_nb._accounting.ledger import Ledger
from claude_nb._api.catalog import model_catalog
from claude_nb._api.markup import DOLLAR, markdown_dollars
from claude_nb._display.render import reply_markdown, reply_plain
from claude_nb._store.persistence import SessionList
from claude_nb._store.records import SessionSummary

_CODE = re.compile(r"^```.*?^```|`[^`\n]+`", re.MULTILINE | re.DOTALL)
SYSTEM = "You answer questions about the cost of things. " * 600  # long enough to cache


def bare_dollars(markup: str) -> int:
    """``$`` signs outside code, which a typesetter could pair."""
    return _CODE.sub("", markup).count("$")


@pytest.fixture
def cached_session() -> Session:
    session = Session(offline=True, model="claude-haiku-4-5", system=SYSTEM)
    session.ask("How much is $5 and $6 together?")  # writes the cache
    session.ask("And $7?")  # reads it
    return session


def test_markdown_dollars_keeps_code_and_is_plain_elsewhere() -> None:
    text = 'cost $1 · `$2 $3` · $4\n\n```json\n{"a": "$5 $6"}\n```\n'
    escaped = markdown_dollars(text)
    assert escaped.count(DOLLAR) == 2 and "`$2 $3`" in escaped and '"$5 $6"' in escaped
    assert markdown_dollars("no money") == "no money"


def test_reply_footer_and_dry_run_have_no_bare_dollars(cached_session: Session) -> None:
    write, read = cached_session.ledger.records[-2:]
    assert write.cache_write_5m_tokens and read.cache_read_tokens  # one wrote, one read
    reply = cached_session.last_reply
    assert reply is not None and "$" in reply.footer()  # the plain footer keeps its "$"
    for markdown in (reply._repr_markdown_(), reply_markdown(reply)):
        assert bare_dollars(markdown) == bare_dollars(reply.text), markdown
        assert markdown.startswith(reply.text)  # the model's own text as written
    assert "$" in reply_plain(reply) and DOLLAR not in reply_plain(reply)
    dry = cached_session.dry_run("What is $8 plus $9?")
    markdown = dry._repr_markdown_()
    assert bare_dollars(markdown) == 0, markdown
    assert "$8 plus $9" in markdown  # the body, in its code fence, exactly


def test_ledger_compare_catalog_and_session_list(cached_session: Session) -> None:
    ledger: Ledger = cached_session.ledger
    objects: list[Any] = [ledger, ledger.compare(), model_catalog()]
    for item in objects:
        assert bare_dollars(item._repr_markdown_()) == 0, type(item)
        assert bare_dollars(item._repr_html_()) == 0, type(item)
    listing = SessionList(
        [
            SessionSummary("abc", 1.0, None, "m", 2, 0.5, 2.0),
            SessionSummary("d", 1.0, None, "m", 1, 0.25, 2.0),
        ]
    )
    assert bare_dollars(listing._repr_markdown_()) == 0
    assert "$" in repr(ledger) and DOLLAR not in repr(ledger)  # plain text keeps "$"
