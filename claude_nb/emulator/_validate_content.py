"""Validation of ``messages`` (roles, block shapes, tool pairing, images) and ``tools``."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from claude_nb._api.estimate import image_size
from claude_nb._api.models import model_flag
from claude_nb.emulator._wire import invalid

__all__ = ["validate_messages", "validate_tools"]

KNOWN_BLOCKS = frozenset(
    {
        "text",
        "image",
        "document",
        "tool_use",
        "tool_result",
        "thinking",
        "redacted_thinking",
        "search_result",
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "container_upload",
        "tool_reference",
    }
)
IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_IMAGE_BASE64 = 10 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
MANY_IMAGES = 20
MANY_IMAGE_SIDE = 2000
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
PREFILL_MESSAGE = (
    "This model does not support assistant message prefill. "
    "The conversation must end with a user message."
)


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise invalid(f"{where}.content: Input should be a valid string or list of blocks")
    for index, block in enumerate(content):
        if not isinstance(block, dict):
            raise invalid(f"{where}.content.{index}: Input should be a valid dictionary")
    return content


def _require_str(block: dict[str, Any], key: str, where: str) -> None:
    if not isinstance(block.get(key), str):
        if key not in block:
            raise invalid(f"{where}.{key}: Field required")
        raise invalid(f"{where}.{key}: Input should be a valid string")


def _check_block(block: dict[str, Any], where: str, images: list[tuple[str, int, int]]) -> None:
    kind = block.get("type")
    if kind not in KNOWN_BLOCKS:
        raise invalid(
            f"{where}: Input tag {kind!r} found using 'type' does not match any of the "
            f"expected tags: {', '.join(sorted(KNOWN_BLOCKS))}"
        )
    if kind == "text":
        _require_str(block, "text", where)
    elif kind == "image":
        _check_image(block, where, images)
    elif kind == "document":
        if not isinstance(block.get("source"), dict):
            raise invalid(f"{where}.source: Field required")
    elif kind == "tool_use":
        for key in ("id", "name"):
            _require_str(block, key, where)
        if not isinstance(block.get("input"), dict):
            raise invalid(f"{where}.input: Input should be a valid dictionary")
    elif kind == "tool_result":
        _require_str(block, "tool_use_id", where)
        content = block.get("content")
        if content is not None and not isinstance(content, str):
            for index, inner in enumerate(_blocks(content, where)):
                _check_block(inner, f"{where}.content.{index}", images)
    elif kind == "thinking":
        _require_str(block, "thinking", where)
        _require_str(block, "signature", where)
    elif kind == "redacted_thinking":
        _require_str(block, "data", where)


def _check_image(block: dict[str, Any], where: str, images: list[tuple[str, int, int]]) -> None:
    source = block.get("source")
    if not isinstance(source, dict):
        raise invalid(f"{where}.source: Field required")
    if source.get("type") != "base64":
        images.append((where, 0, 0))
        return
    media_type = source.get("media_type")
    if media_type not in IMAGE_MEDIA_TYPES:
        raise invalid(
            f"{where}.source.base64.media_type: Input should be "
            + ", ".join(repr(name) for name in IMAGE_MEDIA_TYPES)
        )
    data = source.get("data")
    if not isinstance(data, str):
        raise invalid(f"{where}.source.base64.data: Field required")
    if len(data) > MAX_IMAGE_BASE64:
        raise invalid(
            f"{where}.source.base64: image exceeds 10 MB maximum: "
            f"{len(data)} bytes > {MAX_IMAGE_BASE64} bytes"
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{where}.source.base64.data: invalid base64 data") from None
    facts = image_size(raw)
    if facts is None:
        raise invalid(f"{where}.source.base64.data: Could not process image")
    if facts[0] != media_type:
        raise invalid(
            f"{where}.source.base64.data: Image does not match the provided media type {media_type}"
        )
    if max(facts[1], facts[2]) > MAX_IMAGE_SIDE:
        raise invalid(
            f"{where}.source.base64.data: At least one of the image dimensions exceed max "
            f"allowed size: {MAX_IMAGE_SIDE} pixels"
        )
    images.append((where, facts[1], facts[2]))


def _check_tool_pairing(messages: list[dict[str, Any]], contents: list[list[Any]]) -> None:
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        tool_ids = [b["id"] for b in contents[index] if b.get("type") == "tool_use"]
        if not tool_ids:
            continue
        following = contents[index + 1] if index + 1 < len(contents) else None
        if following is None:
            continue  # a prefill ending in tool_use: nothing to pair yet
        answered = {b.get("tool_use_id") for b in following if b.get("type") == "tool_result"}
        missing = [tool_id for tool_id in tool_ids if tool_id not in answered]
        if missing:
            raise invalid(
                f"messages.{index}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                "corresponding `tool_result` block in the next message."
            )
    for index, message in enumerate(messages):
        if message["role"] != "user":
            continue
        previous = contents[index - 1] if index > 0 else []
        offered = {b.get("id") for b in previous if b.get("type") == "tool_use"}
        for position, block in enumerate(contents[index]):
            if block.get("type") == "tool_result" and block.get("tool_use_id") not in offered:
                raise invalid(
                    f"messages.{index}.content.{position}: unexpected `tool_use_id` found in "
                    f"`tool_result` blocks: {block.get('tool_use_id')}. Each `tool_result` "
                    "block must have a corresponding `tool_use` block in the previous message."
                )


def validate_messages(messages: Any, model: dict[str, Any] | None) -> None:
    """Check ``messages`` as the API does; raises ``ApiError`` on the first problem.

    Args:
        messages: The body's ``messages`` value.
        model: The model's record from ``models.json`` (None: generic rules).
    """
    if messages is None:
        raise invalid("messages: Field required")
    if not isinstance(messages, list):
        raise invalid("messages: Input should be a valid list")
    if not messages:
        raise invalid("messages: at least one message is required")
    contents: list[list[Any]] = []
    images: list[tuple[str, int, int]] = []
    for index, message in enumerate(messages):
        where = f"messages.{index}"
        if not isinstance(message, dict):
            raise invalid(f"{where}: Input should be a valid dictionary")
        if "content" not in message:
            raise invalid(f"{where}.content: Field required")
        blocks = _blocks(message["content"], where)
        if message.get("role") == "system":
            _check_system_message(blocks, where, model)
        elif message.get("role") not in ("user", "assistant"):
            raise invalid(f"{where}.role: Input should be 'user', 'assistant' or 'system'")
        for position, block in enumerate(blocks):
            _check_block(block, f"{where}.content.{position}", images)
        contents.append(blocks)
    turns = [message["role"] for message in messages if message["role"] != "system"]
    if not turns or turns[0] != "user":
        raise invalid('messages: first message must use the "user" role')
    if messages[-1]["role"] == "assistant" and model is not None and not model.get("prefill"):
        raise invalid(PREFILL_MESSAGE)
    _check_tool_pairing(messages, contents)
    _check_image_counts(images, model)


def _check_system_message(
    blocks: list[dict[str, Any]], where: str, model: dict[str, Any] | None
) -> None:
    """A ``{"role": "system"}`` entry: only on models that take them, only text blocks."""
    if not model_flag(model, "system_messages"):
        name = (model or {}).get("id", "this model")
        raise invalid(
            f"{where}.role: messages with role 'system' are not supported for {name}. Use the "
            "top-level `system` parameter instead."
        )
    for position, block in enumerate(blocks):
        if block.get("type") != "text":
            raise invalid(f"{where}.content.{position}.type: Input should be 'text'")


def _check_image_counts(images: list[tuple[str, int, int]], model: dict[str, Any] | None) -> None:
    context = (model or {}).get("max_input_tokens", 200000)
    limit = 100 if context <= 200000 else 600
    if len(images) > limit:
        raise invalid(f"Too many images in request: {len(images)} > {limit}.")
    if len(images) > MANY_IMAGES:
        for where, width, height in images:
            if max(width, height) > MANY_IMAGE_SIDE:
                raise invalid(
                    f"{where}.source.base64.data: At least one of the image dimensions exceed "
                    f"max allowed size for many-image requests: {MANY_IMAGE_SIDE} pixels"
                )


def validate_tools(tools: Any) -> None:
    """Check ``tools``: names, object input schemas, unique names.

    Args:
        tools: The body's ``tools`` value (None: no tools).

    Raises:
        ApiError: On the first problem.
    """
    if tools is None:
        return
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        where = f"tools.{index}"
        if not isinstance(tool, dict):
            raise invalid(f"{where}: Input should be a valid dictionary")
        name = tool.get("name")
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            raise invalid(f"{where}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
        if name in seen:
            raise invalid("tools: Tool names must be unique.")
        seen.add(name)
        if tool.get("type") not in (None, "custom"):
            continue  # a server tool: versioned type, no input_schema
        schema = tool.get("input_schema")
        if not isinstance(schema, dict):
            raise invalid(f"{where}.custom.input_schema: Field required")
        if schema.get("type") != "object":
            raise invalid(f"{where}.custom.input_schema.type: Input should be 'object'")
        properties = schema.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise invalid(f"{where}.custom.input_schema.properties: Input should be an object")
