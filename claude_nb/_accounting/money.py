"""How an amount of US dollars is written, everywhere claude_nb shows one (pure).

One rule for every table, footer, label, warning and export:

* an unknown amount (an unpriced model) is written ``unpriced``, never ``$0``;
* under one dollar, four decimals, since a single call usually costs a fraction of a cent:
  ``$0.0123``, ``$0.0000``; a negative amount has its sign first, ``-$0.0020``, never ``$-``;
* what caching saved is an amount, ``$0.0063``; what a cache write cost extra (a negative
  saving) is ``+$0.0018 to write``, as the reply footer says it; nothing either way is ``-``
  (``format_saving``);
* from one dollar up, cents: ``$1.00``, ``$12.35``;
* an amount the user set (a budget) is written ``precise``: a small one keeps two
  significant digits, so ``--budget 0.00001`` reads ``$0.00001``, never ``$0.0000``;
* an amount the offline emulator ran up is what the call would have cost, marked
  ``(simulated offline)``.

Typical use::

    format_usd(reply.cost)                             # "$0.0123" or "unpriced"
    format_usd(totals.cost.total, simulated=True)      # "$0.0100 (simulated offline)"
    format_saving(record.savings())                    # "$0.0063", "+$0.0018 to write", "-"
"""

from __future__ import annotations

import math

__all__ = ["SIMULATED", "UNPRICED", "format_saving", "format_usd"]

UNPRICED = "unpriced"
"""What an amount that cannot be known (no price for the model) is written as."""

SIMULATED = "(simulated offline)"
"""The mark of an amount the offline emulator ran up (what the call would have cost)."""


def format_usd(amount: float | None, *, simulated: bool = False, precise: bool = False) -> str:
    """An amount of US dollars as claude_nb writes it.

    Args:
        amount: Dollars, or None when the model has no price.
        simulated: The amount comes from the offline emulator (adds ``(simulated offline)``).
        precise: Under one cent, as many decimals as two significant digits need (at least
            four, trailing zeros past four dropped): for amounts the user typed, e.g. budgets.

    Returns:
        ``unpriced`` for None; ``$0.0123`` (four decimals) under one dollar, ``$12.35`` from
        one dollar up; a negative amount has its sign first (``-$0.0020``).
    """
    if amount is None:
        return UNPRICED
    text = f"${amount:.4f}"
    if precise and 0 < abs(amount) < 0.01 and math.isfinite(amount):
        digits = max(4, 1 - math.floor(math.log10(abs(amount))))
        whole, _, decimals = f"{amount:.{digits}f}".partition(".")
        text = f"${whole}.{decimals.rstrip('0').ljust(4, '0')}"
    if abs(float(text[1:])) >= 1:  # rounded to 1 or more: cents are enough
        text = f"${amount:.2f}"
    if text.startswith("$-"):  # the sign first; a negative that rounds to zero has none
        text = f"-${text[2:]}" if float(text[2:]) else f"${text[2:]}"
    return f"{text} {SIMULATED}" if simulated else text


def format_saving(amount: float | None) -> str:
    """What caching saved on a call, or what its cache write cost extra.

    Args:
        amount: Dollars saved against sending the prompt uncached (negative: a write not yet
            paid back), or None when unpriced.

    Returns:
        ``$0.0063`` saved; ``+$0.0018 to write`` for a negative saving (the footer's words);
        ``-`` when it rounds to nothing; ``""`` when unpriced.
    """
    if amount is None:
        return ""
    if abs(amount) < 0.00005:  # shows as $0.0000: nothing either way
        return "-"
    return format_usd(amount) if amount > 0 else f"+{format_usd(-amount)} to write"
