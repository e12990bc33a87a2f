"""How an amount of US dollars is written, everywhere claude_nb shows one (pure).

One rule for every table, footer, label, warning and export:

* an unknown amount (an unpriced model) is written ``unpriced``, never ``$0``;
* under one dollar, four decimals, since a single call usually costs a fraction of a cent:
  ``$0.0123``, ``$0.0000``, ``$-0.0020`` (a cache write not yet paid back);
* from one dollar up, cents: ``$1.00``, ``$12.35``;
* an amount the offline emulator ran up is what the call would have cost, marked
  ``(simulated offline)``.

Typical use::

    format_usd(reply.cost)                             # "$0.0123" or "unpriced"
    format_usd(totals.cost.total, simulated=True)      # "$0.0100 (simulated offline)"
    "" if saving is None else format_usd(saving)       # a blank cell rather than "unpriced"
"""

from __future__ import annotations

__all__ = ["SIMULATED", "UNPRICED", "format_usd"]

UNPRICED = "unpriced"
"""What an amount that cannot be known (no price for the model) is written as."""

SIMULATED = "(simulated offline)"
"""The mark of an amount the offline emulator ran up (what the call would have cost)."""


def format_usd(amount: float | None, *, simulated: bool = False) -> str:
    """An amount of US dollars as claude_nb writes it.

    Args:
        amount: Dollars, or None when the model has no price.
        simulated: The amount comes from the offline emulator (adds ``(simulated offline)``).

    Returns:
        ``unpriced`` for None; ``$0.0123`` (four decimals) under one dollar, ``$12.35`` from
        one dollar up; negative amounts keep their sign after the ``$`` (``$-0.0020``).
    """
    if amount is None:
        return UNPRICED
    text = f"${amount:.4f}"
    if abs(float(text[1:])) >= 1:  # rounded to 1 or more: cents are enough
        text = f"${amount:.2f}"
    return f"{text} {SIMULATED}" if simulated else text
