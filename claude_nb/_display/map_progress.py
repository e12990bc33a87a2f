"""``WidgetProgress``: the live bar of ``Session.map`` and ``BatchJob.wait`` in a notebook.

An ipywidgets ``IntProgress`` with a label (done, failed, cost), repainted at most every
``DEFAULT_REPAINT_INTERVAL`` seconds (the one throttle), always on the last update. Outside
a frontend that shows widgets it falls back to the text bar (``_session.map_run``).
"""

from __future__ import annotations

import time
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._display.throttle import DEFAULT_REPAINT_INTERVAL

__all__ = ["WidgetProgress", "widget_progress"]


class WidgetProgress:
    """A progress bar and a label in one ``HBox``, displayed when made."""

    def __init__(self) -> None:
        import ipywidgets
        from IPython.display import display

        self._bar = ipywidgets.IntProgress(value=0, min=0, max=1, bar_style="info")
        self._label = ipywidgets.HTML(value="starting…")
        self.box = ipywidgets.HBox([self._bar, self._label])
        self._painted = 0.0
        display(self.box)  # type: ignore[no-untyped-call]

    def update(self, done: int, failed: int, total: int, cost: float | None) -> None:
        now = time.monotonic()
        if now - self._painted < DEFAULT_REPAINT_INTERVAL and done + failed < total:
            return
        self._painted = now
        self._bar.max = max(total, 1)
        self._bar.value = done + failed
        money = "" if cost is None else f" · {format_usd(cost)}"
        self._label.value = f"{done:,}/{total:,} done · {failed:,} failed{money}"

    def close(self, summary: str) -> None:
        self._bar.bar_style = "success"
        self._label.value = summary


def widget_progress(shell: Any = None) -> Any:
    """A ``WidgetProgress`` in a kernel; None (the text bar) in a terminal or without widgets."""
    if getattr(shell, "kernel", None) is None:
        return None
    try:
        return WidgetProgress()
    except ImportError:
        return None
