"""The emulator rejects what the real service rejects: each rule -> status and error type."""

from __future__ import annotations

import base64
import struct
from typing import Any

import httpx
import pytest

from claude_nb.emulator import Emulator
from claude_nb.testing import HandlerTransport

MODEL = "claude-opus-5"  # no prefill, adaptive thinking only, sampling defaults only
OLD_MODEL = "claude-haiku-4-5"  # prefill allowed, enabled thinking, 200k context
USER = [{"role": "user", "content": "Hi"}]


def png_header(width: int, height: int) -> str:
    """Base64 of a PNG signature plus IHDR: enough for the header checks."""
    ihdr = struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    raw = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\x00" * 4
    return base64.b64encode(raw).decode()


def image(width: int = 10, height: int = 10, media_type: str = "image/png") -> dict[str, Any]:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": png_header(width, height)},
    }


def body(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"model": MODEL, "max_tokens": 100, "messages": USER}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}
TOOL_TURNS = [
    {"role": "user", "content": "use lookup"},
    {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}],
    },
]

CASES: list[tuple[str, dict[str, Any], int, str, str]] = [
    ("no model", body(model=None), 400, "invalid_request_error", "model: Field required"),
    ("unknown model", body(model="claude-nope"), 404, "not_found_error", "model: claude-nope"),
    ("no max_tokens", body(max_tokens=None), 400, "invalid_request_error", "max_tokens"),
    ("max_tokens str", body(max_tokens="5"), 400, "invalid_request_error", "valid integer"),
    ("max_tokens < 0", body(max_tokens=-1), 400, "invalid_request_error", "greater than"),
    ("max_tokens > model", body(max_tokens=128001), 400, "invalid_request_error", "128000"),
    ("no messages", body(messages=None), 400, "invalid_request_error", "messages"),
    ("empty messages", body(messages=[]), 400, "invalid_request_error", "at least one"),
    (
        "bad role",
        body(messages=[{"role": "tool", "content": "x"}]),
        400,
        "invalid_request_error",
        "messages.0.role",
    ),
    (
        "first is assistant",
        body(model=OLD_MODEL, messages=[{"role": "assistant", "content": "x"}, *USER]),
        400,
        "invalid_request_error",
        "first message",
    ),
    (
        "prefill on a model without it",
        body(messages=[*USER, {"role": "assistant", "content": "Sure"}]),
        400,
        "invalid_request_error",
        "does not support assistant message prefill",
    ),
    (
        "unknown block type",
        body(messages=[{"role": "user", "content": [{"type": "bogus"}]}]),
        400,
        "invalid_request_error",
        "messages.0.content.0",
    ),
    (
        "text block without text",
        body(messages=[{"role": "user", "content": [{"type": "text"}]}]),
        400,
        "invalid_request_error",
        "text: Field required",
    ),
    (
        "tool_result without tool_use",
        body(
            messages=[
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_x"}]}
            ]
        ),
        400,
        "invalid_request_error",
        "unexpected `tool_use_id`",
    ),
    (
        "tool_use without tool_result",
        body(tools=[TOOL], messages=[*TOOL_TURNS, {"role": "user", "content": "and?"}]),
        400,
        "invalid_request_error",
        "without `tool_result`",
    ),
    (
        "bad tool name",
        body(tools=[{**TOOL, "name": "has space"}]),
        400,
        "invalid_request_error",
        "tools.0.name",
    ),
    (
        "tool schema not object",
        body(tools=[{**TOOL, "input_schema": {"type": "string"}}]),
        400,
        "invalid_request_error",
        "input_schema",
    ),
    ("duplicate tools", body(tools=[TOOL, TOOL]), 400, "invalid_request_error", "unique"),
    (
        "five breakpoints",
        body(
            system=[
                {"type": "text", "text": f"s{i}", "cache_control": {"type": "ephemeral"}}
                for i in range(5)
            ]
        ),
        400,
        "invalid_request_error",
        "maximum of 4",
    ),
    (
        "four breakpoints plus automatic",
        body(
            cache_control={"type": "ephemeral"},
            system=[
                {"type": "text", "text": f"s{i}", "cache_control": {"type": "ephemeral"}}
                for i in range(4)
            ],
        ),
        400,
        "invalid_request_error",
        "Found 5",
    ),
    (
        "1h after 5m",
        body(
            system=[
                {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "b", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            ]
        ),
        400,
        "invalid_request_error",
        "ttl='1h'",
    ),
    (
        "enabled thinking on a 4.7+ model",
        body(thinking={"type": "enabled", "budget_tokens": 2000}, max_tokens=4000),
        400,
        "invalid_request_error",
        "thinking.type.enabled",
    ),
    (
        "adaptive thinking on a 4.5 model",
        body(model=OLD_MODEL, thinking={"type": "adaptive"}),
        400,
        "invalid_request_error",
        "adaptive",
    ),
    (
        "disabled thinking on Fable 5",
        body(model="claude-fable-5", thinking={"type": "disabled"}),
        400,
        "invalid_request_error",
        "disabled",
    ),
    (
        "budget under 1024",
        body(model=OLD_MODEL, thinking={"type": "enabled", "budget_tokens": 1000}),
        400,
        "invalid_request_error",
        "1024",
    ),
    (
        "budget not under max_tokens",
        body(model=OLD_MODEL, max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 2000}),
        400,
        "invalid_request_error",
        "greater than `thinking.budget_tokens`",
    ),
    (
        "image media type mismatch",
        body(messages=[{"role": "user", "content": [image(media_type="image/jpeg")]}]),
        400,
        "invalid_request_error",
        "does not match the provided media type",
    ),
    (
        "image too wide",
        body(messages=[{"role": "user", "content": [image(8001, 10)]}]),
        400,
        "invalid_request_error",
        "8000 pixels",
    ),
    (
        "many-image requests",
        body(messages=[{"role": "user", "content": [image(2001, 10)] + [image()] * 20}]),
        400,
        "invalid_request_error",
        "many-image requests",
    ),
    (
        "too many images for a 200k model",
        body(model=OLD_MODEL, messages=[{"role": "user", "content": [image()] * 101}]),
        400,
        "invalid_request_error",
        "101 > 100",
    ),
    (
        "non-default temperature on a default-only model",
        body(temperature=0.2),
        400,
        "invalid_request_error",
        "temperature",
    ),
]


