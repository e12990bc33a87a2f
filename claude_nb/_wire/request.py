"""Pure request building for the Messages API: headers and bodies, no I/O.

``build_body`` turns the history, a new prompt and caller parameters into the JSON body of ``POST
/v1/messages`` (https://docs.anthropic.com/en/api/messages): ``model``, ``max_tokens`` and
``messages`` always; ``system`` when set; sampling and every other field only when the caller
passed a value that is not None; unknown fields pass through unchanged. ``build_headers`` adds the
version, beta, content-type and user-agent headers; ``redact`` hides the key for display.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from claude_nb.__version__ import __version__
from claude_nb._config import Settings
from claude_nb._types import ContentBlock, MessageParam, RequestBody

__all__ = [
    "COUNT_TOKENS_FIELDS",
    "COUNT_TOKENS_PATH",
    "MESSAGES_PATH",
    "MODELS_PATH",
    "REDACTED_KEY",
    "build_body",
    "build_headers",
    "count_tokens_body",
    "redact",
    "user_agent",
    "user_turn",
]

MESSAGES_PATH = "/v1/messages"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens"
MODELS_PATH = "/v1/models"
REDACTED_KEY = "sk-ant-...REDACTED"

COUNT_TOKENS_FIELDS = frozenset(
    {
        "model",
        "messages",
        "system",
        "tools",
        "tool_choice",
        "thinking",
        "output_config",
        "cache_control",
        "speed",
        "mcp_servers",
    }
)
"""Body fields ``count_tokens`` accepts; the rest of a messages body is dropped.

See https://docs.anthropic.com/en/api/messages-count-tokens.
"""

_SECRET_HEADERS = frozenset({"x-api-key", "authorization"})


def user_agent() -> str:
    """The ``user-agent`` header value, ``claude-nb/<version>``."""
    return f"claude-nb/{__version__}"


def build_headers(
    settings: Settings,
    *,
    stream: bool = False,
    betas: Iterable[str] = (),
) -> dict[str, str]:
    """Headers for one request.

    Args:
        settings: Supplies the key (omitted when None), version and default betas.
        stream: Ask for ``text/event-stream`` instead of JSON.
        betas: More beta names, joined with the settings' into ``anthropic-beta``.
    """
    headers = {
        "anthropic-version": settings.api_version,
        "content-type": "application/json",
        "accept": "text/event-stream" if stream else "application/json",
        "user-agent": user_agent(),
    }
    if settings.api_key:
        headers["x-api-key"] = settings.api_key
    names = list(dict.fromkeys([*settings.betas, *betas]))
    if names:
        headers["anthropic-beta"] = ",".join(names)
    return headers


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of the headers safe to show: the key becomes ``sk-ant-...REDACTED``."""
    return {
        name: (REDACTED_KEY if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


def user_turn(prompt: str | Iterable[ContentBlock] | MessageParam) -> MessageParam:
    """The user message for a prompt: a string, a list of content blocks, or a whole turn."""
    if isinstance(prompt, str):
        return {"role": "user", "content": prompt}
    if isinstance(prompt, Mapping):
        if "role" in prompt:
            return {"role": prompt["role"], "content": copy.deepcopy(prompt["content"])}
        return {"role": "user", "content": [dict(prompt)]}
    return {"role": "user", "content": [dict(block) for block in prompt]}


def build_body(
    settings: Settings,
    *,
    history: Iterable[MessageParam] = (),
    prompt: str | Iterable[ContentBlock] | MessageParam | None = None,
    system: str | list[ContentBlock] | None = None,
    stream: bool = False,
    params: Mapping[str, Any] | None = None,
) -> RequestBody:
    """The JSON body of ``POST /v1/messages``.

    Args:
        settings: Default ``model`` and ``max_tokens``.
        history: Earlier turns, in the API's own shape (copied, never mutated).
        prompt: The new user turn, or None to send the history as is.
        system: The system prompt (``params["system"]`` wins when given).
        stream: Adds ``"stream": true``.
        params: Any other body fields; None values are left out, unknown names pass through.
    """
    given = {name: value for name, value in (params or {}).items() if value is not None}
    messages: list[MessageParam] = [copy.deepcopy(turn) for turn in history]
    if prompt is not None:
        messages.append(user_turn(prompt))
    body: RequestBody = {
        "model": given.pop("model", settings.model),
        "max_tokens": given.pop("max_tokens", settings.max_tokens),
        "messages": given.pop("messages", messages),
    }
    chosen_system = given.pop("system", system)
    if chosen_system is not None:
        body["system"] = copy.deepcopy(chosen_system)
    given.pop("stream", None)
    body.update(given)
    if stream:
        body["stream"] = True
    return body


def count_tokens_body(body: Mapping[str, Any]) -> RequestBody:
    """The ``count_tokens`` body for a messages body (only the fields it accepts)."""
    return {name: value for name, value in body.items() if name in COUNT_TOKENS_FIELDS}
