"""Markdown of a message's content blocks (pure string building, nothing displayed).

Thinking is folded in ``<details>``, text goes as written, a ``tool_use`` block is the folded
block of a requested call (``claude_nb._tools.render.render_tool_use_markdown``, the one
tool-call renderer: the tool, its arguments), and unknown blocks are skipped.
``render_content`` is what a streaming Markdown surface paints; ``plain_text`` what a plain
one does. ``Snapshot`` is what a streaming paint reads of the message so far (here, below both
the renderer and the tool-loop transcript, which use it).
"""

from __future__ import annotations

from typing import Any, Protocol

from claude_nb._api.citations import NumberedCitations, number_citations
from claude_nb._display.server_blocks import is_server_result, server_result_markdown
from claude_nb._tools.render import render_tool_use_markdown
from claude_nb._wire.stream import message_text

__all__ = ["CURSOR", "STATUS_NOTES", "Snapshot", "plain_text", "render_content"]

CURSOR = " ▌"
STATUS_NOTES = {
    "interrupted": "⏹ interrupted: the text above is partial",
    "error": "⚠ stopped by an error: the text above is partial",
}


class Snapshot(Protocol):
    """A streaming message as far as it has come: what the renderers read of it.

    ``claude_nb._wire.stream.MessageSnapshot`` is one; so is the tool-loop transcript's
    snapshot (``claude_nb._display.transcript``), the whole loop seen as one message.
    """

    @property
    def message(self) -> dict[str, Any]:
        """The message so far, in the API's shape."""

    @property
    def started(self) -> bool:
        """True once any content arrived (nothing is painted before)."""

    @property
    def finished(self) -> bool:
        """True once the message is complete (the paint shows no cursor)."""


def _thinking_markdown(block: dict[str, Any], *, in_progress: bool) -> str:
    if block.get("type") == "redacted_thinking":
        return "<details><summary>💭 Thinking (redacted)</summary></details>"
    summary = "💭 Thinking…" if in_progress else "💭 Thinking"
    thinking = str(block.get("thinking") or "").strip()
    return f"<details><summary>{summary}</summary>\n\n{thinking}\n\n</details>"


def render_content(
    message: dict[str, Any],
    *,
    streaming: bool = False,
    include_text: bool = True,
) -> str:
    """Markdown for a message's content blocks (unknown blocks are skipped).

    Args:
        message: A message (or snapshot message) in the API's shape.
        streaming: Append a cursor and mark an unfinished thinking block.
        include_text: Render text blocks (False: only thinking and tool calls).

    Returns:
        Markdown for the frontend to render.
    """
    content = message.get("content") or []
    parts: list[str] = []
    cited = any(block.get("citations") for block in content if block.get("type") == "text")
    marked = iter(number_citations(content).runs) if cited else None
    for index, block in enumerate(content):
        kind = block.get("type")
        if kind in ("thinking", "redacted_thinking"):
            last = index == len(content) - 1
            parts.append(_thinking_markdown(block, in_progress=streaming and last))
        elif kind == "text" and marked is not None:  # cited text blocks read as one text
            text = NumberedCitations([next(marked)]).text(markdown=True)
            follows = index and content[index - 1].get("type") == "text"
            if include_text and follows and parts:
                parts[-1] += text
            elif include_text:
                parts.append(text)
        elif kind == "text" and include_text:
            parts.append(str(block.get("text") or ""))
        elif kind in ("tool_use", "server_tool_use"):
            parts.append(render_tool_use_markdown(block))
        elif is_server_result(kind):  # web search / fetch results: folded, sources listed
            parts.append(server_result_markdown(block))
    markdown = "\n\n".join(part for part in parts if part)
    return markdown + CURSOR if streaming else markdown


def plain_text(message: dict[str, Any]) -> str:
    """The text blocks of a message joined (what a plain surface shows while streaming)."""
    return message_text(message)
