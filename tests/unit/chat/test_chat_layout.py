"""``claude_nb.chat()`` is a real ipywidgets widget that composes, and loads only when used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from typing import Any

import ipywidgets

import claude_nb
from claude_nb.emulator import Emulator


def test_chat_is_a_dom_widget_that_goes_into_a_layout() -> None:
    widget = claude_nb.chat(new=True)
    assert isinstance(widget, claude_nb.ChatWidget)
    assert isinstance(widget, ipywidgets.DOMWidget)
    row = ipywidgets.HBox([widget, ipywidgets.HTML("a plot")])
    column = ipywidgets.VBox([ipywidgets.Label("title"), row])
    assert row.children[0] is widget and column.children[1] is row
    assert "cnb-chat" in widget._dom_classes
    assert "application/vnd.jupyter.widget-view+json" in widget._repr_mimebundle_()


def test_the_widget_still_chats_inside_a_layout() -> None:
    session = claude_nb.Session(offline=True, emulator=Emulator(require_key=False), environ={})
    widget = claude_nb.chat(session)
    ipywidgets.HBox([widget])
    widget.send_message("hello")
    assert widget.wait(20)
    assert [entry.role for entry in widget.entries] == ["user", "assistant"]
    assert widget.entries[1].status == "done" and widget.entries[1].text


def test_ipywidgets_custom_messages_are_not_chat_messages() -> None:
    session = claude_nb.Session(offline=True, emulator=Emulator(require_key=False), environ={})
    widget = claude_nb.chat(session)
    widget.focus()  # ipywidgets' Widget.send({"do": "focus"}) under the hood
    widget.blur()
    assert widget.entries == [] and not widget.busy and session.history == []


def test_ipywidgets_send_is_untouched_and_send_message_chats() -> None:
    assert claude_nb.ChatWidget.send is ipywidgets.VBox.send  # no override of Widget.send
    session = claude_nb.Session(offline=True, emulator=Emulator(require_key=False), environ={})
    widget = claude_nb.chat(session)
    sent: list[tuple[dict[str, Any], Any]] = []
    widget._send = lambda message, buffers=None: sent.append((message, buffers))
    widget.send({"do": "focus"})  # ipywidgets' custom message, straight to its comm channel
    assert sent == [({"method": "custom", "content": {"do": "focus"}}, None)]
    assert widget.entries == [] and session.history == []
    worker = widget.send_message("hi")
    assert worker is not None and widget.wait(20)
    assert [entry.role for entry in widget.entries] == ["user", "assistant"]
    assert widget.entries[1].status == "done" and session.history[0]["content"] == "hi"


def test_import_load_ext_and_get_session_do_not_load_the_widget_module() -> None:
    script = textwrap.dedent(
        """
        import sys
        import claude_nb
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "claude_nb")
        claude_nb.get_session()
        loaded = {"ipywidgets", "anywidget", "claude_nb._chat.widget"} & set(sys.modules)
        print(sorted(loaded))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


def test_building_the_widget_passes_only_arguments_ipywidgets_knows() -> None:
    """ipywidgets drops an unknown layout or style argument with only a warning (which the
    suite's filters hide for traitlets): every warning raised while building is a fault."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget = claude_nb.chat(new=True)
    assert widget.transcript in widget.children
    assert "auto" in str(widget.transcript.layout.overflow)  # the transcript scrolls
