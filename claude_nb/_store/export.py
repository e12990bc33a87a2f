"""Exports of a stored session: the Markdown transcript (JSON is built by ``Store``).

One section per API call (tool-loop steps too) with its model, tokens, cost and flags, then
the messages it added and its reply; tool calls and results as one line each.

An export is a conversation, private like the store (0600): ``write_private_text`` writes it
to a new file created 0600 in the target's folder, then renames it over the target, so no
file ever holds the content with wider permissions (an existing world-readable target is
replaced, not rewritten in place) and a failed write leaves the old file as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._store.records import SavedSession

__all__ = ["PRIVATE_FILE_MODE", "markdown_export", "write_private_text"]

PRIVATE_FILE_MODE = 0o600
"""Exports are created with this mode, like the history store."""


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
    lines = [
        f"# Session {saved.id}",
        "",
        f"Started {stamp} with {saved.model or '?'}"
        + (f" in `{saved.notebook_path}`" if saved.notebook_path else "")
        + ".",
    ]
    ledger = saved.ledger(warn_unpriced=False)
    calls = zip(saved.turns, ledger, ledger.costs(), strict=True)
    for number, (turn, record, cost) in enumerate(calls, 1):
        price = format_usd(None if cost is None else cost.total)
        flags = " (simulated)" if record.offline else ""
        flags += " (interrupted)" if turn["interrupted"] else ""
        flags += f" (failed: {turn['error']})" if turn["error"] else ""
        lines += [
            "",
            f"## Call {number}: {turn['model']}, {record.input_tokens:,} in / "
            f"{record.output_tokens:,} out, {price}{flags}",
        ]
        for message in [*turn["request_messages"], turn["reply_message"] or {}]:
            content = message.get("content")
            blocks = [content] if isinstance(content, str) else content or []
            text = "\n\n".join(_block_text(block) for block in blocks)
            if text:
                lines += ["", f"**{message.get('role', 'assistant')}:**", "", text]
    lines += ["", f"Total: {ledger!r}"]
    return "\n".join(lines) + "\n"


def write_private_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` as a file only its owner can read (mode 0600).

    The content goes into a temporary file created 0600 next to the target (the umask cannot
    widen it), which is then renamed over the target: there is never a moment where a file
    holding the content is readable by others, and a failed write leaves no partial file.

    Returns:
        The path written.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        if hasattr(os, "fchmod"):  # POSIX (mkstemp's 0600 already; umask cannot widen it)
            os.fchmod(handle, PRIVATE_FILE_MODE)
        data = memoryview(text.encode("utf-8"))
        while data:
            written = os.write(handle, data)
            data = data[written:]
        os.fsync(handle)
    except BaseException:
        os.close(handle)
        os.unlink(temporary)
        raise
    os.close(handle)
    try:
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return target
