"""Cross-turn rules at their edges: version 2026-10-21 blocks, PDF page limits exactly at
and one over, and echoed thinking (changed by one field, dropped, or forgotten FIFO)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from claude_nb._api.models import model_info
from claude_nb.emulator._responders import signature_for
from claude_nb.emulator._validate_turns import (
    THINKING_MODIFIED,
    ThinkingLedger,
    check_pdf_pages,
    check_thinking_signatures,
    check_version_blocks,
)
from claude_nb.emulator._wire import ApiError


def message(error: pytest.ExceptionInfo[ApiError]) -> str:
    return str(error.value.message)


def pdf(pages: int) -> dict[str, Any]:
    data = b"%PDF-1.4\n" + b"<< /Type /Pages >>\n" + b"<< /Type /Page >>\n" * pages
    return {
        "type": "document",
        "source": {
            "type": "base64",
            "media_type": "application/pdf",
            "data": base64.b64encode(data).decode(),
        },
    }


def test_pdf_pages_exactly_at_the_limit_pass_and_one_more_does_not() -> None:
    small = model_info("claude-haiku-4-5")  # a 200K context: 100 pages
    large = model_info("claude-opus-5")  # a 1M context: 600 pages
    assert small is not None and large is not None
    turns = [{"role": "user", "content": [pdf(60), pdf(40)]}]
    assert check_pdf_pages(turns, small) == 100
    with pytest.raises(ApiError) as caught:
        check_pdf_pages([{"role": "user", "content": [pdf(60), pdf(41)]}], small)
    assert message(caught) == (
        "messages.0.content.1.source.base64.data: A maximum of 100 PDF pages may be provided "
        "(101 so far in this request; claude-haiku-4-5 has a 200,000-token context)."
    )
    assert check_pdf_pages([{"role": "user", "content": [pdf(600)]}], large) == 600
    with pytest.raises(ApiError, match="A maximum of 600 PDF pages"):
        check_pdf_pages([{"role": "user", "content": [pdf(601)]}], large)
    inside = [
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": [pdf(101)]}],
        }
    ]
    with pytest.raises(ApiError, match=r"messages\.0\.content\.0\.content\.0\.source"):
        check_pdf_pages(inside, small)
    other = {
        "type": "document",
        "source": {"type": "base64", "media_type": "text/plain", "data": "!!"},
    }
    url = {"type": "document", "source": {"type": "url", "url": "https://e.com/a.pdf"}}
    assert (
        check_pdf_pages([{"role": "user", "content": [other, url, {"type": "document"}]}], small)
        == 0
    )
    bad = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": "!!"},
    }
    with pytest.raises(ApiError) as caught:
        check_pdf_pages(
            [{"role": "user", "content": "hi"}, {"role": "user", "content": [bad]}], small
        )
    assert message(caught) == "messages.1.content.0.source.base64.data: invalid base64 data"


def test_the_new_version_refuses_documents_from_the_assistant_and_user_citations() -> None:
    doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "d"}}
    cited = {"type": "text", "text": "x", "citations": [{"type": "char_location"}]}
    assistant_doc = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": ["skip", {"type": "text", "text": "a"}, doc]},
    ]
    check_version_blocks(assistant_doc, "2023-06-01")  # the old version allows it
    with pytest.raises(ApiError) as caught:
        check_version_blocks(assistant_doc, "2026-10-21")
    assert message(caught) == (
        "messages.1.content.1: `document` blocks are not accepted directly in `assistant` "
        "messages with anthropic-version 2026-10-21."
    )
    with pytest.raises(ApiError) as caught:
        check_version_blocks([{"role": "user", "content": [cited]}], "2026-10-21")
    assert message(caught) == (
        "messages.0.content.0.citations: `text` blocks in `user` messages cannot carry "
        "`citations` with anthropic-version 2026-10-21."
    )
    search = {"type": "search_result", "source": "s", "title": "t", "content": [cited]}
    in_result = [
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": [search]}],
        }
    ]
    with pytest.raises(ApiError) as caught:
        check_version_blocks(in_result, "2026-10-21")
    assert message(caught) == (
        "messages.0.content.0.content.0.content.0.citations: `text` blocks inside a "
        "`search_result` cannot carry `citations` with anthropic-version 2026-10-21."
    )
    # an assistant's own cited text and empty citations are fine
    check_version_blocks(
        [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": [cited]},
            {"role": "user", "content": [{**cited, "citations": []}]},
        ],
        "2026-10-21",
    )


def thinking(text: str, signature: str | None = None) -> dict[str, Any]:
    return {
        "type": "thinking",
        "thinking": text,
        "signature": signature_for(text) if signature is None else signature,
    }


def test_only_the_latest_assistant_turn_must_carry_true_signatures() -> None:
    forged = thinking("plan", "forged")
    earlier = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": [forged]},
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": [thinking("ok"), {"type": "text", "text": "a"}]},
    ]
    check_thinking_signatures(earlier)
    check_thinking_signatures([{"role": "user", "content": "q"}])
    with pytest.raises(ApiError) as caught:
        check_thinking_signatures(earlier[:2])
    assert message(caught) == f"messages.1.content.0: {THINKING_MODIFIED}"
    redacted = {"type": "redacted_thinking", "data": "anything"}
    check_thinking_signatures(
        [{"role": "user", "content": "q"}, {"role": "assistant", "content": [redacted]}]
    )


def test_the_ledger_wants_the_thinking_sent_with_a_tool_call_back_unchanged() -> None:
    ledger = ThinkingLedger(limit=2)
    sent = [
        thinking("why"),
        {"type": "redacted_thinking", "data": "r1"},
        {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
    ]
    ledger.remember(sent)
    ledger.remember([{"type": "tool_use", "id": "plain", "name": "f", "input": {}}])
    assert repr(ledger) == "ThinkingLedger(remembered=1)"  # no thinking: nothing kept
    turns = [{"role": "user", "content": "q"}, {"role": "assistant", "content": sent}]
    ledger.check(turns)
    changes = [
        [sent[0], {"type": "redacted_thinking", "data": "r2"}, sent[2]],
        [{**sent[0], "thinking": "how"}, sent[1], sent[2]],
        [{**sent[0], "signature": "x"}, sent[1], sent[2]],
        [sent[1], sent[0], sent[2]],
        [sent[0], sent[2]],
    ]
    for changed in changes:
        with pytest.raises(ApiError) as caught:
            ledger.check([turns[0], {"role": "assistant", "content": changed}])
        assert message(caught) == f"messages.1.content: {THINKING_MODIFIED}"
    ledger.check([{"role": "user", "content": "q"}])
    for tool_id in ("t2", "t3"):
        ledger.remember([thinking("again"), {"type": "tool_use", "id": tool_id}])
    assert repr(ledger) == "ThinkingLedger(remembered=2)"
    ledger.check([turns[0], {"role": "assistant", "content": [sent[2]]}])  # t1 forgotten
