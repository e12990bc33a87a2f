"""Type aliases and TypedDicts for API payloads.

Requests, messages and content blocks are plain dicts in the API's own shape; these
TypedDicts only describe them for type checkers. Unknown keys are allowed at run time:
the API grows, and what we do not know passes through.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

RoleTypes = Literal["user", "assistant"]
FormatTypes = Literal["markdown", "text", "code", "json"]
CacheTTLTypes = Literal["5m", "1h"]

ContentBlock = dict[str, Any]
"""One content block (``{"type": "text", "text": ...}``, image, tool_use...)."""


class MessageParam(TypedDict):
    """One turn of the conversation as the API takes it."""

    role: RoleTypes
    content: str | list[ContentBlock]


class Usage(TypedDict, total=False):
    """The ``usage`` object of a message; every field but the first two is optional."""

    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int | None
    cache_read_input_tokens: int | None
    cache_creation: dict[str, int] | None
    server_tool_use: dict[str, int] | None
    service_tier: str | None


class _MessageOptional(TypedDict, total=False):
    stop_details: dict[str, Any] | None
    container: dict[str, Any] | None


class Message(_MessageOptional):
    """A message from the API (final or partial snapshot)."""

    id: str
    type: Literal["message"]
    role: Literal["assistant"]
    model: str
    content: list[ContentBlock]
    stop_reason: str | None
    stop_sequence: str | None
    usage: Usage


class _ToolSpecOptional(TypedDict, total=False):
    description: str
    cache_control: dict[str, str]


class ToolSpec(_ToolSpecOptional):
    """A custom tool as sent in ``tools``."""

    name: str
    input_schema: dict[str, Any]


Event = dict[str, Any]
"""One decoded SSE event's JSON (``{"type": "content_block_delta", ...}``)."""

RequestBody = dict[str, Any]
"""The JSON body of a ``POST /v1/messages`` request."""
