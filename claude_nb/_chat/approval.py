"""Approve or deny tool calls from the chat widget: an ``Approver`` made of buttons.

The ``input()`` prompt of ``PromptApprover`` (``claude_nb._tools.approval``) cannot work in
the chat: the widget's reply runs on a worker thread, outside any cell. But that thread is also why
buttons can: the kernel's main thread is idle while the worker waits, so it handles the
button clicks. The flow, one tool call::

    worker thread: session.ask -> tool loop -> ChatApprover(request)
        -> panel shows "Run weather(city="Paris")?" with Approve / Deny / Approve all
        -> waits on a threading.Event
    main thread: a click (comm message) -> the button handler records the decision and sets
        the event; Stop sets it with no decision
    worker thread: returns the decision, or raises ``StopRequested`` after Stop

The worker only sets trait values (the safe channel from a thread); the handlers run on the
main thread. ``begin()`` starts each reply afresh ("Approve all" lasts one reply, as it lasts
one cell with ``%%claude --confirm``).
"""

from __future__ import annotations

import html
import json
import threading
from functools import partial

from claude_nb._tools.approval import ApprovalRequest, ApprovalTypes, Denied

__all__ = ["ChatApprover", "StopRequested"]

_PANEL_STYLE = (
    "border:1px solid #f0c36d;background:#fff8e5;border-radius:6px;padding:4px 8px;margin:4px 0"
)


class StopRequested(KeyboardInterrupt):
    """Raised on the worker thread when Stop was pressed; the session treats it as an interrupt."""


class ChatApprover:
    """Ask in the chat before a tool runs (an ``Approver``; called on the worker thread).

    Attributes:
        view: The panel (hidden until a call waits): what is asked and three buttons.
        approve_button, deny_button, approve_all_button: The buttons (classes
            ``cnb-approve``, ``cnb-deny``, ``cnb-approve-all``).
        decisions: ``(call text, decision)`` for every call asked about since ``begin()``.
    """

    def __init__(self) -> None:
        import ipywidgets as widgets

        self.question = widgets.HTML(value="")
        self.approve_button = widgets.Button(
            description="Approve", button_style="success", icon="check"
        )
        self.deny_button = widgets.Button(description="Deny", button_style="danger", icon="ban")
        self.approve_all_button = widgets.Button(
            description="Approve all", icon="check-double",
            tooltip="Approve this call and every later one of this reply",
        )
        for button, decision in (
            (self.approve_button, "approve"), (self.deny_button, "deny"),
            (self.approve_all_button, "approve_all"),
        ):
            button.add_class(f"cnb-{decision.replace('_', '-')}")
            button.on_click(partial(self._clicked, decision))
        self.view = widgets.VBox(
            [
                self.question,
                widgets.HBox([self.approve_button, self.deny_button, self.approve_all_button]),
            ],
            layout=widgets.Layout(display="none"),
        )
        self.view.add_class("cnb-approval")
        self.decisions: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._answered = threading.Event()
        self._decision: ApprovalTypes | None = None
        self._cancel = threading.Event()
        self._approve_all = False

    @property
    def waiting(self) -> bool:
        """True while a tool call waits for a click."""
        return bool(self.view.layout.display != "none")

    def begin(self, cancel: threading.Event) -> None:
        """Start a reply: forget "Approve all"; ``cancel`` (the reply's Stop flag) ends a wait."""
        with self._lock:
            self._cancel = cancel
            self._approve_all = False
            self.decisions = []

    def decide(self, decision: str) -> None:
        """Answer the waiting call (the buttons call this; ignored when nothing waits)."""
        if decision not in ("approve", "deny", "approve_all"):
            raise ValueError(f"unknown decision {decision!r}")
        with self._lock:
            if not self.waiting:
                return
            self._decision = decision  # type: ignore[assignment]  # checked just above
            self._answered.set()

    def _clicked(self, decision: str, _button: object) -> None:
        self.decide(decision)

    def cancel(self) -> None:
        """End a wait without a decision (Stop): the worker raises ``StopRequested``."""
        self._cancel.set()
        self._answered.set()

    def __call__(self, request: ApprovalRequest) -> ApprovalTypes | Denied:
        """Show the call and wait for a click; raises ``StopRequested`` after Stop."""
        call = request.call_text()
        if self._approve_all:
            self.decisions.append((call, "approve"))
            return "approve"
        with self._lock:
            self._answered.clear()
            self._decision = None
            self.question.value = _question_html(request)
            self.view.layout.display = "flex"
        try:
            while not self._answered.wait(0.1):
                if self._cancel.is_set():
                    break
        finally:
            with self._lock:
                self.view.layout.display = "none"
                self.question.value = ""
                decision = self._decision
        if decision is None or self._cancel.is_set():
            raise StopRequested
        self._approve_all = decision == "approve_all"
        self.decisions.append((call, decision))
        return decision


def _question_html(request: ApprovalRequest) -> str:
    arguments = json.dumps(dict(request.arguments), ensure_ascii=False, indent=1, default=str)
    description = (
        f"<div style='font-size:12px;color:#666'>{html.escape(request.description)}</div>"
        if request.description else ""
    )
    return (
        f"<div class='cnb-approval-question' style='{_PANEL_STYLE}'>"
        f"<b>Run tool <code>{html.escape(request.name)}</code>?</b>{description}"
        f"<pre style='margin:2px 0'>{html.escape(arguments)}</pre></div>"
    )
