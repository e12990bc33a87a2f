"""Pure request building for the Messages API: headers and bodies, no I/O.

``build_body`` turns the history, a new prompt and caller parameters into the JSON body of ``POST
/v1/messages`` (https://docs.anthropic.com/en/api/messages): ``model``, ``max_tokens`` and
``messages`` always; ``system`` when set; sampling and every other field only when the caller
passed a value that is not None; unknown fields pass through unchanged. ``build_headers`` adds the
version, beta, content-type and user-agent headers; ``redact`` hides the key for display.

Bodies are strict JSON. The model's own ``tool_use`` inputs may hold numbers Python reads as
``inf`` or ``nan`` (``1e400``); ``build_body`` writes those as ``null`` (as JavaScript's
``JSON.stringify`` does) so a history holding one can still be sent. ``encode_body`` is the
one encoder of a body (the bytes httpx's ``json=`` would send): anything else that JSON
cannot carry (NaN in a parameter, a cycle, an object, an unpaired surrogate, too deep) is a
``ContentError`` naming where, never a ``ValueError`` from deep inside httpx. It is also the
last guard for the key: the bytes it returns have the configured key and anything key-shaped
redacted (``_api.redact``; the session redacts the body itself earlier, and says so).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any

from claude_nb.__version__ import __version__
from claude_nb._api.json_safe import finite_copy, json_problem, nesting_depth, str_or_type
from claude_nb._api.prefix_memo import PrefixMemo
from claude_nb._api.redact import REDACTED
from claude_nb._api.redact import redact as redact_text
from claude_nb._config import Settings
from claude_nb._exceptions import ContentError
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
    "encode_body",
    "finite_tool_inputs",
    "redact",
    "user_agent",
    "user_turn",
]

MESSAGES_PATH = "/v1/messages"
COUNT_TOKENS_PATH = "/v1/messages/count_tokens"
MODELS_PATH = "/v1/models"
REDACTED_KEY = REDACTED

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
    sent: PrefixMemo[Any] | None = None,
) -> RequestBody:
    """The JSON body of ``POST /v1/messages``.

    Args:
        settings: Default ``model`` and ``max_tokens``.
        history: Earlier turns, in the API's own shape: the body's list is new, the turns
            are the history's own (shared, never mutated: a long conversation costs one
            pointer per turn, not a deep copy of every turn on every request).
        prompt: The new user turn, or None to send the history as is.
        system: The system prompt (``params["system"]`` wins when given).
        stream: Adds ``"stream": true``.
        params: Any other body fields; None values are left out, unknown names pass through.
        sent: The conversation's memo of the turns sent before (``Session``'s): the history
            turns it holds, as they are, are known finite and ``finite_tool_inputs`` skips
            them.
    """
    given = {name: value for name, value in (params or {}).items() if value is not None}
    messages: list[MessageParam] = list(history)
    checked = sent.match(messages)[0] if sent is not None else 0
    if prompt is not None:
        messages.append(user_turn(prompt))
    body: RequestBody = {
        "model": given.pop("model", settings.model),
        "max_tokens": given.pop("max_tokens", settings.max_tokens),
        "messages": (
            finite_tool_inputs(messages, start=checked)
            if given.get("messages") is None
            else finite_tool_inputs(given.pop("messages"))
        ),
    }
    chosen_system = given.pop("system", system)
    if chosen_system is not None:
        body["system"] = copy.deepcopy(chosen_system)
    given.pop("stream", None)
    body.update(given)
    if stream:
        body["stream"] = True
    return body


_TOOL_USE_TYPES = frozenset({"tool_use", "server_tool_use"})


def finite_tool_inputs(messages: list[MessageParam], start: int = 0) -> list[MessageParam]:
    """``messages`` with NaN and infinities in ``tool_use`` inputs written as None (``null``).

    The model's ``1e400`` reads as ``inf`` and cannot be sent back as JSON. Only what changes
    is copied (the list, the message and the block); without such numbers the same list
    comes back. Messages before ``start`` are taken as they are (known finite).
    """
    result = list(messages)
    changed = False
    for index in range(start, len(messages)):
        message = messages[index]
        content = message.get("content") if isinstance(message, Mapping) else None
        if not isinstance(content, list):
            continue
        blocks = [_finite_block(block) for block in content]
        if any(new is not old for new, old in zip(blocks, content, strict=True)):
            result[index] = {**message, "content": blocks}
            changed = True
    return result if changed else messages


def _finite_block(block: Any) -> Any:
    if not isinstance(block, Mapping) or block.get("type") not in _TOOL_USE_TYPES:
        return block
    given = block.get("input")
    finite = finite_copy(given)
    return block if finite is given else {**block, "input": finite}


def encode_body(body: Mapping[str, Any], secrets: Iterable[str] = ()) -> bytes:
    """The body as the bytes to send: compact UTF-8 JSON, NaN and infinities refused.

    Byte for byte what ``httpx``'s ``json=`` sends (``ensure_ascii=False``, no spaces,
    ``allow_nan=False``), so ``content=encode_body(body)`` can replace ``json=body``, but
    for ``secrets`` (the configured key) and key-shaped strings, redacted: a key is only
    ``[A-Za-z0-9_-]``, which JSON never escapes, so it is found in the text as in the value.

    Raises:
        ContentError: The body cannot be JSON; the message says what and where
            (``body['temperature']: NaN is not valid JSON``).
    """
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return redact_text(text, secrets)[0].encode("utf-8")
    except Exception as error:  # ValueError, TypeError, RecursionError...
        reason = json_problem(body, where="body")
        if reason is None and isinstance(error, RecursionError):
            reason = f"body: nested {nesting_depth(body):,} levels deep, too deep for JSON"
        reason = reason or f"{type(error).__name__}: {str_or_type(error)}"
        raise ContentError(f"the request cannot be sent: {reason}") from None


def count_tokens_body(body: Mapping[str, Any]) -> RequestBody:
    """The ``count_tokens`` body for a messages body (only the fields it accepts)."""
    return {name: value for name, value in body.items() if name in COUNT_TOKENS_FIELDS}
