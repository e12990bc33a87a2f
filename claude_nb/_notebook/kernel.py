"""The kernel's state, found from Python: ``get_session()`` and ``chat()``.

Per-kernel state lives on the ``ClaudeMagics`` instance IPython keeps
(``shell.magics_manager.registry["ClaudeMagics"]``); these two functions find it there, so
Python code, the chat widget and ``%%claude`` cells share one session and one ledger.
Outside IPython (or before ``%load_ext claude_nb``) ``get_session()`` is a documented, lazily
made default ``Session()``. The chat widget's module (and ipywidgets) loads on the first
``chat()`` only, so ``get_session()`` stays as quick as ``Session()``.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Protocol

from claude_nb._session.session import Session

if TYPE_CHECKING:
    from claude_nb._chat.view import ChatSession
    from claude_nb._chat.widget import ChatWidget

__all__ = ["chat", "get_session"]


class KernelMagics(Protocol):
    """What ``chat()`` uses of the kernel's ``ClaudeMagics``."""

    @property
    def session(self) -> Session:
        """The kernel's session."""

    @property
    def confirm_tools(self) -> bool:
        """``%config ClaudeMagics.confirm_tools``."""

    def new_session(self) -> Session:
        """A new session from the ``%config ClaudeMagics`` traits."""


@functools.lru_cache(maxsize=1)
def _default_session() -> Session:
    return Session()


def get_session() -> Session:
    """The kernel's session inside IPython (from ``ClaudeMagics``), else a default one.

    Outside IPython (or before ``%load_ext claude_nb``) this is a documented, lazily created
    default ``Session()``, the same object on every call; ``_default_session.cache_clear()``
    replaces it.
    """
    session = getattr(_kernel_magics(load=False), "session", None)
    return session if isinstance(session, Session) else _default_session()


def _kernel_magics(*, load: bool) -> KernelMagics | None:
    """The kernel's ``ClaudeMagics`` (``load``: loading the extension if needed), or None.

    None outside IPython, and before ``%load_ext`` unless ``load``.
    """
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return None
    registry = shell.magics_manager.registry
    if load and "ClaudeMagics" not in registry:
        # so that the chat and a later %%claude share one session, one ledger
        shell.extension_manager.load_extension("claude_nb")
    magics: KernelMagics | None = registry.get("ClaudeMagics")
    return magics


def chat(session: ChatSession | None = None, *, new: bool = False) -> ChatWidget:
    """A chat widget bound to the kernel's session, or to a new one with ``new=True``.

    The widget is an ``ipywidgets.VBox``: display it, or put it in any layout
    (``ipywidgets.HBox([claude_nb.chat(), plot])``).

    Inside IPython the kernel's session is the one the magics hold (``get_session()``; the
    extension is loaded if it was not), a new one is made from the ``%config ClaudeMagics``
    traits, and "Confirm tools" follows ``ClaudeMagics.confirm_tools`` until the widget is
    closed (``widget.close()`` cuts that link). ``%claude_chat [--new]`` is the same.

    Args:
        session: The session to use (the kernel's by default).
        new: Start a fresh session with its own history.

    Raises:
        ValueError: Both ``session`` and ``new=True`` were given.
    """
    if session is not None and new:
        raise ValueError("pass a session or new=True, not both")
    from claude_nb._chat.widget import ChatWidget  # ipywidgets: on the first chat only

    magics = _kernel_magics(load=True)
    if session is None and magics is not None:
        session = magics.new_session() if new else magics.session
    elif session is None:
        session = Session() if new else _default_session()
    widget = ChatWidget(session, confirm=magics is not None and magics.confirm_tools)
    if magics is not None:
        import traitlets

        # kept on the widget: its close() unlinks, else the magics would keep it alive
        widget.config_link = traitlets.dlink(
            (magics, "confirm_tools"), (widget.confirm_box, "value")
        )
    return widget
