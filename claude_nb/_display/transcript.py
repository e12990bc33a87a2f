"""How an ask with tools looks: every step's text, and each tool call folded between them.

Pure string building from the steps' messages and the ``ToolCallEvent``s, shared by the
live view (``ToolLoopView``, fed by the session while the loop runs) and the final display
(``_display.render.reply_markdown`` / ``reply_plain`` of a ``ToolLoopReply``), so the final paint
continues exactly what was streamed:

* Markdown (Jupyter): each step through ``render_content`` (thinking folded, text), each
  tool_use block replaced by its folded ``<details>`` block (``render_tool_call_markdown``:
  tool, arguments, result summary, duration, error).
* Plain text (terminal IPython): the text, and one line per finished call, e.g.
  ``🔧 add(a=1) → 2 · 0.00 s``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from claude_nb._display.content import Snapshot, render_content
from claude_nb._tools.render import ToolCallEvent, call_preview, render_tool_call_markdown

__all__ = [
    "ToolLoopView",
    "reply_transcript_markdown",
    "reply_transcript_plain",
    "transcript_markdown",
    "transcript_plain",
]

_LINE_CHARS = 100
Events = Mapping[str, ToolCallEvent]


def _events_by_id(events: Iterable[ToolCallEvent]) -> dict[str, ToolCallEvent]:
    return {event.tool_use_id: event for event in events}


def _display_blocks(
    message: Mapping[str, Any], events: Events, show: Callable[[ToolCallEvent], str]
) -> list[dict[str, Any]]:
    """The message's blocks, each tool_use with an event replaced by a text block."""
    blocks: list[dict[str, Any]] = []
    for block in message.get("content") or []:
        event = events.get(str(block.get("id"))) if block.get("type") == "tool_use" else None
        blocks.append(block if event is None else {"type": "text", "text": show(event)})
    return blocks


def transcript_markdown(
    messages: Sequence[Mapping[str, Any]], events: Events, *, streaming: bool = False
) -> str:
    """Markdown for the steps so far (the last one may be in progress when ``streaming``)."""
    parts = [
        render_content(
            {"content": _display_blocks(message, events, render_tool_call_markdown)},
            streaming=streaming and index == len(messages) - 1,
        )
        for index, message in enumerate(messages)
    ]
    return "\n\n".join(part for part in parts if part)


def tool_call_line(event: ToolCallEvent) -> str:
    """One line for a finished call: ``🔧 add(a=1) → 2 · 0.01 s`` (``✗ ... → error``)."""
    outcome = event.error if event.error is not None else event.result_summary
    first = (outcome or "").strip().splitlines()[0] if (outcome or "").strip() else ""
    if len(first) > _LINE_CHARS:
        first = first[: _LINE_CHARS - 1] + "…"
    took = f" · {event.duration:.2f} s" if event.duration is not None else ""
    mark = "✗" if event.error is not None else "🔧"
    return f"{mark} {call_preview(event.name, event.arguments)} → {first}{took}"


def transcript_plain(messages: Sequence[Mapping[str, Any]], events: Events) -> str:
    """Plain text for the steps so far: text, and a line per finished tool call."""
    pieces: list[str] = []
    for message in messages:
        for block in message.get("content") or []:
            if block.get("type") == "text":
                pieces.append(str(block.get("text") or ""))
                continue
            event = events.get(str(block.get("id"))) if block.get("type") == "tool_use" else None
            if event is not None and event.kind == "end":
                pieces.append(f"\n{tool_call_line(event)}\n\n")
    return "".join(pieces)


def reply_transcript_markdown(reply: Any) -> str:
    """Markdown of a ``ToolLoopReply``'s steps, then its note (why it stopped early)."""
    events = _events_by_id(reply.tool_calls)
    body = transcript_markdown([step.message or {} for step in reply.steps], events)
    return f"{body}\n\n*{reply.note}*" if reply.note else body


def reply_transcript_plain(reply: Any) -> str:
    """Plain text of a ``ToolLoopReply``'s steps, then its note."""
    events = _events_by_id(reply.tool_calls)
    body = transcript_plain([step.message or {} for step in reply.steps], events)
    return f"{body}\n{reply.note}" if reply.note else body


class Repainter(Protocol):
    """What the view drives: a ``StreamRenderer`` (its surface, its throttled repaint)."""

    @property
    def surface(self) -> Any:
        ...

    def on_event(self, snapshot: Snapshot, *, force: bool = False) -> None:
        ...


class ToolLoopView:
    """Feeds one ``StreamRenderer`` the whole loop: finished steps, calls, current step.

    Pass ``on_event`` and ``on_tool_event`` to ``Session.ask``. A tool event ends the
    current step (tools run after their step's message is complete) and is painted at
    once; stream events are painted at the renderer's capped rate.

    Args:
        renderer: The cell's renderer (its surface decides Markdown or plain text).
    """

    def __init__(self, renderer: Repainter) -> None:
        self.renderer = renderer
        self.plain = renderer.surface.plain
        self.finished: list[Mapping[str, Any]] = []
        self.current: Snapshot | None = None
        self.events: dict[str, ToolCallEvent] = {}

    def on_event(self, snapshot: Snapshot) -> None:
        """A step's snapshot after an event: repaint (throttled) the whole transcript."""
        self.current = snapshot
        self._paint(force=False)

    def on_tool_event(self, event: ToolCallEvent) -> None:
        """A tool call started or ended: repaint now."""
        if self.current is not None:
            self.finished.append(self.current.message)
            self.current = None
        self.events[event.tool_use_id] = event
        self._paint(force=True)

    def _message(self) -> dict[str, Any]:
        if self.plain:
            messages = [*self.finished, *([self.current.message] if self.current else [])]
            return {"content": [{"type": "text", "text": transcript_plain(messages, self.events)}]}
        done = transcript_markdown(self.finished, self.events)
        blocks: list[dict[str, Any]] = [{"type": "text", "text": done}] if done else []
        if self.current is not None:
            blocks += _display_blocks(self.current.message, self.events, render_tool_call_markdown)
        return {"content": blocks}

    def _paint(self, *, force: bool) -> None:
        started = bool(self.finished) or bool(self.current is not None and self.current.started)
        self.renderer.on_event(_TranscriptSnapshot(self, started), force=force)


class _TranscriptSnapshot:
    """The view as a snapshot; the transcript is built only if the renderer paints it."""

    finished = False

    def __init__(self, view: ToolLoopView, started: bool) -> None:
        self.view = view
        self.started = started

    @property
    def message(self) -> dict[str, Any]:
        """The transcript so far, as one message (built on read: the renderer's paint)."""
        return self.view._message()
