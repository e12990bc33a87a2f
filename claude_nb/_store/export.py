"""Exports of a stored session: the Markdown transcript (JSON is built by ``Store``).

One section per API call (tool-loop steps too) with its model, tokens, cost and flags, then
the messages it added and its reply; tool calls and results as one line each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._store.records import SavedSession

__all__ = ["markdown_export"]


def _block_text(block: Any) -> str:
    if isinstance(block, str) or not isinstance(block, Mapping):
        return str(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return f"`{block.get('name')}({json.dumps(block.get('input'), ensure_ascii=False)})`"
    if kind == "tool_result":
        content = block.get("content")
        inner = content if isinstance(content, str) else " ".join(map(_block_text, content or []))
        return f"> tool result: {inner}"
    return f"[{kind}]"


def markdown_export(saved: SavedSession) -> str:
    """The session as a Markdown document."""
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(saved.created))
    lines = [f"# Session {saved.id}", "", f"Started {stamp} with {saved.model or '?'}"
             + (f" in `{saved.notebook_path}`" if saved.notebook_path else "") + "."]
    ledger = saved.ledger(warn_unpriced=False)
    calls = zip(saved.turns, ledger, ledger.costs(), strict=True)
    for number, (turn, record, cost) in enumerate(calls, 1):
        price = format_usd(None if cost is None else cost.total)
        flags = " (simulated)" if record.offline else ""
        flags += " (interrupted)" if turn["interrupted"] else ""
        flags += f" (failed: {turn['error']})" if turn["error"] else ""
        lines += ["", f"## Call {number}: {turn['model']}, {record.input_tokens:,} in / "
                  f"{record.output_tokens:,} out, {price}{flags}"]
        for message in [*turn["request_messages"], turn["reply_message"] or {}]:
            content = message.get("content")
            blocks = [content] if isinstance(content, str) else content or []
            text = "\n\n".join(_block_text(block) for block in blocks)
            if text:
                lines += ["", f"**{message.get('role', 'assistant')}:**", "", text]
    lines += ["", f"Total: {ledger!r}"]
    return "\n".join(lines) + "\n"
