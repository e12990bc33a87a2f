"""Show a streaming reply: one output per cell, repainted at a capped rate.

The session calls ``StreamRenderer.on_event(snapshot)`` after every decoded event, on the
main thread. Keeping the latest snapshot is free; *painting* (joining the text, sending a
display message) happens when the one repaint ``Throttle`` (``claude_nb._display.throttle``,
shared with the chat) lets it: at most once per ``repaint_interval`` seconds, the first
visible content at once; ``finish`` always paints the exact final state. There is no refresh
thread (output from threads is unreliable in Jupyter).

A Jupyter surface resends the whole text with each repaint (one output, updated in place, is
what the saved notebook keeps), so it also keeps a ``ByteBudget``: a streaming repaint goes
only while all it has sent stays under 16x the text shown plus 16,000 characters. Bytes to
the frontend are then linear in the reply's length (a 400 KB reply sent 42-84 MB, 107-211x
its text, before): short replies repaint at the time cap, long ones each time the text has
grown by a sixteenth. The terminal prints only the new text, so it needs no budget.

Three surfaces:

* ``DisplaySurface`` (Jupyter frontends): one ``display(..., display_id=True)`` output,
  updated in place with ``text/markdown``; the frontend renders the Markdown, so the kernel
  carries no Markdown parser. Thinking is shown folded in ``<details>``.
* ``PlainDisplaySurface`` (Jupyter, ``--format text``): the same one output, ``text/plain``
  only, so the reply stays plain text.
* ``TerminalSurface`` (terminal IPython): prints the new text as it arrives.

``surface_for(shell, output_format)`` picks one. A surface's ``plain`` says whether it shows
plain text (the tool-loop transcript is built to match).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from claude_nb._api.markup import markdown_dollars
from claude_nb._display.content import CURSOR, STATUS_NOTES, Snapshot, plain_text, render_content
from claude_nb._display.throttle import DEFAULT_REPAINT_INTERVAL, ByteBudget, Throttle

__all__ = [
    "DisplaySurface",
    "PlainDisplaySurface",
    "StreamRenderer",
    "Surface",
    "TerminalSurface",
    "reply_markdown",
    "reply_plain",
    "surface_for",
]

class Surface(Protocol):
    """Where a renderer paints (``plain``: it shows plain text, not Markdown)."""

    plain: bool

    def paint(
        self, message: dict[str, Any], *, streaming: bool, force: bool = False
    ) -> bool | None:
        """Show the message so far (``force``: a tool call started or ended).

        Returns False when the paint was skipped (a byte budget), else True or None.
        """

    def show_final(self, markdown: str, plain: str) -> None:
        """Show the exact final state."""


def reply_markdown(reply: Any, status: str | None = None) -> str:
    """The final Markdown of a reply: its content (thinking folded) and its footer line.

    Args:
        reply: A ``claude_nb.Reply`` (``.message`` and ``.footer()``).
        status: ``"interrupted"`` or ``"error"`` to mark the text as partial, or None.

    Returns:
        Markdown for the frontend.
    """
    footnotes = getattr(reply, "footnotes_markdown", None)  # the citations, numbered
    parts = [_content_markdown(reply), footnotes() if footnotes else ""]
    if status in STATUS_NOTES:
        parts.append(f"*{STATUS_NOTES[status]}*")
    stop = getattr(reply, "stop_note", None)  # cut by max_tokens, a stop sequence...
    if stop:
        parts.append(f"*{markdown_dollars(stop)}*")
    notes = getattr(reply, "notes_markdown", None)  # what was done to images and tables
    parts.append(notes() if notes else "")
    parts.append(f"<sub>{markdown_dollars(str(reply.footer()))}</sub>")  # "$" kept from maths
    return "\n\n".join(part for part in parts if part)


def _content_markdown(reply: Any) -> str:
    """The reply's content; every step with its tool calls for a tool-loop reply."""
    if getattr(reply, "steps", None):  # the transcript loads only for a tool loop's reply
        from claude_nb._display.transcript import reply_transcript_markdown

        return reply_transcript_markdown(reply)
    return render_content(reply.message or {})


def reply_plain(reply: Any, status: str | None = None) -> str:
    """The final plain text of a reply: its text (every step's), a partial mark, the footer.

    Args:
        reply: A ``claude_nb.Reply``.
        status: ``"interrupted"`` or ``"error"`` to mark the text as partial, or None.
    """
    if getattr(reply, "steps", None):
        from claude_nb._display.transcript import reply_transcript_plain

        text = reply_transcript_plain(reply)
    else:
        text = str(getattr(reply, "cited_text", None) or reply.text or "")  # with [n] marks
    footnotes = getattr(reply, "footnotes_plain", None)
    text = "\n\n".join(part for part in (text, footnotes() if footnotes else "") if part)
    stop = getattr(reply, "stop_note", None) or ""
    report = getattr(reply, "content_report", None)  # what was done to the prompt's content
    notes = "📎 " + " · ".join(report.notes) if report is not None and report.notes else ""
    parts = [text, STATUS_NOTES.get(status or "", ""), stop, notes, str(reply.footer())]
    return "\n\n".join(part for part in parts if part)


