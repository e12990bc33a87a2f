"""The chat's attachment row: an image upload and a picker of the kernel's figures and frames.

What is attached is converted to content blocks at once, on the kernel's main thread (the
button and upload callbacks run there, and matplotlib is not thread-safe), with the vision
options of the model picked at that moment. ``take()`` hands the blocks to the next message.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from claude_nb._chat.view import attachable_names
from claude_nb._exceptions import ClaudeNBError

__all__ = ["Attachments"]


def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the notebook extra
        return {}
    shell = get_ipython()
    return dict(shell.user_ns) if shell is not None else {}


class Attachments:
    """Upload, variable picker, refresh, Attach, and the label of what is pending.

    Args:
        namespace: Where the picker looks (the IPython user namespace when None).
        model: Returns the model id the attachments are for (its image limits apply).
        guard: Wraps a callback so that its errors show in the chat.
    """

    def __init__(
        self,
        namespace: Mapping[str, Any] | None,
        model: Callable[[], str | None],
        guard: Callable[[Callable[..., Any]], Callable[..., None]],
    ) -> None:
        import ipywidgets as widgets

        self._namespace = namespace
        self._model = model
        self._pending: list[tuple[str, list[dict[str, Any]]]] = []
        self.upload = widgets.FileUpload(accept="image/*", multiple=True, description="Image file")
        self.variable_picker = widgets.Dropdown(options=[], description="Variable")
        self.refresh_button = widgets.Button(
            icon="refresh", tooltip="Refresh the variable list", layout=widgets.Layout(width="36px")
        )
        self.attach_button = widgets.Button(description="Attach", icon="paperclip")
        # HTML, not Label: a Label typesets "$...$" as LaTeX
        self.label = widgets.HTML(value="")
        for widget, name in (
            (self.upload, "upload"), (self.variable_picker, "variables"),
            (self.refresh_button, "refresh"), (self.attach_button, "attach"),
            (self.label, "attachments"),
        ):
            widget.add_class(f"cnb-{name}")
        self.view = widgets.HBox([
            self.upload, self.variable_picker, self.refresh_button, self.attach_button, self.label,
        ])
        self.attach_button.on_click(guard(lambda _button: self.attach()))
        self.refresh_button.on_click(guard(lambda _button: self.refresh()))
        self.upload.observe(guard(self._on_upload), names="value")
        self.refresh()

    @property
    def labels(self) -> list[str]:
        """Labels of the attachments the next message will carry."""
        return [label for label, _blocks in self._pending]

    def take(self) -> tuple[list[str], list[dict[str, Any]]]:
        """The pending labels and content blocks, and clear them."""
        labels = self.labels
        blocks = [block for _label, attached in self._pending for block in attached]
        self.clear()
        return labels, blocks

    def clear(self) -> None:
        """Drop what is pending."""
        self._pending = []
        self.label.value = ""

    def attach(self, name: str | None = None) -> None:
        """Attach the kernel variable ``name`` (the picker's choice by default)."""
        name = name or self.variable_picker.value
        if not name:
            return
        namespace = self._variables()
        if name not in namespace:
            raise ClaudeNBError(f"no variable named {name!r} in the kernel")
        self.add(name, namespace[name])

    def refresh(self) -> None:
        """List the figures, DataFrames, images and arrays in the kernel in the picker."""
        self.variable_picker.options = attachable_names(self._variables())

    def add(self, label: str, value: Any) -> None:
        """Convert ``value`` now and keep it for the next message under ``label``."""
        from claude_nb._content.convert import options_for_model, to_content_blocks

        options = options_for_model(self._model())
        self._pending.append((label, list(to_content_blocks(value, options=options).blocks)))
        self.label.value = html.escape("📎 " + ", ".join(self.labels))

    def _variables(self) -> Mapping[str, Any]:
        return self._namespace if self._namespace is not None else _user_namespace()

    def _on_upload(self, change: Mapping[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        for uploaded in files:
            self.add(str(uploaded["name"]), bytes(uploaded["content"]))
        self.upload.value = ()