@pytest.mark.parametrize(
    ("payload", "status", "error_type", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_validation_rule(
    emulator_client: httpx.Client,
    payload: dict[str, Any],
    status: int,
    error_type: str,
    fragment: str,
) -> None:
    response = emulator_client.post("/v1/messages", json=payload)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["type"] == "error"
    assert error["error"]["type"] == error_type
    assert fragment in error["error"]["message"]
    assert error["request_id"].startswith("req_")
    assert response.headers["request-id"] == error["request_id"]


ACCEPTED = [
    (
        "prefill on a model that allows it",
        body(model=OLD_MODEL, messages=[*USER, {"role": "assistant", "content": "Sure"}]),
    ),
    (
        "tool round trip",
        body(
            tools=[TOOL],
            messages=[
                *TOOL_TURNS,
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"}],
                },
            ],
        ),
    ),
    ("default temperature", body(temperature=1.0)),
    ("sampling on an older model", body(model=OLD_MODEL, temperature=0.3, top_k=5)),
    ("unknown body field", body(brand_new_field={"x": 1})),
    ("max_tokens zero", body(max_tokens=0)),
    (
        "four breakpoints",
        body(
            system=[
                {"type": "text", "text": f"s{i}", "cache_control": {"type": "ephemeral"}}
                for i in range(4)
            ]
        ),
    ),
    (
        "1h before 5m",
        body(
            system=[
                {"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                {"type": "text", "text": "b", "cache_control": {"type": "ephemeral"}},
            ]
        ),
    ),
    ("alias model id", body(model="claude-haiku-4-5-20251001")),
    ("twenty large images", body(messages=[{"role": "user", "content": [image(3000, 10)] * 20}])),
]


@pytest.mark.parametrize("payload", [case[1] for case in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted(emulator_client: httpx.Client, payload: dict[str, Any]) -> None:
    response = emulator_client.post("/v1/messages", json=payload)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"


def test_max_tokens_zero_gives_empty_content(emulator_client: httpx.Client) -> None:
    message = emulator_client.post("/v1/messages", json=body(max_tokens=0)).json()
    assert message["content"] == []
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 0


def test_version_rules() -> None:
    emulator = Emulator(require_key=True)
    transport = HandlerTransport(emulator.handle)
    with httpx.Client(transport=transport, base_url="https://api.anthropic.com") as client:
        missing = client.post("/v1/messages", json=body(), headers={"x-api-key": "k"})
        assert missing.status_code == 400
        assert missing.json()["error"]["message"] == "anthropic-version: header is required"
        headers = {"x-api-key": "k", "anthropic-version": "2024-01-01"}
        unknown = client.post("/v1/messages", json=body(), headers=headers)
        assert unknown.status_code == 400
        new = {"authorization": "Bearer k", "anthropic-version": "2026-10-21"}
        rejected = client.post("/v1/messages", json=body(temperature=1.0), headers=new)
        assert rejected.status_code == 400
        assert rejected.json()["error"]["message"] == "temperature: Extra inputs are not permitted"
        assert client.post("/v1/messages", json=body(), headers=new).status_code == 200


def test_key_rules() -> None:
    emulator = Emulator(require_key=True)
    with httpx.Client(
        transport=HandlerTransport(emulator.handle),
        base_url="https://api.anthropic.com",
        headers={"anthropic-version": "2023-06-01"},
    ) as client:
        response = client.post("/v1/messages", json=body())
        assert response.status_code == 401
        assert response.json()["error"] == {
            "type": "authentication_error",
            "message": "x-api-key header is required",
        }
        ok = client.post("/v1/messages", json=body(), headers={"x-api-key": "sk-secret-1"})
        assert ok.status_code == 200
    logged = emulator.requests[-1]
    assert logged.headers["x-api-key"] == "[redacted]"
    assert "sk-secret-1" not in repr(emulator.requests)
    assert "sk-secret-1" not in repr(emulator)


def test_bad_json_and_huge_body(emulator_client: httpx.Client) -> None:
    bad = emulator_client.post("/v1/messages", content=b"{not json")
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "invalid_request_error"
    huge = emulator_client.post("/v1/messages", content=b" " * (32 * 1024 * 1024 + 1))
    assert huge.status_code == 413
    assert huge.json()["error"]["type"] == "request_too_large"


def test_unknown_path(emulator_client: httpx.Client) -> None:
    response = emulator_client.get("/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
