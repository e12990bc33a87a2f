"""Budgets: what a request could cost before it is sent, and whether to send it.

``worst_case_cost(body)`` prices a request from the documented input estimate
(``claude_nb._api.estimate``, what the emulator bills) plus ``max_tokens`` of output, at the
dearest input rate it could pay (a cache write when it carries ``cache_control``), in the
price band its prompt falls in (by default at ``default_price_table()``: the packaged prices
with the user's ``prices.json``). ``Budget.check(spent, worst_case)`` lets the call go ahead,
warns once when the session could reach 80% of its limit, or raises
``BudgetExceededError`` when it could pass the limit. Offline (simulated) costs count, so a
notebook behaves the same offline and online.

Integration, before each call (the ``Budget`` lives on the per-kernel magics instance)::

    decision = budget.check(ledger.total_cost, worst_case_cost(body))   # may raise
    if decision.warn:
        show(decision.message)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._accounting.pricing import PER_TOKENS, PriceTable
from claude_nb._accounting.user_prices import default_price_table
from claude_nb._api.estimate import estimate_input_tokens
from claude_nb._api.models import model_info
from claude_nb._exceptions import BudgetExceededError

__all__ = ["Budget", "BudgetDecision", "worst_case_cost"]


def _cache_ttls(body: Mapping[str, Any]) -> set[str]:
    """TTLs of every ``cache_control`` in the body (tools, system, messages, top level)."""
    blocks: list[Any] = [body]
    for section in ("tools", "system"):
        value = body.get(section)
        blocks += value if isinstance(value, list) else []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, Mapping) else None
        blocks += content if isinstance(content, list) else []
    return {
        str(block["cache_control"].get("ttl", "5m"))
        for block in blocks
        if isinstance(block, Mapping) and isinstance(block.get("cache_control"), Mapping)
    }


def worst_case_cost(
    body: Mapping[str, Any],
    *,
    model: str | None = None,
    batch: bool = False,
    table: PriceTable | None = None,
) -> float | None:
    """The most a request could cost: its estimated prompt plus ``max_tokens`` of output.

    The prompt is priced at the input rate, or at the write rate of the dearest TTL when the
    request carries ``cache_control`` (a full write is the worst case). None when unpriced.
    """
    model = str(model or body.get("model") or "")
    prices_table = table or default_price_table()
    pricing = prices_table.pricing(model)
    if pricing is None:
        return None
    info = model_info(model) or {}
    prompt = estimate_input_tokens(dict(body), high_res=bool(info.get("high_res_vision")))
    prices = pricing.prices_for(prompt)
    ttls = _cache_ttls(body)
    rates = [prices.input]
    rates += [float(getattr(prices, f"cache_write_{ttl}", prices.input)) for ttl in ttls]
    discount = prices_table.batch_discount if batch else 1.0
    output = int(body.get("max_tokens") or 0)
    return (prompt * max(rates) + output * prices.output) * discount / PER_TOKENS


@dataclass(frozen=True)
class BudgetDecision:
    """What ``Budget.check`` decided for a call that may go ahead.

    Attributes:
        warn: True the one time the session reaches the warning fraction of its budget.
        message: What to show the user ("" when there is nothing to say).
        spent: Dollars already spent.
        worst_case: The call's worst case in dollars, or None when unpriced.
    """

    warn: bool
    message: str
    spent: float
    worst_case: float | None


class Budget:
    """A session's spending limit in dollars (simulated offline costs count too).

    Args:
        limit: The most the session may spend.
        warn_at: The fraction of ``limit`` at which to warn, once.

    Raises:
        ValueError: ``limit`` is not positive or ``warn_at`` not in (0, 1].
    """

    def __init__(self, limit: float, *, warn_at: float = 0.8) -> None:
        if not limit > 0:
            raise ValueError(f"the budget must be more than $0 (got {limit!r})")
        if not 0 < warn_at <= 1:
            raise ValueError(f"warn_at must be in (0, 1] (got {warn_at!r})")
        self.limit = float(limit)
        self.warn_at = warn_at
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return f"Budget({format_usd(self.limit, precise=True)})"

    def check(self, spent: float, worst_case: float | None) -> BudgetDecision:
        """Decide whether a call whose worst case is ``worst_case`` may go ahead.

        Args:
            spent: Dollars spent so far (``ledger.total_cost``).
            worst_case: From ``worst_case_cost``; None (unpriced) warns once and proceeds.

        Raises:
            BudgetExceededError: ``spent + worst_case`` would pass the limit.
        """
        limit = format_usd(self.limit, precise=True)
        if worst_case is None:
            return self._once("unpriced", spent, None, "the model has no known price, so "
                              f"the budget of {limit} cannot be checked for "
                              "this call")
        projected = spent + worst_case
        if projected > self.limit:
            raise BudgetExceededError(
                f"this call could cost up to {format_usd(worst_case)}; with {format_usd(spent)} "
                f"spent that passes the session budget of {limit}. Raise the "
                "budget or lower max_tokens."
            )
        if projected >= self.warn_at * self.limit:
            return self._once("fraction", spent, worst_case, f"{format_usd(spent)} spent; this "
                              f"call could bring the session to {projected / self.limit:.0%} of "
                              f"its {limit} budget")
        return BudgetDecision(False, "", spent, worst_case)

    def _once(self, key: str, spent: float, worst: float | None, message: str) -> BudgetDecision:
        if key in self._warned:
            return BudgetDecision(False, "", spent, worst)
        self._warned.add(key)
        return BudgetDecision(True, message, spent, worst)
