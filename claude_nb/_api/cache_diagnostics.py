"""Cache diagnostics: the footer's word on why an expected cache read did not happen.

The session sends ``diagnostics: {"previous_message_id": "msg_…"}`` (its previous reply's id);
the reply's ``diagnostics.cache_miss_reason`` says why the prompt cache could not reuse that
request's prefix (API.md §8). ``cache_miss_note`` turns it into a few words when a read was
expected (the request had a cache breakpoint) and none happened; ``unavailable`` and a
pending diagnosis (``null``) say nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CACHE_MISS_WORDS", "cache_miss_note"]

CACHE_MISS_WORDS = {
    "model_changed": "the model changed",
    "system_changed": "the system prompt changed",
    "tools_changed": "the tools changed",
    "messages_changed": "an earlier message changed (undo or an edited history)",
    "previous_message_not_found": "the previous reply is unknown to the API",
}
"""What each ``cache_miss_reason.type`` means, in the footer's words."""


def _has_breakpoint(value: Any) -> bool:
    if isinstance(value, dict):
        return "cache_control" in value or any(_has_breakpoint(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_breakpoint(item) for item in value)
    return False


def cache_miss_note(
    message: Mapping[str, Any], request: Mapping[str, Any] | None = None
) -> str | None:
    """``"no cache read: the system prompt changed (~1,841 tokens)"``, or None.

    Args:
        message: The reply (its ``diagnostics`` and ``usage``).
        request: The body sent (a read is expected only when it placed a breakpoint).
    """
    diagnostics = message.get("diagnostics")
    reason = diagnostics.get("cache_miss_reason") if isinstance(diagnostics, Mapping) else None
    if not isinstance(reason, Mapping):
        return None
    words = CACHE_MISS_WORDS.get(str(reason.get("type")))
    usage = message.get("usage") if isinstance(message.get("usage"), Mapping) else {}
    if words is None or (usage or {}).get("cache_read_input_tokens"):
        return None
    if request is not None and not _has_breakpoint(
        [
            request.get("cache_control"),
            request.get("system"),
            request.get("tools"),
            request.get("messages"),
        ]
    ):
        return None
    missed = reason.get("cache_missed_input_tokens")
    size = f" (~{missed:,} tokens)" if isinstance(missed, int) and missed > 0 else ""
    return f"no cache read: {words}{size}"
