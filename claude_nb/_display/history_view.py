"""``%claude_session``: the conversation as a table, one row per turn."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["HistoryView", "turn_summary"]

_PREVIEW = 80


def turn_summary(content: Any) -> str:
    """A one-line preview of a turn's content (text, plus a count of other blocks)."""
    if isinstance(content, str):
        blocks: list[Any] = [{"type": "text", "text": content}]
    else:
        blocks = list(content or [])
    text = " ".join(
        str(block.get("text", "")) for block in blocks if block.get("type") == "text"
    ).split()
    preview = " ".join(text)
    if len(preview) > _PREVIEW:
        preview = preview[: _PREVIEW - 1] + "…"
    others: dict[str, int] = {}
    for block in blocks:
        kind = str(block.get("type"))
        if kind != "text":
            others[kind] = others.get(kind, 0) + 1
    extra = ", ".join(f"{count} {kind}" for kind, count in others.items())
    return f"{preview} [{extra}]" if extra else preview


class HistoryView:
    """The turns of a session, rendered as a Markdown table (plain text in a terminal).

    Args:
        history: The API's own message list.
        system: The system prompt, or None.
    """

    def __init__(self, history: Iterable[Mapping[str, Any]], system: Any = None) -> None:
        self.history = list(history)
        self.system = system

    def rows(self) -> list[tuple[int, str, str]]:
        """``(number, role, preview)`` for each turn."""
        return [
            (number, str(turn.get("role")), turn_summary(turn.get("content")))
            for number, turn in enumerate(self.history, start=1)
        ]

    def _system_line(self) -> str:
        if not self.system:
            return "system: (none)"
        return f"system: {turn_summary(self.system)}"

    def _repr_markdown_(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = [f"*{cell(self._system_line())}* · {len(self.history)} turns", ""]
        if self.history:
            lines += ["| # | role | content |", "|---:|---|---|"]
            lines += [f"| {n} | {role} | {cell(text)} |" for n, role, text in self.rows()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        lines = [f"{self._system_line()} ({len(self.history)} turns)"]
        lines += [f"{n:>3} {role:<9} {text}" for n, role, text in self.rows()]
        return "\n".join(lines)
