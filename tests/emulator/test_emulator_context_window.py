"""The context window: a prompt over the model's ``max_input_tokens`` is a 400, as the service.

The emulator counts with the documented estimate (``claude_nb._api.estimate``); the real
service answers ``400 invalid_request_error`` "prompt is too long: N tokens > M maximum".
``count_tokens`` still counts such a prompt (it is how one learns how far over it is).
``context_overflow`` is the client's own check before sending (5 % margin for the estimate).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from claude_nb._api.context_window import OVERFLOW_MARGIN, context_overflow
from claude_nb._api.estimate import estimate_input_tokens
from claude_nb._api.models import model_info
from claude_nb.emulator import Emulator

HEADERS = {"anthropic-version": "2023-06-01", "content-type": "application/json"}


def body_of(model: str, tokens: int, **extra: Any) -> dict[str, Any]:
    text = "x" * (4 * tokens)  # the estimate: 4 bytes a token
    return {
        "model": model,
        "max_tokens": 16,
        "messages": [{"role": "user", "content": text}],
        **extra,
    }


def post(body: dict[str, Any], path: str = "/v1/messages") -> tuple[int, dict[str, Any]]:
    reply = Emulator(require_key=False).handle(
        "POST", path, HEADERS, json.dumps(body).encode("utf-8")
    )
    return reply.status, json.loads(reply.body)


@pytest.mark.parametrize(
    ("model", "tokens"), [("claude-opus-4-6", 1_800_000), ("claude-haiku-4-5", 200_010)]
)
def test_a_prompt_over_the_window_is_refused(model: str, tokens: int) -> None:
    body = body_of(model, tokens)
    status, answer = post(body)
    limit = model_info(model)["max_input_tokens"]  # type: ignore[index]
    estimate = estimate_input_tokens(body)
    assert status == 400 and answer["error"]["type"] == "invalid_request_error"
    assert answer["error"]["message"] == f"prompt is too long: {estimate} tokens > {limit} maximum"


def test_a_streamed_request_is_refused_before_the_stream() -> None:
    status, answer = post(body_of("claude-haiku-4-5", 250_000, stream=True))
    assert status == 400 and "prompt is too long" in answer["error"]["message"]


def test_tools_and_system_count_too() -> None:
    body = body_of("claude-haiku-4-5", 150_000, system="s" * 4 * 60_000)
    assert post(body)[0] == 400
    assert post(body_of("claude-haiku-4-5", 150_000))[0] == 200


def test_just_under_the_window_is_accepted_and_count_tokens_still_counts() -> None:
    body = body_of("claude-haiku-4-5", 199_000)
    assert post(body)[0] == 200
    over = body_of("claude-haiku-4-5", 300_000)
    del over["max_tokens"]
    status, answer = post(over, "/v1/messages/count_tokens")
    assert status == 200 and answer["input_tokens"] > 300_000


def test_the_check_answers_a_huge_prompt() -> None:
    # how fast (goal under 1 s): bench/context_window.py
    body = body_of("claude-opus-4-6", 1_800_000)
    status, _ = post(body)
    assert status == 400
    assert context_overflow(body) is not None


def test_context_overflow_is_the_clients_own_check() -> None:
    limit = 200_000
    over = body_of("claude-haiku-4-5", int(limit * OVERFLOW_MARGIN) + 10)
    message = context_overflow(over)
    assert message is not None and "200,000" in message and "claude-haiku-4-5" in message
    assert "\n" not in message
    # within the estimate's margin: left to the service
    assert context_overflow(body_of("claude-haiku-4-5", limit + 1_000)) is None
    assert context_overflow(body_of("claude-haiku-4-5", 1_000)) is None
    assert context_overflow(body_of("no-such-model", 10_000_000)) is None  # unknown: no check
    assert context_overflow(over, "claude-opus-4-6") is None  # the model argument wins
