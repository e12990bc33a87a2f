"""The kernel's accounting behind the magics: cells, budget, persistence, ``%claude_cost``.

One ``Accounting`` lives on the ``ClaudeMagics`` instance (per-kernel state) and hooks into
every ``Session`` the magics create::

    %%claude cell -> with accounting.cell(session, --budget):   ledger.cell = "In[n]"
        Session.ask -> before_send: check_budget(body)            worst case; warn once at
                                                                  80%, refuse past the limit
                    -> on_call: ledger.record_reply (the session's own subscription)
                                after_call: Persistence.record, live cost view repaint
                    -> on_history: after_history: Persistence.record_history

The budget is ``%config ClaudeMagics.budget_usd`` or a cell's ``--budget USD``; offline
(simulated) costs count, so a class rehearsing offline sees what it would spend. A refusal
is one line (``UsageError``) and nothing is sent. ``%claude_cost`` shows the ledger's table
and its chart as a PNG (matplotlib imported only then); ``--live`` shows them with display
ids that ``after_call`` updates after every later call, on the kernel's main thread.
``%claude_cost --compare [MODEL ...]``'s value is ``ledger.compare(...)``, a table with bars.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from IPython.core.error import UsageError

from claude_nb._exceptions import BudgetExceededError, ClaudeNBError

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._accounting.budget import Budget
    from claude_nb._accounting.compare import CostComparison
    from claude_nb._accounting.ledger import Ledger
    from claude_nb._api.history import HistoryChange
    from claude_nb._session.reply import Reply
    from claude_nb._session.session import Session
    from claude_nb._store.persistence import Persistence

__all__ = ["Accounting", "AccountingSettings", "CostView", "session_action"]


class AccountingSettings(Protocol):
    """What ``Accounting`` reads of ``ClaudeMagics``: two traits and the shell."""

    @property
    def shell(self) -> InteractiveShell | None:
        """The IPython shell (for ``In[n]`` and the notebook's path)."""

    @property
    def budget_usd(self) -> float | None:
        """``%config ClaudeMagics.budget_usd``."""

    @property
    def persist(self) -> bool:
        """``%config ClaudeMagics.persist``."""


class CostView:
    """The ``%claude_cost`` output: the ledger's table, then its chart as a PNG.

    A live view repaints the table after every call (cheap at any size). Drawing the chart
    costs with the ledger (a third of a second at 10,000 calls), so a refresh redraws it only
    once the ledger grew 5 % since the last drawing (every call while it is small) or
    ``max(5 s, 20 x`` the last drawing's time) passed; the chart's title says how many calls
    it shows, and ``%claude_cost`` draws it afresh.

    Args:
        ledger: The ledger to show (``refresh`` may pass the session's current one).
        clock: Seconds, monotonic (injectable for tests).
    """

    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.monotonic) -> None:
        self.ledger = ledger
        self.handles: list[Any] = []
        self.refreshes = 0
        self.charts = 0
        """Charts drawn so far."""
        self._clock = clock
        self._drawn_calls = 0
        self._drawn_at = 0.0
        self._draw_seconds = 0.0

    def _table(self) -> dict[str, str]:
        markdown = self.ledger._repr_markdown_()
        return {
            "text/markdown": markdown,
            "text/html": self.ledger._repr_html_(),
            # Terminal IPython shows text/plain: a Markdown table reads well as text.
            "text/plain": self.ledger.markdown(rich=False),
        }

    def _chart(self) -> dict[str, str]:
        from claude_nb._display.chart import cost_chart_png

        started = self._clock()
        png = cost_chart_png(self.ledger)
        self._drawn_at = self._clock()
        self._draw_seconds = self._drawn_at - started
        self._drawn_calls = len(self.ledger)
        self.charts += 1
        return {
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"<cost chart: {len(self.ledger)} calls>",
        }

    def _chart_due(self) -> bool:
        grown = len(self.ledger) - self._drawn_calls
        if grown <= 0:
            return False
        waited = self._clock() - self._drawn_at
        return grown >= max(1, self._drawn_calls // 20) or waited >= max(
            5.0, 20 * self._draw_seconds
        )

    def bundles(self) -> list[dict[str, str]]:
        """The table (Markdown, HTML, plain) and the chart (PNG, plain) as MIME bundles."""
        return [self._table(), self._chart()]

    def show(self, *, live: bool = False) -> None:
        """Display the table and the chart (with display ids when ``live``)."""
        from IPython.display import display

        for bundle in self.bundles():
            handle = display(bundle, raw=True, display_id=live)  # type: ignore[no-untyped-call]
            if live:
                self.handles.append(handle)

    def refresh(self, ledger: Ledger) -> None:
        """Repaint a live view in place: the table always, the chart when it is due."""
        if ledger is not self.ledger:
            self.ledger, self._drawn_calls = ledger, 0
        table, chart = self.handles
        table.update(self._table(), raw=True)
        if self._chart_due():
            chart.update(self._chart(), raw=True)
        self.refreshes += 1


