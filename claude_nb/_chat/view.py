"""What the chat widget shows, as plain data and HTML strings (no widgets, no I/O).

The widget (``claude_nb._chat.widget``) keeps one ``ChatEntry`` per message and asks this module
for its HTML. Everything the model or the user wrote is escaped: Markdown is rendered with
``mistune`` in escape mode, so raw HTML in a reply shows as text and harmful link schemes
(``javascript:``...) are dropped.

A tool call is drawn by the one tool-call renderer (``claude_nb._tools.render``): the folded
block of a requested call until it ends, then the block of its ``ToolCallEvent`` (arguments,
result or error, duration), the same block a cell shows. Amounts of money are written by
``claude_nb._accounting.money.format_usd``; the repaint throttle is ``claude_nb._display.throttle``.

Also here: the cost label text (the last reply, then the session ledger's totals), the
test that tells which kernel variables can be attached (figures, DataFrames, images), done
without importing matplotlib, pandas or PIL, and ``ChatSession``, what the chat needs of a
session (here, below both the widget and its worker, which type the session with it).
"""

from __future__ import annotations

import functools
import html
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from claude_nb._accounting.money import format_usd
from claude_nb._api.history import tool_use_blocks
from claude_nb._exceptions import ClaudeNBError
from claude_nb._tools.render import ToolCallEvent, render_tool_call_html, render_tool_use_html
from claude_nb._types import ContentBlock

if TYPE_CHECKING:
    from claude_nb._session.reply import Reply
    from claude_nb._tools.approval import Approver
    from claude_nb._wire.stream import MessageSnapshot

__all__ = [
    "ATTACHABLE_TYPES",
    "ChatEntry",
    "ChatSession",
    "EntryRoleTypes",
    "EntryStatusTypes",
    "attachable_kind",
    "attachable_names",
    "copy_snapshot",
    "cost_label",
    "entry_html",
    "error_text",
    "markdown_to_html",
    "model_choices",
    "tool_call_html",
]

EntryRoleTypes = Literal["user", "assistant", "error"]
EntryStatusTypes = Literal["streaming", "done", "stopped", "error"]

ATTACHABLE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("matplotlib.figure", "Figure", "figure"),
    ("matplotlib.axes", "Axes", "axes"),
    ("pandas", "DataFrame", "DataFrame"),
    ("pandas", "Series", "Series"),
    ("PIL.Image", "Image", "image"),
    ("numpy", "ndarray", "array"),
)
"""(module, class, label) of the kernel objects the picker lists; a module not yet imported
means no object of that type can exist, so nothing is imported to check."""

_ROLE_STYLE = {
    "user": "background:#e8f0fe;border:1px solid #c6d8fb;margin-left:15%;",
    "assistant": "background:#f6f6f6;border:1px solid #e2e2e2;margin-right:5%;",
    "error": "background:#fdecea;border:1px solid #f5c2c0;color:#8a1c14;",
}
_ROLE_LABEL = {"user": "You", "assistant": "Claude", "error": "Error"}
_STATUS_NOTE = {
    "streaming": "<span class='cnb-status' style='color:#888'> ▍ streaming…</span>",
    "stopped": "<span class='cnb-status' style='color:#a15c00'> ⏹ stopped</span>",
    "done": "",
    "error": "",
}


class ChatSession(Protocol):
    """What the chat (widget and worker) needs of a session (``claude_nb.Session`` has it).

    Read when present: ``settings.model`` (the picker's default), ``ledger`` (the cost
    label's totals), ``offline`` and ``last_reply``.
    """

    system: str | list[ContentBlock] | None

    def ask(
        self,
        prompt: str | list[ContentBlock],
        *,
        stream: bool = True,
        on_event: Callable[[MessageSnapshot], None] | None = None,
        on_tool_event: Callable[[ToolCallEvent], None] | None = None,
        approver: Approver | None = None,
        **params: Any,
    ) -> Reply:
        """Send one user turn (running its tool calls) and return the reply."""

    def list_models(self) -> list[dict[str, Any]]:
        """The models the API lists."""

    def reset(self) -> None:
        """Forget the conversation."""


@dataclass
class ChatEntry:
    """One message in the chat transcript.

    Attributes:
        role: ``user``, ``assistant`` or ``error``.
        text: The message text (Markdown).
        status: ``streaming``, ``done``, ``stopped`` (Stop pressed) or ``error``.
        attachments: Labels of what was attached to a user message.
        tool_calls: ``tool_use`` blocks of an assistant message, in the API's shape; an
            ended call also has ``result`` or ``error``, and ``duration`` when it ran.
        note: A one-line footer (tokens, cost, why it failed).
    """

    role: EntryRoleTypes
    text: str = ""
    status: EntryStatusTypes = "done"
    attachments: list[str] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@functools.lru_cache(maxsize=1)
def _markdown() -> Callable[[str], Any]:
    import mistune

    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table", "url"])


def markdown_to_html(text: str) -> str:
    """Render Markdown to HTML, escaping any HTML in the text."""
    return str(_markdown()(text))


