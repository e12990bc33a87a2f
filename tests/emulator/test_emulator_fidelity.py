"""Fidelity rules: version 2026-10-21 blocks, betas, tool_choice, system messages and
PDF pages. Each rule: status, error type and message (the documented one where known).
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from claude_nb._api.estimate import pdf_page_count
from claude_nb.emulator import Emulator
from claude_nb.emulator._responders import signature_for
from claude_nb.testing import (
    HandlerTransport,
    assistant,
    body,
    pdf,
    post,
    text,
    thinking,
    user,
)

HAIKU = "claude-haiku-4-5"  # 200k context, prefill allowed, no system messages
NEW = {"anthropic-version": "2026-10-21"}
OLD = {"anthropic-version": "2023-06-01"}
THINKING_MESSAGE = (
    "`thinking` or `redacted_thinking` blocks in the latest assistant message cannot be "
    "modified. These blocks must remain as they were in the original response."
)
TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}

CITATION = [
    {
        "type": "char_location",
        "cited_text": "x",
        "document_index": 0,
        "start_char_index": 0,
        "end_char_index": 1,
    }
]
SEARCH = {
    "type": "search_result",
    "source": "https://example.com",
    "title": "t",
    "content": [text("found", citations=CITATION)],
}
SYSTEM_TURN = {"role": "system", "content": "Answer in French."}

# (id, headers, body, status, error type, message fragment)
REJECTED: list[tuple[str, dict[str, str], dict[str, Any], int, str, str]] = [
    (
        "2026: document in assistant",
        NEW,
        body(HAIKU, user(text("q")), assistant(pdf(1))),
        400,
        "invalid_request_error",
        "messages.1.content.0: `document` blocks are not accepted directly in `assistant`",
    ),
    (
        "2026: citations in user text",
        NEW,
        body("claude-opus-5", user(text("q", citations=CITATION))),
        400,
        "invalid_request_error",
        "messages.0.content.0.citations: `text` blocks in `user`",
    ),
    (
        "2026: citations inside search_result",
        NEW,
        body("claude-opus-5", user(SEARCH, text("q"))),
        400,
        "invalid_request_error",
        "messages.0.content.0.content.0.citations",
    ),
    (
        "unknown beta",
        {**OLD, "anthropic-beta": "files-api-2025-04-14, bogus-beta"},
        body(),
        400,
        "invalid_request_error",
        "Unexpected value(s) `bogus-beta` for the `anthropic-beta` header.",
    ),
    (
        "thinking modified",
        OLD,
        body(
            HAIKU,
            user(text("q")),
            assistant(thinking("plan", "forged"), text("a")),
            user(text("b")),
        ),
        400,
        "invalid_request_error",
        f"messages.1.content.0: {THINKING_MESSAGE}",
    ),
    (
        "thinking text edited, signature kept",
        OLD,
        body(HAIKU, user(text("q")), assistant(thinking("plan B", signature_for("plan")))),
        400,
        "invalid_request_error",
        THINKING_MESSAGE,
    ),
    (
        "forced tool_choice any on Opus 5.5",
        OLD,
        body("claude-opus-5-5", tools=[TOOL], tool_choice={"type": "any"}),
        400,
        "invalid_request_error",
        "forced tool use (type 'any') is not supported for claude-opus-5-5",
    ),
    (
        "forced tool_choice tool on Sonnet 5.5",
        OLD,
        body("claude-sonnet-5-5", tools=[TOOL], tool_choice={"type": "tool", "name": "lookup"}),
        400,
        "invalid_request_error",
        "not supported for claude-sonnet-5-5",
    ),
    (
        "tool_choice unknown type",
        OLD,
        body(tool_choice={"type": "sometimes"}),
        400,
        "invalid_request_error",
        "tool_choice: Input tag",
    ),
    (
        "system message on Sonnet 5",
        OLD,
        body("claude-sonnet-5", user(text("q")), SYSTEM_TURN),
        400,
        "invalid_request_error",
        "messages.1.role: messages with role 'system' are not supported for claude-sonnet-5",
    ),
    (
        "system message on Haiku 4.5",
        OLD,
        body(HAIKU, SYSTEM_TURN, user(text("q"))),
        400,
        "invalid_request_error",
        "not supported for claude-haiku-4-5",
    ),
    (
        "system message with an image",
        OLD,
        body("claude-opus-5", user(text("q")), {"role": "system", "content": [pdf(1)]}),
        400,
        "invalid_request_error",
        "messages.1.content.0.type: Input should be 'text'",
    ),
    (
        "only system messages",
        OLD,
        body("claude-fable-5", SYSTEM_TURN),
        400,
        "invalid_request_error",
        'first message must use the "user" role',
    ),
    (
        "601 PDF pages on a 1M model",
        OLD,
        body("claude-opus-5", user(pdf(300), pdf(301))),
        400,
        "invalid_request_error",
        "messages.0.content.1.source.base64.data: A maximum of 600 PDF pages may be provided",
    ),
    (
        "101 PDF pages on a 200k model",
        OLD,
        body(HAIKU, user(pdf(101), text("sum up"))),
        400,
        "invalid_request_error",
        "A maximum of 100 PDF pages may be provided",
    ),
    (
        "PDF inside a tool_result counts",
        OLD,
        body(
            HAIKU,
            user(text("q")),
            assistant({"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}),
            user({"type": "tool_result", "tool_use_id": "toolu_1", "content": [pdf(101)]}),
        ),
        400,
        "invalid_request_error",
        "messages.2.content.0.content.0.source",
    ),
]

ACCEPTED: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("2023: document in assistant", OLD, body(HAIKU, user(text("q")), assistant(pdf(1)))),
    (
        "2023: citations in user text",
        OLD,
        body("claude-opus-5", user(text("q", citations=CITATION))),
    ),
    ("2026: empty citations", NEW, body("claude-opus-5", user(text("q", citations=[])))),
    ("2026: document in user turn", NEW, body("claude-opus-5", user(pdf(2), text("q")))),
    (
        "known and legacy betas",
        {
            **OLD,
            "anthropic-beta": "prompt-caching-2024-07-31,"
            "fast-mode-2026-02-01,output-300k-2026-03-24,"
            "model-context-window-exceeded-2025-08-26,"
            "interleaved-thinking-2025-05-14,user-profiles",
        },
        body(),
    ),
    ("thinking intact", OLD, body(HAIKU, user(text("q")), assistant(thinking("plan"), text("a")))),
    (
        "earlier turn not checked",
        OLD,
        body(
            HAIKU,
            user(text("q")),
            assistant(thinking("x", "forged"), text("a")),
            user(text("b")),
            assistant(text("c")),
            user(text("d")),
        ),
    ),
    ("tool_choice any on Opus 5", OLD, body(tools=[TOOL], tool_choice={"type": "any"})),
    (
        "tool_choice auto on Opus 5.5",
        OLD,
        body("claude-opus-5-5", tools=[TOOL], tool_choice={"type": "auto"}),
    ),
    (
        "system message on Fable 5 (str)",
        OLD,
        body("claude-fable-5", user(text("q")), SYSTEM_TURN, assistant(text("a")), user(text("b"))),
    ),
    (
        "system message first on Mythos 5.2",
        OLD,
        body("claude-mythos-5-2", SYSTEM_TURN, user(text("q"))),
    ),
    (
        "system message on Opus 4.8 (blocks)",
        OLD,
        body(
            "claude-opus-4-8", user(text("q")), {"role": "system", "content": [text("Be brief.")]}
        ),
    ),
    ("system message on Opus 5.5", OLD, body("claude-opus-5-5", user(text("q")), SYSTEM_TURN)),
    ("600 PDF pages on a 1M model", OLD, body("claude-opus-5", user(pdf(300), pdf(300)))),
    ("100 PDF pages on a 200k model", OLD, body(HAIKU, user(pdf(100)))),
]


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
@pytest.mark.parametrize(
    ("headers", "payload", "status", "error_type", "fragment"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_rejected(
    path: str,
    headers: dict[str, str],
    payload: dict[str, Any],
    status: int,
    error_type: str,
    fragment: str,
) -> None:
    if path.endswith("count_tokens"):
        payload = {key: value for key, value in payload.items() if key != "max_tokens"}
    response = post(path, headers, payload)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == error_type
    assert fragment in error["message"]


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
@pytest.mark.parametrize(
    ("headers", "payload"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_accepted(path: str, headers: dict[str, str], payload: dict[str, Any]) -> None:
    if path.endswith("count_tokens"):
        payload = {key: value for key, value in payload.items() if key != "max_tokens"}
    response = post(path, headers, payload)
    assert response.status_code == 200, response.text


def test_beta_message_is_the_documented_one_and_any_beta_option() -> None:
    headers = {**OLD, "anthropic-beta": "bogus-beta,also-bogus"}
    with httpx.Client(
        transport=HandlerTransport(Emulator(require_key=False).handle), base_url="https://api.anthropic.com"
    ) as client:
        error = client.get("/v1/models", headers=headers).json()["error"]  # every route checks
    assert error["message"] == (
        "Unexpected value(s) `bogus-beta`, `also-bogus` for the `anthropic-beta` header. Please "
        "consult our documentation at docs.claude.com or try again without the header."
    )
    lenient = Emulator(require_key=False, accept_any_beta=True)
    assert post("/v1/messages", headers, body(), lenient).status_code == 200


def test_system_messages_count_and_keep_their_cache_prefix() -> None:
    plain = body("claude-opus-5", user(text("q")))
    with_system = body("claude-opus-5", user(text("q")), {"role": "system", "content": "q"})
    counts = [
        post(
            "/v1/messages/count_tokens", OLD, {k: v for k, v in b.items() if k != "max_tokens"}
        ).json()
        for b in (plain, with_system)
    ]
    assert counts[1]["input_tokens"] > counts[0]["input_tokens"]
    emulator = Emulator(require_key=False)
    long = "word " * 2000
    first = body(
        "claude-opus-5",
        user(text(long)),
        {"role": "system", "content": long},
        cache_control={"type": "ephemeral"},
    )
    usage = post("/v1/messages", OLD, first, emulator).json()["usage"]
    assert usage["cache_creation_input_tokens"] > 0
    again = post("/v1/messages", OLD, first, emulator).json()["usage"]
    assert again["cache_read_input_tokens"] == usage["cache_creation_input_tokens"]
    # the same text as a user turn is a different prefix: no false cache hit
    as_user = {**first, "messages": [user(text(long)), {"role": "user", "content": long}]}
    other = post("/v1/messages", OLD, as_user, emulator).json()["usage"]
    assert other["cache_read_input_tokens"] == 0


def test_pdf_pages_are_page_objects_not_the_tree() -> None:
    raw = base64.b64decode(pdf(7)["source"]["data"])
    assert pdf_page_count(raw) == 7
