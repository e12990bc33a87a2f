"""One chat reply, on the widget's worker thread: ask, repaint, approve tools, settle, cost.

``ChatWidget.send_message`` (main thread) adds the bubbles and starts a daemon thread on
``stream_reply``::

    session.ask(on_event=..., on_tool_event=..., approver=ChatApprover or None)
        on_event: Stop pressed? raise StopRequested; else keep the snapshot and repaint the
                  bubble when the one repaint Throttle (_display.throttle) lets it and
                  its ByteBudget too (each repaint resends the whole bubble: bytes stay
                  linear in the reply's length)
        on_tool_event: an ended tool call joins the bubble (arguments and result)
        approver: the Approve / Deny / Approve all panel (``_chat.approval``)
    -> done | stopped (partial kept) | failed (error bubble) -> final repaint
    -> the cost label from the session's ledger -> Send enabled again

Only trait values are set from here (the safe channel from a thread); nothing is displayed.
"""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING, Any, Protocol

from claude_nb._api.history import tool_use_blocks
from claude_nb._chat.approval import ChatApprover, StopRequested
from claude_nb._chat.view import (
    ChatEntry,
    ChatSession,
    copy_snapshot,
    cost_label,
    error_text,
)
from claude_nb._display.throttle import ByteBudget, Throttle
from claude_nb._types import ContentBlock

if TYPE_CHECKING:
    from claude_nb._session.reply import Reply
    from claude_nb._tools.render import ToolCallEvent
    from claude_nb._wire.stream import MessageSnapshot

__all__ = ["ChatHost", "stream_reply", "tool_call_block"]


class ChatHost(Protocol):
    """What a reply needs of the chat widget (``ChatWidget`` is one); set from the worker.

    ``confirm_box`` and ``status`` are ipywidgets (``.value``; ipywidgets has no type hints);
    only trait values are set.
    """

    entries: list[ChatEntry]
    repaints_per_second: float
    """The user's knob (``ChatWidget(repaints_per_second=...)``); ``Throttle.per_second``."""
    confirm_box: Any
    status: Any
    approver: ChatApprover
    session: ChatSession
    session_lock: threading.Lock
    last_reply: Reply | None
    replies: int

    def repaint(self, index: int) -> None:
        """Show entry ``index`` as it is now."""

    def set_busy(self, busy: bool) -> None:
        """Disable Send (and enable Stop) while a reply runs, or the reverse."""

    def show_error(self, error: BaseException) -> None:
        """Show an error in the chat."""


def tool_call_block(event: ToolCallEvent) -> dict[str, Any]:
    """A ``tool_use``-shaped dict of an ended ``ToolCallEvent``, with its outcome and time."""
    block: dict[str, Any] = {
        "type": "tool_use", "id": event.tool_use_id, "name": event.name,
        "input": dict(event.arguments), "duration": event.duration,
    }
    if event.error is not None:
        block["error"] = event.error
    else:
        block["result"] = event.result_summary
    return block


def stream_reply(
    widget: ChatHost, content: str | list[ContentBlock], params: dict[str, Any], index: int,
    cancel: threading.Event,
) -> None:
    """Run one reply on the worker thread (see the module docstring)."""
    entry = widget.entries[index]
    throttle = Throttle.per_second(widget.repaints_per_second)
    budget = ByteBudget()
    latest: list[MessageSnapshot] = []
    ended_calls: list[dict[str, Any]] = []

    def on_event(snapshot: MessageSnapshot) -> None:
        if cancel.is_set():
            raise StopRequested
        latest[:] = [snapshot]
        # as the cell renderer does: nothing to show before content starts, so the throttle's
        # "first repaint at once" goes to the first visible text, not to message_start
        if snapshot.started and throttle.due() and budget.allows(size := len(snapshot.text)):
            budget.spend(size)
            copy_snapshot(entry, snapshot, earlier=ended_calls)
            widget.repaint(index)

    def on_tool_event(event: ToolCallEvent) -> None:
        if event.kind == "end":
            ended_calls.append(tool_call_block(event))
            entry.tool_calls = list(ended_calls)
            widget.repaint(index)

    approver = None
    if widget.confirm_box.value:
        approver = widget.approver
        approver.begin(cancel)
    reply: Reply | None = None
    try:
        with widget.session_lock:
            if cancel.is_set():
                raise StopRequested
            reply = widget.session.ask(
                content, stream=True, on_event=on_event, on_tool_event=on_tool_event,
                approver=approver, **params,
            )
    except (Exception, KeyboardInterrupt) as error:
        if latest:
            copy_snapshot(entry, latest[0], earlier=ended_calls)
        if isinstance(error, KeyboardInterrupt) or cancel.is_set():
            _mark_stopped(entry)
        else:
            _mark_failed(widget, entry, error)
    else:
        _finish(widget, entry, reply, ended_calls)
    finally:
        widget.repaint(index)
        show_cost(widget, reply)
        widget.set_busy(False)


def show_cost(widget: ChatHost, reply: Reply | None) -> None:
    """Put the last reply's tokens and the session ledger's totals in the cost label."""
    session = widget.session
    ledger = getattr(session, "ledger", None)
    last = reply if reply is not None else getattr(session, "last_reply", None)
    label = cost_label(
        getattr(last, "usage", None), getattr(last, "cost", None),
        ledger.totals() if ledger is not None else None,
        offline=bool(getattr(session, "offline", False)),
        estimated=bool(getattr(last, "usage_estimated", False)),
    )
    widget.status.value = f"<span style='font-size:12px;color:#555'>{html.escape(label)}</span>"


def _mark_stopped(entry: ChatEntry) -> None:
    entry.status = "stopped"
    entry.note = "stopped: partial reply kept" if entry.text else "stopped before any text"


def _mark_failed(widget: ChatHost, entry: ChatEntry, error: BaseException) -> None:
    partial = getattr(error, "partial_text", "") or ""
    entry.text = partial or entry.text
    if entry.text:
        entry.status = "error"
        entry.note = "the reply broke off"
        widget.show_error(error)
    else:
        entry.role, entry.status = "error", "error"
        entry.text = error_text(error)


def _finish(
    widget: ChatHost, entry: ChatEntry, reply: Reply, ended_calls: list[dict[str, Any]]
) -> None:
    widget.last_reply = reply
    widget.replies += 1
    entry.text = str(reply.text or entry.text)
    entry.tool_calls = ended_calls or tool_use_blocks(reply.message or {})
    usage = reply.usage or {}
    entry.note = f"{reply.model or ''} · {usage.get('output_tokens') or 0} tokens"
    if reply.interrupted:
        _mark_stopped(entry)
    else:
        entry.status = "done"
    if reply.error is not None and not reply.interrupted:
        widget.show_error(reply.error)
