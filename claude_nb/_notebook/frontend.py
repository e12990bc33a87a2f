"""What differs between a notebook frontend and terminal IPython, in one place.

* ``is_terminal(shell)``: no kernel behind the shell (``ipython`` in a terminal, or a bare
  ``InteractiveShell``), so nothing renders HTML or widgets; ``is_terminal_app``: terminal
  IPython itself, where ``%claude_chat`` says so (``TERMINAL_CHAT``) instead of printing a
  widget's repr.
* ``ReplyEcho``: a ``%claude`` reply is shown once. The magic streamed it already, so the
  Reply it returns (the cell's value, ``_``) is not shown again: in a kernel the display
  hook for the type publishes nothing; in the terminal the output prompt (``Out[n]:``) is
  not written either for that value, so no empty ``Out[n]:`` follows each reply. ``_``,
  ``Out[n]`` and ``r = %claude ...`` keep the Reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._session.reply import Reply

__all__ = ["TERMINAL_CHAT", "ReplyEcho", "is_terminal", "is_terminal_app"]

TERMINAL_CHAT = (
    "%claude_chat is a widget and needs a notebook frontend (JupyterLab, Notebook 7, VS Code); "
    "in the terminal, use %claude PROMPT"
)

_HOOK_OVERRIDES = ("write_output_prompt", "compute_format_data")


def is_terminal(shell: InteractiveShell | None) -> bool:
    """True when no kernel (so no notebook frontend) is behind ``shell``."""
    return shell is None or getattr(shell, "kernel", None) is None


def is_terminal_app(shell: InteractiveShell | None) -> bool:
    """True in terminal IPython (``TerminalInteractiveShell`` or a subclass of it)."""
    return any(kind.__name__ == "TerminalInteractiveShell" for kind in type(shell).__mro__)


class ReplyEcho:
    """Which Reply this cell already showed, and the display hooks that skip it."""

    def __init__(self, shell: InteractiveShell | None) -> None:
        self.shell = shell
        self._shown: tuple[int, int] | None = None

    def _count(self) -> int:
        return int(getattr(self.shell, "execution_count", 0) or 0)

    def mark(self, reply: Reply) -> None:
        """``reply`` was streamed into this cell's output."""
        self._shown = (id(reply), self._count())

    def already_shown(self, value: object) -> bool:
        """``value`` is the Reply this cell streamed."""
        return self._shown == (id(value), self._count())

    def display(self, reply: Reply) -> None:
        """Show a Reply (IPython display hook for the type), unless this cell already did."""
        if self.already_shown(reply):
            return
        from IPython.display import publish_display_data  # type: ignore[attr-defined]

        from claude_nb._display.render import reply_markdown, reply_plain

        bundle = {"text/markdown": reply_markdown(reply), "text/plain": reply_plain(reply)}
        publish_display_data(bundle)  # type: ignore[no-untyped-call]

    def install(self) -> None:
        """In the terminal, write ``Out[n]:`` only for values that show something."""
        hook = getattr(self.shell, "displayhook", None)
        if hook is None or not is_terminal(self.shell) or "compute_format_data" in vars(hook):
            return
        hook_type = type(hook)

        def write_output_prompt() -> None:
            """Deferred to ``compute_format_data``, which knows the value."""

        def compute_format_data(result: Any) -> Any:
            if not self.already_shown(result):
                hook_type.write_output_prompt(hook)
            return hook_type.compute_format_data(hook, result)

        hook.write_output_prompt = write_output_prompt
        hook.compute_format_data = compute_format_data

    def uninstall(self) -> None:
        """Give the display hook its own methods back (``%unload_ext``)."""
        hook = getattr(self.shell, "displayhook", None)
        for name in _HOOK_OVERRIDES:
            if hook is not None:
                vars(hook).pop(name, None)
