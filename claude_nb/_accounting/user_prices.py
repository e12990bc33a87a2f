"""The price table claude_nb uses by default: the packaged prices with the user's over them.

The README promises that ``CLAUDE_NB_HOME/prices.json`` (same shape as
``claude_nb/data/models.json``) overrides the packaged prices. ``default_price_table`` is
that table, and it is what every default path prices with: a session's ``Ledger``,
``UsageRecord.cost``, ``worst_case_cost`` (the budget), the history ``Store``, a dry run and
``Reply.cost``. The file is read through ``claude_nb._config.read_price_file`` and merged by
``claude_nb._accounting.pricing.price_table`` (which stays pure); the merged table is cached
by the file's path, modification time and size, so it is read once and again only after it
changes. Without the file the table is the packaged one.

Integration::

    ledger = Ledger()                                  # prices=default_price_table()
    Ledger(prices=default_price_table(environ))        # a session's injected environment
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from claude_nb._accounting.pricing import PriceTable, price_table
from claude_nb._config import price_file, read_price_file
from claude_nb._exceptions import ConfigurationError

__all__ = ["default_price_table"]


def default_price_table(environ: Mapping[str, str] | None = None) -> PriceTable:
    """The packaged prices with ``<CLAUDE_NB_HOME>/prices.json`` merged over them, if any.

    Args:
        environ: The environment that names ``CLAUDE_NB_HOME`` (``os.environ`` when None).

    Raises:
        ConfigurationError: The price file cannot be read, is not a JSON object, or does not
            have the shape of ``models.json``.
    """
    path = price_file(environ)
    try:
        stat = path.stat()
    except OSError:
        return price_table()
    return _merged_table(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _merged_table(path: str, mtime_ns: int, size: int) -> PriceTable:
    """The table for one version of one price file (the version is the cache key)."""
    overrides = read_price_file(Path(path))
    try:
        return price_table(overrides)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigurationError(
            f"the price file {path} does not have the shape of claude_nb/data/models.json "
            f'({{"models": [{{"id": ..., "prices": {{"input": ..., "output": ...}}}}]}}): '
            f"{type(error).__name__}: {error}"
        ) from error
