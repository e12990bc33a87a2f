"""The chat's input box: Enter sends, Shift+Enter adds a line.

Stock ipywidgets cannot tell Enter from Shift+Enter in a ``Textarea`` (it has no key events,
and ``Text.on_submit`` is single-line and deprecated), so this one control is a tiny anywidget
ESM: a ``<textarea>`` that syncs ``value`` as you type and sends ``{"event": "submit"}`` on a
plain Enter. Without anywidget installed it falls back to a stock ``Textarea`` (Send button
only). The ESM is inline; there is no build step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["CHAT_INPUT_ESM", "make_chat_input"]

CHAT_INPUT_ESM = """
function render({ model, el }) {
  const area = document.createElement("textarea");
  area.className = "cnb-input-area";
  area.rows = 2;
  area.placeholder = model.get("placeholder");
  area.value = model.get("value");
  area.disabled = model.get("disabled");
  area.style.cssText =
    "width:100%;box-sizing:border-box;font:inherit;resize:vertical;padding:4px 6px;";
  const sync = () => { model.set("value", area.value); model.save_changes(); };
  area.addEventListener("input", sync);
  area.addEventListener("keydown", (event) => {
    event.stopPropagation();  // keep the notebook's own shortcuts out of the chat box
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sync();
      model.send({ event: "submit" });
    }
  });
  model.on("change:value", () => {
    if (area.value !== model.get("value")) area.value = model.get("value");
  });
  model.on("change:disabled", () => { area.disabled = model.get("disabled"); });
  el.style.flex = "1";
  el.appendChild(area);
}
export default { render };
"""


@functools.lru_cache(maxsize=1)
def _anywidget_class() -> type[Any] | None:
    try:
        import anywidget
        import traitlets
    except ImportError:
        return None

    class ChatInput(anywidget.AnyWidget):  # type: ignore[misc]
        """A textarea where Enter sends and Shift+Enter adds a line."""

        _esm = CHAT_INPUT_ESM
        value = traitlets.Unicode("").tag(sync=True)
        placeholder = traitlets.Unicode("").tag(sync=True)
        disabled = traitlets.Bool(False).tag(sync=True)

    return ChatInput


def make_chat_input(on_submit: Callable[[], None], placeholder: str) -> Any:
    """The input widget: the anywidget textarea, or a stock ``Textarea`` without anywidget.

    Args:
        on_submit: Called (on the kernel's main thread) when Enter is pressed.
        placeholder: The grey hint shown while the box is empty.
    """
    cls = _anywidget_class()
    if cls is None:
        import ipywidgets as widgets

        return widgets.Textarea(placeholder=placeholder, rows=2, layout=widgets.Layout(flex="1"))
    box = cls(placeholder=placeholder)

    def handle(_widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            on_submit()

    box.on_msg(handle)
    box.layout.flex = "1"
    return box
