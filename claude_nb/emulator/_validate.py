"""Request validation: headers, body size and JSON, and the top-level body fields.

Each check raises ``ApiError`` with the status, ``error.type`` and message the real service
uses, as far as the public documentation states them
(https://docs.anthropic.com/en/api/errors). Unknown body fields are accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from claude_nb._api.models import model_flag, model_info
from claude_nb.emulator._validate_content import validate_messages, validate_tools
from claude_nb.emulator._validate_turns import (
    check_pdf_pages,
    check_thinking_signatures,
    check_version_blocks,
)
from claude_nb.emulator._wire import ApiError, invalid

__all__ = [
    "API_VERSIONS",
    "MAX_BODY_BYTES",
    "check_context_window",
    "parse_json_body",
    "validate_headers",
    "validate_message_body",
]

API_VERSIONS = ("2023-06-01", "2026-10-21")
MAX_BODY_BYTES = 32 * 1024 * 1024
SAMPLING_FIELDS = ("temperature", "top_p", "top_k")
TOOL_CHOICES = ("auto", "any", "tool", "none")
SAMPLING_DEFAULTS: dict[str, float | None] = {"temperature": 1.0, "top_p": 1.0, "top_k": None}


def validate_headers(headers: Mapping[str, str], *, require_key: bool) -> tuple[str, str]:
    """Check the version and key headers.

    Args:
        headers: Request headers with lower-case names.
        require_key: Reject requests without an API key.

    Returns:
        ``(api_version, api_key)``; the key is ``""`` when absent (open emulator). The caller
        must never log or store it.
    """
    key = headers.get("x-api-key", "")
    if not key:
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            key = authorization[7:].strip()
    if require_key and not key:
        raise ApiError(401, "authentication_error", "x-api-key header is required")
    version = headers.get("anthropic-version")
    if not version:
        raise invalid("anthropic-version: header is required")
    if version not in API_VERSIONS:
        raise invalid(
            f"anthropic-version: {version!r} is not a valid version. "
            f"Valid versions: {', '.join(API_VERSIONS)}"
        )
    return version, key


def parse_json_body(raw: bytes, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """Decode the body (size-checked: 32 MB, or ``max_bytes``) as a JSON object."""
    if len(raw) > max_bytes:
        raise ApiError(413, "request_too_large", "Request exceeds the maximum allowed size.")
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise invalid(f"There was an error parsing the body of your request: {error}") from None
    except RecursionError:
        raise invalid(
            "There was an error parsing the body of your request: it is nested too deeply"
        ) from None
    if not isinstance(body, dict):
        raise invalid("Request body must be a JSON object")
    return body


def _check_model(body: dict[str, Any]) -> dict[str, Any]:
    model = body.get("model")
    if model is None:
        raise invalid("model: Field required")
    if not isinstance(model, str) or not model:
        raise invalid("model: Input should be a valid string")
    record = model_info(model)
    if record is None:
        raise ApiError(404, "not_found_error", f"model: {model}")
    return record


def _check_max_tokens(body: dict[str, Any], record: dict[str, Any]) -> None:
    if "max_tokens" not in body:
        raise invalid("max_tokens: Field required")
    value = body["max_tokens"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid("max_tokens: Input should be a valid integer")
    if value < 0:
        raise invalid("max_tokens: Input should be greater than or equal to 0")
    limit = int(record.get("max_tokens", 0))
    if value > limit:
        raise invalid(
            f"max_tokens: {value} > {limit}, which is the maximum allowed number of output "
            f"tokens for {record['id']}"
        )


def _check_sampling(body: dict[str, Any], version: str, record: dict[str, Any]) -> None:
    for name in SAMPLING_FIELDS:
        if name not in body:
            continue
        if version == "2026-10-21":
            raise invalid(f"{name}: Extra inputs are not permitted")
        value = body[name]
        if name == "top_k":
            if value is not None and (not isinstance(value, int) or value < 0):
                raise invalid("top_k: Input should be a non-negative integer")
        elif value is not None and (not isinstance(value, (int, float)) or not 0 <= value <= 1):
            raise invalid(f"{name}: Input should be a number between 0 and 1")
        if record.get("sampling_default_only") and value not in (None, SAMPLING_DEFAULTS[name]):
            default = SAMPLING_DEFAULTS[name]
            allowed = "its default value" if default is None else f"the default value {default}"
            raise invalid(f"{name}: this model only supports {allowed}")


def _check_tool_choice(body: dict[str, Any], record: dict[str, Any]) -> None:
    choice = body.get("tool_choice")
    if choice is None:
        return
    if not isinstance(choice, dict) or choice.get("type") not in TOOL_CHOICES:
        raise invalid(
            "tool_choice: Input tag found using 'type' does not match any of the expected "
            "tags: " + ", ".join(f"'{name}'" for name in TOOL_CHOICES)
        )
    if choice["type"] == "tool" and not isinstance(choice.get("name"), str):
        raise invalid("tool_choice.tool.name: Field required")
    if choice["type"] in ("any", "tool") and not model_flag(record, "forced_tool_choice"):
        raise invalid(
            f"tool_choice: forced tool use (type '{choice['type']}') is not supported for "
            f"{record['id']}. Use tool_choice 'auto' or 'none'."
        )


def _check_thinking(body: dict[str, Any], record: dict[str, Any], count_only: bool) -> None:
    thinking = body.get("thinking")
    if thinking is None:
        return
    if not isinstance(thinking, dict) or not isinstance(thinking.get("type"), str):
        raise invalid("thinking.type: Field required")
    kind = thinking["type"]
    rules = record.get("thinking", {})
    if kind == "enabled" and not rules.get("enabled"):
        raise invalid(
            '"thinking.type.enabled" is not supported for this model. Use '
            '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
        )
    if kind == "adaptive" and not rules.get("adaptive"):
        raise invalid('"thinking.type.adaptive" is not supported for this model.')
    if kind == "disabled" and not rules.get("disabled"):
        raise invalid('"thinking.type.disabled" is not supported for this model.')
    if kind not in ("enabled", "adaptive", "disabled", "between_tools"):
        raise invalid(
            "thinking.type: Input tag found using 'type' does not match any of the expected "
            "tags: 'enabled', 'adaptive', 'disabled'"
        )
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise invalid("thinking.enabled.budget_tokens: Field required")
        if budget < 1024:
            raise invalid(
                "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
            )
        if not count_only and budget >= body["max_tokens"]:
            raise invalid("`max_tokens` must be greater than `thinking.budget_tokens`.")


def check_context_window(tokens: int, record: dict[str, Any]) -> None:
    """Refuse a prompt over the model's ``max_input_tokens``, as the service does.

    ``tokens`` is the documented estimate of the whole prompt (tools, system, messages).
    Only ``/v1/messages`` refuses; ``count_tokens`` counts any prompt.
    """
    limit = record.get("max_input_tokens")
    if isinstance(limit, int) and limit > 0 and tokens > limit:
        raise invalid(f"prompt is too long: {tokens} tokens > {limit} maximum")


def validate_message_body(
    body: dict[str, Any], version: str, *, count_only: bool = False
) -> dict[str, Any]:
    """Check a ``/v1/messages`` (or ``count_tokens``) body.

    Args:
        body: The parsed body.
        version: The request's ``anthropic-version``.
        count_only: The body is for ``count_tokens`` (no ``max_tokens``).

    Returns:
        The model's record from ``models.json``.
    """
    record = _check_model(body)
    if not count_only:
        _check_max_tokens(body, record)
    validate_messages(body.get("messages"), record)
    check_version_blocks(body["messages"], version)
    check_thinking_signatures(body["messages"])
    check_pdf_pages(body["messages"], record)
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise invalid("system: Input should be a valid string or list of text blocks")
    if isinstance(system, list):
        for index, block in enumerate(system):
            if not isinstance(block, dict) or block.get("type") != "text":
                raise invalid(f"system.{index}.type: Input should be 'text'")
    validate_tools(body.get("tools"))
    _check_tool_choice(body, record)
    _check_sampling(body, version, record)
    _check_thinking(body, record, count_only)
    stops = body.get("stop_sequences")
    if stops is not None and (
        not isinstance(stops, list) or not all(isinstance(stop, str) for stop in stops)
    ):
        raise invalid("stop_sequences: Input should be a valid list of strings")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid("stream: Input should be a valid boolean")
    return record
