"""Cache diagnostics: why a request could not reuse the prefix of the one it names.

A request with ``diagnostics: {"previous_message_id": "msg_…"}`` gets
``diagnostics.cache_miss_reason`` in its reply (API.md §8): ``null`` when the cache was read
(or no previous id was given), else the first of ``model_changed``, ``system_changed``,
``tools_changed``, ``messages_changed`` (an earlier message differs: not only appended),
``previous_message_not_found`` (unknown id, or another key's), ``unavailable`` (the prefix
matched, yet nothing was read: too short to cache, or expired). The emulator remembers the
prefix of its latest ``limit`` replies for this.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["DiagnosticsLog"]


def _digest(value: Any) -> str:
    text = json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return value
    return value


def _system(value: Any) -> Any:
    return [{"type": "text", "text": value}] if isinstance(value, str) else value or []


def _message(message: Any) -> str:
    if isinstance(message, dict) and isinstance(message.get("content"), str):
        message = {**message, "content": [{"type": "text", "text": message["content"]}]}
    return _digest(message)


@dataclass(frozen=True)
class _Prefix:
    namespace: str
    model: str
    system: str
    tools: str
    messages: tuple[str, ...]  # one digest per message (the latest request's only)
    prompt_tokens: int

    def remembered(self) -> _Prefix:
        """The same prefix with its messages folded into one digest (O(1) memory per reply)."""
        return replace(self, messages=(_fold(self.messages),))


def _count(remembered: _Prefix) -> int:
    return int(remembered.messages[0].split(":", 1)[0])


def _fold(digests: tuple[str, ...]) -> str:
    """One digest for a run of message digests, tagged with their count."""
    joined = hashlib.sha256("".join(digests).encode()).hexdigest()
    return f"{len(digests)}:{joined}"


class DiagnosticsLog:
    """The prefixes of the latest replies, by message id (bounded, oldest forgotten).

    Args:
        limit: How many replies to remember.
    """

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._seen: OrderedDict[str, _Prefix] = OrderedDict()

    def __repr__(self) -> str:
        return f"DiagnosticsLog(remembered={len(self._seen)})"

    @staticmethod
    def _prefix(body: dict[str, Any], namespace: str, prompt_tokens: int) -> _Prefix:
        return _Prefix(
            namespace,
            str(body.get("model")),
            _digest(_system(body.get("system"))),
            _digest(body.get("tools") or []),
            tuple(_message(message) for message in body.get("messages") or []),
            prompt_tokens,
        )

    def remember(
        self, message_id: str, body: dict[str, Any], namespace: str, prompt_tokens: int
    ) -> None:
        """Keep the prefix a reply answered (its request, with the reply's id)."""
        self._seen[message_id] = self._prefix(body, namespace, prompt_tokens).remembered()
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def diagnose(
        self, body: dict[str, Any], namespace: str, cache_read: int
    ) -> dict[str, Any] | None:
        """The reply's ``diagnostics`` object, or None when the request asked for none."""
        asked = body.get("diagnostics")
        if not isinstance(asked, dict):
            return None
        previous_id = asked.get("previous_message_id")
        if previous_id is None:
            return {"cache_miss_reason": None}
        previous = self._seen.get(str(previous_id))
        if previous is None or previous.namespace != namespace:
            return {"cache_miss_reason": {"type": "previous_message_not_found"}}
        current = self._prefix(body, namespace, 0)
        missed = previous.prompt_tokens
        reason: str | None = None
        if current.model != previous.model:
            reason = "model_changed"
        elif current.system != previous.system:
            reason = "system_changed"
        elif current.tools != previous.tools:
            reason = "tools_changed"
        elif _fold(current.messages[: _count(previous)]) != previous.messages[0]:
            reason = "messages_changed"
        elif cache_read == 0:
            return {"cache_miss_reason": {"type": "unavailable"}}
        if reason is None:
            return {"cache_miss_reason": None}
        return {"cache_miss_reason": {"type": reason, "cache_missed_input_tokens": missed}}