class DisplaySurface:
    """One Jupyter output, created on first paint and updated in place.

    Args:
        budget: What streaming repaints may send in all (see ``ByteBudget``); the final
            state and forced or finished paints always go.
    """

    plain = False

    def __init__(self, budget: ByteBudget | None = None) -> None:
        self.handle: Any = None
        self.messages = 0
        self.budget = budget or ByteBudget()

    def _send(self, bundle: dict[str, str], *, budgeted: bool = False) -> bool:
        from IPython.display import display

        size = sum(len(value) for value in bundle.values())
        if budgeted and not self.budget.allows(size):
            return False
        if self.handle is None:
            self.handle = display(bundle, raw=True, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self.handle.update(bundle, raw=True)
        self.budget.spend(size)
        self.messages += 1
        return True

    def paint(self, message: dict[str, Any], *, streaming: bool, force: bool = False) -> bool:
        """Send the Markdown of the message so far, if the byte budget allows it."""
        markdown = render_content(message, streaming=streaming)
        return self._send({"text/markdown": markdown}, budgeted=streaming and not force)

    def show_final(self, markdown: str, plain: str) -> None:
        """Send the final Markdown, with a plain-text fallback for other frontends."""
        self._send({"text/markdown": markdown, "text/plain": plain})


class PlainDisplaySurface(DisplaySurface):
    """One Jupyter output of plain text only (``--format text``), updated in place."""

    plain = True

    def paint(self, message: dict[str, Any], *, streaming: bool, force: bool = False) -> bool:
        """Send the plain text of the message so far, if the byte budget allows it."""
        text = plain_text(message) + (CURSOR if streaming else "")
        return self._send({"text/plain": text}, budgeted=streaming and not force)

    def show_final(self, markdown: str, plain: str) -> None:
        """Send the final plain text (the Markdown is not used)."""
        self._send({"text/plain": plain})


class TerminalSurface:
    """Prints text as it arrives (terminal IPython cannot render Markdown)."""

    plain = True

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.printed = ""
        self.messages = 0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
        self.messages += 1

    def paint(self, message: dict[str, Any], *, streaming: bool, force: bool = False) -> None:
        """Print the text that is new since the last paint (append-only: no budget)."""
        text = plain_text(message)
        if len(text) > len(self.printed) and text.startswith(self.printed):
            self._write(text[len(self.printed) :])
            self.printed = text

    def end_line(self) -> None:
        """Finish the current line (before a question is asked below it)."""
        if self.printed and not self.printed.endswith("\n"):
            self._write("\n")

    def show_final(self, markdown: str, plain: str) -> None:
        """Print what was not printed yet of ``plain`` (the text, then the footer)."""
        rest = plain[len(self.printed) :] if plain.startswith(self.printed) else "\n" + plain
        self._write(rest + "\n")


def surface_for(shell: Any, output_format: str = "markdown") -> Surface:
    """A display surface under a Jupyter kernel (or captured output), else a terminal one.

    Args:
        shell: The running ``InteractiveShell`` (or None).
        output_format: The cell's ``--format``: ``text`` shows plain text, the others Markdown.
    """
    publisher = type(getattr(shell, "display_pub", None)).__name__
    if publisher in ("ZMQDisplayPublisher", "CapturingDisplayPublisher"):
        return PlainDisplaySurface() if output_format == "text" else DisplaySurface()
    return TerminalSurface()


class StreamRenderer:
    """Paints a streaming reply at most once per ``repaint_interval``, exactly at the end.

    Args:
        surface: Where to paint (see ``surface_for``).
        repaint_interval: Seconds between repaints while streaming.
        clock: A monotonic clock (injectable for tests).

    Attributes:
        throttle: The ``Throttle`` that decides when a streaming paint goes out.
        first_event_at: Clock time of the first content event (text, thinking, tool input).
        first_visible_at: Clock time the first content was painted.
        repaints: How many paints were sent (final included).
    """

    def __init__(
        self,
        surface: Surface,
        *,
        repaint_interval: float = DEFAULT_REPAINT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.surface = surface
        self.clock = clock
        self.throttle = Throttle(repaint_interval, clock)
        self.first_event_at: float | None = None
        self.first_visible_at: float | None = None
        self.repaints = 0
        self._snapshot: Snapshot | None = None

    def on_event(self, snapshot: Snapshot, *, force: bool = False) -> None:
        """Keep the latest snapshot; paint when the interval has passed (or on first content).

        Args:
            snapshot: The latest state (``.message``, ``.started``, ``.finished``).
            force: Paint now whatever the throttle says (a tool call started or ended).
        """
        self._snapshot = snapshot
        if not snapshot.started:
            return
        now = self.clock()
        if self.first_event_at is None:
            self.first_event_at = now
        if self.throttle.due(now, force=force):
            self._paint(snapshot.message, streaming=not snapshot.finished, force=force)

    def _paint(self, message: dict[str, Any], *, streaming: bool, force: bool = False) -> None:
        if self.surface.paint(message, streaming=streaming, force=force) is False:
            return  # over the surface's byte budget: a later paint (or the final) shows it
        self.repaints += 1
        if self.first_visible_at is None:
            self.first_visible_at = self.clock()

    def settle(self) -> None:
        """Paint all the text so far, without the cursor, and end the line.

        Called before the user is asked something under the reply (a tool approval).
        """
        if self._snapshot is not None and self._snapshot.started:
            self._paint(self._snapshot.message, streaming=False)
        end_line = getattr(self.surface, "end_line", None)
        if end_line is not None:
            end_line()

    def finish(self, markdown: str, plain: str) -> None:
        """Paint the exact final state (always, whatever the throttle says)."""
        self.surface.show_final(markdown, plain)
        self.repaints += 1
        if self.first_visible_at is None:
            self.first_visible_at = self.clock()

    def first_output_latency(self) -> float | None:
        """Seconds from the first content event to its paint, or None if none arrived."""
        if self.first_event_at is None or self.first_visible_at is None:
            return None
        return self.first_visible_at - self.first_event_at
