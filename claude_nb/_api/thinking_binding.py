"""Preserved thinking: which models bind a thinking block to the prefix that produced it.

On Fable and Mythos 5.1 and 5.2, and on Opus, Sonnet and Haiku 5.5 (API.md §8), a thinking
block is bound to its conversation prefix: the model, ``system``, ``tools`` and every message
before the block's turn. A request that changes any of them and still sends the block gets a
400 ("…The block is bound to a different conversation…") unless it sets
``thinking.block_binding.prefix_mismatch_behavior: "drop_block"`` (a beta). Sonnet and Haiku
5.5 blocks are also bound to the account. ``prefix_fingerprint`` is the one canonical form both
the client (to drop blocks it can no longer send) and the emulator (to enforce the rule) use:
cache breakpoints and signatures are not part of a prefix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from claude_nb._api.models import model_info

__all__ = [
    "BINDING_BETA",
    "BOUND_MESSAGE",
    "THINKING_BLOCKS",
    "account_bound",
    "binds_thinking",
    "prefix_fingerprint",
]

BINDING_BETA = "thinking-binding-controls-2026-08-01"
"""The beta that allows ``thinking.block_binding.prefix_mismatch_behavior``."""

BOUND_MESSAGE = (
    "This thinking block cannot be used in this request. The block is bound to a different "
    "conversation prefix (model, system, tools or an earlier message changed); remove it or "
    'set thinking.block_binding.prefix_mismatch_behavior to "drop_block".'
)
"""The 400 message for a bound block sent under another prefix."""

THINKING_BLOCKS = frozenset({"thinking", "redacted_thinking"})
_BOUND = {
    ("fable", 5.1),
    ("fable", 5.2),
    ("mythos", 5.1),
    ("mythos", 5.2),
    ("opus", 5.5),
    ("sonnet", 5.5),
    ("haiku", 5.5),
}
_ACCOUNT_BOUND = {("sonnet", 5.5), ("haiku", 5.5)}
_NOT_PREFIX = frozenset({"cache_control", "signature"})  # breakpoints move; signatures re-sign


def _key(model: str | None) -> tuple[str, float] | None:
    record = model_info(model) if model else None
    if record is None:
        return None
    try:
        return str(record.get("line")), float(record.get("generation") or 0)
    except (TypeError, ValueError):
        return None


def binds_thinking(model: str | None) -> bool:
    """Whether ``model``'s thinking blocks are bound to their conversation prefix."""
    return _key(model) in _BOUND


def account_bound(model: str | None) -> bool:
    """Whether ``model``'s thinking blocks are also bound to the account (Sonnet, Haiku 5.5)."""
    return _key(model) in _ACCOUNT_BOUND


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if k not in _NOT_PREFIX}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value


def _system(system: Any) -> Any:
    if isinstance(system, str):
        return [{"type": "text", "text": system}] if system else []
    return _canonical(system or [])


def _message(message: Any) -> Any:
    if isinstance(message, dict) and isinstance(message.get("content"), str):
        return {**message, "content": [{"type": "text", "text": message["content"]}]}
    return _canonical(message)


def prefix_fingerprint(
    model: str, system: Any, tools: Any, messages: Sequence[Any], account: str = ""
) -> str:
    """A hash of the prefix a thinking block is bound to (cache breakpoints ignored).

    Args:
        model: The model id (an alias is resolved to its id).
        system: The request's ``system`` (a string and one text block are the same).
        tools: The request's ``tools`` (None and ``[]`` are the same).
        messages: The messages before the block's turn.
        account: The account (only for account-bound models; the emulator's namespace).
    """
    record = model_info(model)
    canonical = {
        "model": record["id"] if record else model,
        "system": _system(system),
        "tools": _canonical(tools or []),
        "messages": [_message(message) for message in messages],
        "account": account,
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