def tool_call_html(block: Mapping[str, Any]) -> str:
    """A tool call of an entry, folded, as every tool call is drawn (``_tools.render``).

    A block with ``result`` or ``error`` is an ended call (its ``ToolCallEvent`` is rebuilt);
    any other is a requested one (streaming, waiting for approval, or running). The wrapper's
    class says which: ``cnb-tool-requested``, ``cnb-tool-result`` or ``cnb-tool-error``.
    """
    if block.get("error") is None and "result" not in block:
        state, inner = "requested", render_tool_use_html(block)
    else:
        arguments = block.get("input")
        event = ToolCallEvent(
            "end", str(block.get("id") or ""), str(block.get("name") or "?"),
            arguments if isinstance(arguments, Mapping) else {},
            result_summary=str(block.get("result") or ""), duration=block.get("duration"),
            error=None if block.get("error") is None else str(block["error"]),
        )
        state = "error" if event.error is not None else "result"
        inner = render_tool_call_html(event)
    return f"<div class='cnb-tool cnb-tool-{state}' style='margin:4px 0'>{inner}</div>"


def entry_html(entry: ChatEntry) -> str:
    """The HTML of one transcript entry: a styled bubble with its Markdown rendered."""
    parts = [
        f"<div class='cnb-msg cnb-{entry.role}' data-status='{entry.status}' "
        f"style='border-radius:8px;padding:4px 10px;margin:4px 0;{_ROLE_STYLE[entry.role]}'>",
        f"<div style='font-size:11px;color:#666;font-weight:600'>{_ROLE_LABEL[entry.role]}"
        f"{_STATUS_NOTE[entry.status]}</div>",
    ]
    if entry.attachments:
        labels = ", ".join(html.escape(label) for label in entry.attachments)
        parts.append(f"<div class='cnb-attachments' style='font-size:12px'>📎 {labels}</div>")
    if entry.role == "error":
        body = html.escape(entry.text)
        parts.append(f"<pre class='cnb-body' style='white-space:pre-wrap'>{body}</pre>")
    else:
        parts.append(f"<div class='cnb-body'>{markdown_to_html(entry.text)}</div>")
    parts.extend(tool_call_html(block) for block in entry.tool_calls)
    if entry.note:
        note = html.escape(entry.note)
        parts.append(f"<div class='cnb-note' style='font-size:11px;color:#777'>{note}</div>")
    parts.append("</div>")
    return "".join(parts)


def cost_label(
    usage: Mapping[str, Any] | None,
    cost: float | None,
    totals: Any,
    *,
    offline: bool = False,
    estimated: bool = False,
) -> str:
    """The token and cost line shown under the chat after each reply.

    Args:
        usage: The last reply's ``usage`` (API shape), or None.
        cost: The last reply's cost in dollars, or None when unpriced.
        totals: The session ledger's ``LedgerTotals`` (every call, tool steps included),
            or None when the session keeps no ledger.
        offline: The session runs on the offline emulator: its dollars are simulated.
        estimated: The last reply was stopped: its output tokens are an estimate (``~``).
    """
    usage = usage or {}
    approx = "~" if estimated else ""
    parts = [
        f"{usage.get('input_tokens') or 0:,} in",
        f"{approx}{usage.get('output_tokens') or 0:,} out",
    ]
    cache_read = usage.get("cache_read_input_tokens") or 0
    cache_write = usage.get("cache_creation_input_tokens") or 0
    if cache_read or cache_write:
        parts.append(f"cache {cache_read:,} read / {cache_write:,} written")
    label = f"last reply: {' · '.join(parts)} · {approx}{format_usd(cost)}"
    if estimated:
        label += " (estimated)"
    if totals is None:
        return label
    calls = "call" if totals.calls == 1 else "calls"
    session = f"session: {totals.calls:,} {calls} · {format_usd(totals.cost.total)}"
    simulated = totals.simulated_cost
    if offline or (simulated and simulated >= totals.cost.total):
        session += " simulated (offline)"
    elif simulated:
        session += f" ({format_usd(simulated)} simulated offline)"
    if totals.unpriced_calls:
        session += f" + {totals.unpriced_calls} unpriced"
    return f"{label}  |  {session}"


def attachable_kind(value: Any) -> str | None:
    """A label for a figure, DataFrame, image or array, else None (nothing is imported)."""
    for module_name, class_name, label in ATTACHABLE_TYPES:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and isinstance(value, cls):
            return label
    return None


def attachable_names(namespace: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, name)`` pairs for the picker: the attachable public variables, sorted."""
    found = []
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        kind = attachable_kind(value)
        if kind is not None:
            found.append((f"{name} ({kind})", name))
    return sorted(found)


def copy_snapshot(
    entry: ChatEntry, snapshot: MessageSnapshot, earlier: Sequence[dict[str, Any]] = ()
) -> None:
    """Copy a stream snapshot's text and tool calls into an entry (after ``earlier`` calls)."""
    entry.text = str(snapshot.text or "")
    entry.tool_calls = [*earlier, *tool_use_blocks(snapshot.message or {})]


def error_text(error: BaseException) -> str:
    """What an error bubble says: our errors as they are, others with their class name."""
    if isinstance(error, ClaudeNBError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def model_choices(default_model: str) -> list[str]:
    """The price table's model ids, with the session's default first when it is not listed."""
    from claude_nb._api.models import model_ids

    ids = model_ids()
    return ids if not default_model or default_model in ids else [default_model, *ids]
