"""Preserved thinking enforced: a bound thinking block must come back under its own prefix.

A model that binds thinking (``claude_nb._api.thinking_binding``) gets a signature that encodes
the prefix it answered (``EMB1``; ``EMB2`` also binds the account). On a later request each
such block is checked against the request's own prefix for that turn; a mismatch is the
service's 400, or the block is dropped when the request sets
``thinking.block_binding.prefix_mismatch_behavior: "drop_block"``. Checked blocks get back
the plain signature, so the other thinking checks (``_validate_turns``) run unchanged.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from claude_nb._api.thinking_binding import (
    BOUND_MESSAGE,
    account_bound,
    binds_thinking,
    prefix_fingerprint,
)
from claude_nb.emulator._responders import signature_for
from claude_nb.emulator._wire import invalid

__all__ = ["bind_signatures", "check_bindings"]

_PREFIX = {"EMB1": False, "EMB2": True}  # signature prefix -> account-bound


def _bound(thinking: str, fingerprint: str, tag: str) -> str:
    digest = hashlib.sha256(f"{fingerprint}:{thinking}".encode()).digest()
    return tag + base64.b64encode(fingerprint.encode("ascii")[:32] + digest).decode("ascii")


def _fingerprint(body: dict[str, Any], before: list[Any], account: str) -> str:
    return prefix_fingerprint(
        str(body.get("model")), body.get("system"), body.get("tools"), before, account
    )


def bind_signatures(
    content: list[dict[str, Any]], body: dict[str, Any], namespace: str
) -> list[dict[str, Any]]:
    """The response's thinking blocks signed for this request's prefix (bound models only)."""
    model = str(body.get("model"))
    if not binds_thinking(model):
        return content
    tag = "EMB2" if account_bound(model) else "EMB1"
    fingerprint = _fingerprint(body, list(body["messages"]), namespace if tag == "EMB2" else "")
    signed = []
    for block in content:
        if block.get("type") == "thinking":
            block = {**block, "signature": _bound(str(block.get("thinking")), fingerprint, tag)}
        signed.append(block)
    return signed


def check_bindings(body: dict[str, Any], namespace: str) -> dict[str, Any]:
    """``body`` with every bound block checked (400, or dropped with ``drop_block``)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or "EMB" not in repr(messages):
        return body
    thinking = body.get("thinking") if isinstance(body.get("thinking"), dict) else {}
    binding = thinking.get("block_binding") if isinstance(thinking, dict) else None
    drop = isinstance(binding, dict) and binding.get("prefix_mismatch_behavior") == "drop_block"
    checked = []
    for index, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list) or message.get("role") != "assistant":
            checked.append(message)
            continue
        blocks = []
        for position, block in enumerate(content):
            signature = block.get("signature") if isinstance(block, dict) else None
            tag = signature[:4] if isinstance(signature, str) else ""
            if block.get("type") != "thinking" or tag not in _PREFIX:
                blocks.append(block)
                continue
            account = namespace if _PREFIX[tag] else ""
            text = str(block.get("thinking"))
            if signature == _bound(text, _fingerprint(body, messages[:index], account), tag):
                blocks.append({**block, "signature": signature_for(text)})
            elif not drop:
                raise invalid(f"messages.{index}.content.{position}: {BOUND_MESSAGE}")
        checked.append({**message, "content": blocks})
    return {**body, "messages": checked}