class Accounting:
    """Per-kernel budget, persistence and live cost view for ``ClaudeMagics``.

    Args:
        magics: The ``ClaudeMagics`` instance (its ``budget_usd``, ``persist`` and shell).

    Attributes:
        live: The ``%claude_cost --live`` view being kept up to date, or None.
    """

    def __init__(self, magics: AccountingSettings) -> None:
        self._magics = magics
        self._cell_budget: float | None = None
        self._budgets: dict[float, Budget] = {}
        self._persistence: Persistence | None = None
        self.live: CostView | None = None

    @property
    def persistence(self) -> Persistence:
        """The kernel's ``Persistence`` (created on first use; the store opens later)."""
        if self._persistence is None:
            from claude_nb._store.persistence import Persistence, find_notebook_path

            shell = self._magics.shell
            self._persistence = Persistence(
                notebook_path=lambda: find_notebook_path(getattr(shell, "user_ns", None))
            )
        return self._persistence

    def close(self) -> None:
        """Close the history store (on ``%unload_ext``)."""
        if self._persistence is not None:
            self._persistence.close()

    # -- wiring ------------------------------------------------------------------------
    def attach(self, session: Session) -> None:
        """Hook a session (once): budget check before sending, store and live view after."""
        if any(getattr(hook, "func", None) == self.after_call for hook in session.on_call):
            return
        session.before_send.append(functools.partial(self.check_budget, session))
        session.on_call.append(functools.partial(self.after_call, session))
        session.on_history.append(functools.partial(self.after_history, session))
        from claude_nb._display.map_progress import widget_progress

        session.map_progress = functools.partial(widget_progress, self._magics.shell)

    def adopt(self, new: Session, old: Session) -> None:
        """Carry the ledger over when the magics rebuild the session (connection traits)."""
        from claude_nb._store.persistence import replace_ledger

        replace_ledger(new, old.ledger)

    @contextlib.contextmanager
    def cell(self, session: Session, budget: float | None) -> Iterator[None]:
        """Within a cell: stamp ``In[n]`` on its calls and apply its ``--budget``.

        A budget refusal leaves as a one-line ``UsageError``.
        """
        self.attach(session)
        count = _cell_number(self._magics.shell)
        session.ledger.cell = f"In[{count}]" if count else None
        self._cell_budget = budget
        try:
            yield
        except BudgetExceededError as error:
            raise UsageError(str(error)) from None
        finally:
            self._cell_budget = None
            session.ledger.cell = None

    def check_budget(self, session: Session, body: dict[str, Any]) -> None:
        """Before sending: refuse a call that could pass the budget; warn once at 80%.

        Raises:
            BudgetExceededError: The worst case would take the session past its budget.
            UsageError: The budget is not a positive number.
        """
        limit = self._cell_budget if self._cell_budget is not None else self._magics.budget_usd
        if limit is None:
            return
        from claude_nb._accounting.budget import Budget, worst_case_cost

        if limit not in self._budgets:
            try:
                self._budgets[limit] = Budget(limit)
            except ValueError as error:
                raise UsageError(str(error)) from None
        worst = worst_case_cost(body, table=session.ledger.prices)
        decision = self._budgets[limit].check(session.ledger.total_cost, worst)
        if decision.warn:
            print(f"claude_nb: {decision.message}", file=sys.stderr)

    def after_call(self, session: Session, reply: Reply) -> None:
        """After every call: write it to the store, repaint the live cost view."""
        if self._magics.persist:
            self.persistence.record(reply, session.ledger.cell)
        if self.live is not None:
            try:
                self.live.refresh(session.ledger)
            except Exception as error:  # a chart must never fail the call
                self.live = None
                print(f"claude_nb: the live cost view stopped: {error}", file=sys.stderr)

    def after_history(self, session: Session, change: HistoryChange) -> None:
        """After every change of the history: write what the session kept to the store."""
        if self._magics.persist:
            self.persistence.record_history(change, session.system, session.settings.model)

    # -- magics ------------------------------------------------------------------------
    def show_cost(
        self, session: Session, live: bool = False, compare: list[str] | None = None
    ) -> CostComparison | None:
        """``%claude_cost [--live]``: the table and the chart (kept up to date if live).

        ``--compare [MODEL ...]`` (``compare`` a list, empty for the default models): the
        cell's value is ``session.ledger.compare(...)`` instead, a table with bars.
        """
        if compare is not None:
            return session.ledger.compare(compare or None)
        view = CostView(session.ledger)
        view.show(live=live)
        if live:
            self.live = view
        return None


def _cell_number(shell: InteractiveShell | None) -> int | None:
    """The running cell's ``In[n]`` (IPython 9 counts the next cell while one runs)."""
    result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    count = getattr(result, "execution_count", None)
    return count if isinstance(count, int) else getattr(shell, "execution_count", None)


def session_action(
    accounting: Accounting, session: Session, action: str, words: list[str]
) -> Any:
    """``%claude_session list | resume [ID] | export PATH [ID]``; user mistakes as UsageError.

    Returns:
        What the cell shows: the session table, or the resumed conversation.
    """
    if not accounting._magics.persist:
        raise UsageError("persistence is off: %config ClaudeMagics.persist = True")
    persistence = accounting.persistence
    try:
        if action == "list":
            return persistence.list_sessions()
        if action == "export":
            if not words:
                raise UsageError("usage: %claude_session export PATH.json|PATH.md [ID]")
            target = persistence.export(words[0], words[1] if len(words) > 1 else None)
            print(f"exported to {target}")
            return None
        saved = persistence.resume(session, words[0] if words else None)
    except (KeyError, ValueError) as error:
        raise UsageError(str(error).strip("'\"")) from None
    except (ClaudeNBError, OSError, sqlite3.Error) as error:
        raise UsageError(f"the history store failed: {error}") from None
    from claude_nb._accounting.money import format_usd

    totals = session.ledger.totals()
    cost = format_usd(totals.cost.total, simulated=bool(totals.simulated_cost))
    calls = f"{totals.calls} call{'' if totals.calls == 1 else 's'}"
    print(f"resumed session {saved.id[:8]}: {len(saved.history)} messages, {calls}, {cost}")
    from claude_nb._display.history_view import HistoryView

    return HistoryView(session.history, session.system)
