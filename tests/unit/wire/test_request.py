from __future__ import annotations

import json
from pathlib import Path

import pytest

from claude_nb._config import resolve_settings
from claude_nb._wire.request import (
    REDACTED_KEY,
    build_body,
    build_headers,
    count_tokens_body,
    redact,
    user_turn,
)
from claude_nb._wire.stream import MessageSnapshot
from claude_nb.testing import canary_key

KEY = canary_key("secret-request-key")


def _settings(**arguments: object):
    return resolve_settings({"api_key": KEY, **arguments}, environ={})


def test_headers_carry_key_version_types_and_user_agent() -> None:
    headers = build_headers(_settings(), stream=True)
    assert headers["x-api-key"] == KEY
    assert headers["anthropic-version"] == "2023-06-01"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "text/event-stream"
    assert headers["user-agent"].startswith("claude-nb/")
    assert "anthropic-beta" not in headers


def test_newer_version_and_betas_are_comma_joined_without_duplicates() -> None:
    settings = _settings(api_version="2026-10-21", betas=("a-1", "b-2"))
    headers = build_headers(settings, betas=["b-2", "c-3"])
    assert headers["anthropic-version"] == "2026-10-21"
    assert headers["anthropic-beta"] == "a-1,b-2,c-3"
    assert build_headers(settings)["accept"] == "application/json"


def test_no_key_header_when_offline() -> None:
    assert "x-api-key" not in build_headers(resolve_settings(environ={}))


def test_redact_hides_the_key_in_any_case() -> None:
    shown = redact({"X-Api-Key": KEY, "Authorization": f"Bearer {KEY}", "accept": "x"})
    assert shown == {"X-Api-Key": REDACTED_KEY, "Authorization": REDACTED_KEY, "accept": "x"}
    assert KEY not in json.dumps(shown)


def test_body_has_required_fields_and_only_set_sampling() -> None:
    body = build_body(_settings(), prompt="Hello", params={"temperature": None, "top_k": None})
    assert body == {
        "model": "claude-sonnet-5-5",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    body = build_body(_settings(), prompt="Hi", params={"temperature": 0.2, "top_p": 0.9})
    assert body["temperature"] == 0.2 and body["top_p"] == 0.9


def test_all_fields_and_unknown_ones_pass_through() -> None:
    params = {
        "model": "claude-opus-5",
        "max_tokens": 0,
        "stop_sequences": ["END"],
        "tools": [{"name": "f", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "auto"},
        "metadata": {"user_id": "u1"},
        "thinking": {"type": "adaptive"},
        "service_tier": "auto",
        "cache_control": {"type": "ephemeral"},
        "output_config": {"effort": "low"},
        "inference_geo": "us",
        "speed": "fast",
        "some_future_field": {"x": 1},
    }
    body = build_body(_settings(), prompt="Hi", system="Be brief.", stream=True, params=params)
    for name, value in params.items():
        assert body[name] == value
    assert body["system"] == "Be brief." and body["stream"] is True


def test_history_turns_are_shared_and_the_history_is_not_mutated() -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "a"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "b"}]},
    ]
    body = build_body(_settings(), history=history, prompt=[{"type": "text", "text": "c"}])
    # the turns are the history's own (no deep copy per request); the list is new
    assert body["messages"][0] is history[0] and body["messages"][1] is history[1]
    assert body["messages"] is not history and len(history) == 2
    assert [turn["role"] for turn in body["messages"]] == ["user", "assistant", "user"]


def test_user_turn_shapes() -> None:
    assert user_turn("x") == {"role": "user", "content": "x"}
    block = {"type": "image", "source": {"type": "url", "url": "https://e.x/i.png"}}
    assert user_turn([block]) == {"role": "user", "content": [block]}
    assert user_turn(block) == {"role": "user", "content": [block]}


def test_count_tokens_body_keeps_only_accepted_fields() -> None:
    body = build_body(
        _settings(), prompt="Hi", system="S", stream=True, params={"temperature": 0.5, "tools": []}
    )
    assert count_tokens_body(body) == {
        "model": "claude-sonnet-5-5",
        "messages": [{"role": "user", "content": "Hi"}],
        "system": "S",
        "tools": [],
    }


def test_a_whole_message_reads_as_the_sdk_reads_it() -> None:
    # the SDK's own Message model is the oracle for what a non-streamed reply means
    anthropic_types = pytest.importorskip("anthropic.types")
    raw = json.loads((Path(__file__).parent / "fixtures" / "message.json").read_text())
    oracle = anthropic_types.Message.model_validate(raw)
    snapshot = MessageSnapshot.from_message(raw)
    assert snapshot.finished and snapshot.started
    assert snapshot.text == "".join(b.text for b in oracle.content if b.type == "text")
    assert snapshot.text_delta == snapshot.text
    assert snapshot.usage == oracle.usage.model_dump(exclude_none=True)
    assert snapshot.message["stop_reason"] == oracle.stop_reason
    empty = MessageSnapshot.from_message({**raw, "content": []})
    assert not empty.started and empty.text == ""
