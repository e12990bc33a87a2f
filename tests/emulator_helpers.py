"""Request builders shared by the emulator fidelity tests (plain helpers, no fixtures)."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from claude_nb.emulator import Emulator
from claude_nb.emulator._responders import signature_for
from claude_nb.testing import HandlerTransport

HAIKU = "claude-haiku-4-5"  # 200k context, prefill allowed, no system messages
NEW = {"anthropic-version": "2026-10-21"}
OLD = {"anthropic-version": "2023-06-01"}
THINKING_MESSAGE = (
    "`thinking` or `redacted_thinking` blocks in the latest assistant message cannot be "
    "modified. These blocks must remain as they were in the original response."
)
TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}


def pdf(pages: int) -> dict[str, Any]:
    """A base64 PDF document block with ``pages`` page objects (and one /Pages tree)."""
    raw = b"%PDF-1.7\n1 0 obj << /Type /Pages /Count " + str(pages).encode() + b" >> endobj\n"
    raw += b"<< /Type /Page /Parent 1 0 R >>\n" * pages + b"<< /Type /PageLabel >>\n%%EOF"
    data = base64.b64encode(raw).decode()
    return {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": data},
    }


def body(model: str = "claude-opus-5", *messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    turns = list(messages) or [{"role": "user", "content": "Hi"}]
    return {"model": model, "max_tokens": 100, "messages": turns, **extra}


def user(*content: Any) -> dict[str, Any]:
    return {"role": "user", "content": list(content)}


def assistant(*content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": list(content)}


def text(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": value, **extra}


def thinking(value: str, signature: str | None = None) -> dict[str, Any]:
    return {
        "type": "thinking",
        "thinking": value,
        "signature": signature_for(value) if signature is None else signature,
    }


def post(
    path: str, headers: dict[str, str], payload: dict[str, Any], emulator: Emulator | None = None
) -> httpx.Response:
    emulator = emulator or Emulator(require_key=False)
    with httpx.Client(
        transport=HandlerTransport(emulator.handle), base_url="https://api.anthropic.com"
    ) as client:
        return client.post(path, json=payload, headers=headers)
