"""The chat widget: stock ipywidgets bound to a ``Session``.

``chat()`` (and ``%claude_chat``) returns a ``ChatWidget``: a transcript of Markdown bubbles, an
input box with Send and Stop, a model picker, a system prompt field, image attachments (an
uploaded file, or a figure, DataFrame or image from a kernel variable), inline tool calls, a
token and cost label, and Reset. All logic stays in the session; the widget maps clicks to
calls and snapshots to trait values.

Why a worker thread. A button callback runs on the kernel's main thread, and while it runs the
kernel handles no other comm message, so a Stop click would wait for the reply to finish. Send
therefore converts the attachments on the main thread (matplotlib is not thread-safe), then
runs ``session.ask`` on a daemon thread and returns at once. The thread only sets widget trait
values, the safe channel from a thread; it never calls ``display()`` nor captures output
(STYLE.md anti-pattern 6). Stop sets a per-request flag that the ``on_event`` callback checks
on every event: it raises ``StopRequested`` (a ``KeyboardInterrupt``), which the session
handles like Ctrl-C, closing the response and keeping the partial reply in the history. A lock
keeps one request at a time on the session from this widget, and repaints of the streaming
bubble are capped (20 per second by default) and always done once at the end.

Errors, from the API or from a bug in a callback, are rendered into the chat as an error
bubble, never only into the kernel log.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from claude_nb._chat_input import make_chat_input
from claude_nb._chat_view import (
    ChatEntry,
    RepaintThrottle,
    attachable_names,
    copy_snapshot,
    cost_label,
    entry_html,
    error_text,
    model_choices,
    tool_calls_of,
)
from claude_nb._exceptions import ClaudeNBError

__all__ = ["ChatSession", "ChatWidget", "StopRequested", "chat"]


class ChatSession(Protocol):
    """What the widget needs from a session (``claude_nb.Session`` has it all)."""

    system: Any

    def ask(
        self, prompt: Any, *, stream: bool = True, on_event: Callable[[Any], None] | None = None,
        **params: Any,
    ) -> Any:
        """Send one user turn and return the reply."""

    def list_models(self) -> list[dict[str, Any]]:
        """The models the API lists."""

    def reset(self) -> None:
        """Forget the conversation."""


class StopRequested(KeyboardInterrupt):
    """Raised from ``on_event`` when Stop was pressed; the session treats it as an interrupt."""


def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the notebook extra
        return {}
    shell = get_ipython()
    return dict(shell.user_ns) if shell is not None else {}


class ChatWidget:
    """An in-cell chat bound to a session.

    Args:
        session: The session to talk through (the kernel's own by default in ``chat()``).
        namespace: Where the variable picker looks (the IPython user namespace when None).
        repaints_per_second: Cap on repaints of the streaming reply.
        load_models: Ask the API for the model list in the background (else the price table).

    Attributes:
        entries: The transcript as ``ChatEntry`` values (what the bubbles show).
        view: The ipywidgets ``VBox`` that is displayed.
        replies: How many replies arrived; ``total_cost``: their summed cost in dollars.
    """

    def __init__(
        self,
        session: ChatSession,
        *,
        namespace: Mapping[str, Any] | None = None,
        repaints_per_second: float = 20.0,
        load_models: bool = True,
    ) -> None:
        import ipywidgets as widgets

        self.session = session
        self.entries: list[ChatEntry] = []
        self.replies = 0
        self.total_cost = 0.0
        self.last_reply: Any = None
        self.repaints_per_second = repaints_per_second
        self._namespace = namespace
        self._pending: list[tuple[str, list[dict[str, Any]]]] = []
        self._bubbles: list[Any] = []
        self._session_lock = threading.Lock()
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None
        self._models_thread: threading.Thread | None = None

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
                max_height="420px", overflow_y="auto", padding="4px", flex_flow="column-reverse"
            )
        )
        self.upload = widgets.FileUpload(accept="image/*", multiple=True, description="Image file")
        self.variable_picker = widgets.Dropdown(options=[], description="Variable")
        self.refresh_button = widgets.Button(
            icon="refresh", tooltip="Refresh the variable list", layout=widgets.Layout(width="36px")
        )
        self.attach_button = widgets.Button(description="Attach", icon="paperclip")
        # HTML, not Label: a Label typesets "$...$" as LaTeX, and costs are full of dollars
        self.attachments_label = widgets.HTML(value="")
        self.input = make_chat_input(
            self._guarded(self.send),
            placeholder="Message Claude… (Enter sends, Shift+Enter adds a line)",
        )
        self.send_button = widgets.Button(description="Send", button_style="primary", icon="send")
        self.stop_button = widgets.Button(
            description="Stop", button_style="warning", icon="stop", disabled=True
        )
        self.status = widgets.HTML(value="")
        for widget, name in (
            (self.model_picker, "model"), (self.system_prompt, "system"),
            (self.reset_button, "reset"), (self.transcript, "transcript"),
            (self.upload, "upload"), (self.variable_picker, "variables"),
            (self.refresh_button, "refresh"), (self.attach_button, "attach"),
            (self.attachments_label, "attachments"), (self.input, "input"),
            (self.send_button, "send"), (self.stop_button, "stop"), (self.status, "cost"),
        ):
            widget.add_class(f"cnb-{name}")
        self.view = widgets.VBox(
            [
                widgets.HBox([self.model_picker, self.system_prompt, self.reset_button]),
                self.transcript,
                widgets.HBox([
                    self.upload, self.variable_picker, self.refresh_button,
                    self.attach_button, self.attachments_label,
                ]),
                widgets.HBox([self.input, self.send_button, self.stop_button]),
                self.status,
            ],
            layout=widgets.Layout(border="1px solid #ddd", padding="6px"),
        )
        self.view.add_class("cnb-chat")

        self.send_button.on_click(self._guarded(lambda _button: self.send()))
        self.stop_button.on_click(self._guarded(lambda _button: self.stop()))
        self.reset_button.on_click(self._guarded(lambda _button: self.reset()))
        self.attach_button.on_click(self._guarded(lambda _button: self.attach()))
        self.refresh_button.on_click(self._guarded(lambda _button: self.refresh_variables()))
        self.upload.observe(self._guarded(self._on_upload), names="value")
        self.system_prompt.observe(self._guarded(self._on_system), names="value")
        self.refresh_variables()
        if load_models:
            self._models_thread = threading.Thread(
                target=self._load_models, name="claude_nb-chat-models", daemon=True
            )
            self._models_thread.start()

    # -- display -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<ChatWidget {len(self.entries)} messages, model={self.model_picker.value!r}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.view._repr_mimebundle_(**kwargs)

    # -- state ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a reply is streaming."""
        return self._worker is not None and self._worker.is_alive()

    @property
    def pending_attachments(self) -> list[str]:
        """Labels of the attachments that the next message will carry."""
        return [label for label, _blocks in self._pending]

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the reply in flight is done (for scripts and tests); True when idle."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return not self.busy

    # -- actions (the buttons call these) ----------------------------------------------

    def send(self, text: str | None = None) -> threading.Thread | None:
        """Send the input box's text (or ``text``) with the pending attachments.

        The reply streams on a worker thread, which is returned (None when nothing was sent:
        empty input, or a reply already in flight).
        """
        if self.busy:
            return None
        prompt = (self.input.value if text is None else text).strip()
        if not prompt and not self._pending:
            return None
        blocks = [block for _label, attached in self._pending for block in attached]
        content: Any = prompt
        if blocks:
            content = blocks + ([{"type": "text", "text": prompt}] if prompt else [])
        labels = self.pending_attachments
        self._pending = []
        self.attachments_label.value = ""
        self.input.value = ""
        self._add_entry(ChatEntry("user", prompt, attachments=labels))
        index = self._add_entry(ChatEntry("assistant", status="streaming"))
        params = {"model": self.model_picker.value} if self.model_picker.value else {}
        self._cancel = cancel = threading.Event()
        self._set_busy(True)
        worker = threading.Thread(
            target=self._stream_reply, args=(content, params, index, cancel),
            name="claude_nb-chat", daemon=True,
        )
        self._worker = worker
        worker.start()
        return worker

    def stop(self) -> None:
        """Stop the reply in flight; its partial text stays, marked stopped."""
        self._cancel.set()
        self.stop_button.disabled = True

    def reset(self) -> None:
        """Clear the transcript and the session's history (the cost totals stay)."""
        if self.busy:
            self.stop()
            self.wait(10)
        self.session.reset()
        self.entries = []
        self._bubbles = []
        self.transcript.children = ()
        self._pending = []
        self.attachments_label.value = ""

    def attach(self, name: str | None = None) -> None:
        """Attach the kernel variable ``name`` (the picker's choice by default)."""
        name = name or self.variable_picker.value
        if not name:
            return
        namespace = self._variables()
        if name not in namespace:
            raise ClaudeNBError(f"no variable named {name!r} in the kernel")
        self._add_pending(name, namespace[name])

    def refresh_variables(self) -> None:
        """List the figures, DataFrames, images and arrays in the kernel in the picker."""
        self.variable_picker.options = attachable_names(self._variables())

    # -- internals -----------------------------------------------------------------------

    def _variables(self) -> Mapping[str, Any]:
        return self._namespace if self._namespace is not None else _user_namespace()

    def _add_pending(self, label: str, value: Any) -> None:
        from claude_nb._content import options_for_model, to_content_blocks

        options = options_for_model(self.model_picker.value or None)
        self._pending.append((label, list(to_content_blocks(value, options=options).blocks)))
        self.attachments_label.value = html.escape("📎 " + ", ".join(self.pending_attachments))

    def _on_upload(self, change: Mapping[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        for uploaded in files:
            self._add_pending(str(uploaded["name"]), bytes(uploaded["content"]))
        self.upload.value = ()

    def _on_system(self, change: Mapping[str, Any]) -> None:
        self.session.system = change["new"] or None

    def _add_entry(self, entry: ChatEntry) -> int:
        import ipywidgets as widgets

        bubble = widgets.HTML(value=entry_html(entry))
        self.entries.append(entry)
        self._bubbles.append(bubble)
        self.transcript.children = (bubble, *self.transcript.children)
        return len(self.entries) - 1

    def _repaint(self, index: int) -> None:
        if index < len(self._bubbles):
            self._bubbles[index].value = entry_html(self.entries[index])

    def _show_error(self, error: BaseException) -> None:
        self._add_entry(ChatEntry("error", error_text(error), status="error"))

    def _guarded(self, handler: Callable[..., Any]) -> Callable[..., None]:
        """Wrap a widget callback so that its errors show in the chat (anti-pattern 8)."""

        def run(*args: Any) -> None:
            try:
                handler(*args)
            except Exception as error:
                self._show_error(error)

        return run

    def _set_busy(self, busy: bool) -> None:
        self.send_button.disabled = busy
        self.stop_button.disabled = not busy
        self.reset_button.disabled = busy
        self.model_picker.disabled = busy

    def _stream_reply(
        self, content: Any, params: dict[str, Any], index: int, cancel: threading.Event
    ) -> None:
        """Run on the worker thread: ask, repaint at a capped rate, render the outcome."""
        entry = self.entries[index]
        throttle = RepaintThrottle(self.repaints_per_second)
        latest: list[Any] = []

        def on_event(snapshot: Any) -> None:
            if cancel.is_set():
                raise StopRequested
            latest[:] = [snapshot]
            if throttle.due():
                copy_snapshot(entry, snapshot)
                self._repaint(index)

        try:
            with self._session_lock:
                if cancel.is_set():
                    raise StopRequested
                reply = self.session.ask(content, stream=True, on_event=on_event, **params)
        except (Exception, KeyboardInterrupt) as error:
            if latest:
                copy_snapshot(entry, latest[0])
            if isinstance(error, KeyboardInterrupt) or cancel.is_set():
                self._mark_stopped(entry)
            else:
                self._mark_failed(entry, error)
        else:
            self._finish(entry, reply)
        finally:
            self._repaint(index)
            self._set_busy(False)

    def _mark_stopped(self, entry: ChatEntry) -> None:
        entry.status = "stopped"
        entry.note = "stopped: partial reply kept" if entry.text else "stopped before any text"

    def _mark_failed(self, entry: ChatEntry, error: BaseException) -> None:
        partial = getattr(error, "partial_text", "") or ""
        entry.text = partial or entry.text
        if entry.text:
            entry.status = "error"
            entry.note = "the reply broke off"
            self._show_error(error)
        else:
            entry.role, entry.status = "error", "error"
            entry.text = error_text(error)

    def _finish(self, entry: ChatEntry, reply: Any) -> None:
        self.last_reply = reply
        entry.text = str(getattr(reply, "text", "") or entry.text)
        entry.tool_calls = tool_calls_of(getattr(reply, "message", None)) or entry.tool_calls
        usage = getattr(reply, "usage", None) or {}
        cost = getattr(reply, "cost", None)
        self.replies += 1
        self.total_cost += cost or 0.0
        label = cost_label(usage, cost, self.total_cost, self.replies)
        self.status.value = f"<span style='font-size:12px;color:#555'>{html.escape(label)}</span>"
        model = getattr(reply, "model", "") or ""
        entry.note = f"{model} · {usage.get('output_tokens') or 0} tokens"
        if getattr(reply, "interrupted", False):
            self._mark_stopped(entry)
        else:
            entry.status = "done"
        error = getattr(reply, "error", None)
        if isinstance(error, BaseException) and not getattr(reply, "interrupted", False):
            self._show_error(error)

    def _load_models(self) -> None:
        """Run on a thread: replace the price-table list by the API's list when reachable."""
        try:
            with self._session_lock:
                models = self.session.list_models()
        except Exception:  # unreachable API: the price table stays (the documented fallback)
            return
        ids = [str(model["id"]) for model in models if isinstance(model, dict) and model.get("id")]
        current = self.model_picker.value
        if ids:
            self.model_picker.options = ids if current in ids or not current else [current, *ids]
            self.model_picker.value = current


def chat(session: ChatSession | None = None, *, new: bool = False) -> ChatWidget:
    """A chat widget bound to the kernel's session, or to a new one with ``new=True``.

    Args:
        session: The session to use (the kernel's by default).
        new: Start a fresh session with its own history.

    Raises:
        ValueError: Both ``session`` and ``new=True`` were given.
    """
    if session is not None and new:
        raise ValueError("pass a session or new=True, not both")
    if session is None:
        from claude_nb._session import Session, get_session

        session = Session() if new else get_session()
    return ChatWidget(session)
