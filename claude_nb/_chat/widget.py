"""The chat widget: stock ipywidgets bound to a ``Session``.

``claude_nb.chat()`` (and ``%claude_chat``) returns a ``ChatWidget``, itself an
``ipywidgets.VBox`` (so it goes into any layout: ``HBox([chat(), plot])``): a transcript of Markdown
bubbles, an input box with Send and Stop, a model picker, a system prompt field, image
attachments (an uploaded file, or a figure, DataFrame or image from a kernel variable), inline
tool calls, a token and cost label, and Reset. All logic stays in the session; the widget maps
clicks to calls and snapshots to trait values.

Why a worker thread. A button callback runs on the kernel's main thread, and while it runs the
kernel handles no other comm message, so a Stop click would wait for the reply to finish. Send
(``send_message``; ``send`` stays ipywidgets' custom-message method) therefore converts the
attachments on the main thread (matplotlib is not thread-safe), then runs ``session.ask`` on
a daemon thread and returns at once. The thread only sets widget trait values, the safe
channel from a thread; it never calls ``display()`` nor captures output (output from a thread
lands in whichever cell runs then). Stop sets a per-request flag that the ``on_event``
callback checks on every event: it raises ``StopRequested`` (a ``KeyboardInterrupt``), which
the session handles like Ctrl-C, closing the response and keeping the partial reply in the
history. A lock keeps one request at a time on the session from this
widget, and repaints of the streaming bubble are capped (20 per second by default) and always
done once at the end.

Tools: with confirm mode on (the "Confirm tools" checkbox, which follows
``%config ClaudeMagics.confirm_tools``), each tool call waits in the chat for Approve, Deny or
Approve all (``approval.py``); Stop also ends that wait. The worker-thread side of a
reply, including the cost label from the session's ledger, is ``worker.py``.

Errors, from the API or from a bug in a callback, are rendered into the chat as an error
bubble, never only into the kernel log.

``close()`` takes the whole chat down: the reply in flight is stopped as by Stop (its partial
text stays in the history), the ``%config`` link that ``chat()`` made is cut (else the magics
keep the widget alive), and every child widget is closed with it.

This module imports ipywidgets when it loads; only ``claude_nb.chat()`` (``_notebook.kernel``)
and ``%claude_chat`` load it, on first use, so ``import claude_nb`` and ``%load_ext`` do not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from claude_nb._chat.approval import ChatApprover, StopRequested
from claude_nb._chat.attach import Attachments
from claude_nb._chat.input import make_chat_input
from claude_nb._chat.view import (
    ChatEntry,
    ChatSession,
    entry_html,
    error_text,
    model_choices,
)
from claude_nb._chat.worker import stream_reply
from claude_nb._types import ContentBlock

if TYPE_CHECKING:
    import traitlets

    from claude_nb._session.reply import Reply

__all__ = ["ChatSession", "ChatWidget", "StopRequested"]


class ChatWidget(widgets.VBox):  # type: ignore[misc]  # ipywidgets has no type hints
    """An in-cell chat bound to a session: an ``ipywidgets.VBox``, its own root box.

    Args:
        session: The session to talk through (the kernel's own by default in ``chat()``).
        namespace: Where the variable picker looks (the IPython user namespace when None).
        repaints_per_second: Cap on repaints of the streaming reply.
        load_models: Ask the API for the model list in the background (else the price table).
        confirm: Start with "Confirm tools" ticked (tool calls wait for Approve/Deny).

    Attributes:
        entries: The transcript as ``ChatEntry`` values (what the bubbles show).
        replies: How many replies arrived (the cost label reads ``session.ledger``).
        confirm_box: The "Confirm tools" checkbox; ``approver``: its ``ChatApprover``.
        config_link: The ``traitlets.dlink`` from ``%config ClaudeMagics.confirm_tools`` to
            ``confirm_box`` (set by ``chat()`` in a kernel; ``close()`` unlinks it), or None.
    """

    def __init__(
        self,
        session: ChatSession,
        *,
        namespace: Mapping[str, Any] | None = None,
        repaints_per_second: float = 20.0,
        load_models: bool = True,
        confirm: bool = False,
    ) -> None:
        self.session = session
        self.entries: list[ChatEntry] = []
        self.replies = 0
        self.last_reply: Reply | None = None
        self.repaints_per_second = repaints_per_second
        self._bubbles: list[widgets.HTML] = []
        self.session_lock = threading.Lock()
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None
        self._models_thread: threading.Thread | None = None
        self._closed = False
        self.config_link: traitlets.dlink | None = None

        default_model = str(getattr(getattr(session, "settings", None), "model", "") or "")
        self.model_picker = widgets.Dropdown(
            options=model_choices(default_model), value=default_model or None,
            description="Model", layout=widgets.Layout(width="300px"),
        )
        system = session.system if isinstance(session.system, str) else ""
        self.system_prompt = widgets.Text(
            value=system, placeholder="System prompt (optional)", description="System",
            layout=widgets.Layout(flex="1"),
        )
        self.reset_button = widgets.Button(
            description="Reset", icon="trash", tooltip="Clear the chat and the session history"
        )
        # column-reverse (newest child first) keeps the scroll pinned to the newest message
        self.transcript = widgets.VBox(
            layout=widgets.Layout(
                max_height="420px", overflow="hidden auto", padding="4px",
                flex_flow="column-reverse",
            )
        )
        self.attachments = Attachments(
            namespace, lambda: self.model_picker.value or None, self._guarded
        )
        attachments = self.attachments  # its parts, by their old names
        self.upload, self.variable_picker = attachments.upload, attachments.variable_picker
        self.attach_button, self.attachments_label = attachments.attach_button, attachments.label
        self.input = make_chat_input(
            self._guarded(self.send_message),
            placeholder="Message Claude… (Enter sends, Shift+Enter adds a line)",
        )
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="send")
        self.stop_button = widgets.Button(
            description="Stop", button_style="warning", icon="stop", disabled=True
        )
        self.status = widgets.HTML(value="")
        self.confirm_box = widgets.Checkbox(
            value=confirm, description="Confirm tools", indent=False,
            tooltip="Ask before each tool call runs", layout=widgets.Layout(width="140px"),
        )
        self.approver = ChatApprover()
        for widget, name in (
            (self.model_picker, "model"), (self.system_prompt, "system"),
            (self.reset_button, "reset"), (self.transcript, "transcript"),
            (self.input, "input"),
            (self.send_button, "send"), (self.stop_button, "stop"), (self.status, "cost"),
            (self.confirm_box, "confirm"),
        ):
            widget.add_class(f"cnb-{name}")
        super().__init__(
            [
                widgets.HBox([self.model_picker, self.system_prompt, self.reset_button]),
                self.transcript,
                self.approver.view,
                self.attachments.view,
                widgets.HBox([self.input, self.send_button, self.stop_button]),
                widgets.HBox([self.confirm_box, self.status]),
            ],
            layout=widgets.Layout(border="1px solid #ddd", padding="6px"),
        )
        self.add_class("cnb-chat")

        self.send_button.on_click(self._guarded(lambda _button: self.send_message()))
        self.stop_button.on_click(self._guarded(lambda _button: self.stop()))
        self.reset_button.on_click(self._guarded(lambda _button: self.reset()))
        self.system_prompt.observe(self._guarded(self._on_system), names="value")
        if load_models:
            self._models_thread = threading.Thread(
                target=self._load_models, name="claude_nb-chat-models", daemon=True
            )
            self._models_thread.start()

    # -- display -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<ChatWidget {len(self.entries)} messages, model={self.model_picker.value!r}>"

    # -- state ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a reply is streaming."""
        return self._worker is not None and self._worker.is_alive()

    @property
    def pending_attachments(self) -> list[str]:
        """Labels of the attachments that the next message will carry."""
        return self.attachments.labels

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the reply in flight is done (for scripts and tests); True when idle."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return not self.busy

    # -- actions (the buttons call these) ----------------------------------------------

    def send_message(self, text: str | None = None) -> threading.Thread | None:
        """Send the input box's text (or ``text``) with the pending attachments.

        Send and Enter call this. (``send``, inherited, is ipywidgets' ``Widget.send``: a
        custom message to the front end, as ``focus()`` and ``blur()`` use it.)

        The reply streams on a worker thread, which is returned (None when nothing was sent:
        empty input, a reply already in flight, or a closed chat).
        """
        if self.busy or self._closed:
            return None
        prompt = (self.input.value if text is None else text).strip()
        if not prompt and not self.attachments.labels:
            return None
        labels, blocks = self.attachments.take()
        content: str | list[ContentBlock] = prompt
        if blocks:
            content = blocks + ([{"type": "text", "text": prompt}] if prompt else [])
        self.input.value = ""
        self._add_entry(ChatEntry("user", prompt, attachments=labels))
        index = self._add_entry(ChatEntry("assistant", status="streaming"))
        params = {"model": self.model_picker.value} if self.model_picker.value else {}
        self._cancel = cancel = threading.Event()
        self.set_busy(True)
        worker = threading.Thread(
            target=stream_reply, args=(self, content, params, index, cancel),
            name="claude_nb-chat", daemon=True,
        )
        self._worker = worker
        worker.start()
        return worker

    def stop(self) -> None:
        """Stop the reply in flight; its partial text stays, marked stopped."""
        self._cancel.set()
        self.approver.cancel()
        self.stop_button.disabled = True

    def close(self) -> None:
        """Close the chat: stop the reply in flight, cut the ``%config`` link, close every widget.

        The reply is stopped as Stop does (its partial text stays in the session's history;
        an approval wait ends); the worker thread ends on its own, this does not wait for it.
        Closing twice is harmless.
        """
        if self._closed:
            return
        self._closed = True
        self.stop()  # a no-op when no reply is in flight
        if self.config_link is not None:
            self.config_link.unlink()
            self.config_link = None
        for part in list(_owned_widgets(self)):
            if part is not self:
                part.close()
        super().close()

    def reset(self) -> None:
        """Clear the transcript and the session's history (the cost totals stay)."""
        if self.busy:
            self.stop()
            self.wait(10)
        self.session.reset()
        self.entries = []
        self._bubbles = []
        self.transcript.children = ()
        self.attachments.clear()

    def attach(self, name: str | None = None) -> None:
        """Attach the kernel variable ``name`` (the picker's choice by default)."""
        self.attachments.attach(name)

    def refresh_variables(self) -> None:
        """List the figures, DataFrames, images and arrays in the kernel in the picker."""
        self.attachments.refresh()

    # -- internals -----------------------------------------------------------------------

    def _on_system(self, change: Mapping[str, Any]) -> None:
        self.session.system = change["new"] or None

    def _add_entry(self, entry: ChatEntry) -> int:
        bubble = widgets.HTML(value=entry_html(entry))
        self.entries.append(entry)
        self._bubbles.append(bubble)
        self.transcript.children = (bubble, *self.transcript.children)
        return len(self.entries) - 1

    def repaint(self, index: int) -> None:
        """Show entry ``index``'s current state in its bubble (any thread: a trait update)."""
        if index < len(self._bubbles):
            self._bubbles[index].value = entry_html(self.entries[index])

    def show_error(self, error: BaseException) -> None:
        """Add an error bubble (not once the chat is closed: nothing would show it)."""
        if self._closed:
            return
        self._add_entry(ChatEntry("error", error_text(error), status="error"))

    def _guarded(self, handler: Callable[..., Any]) -> Callable[..., None]:
        """Wrap a widget callback so that its errors show in the chat, not only in the log."""

        def run(*args: Any) -> None:
            try:
                handler(*args)
            except Exception as error:
                self.show_error(error)

        return run

    def set_busy(self, busy: bool) -> None:
        """Enable Stop and disable the rest while a reply is in flight, and back."""
        self.send_button.disabled = busy
        self.stop_button.disabled = not busy
        self.reset_button.disabled = busy
        self.model_picker.disabled = busy

    def _load_models(self) -> None:
        """Run on a thread: replace the price-table list by the API's list when reachable."""
        try:
            with self.session_lock:
                models = self.session.list_models()
        except Exception:  # unreachable API: the price table stays (the documented fallback)
            return
        ids = [str(model["id"]) for model in models if isinstance(model, dict) and model.get("id")]
        current = self.model_picker.value
        if ids and not self._closed:
            self.model_picker.options = ids if current in ids or not current else [current, *ids]
            self.model_picker.value = current


def _owned_widgets(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    """``widget`` and every widget it holds: children (recursively), layouts and styles.

    Each comes after the widgets it holds, so a box is closed after what is inside it.
    """
    if isinstance(widget, widgets.Box):
        for child in widget.children:
            yield from _owned_widgets(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, widgets.Widget):
            yield part
    yield widget
