"""Prices as data and the cost of a call (pure, no I/O).

Prices come from ``claude_nb/data/models.json`` (dated by ``prices_as_of``), in USD per
million tokens, for five token kinds: uncached ``input``, ``output``, ``cache_write_5m``,
``cache_write_1h`` and ``cache_read``. A user override of the same shape (``{"models": [{"id":
..., "prices": {...}, "price_bands": [...]}], "batch_discount": ...}``) is merged over the
packaged table, model by model and price by price; reading the user's file
(``CLAUDE_NB_HOME/prices.json``) is ``claude_nb._config.read_price_file``'s job and the
table with it merged is ``claude_nb._accounting.user_prices.default_price_table``; this
module only merges parsed JSON. Here ``table=None`` always means the packaged table.

Rules:

* A price band (``price_bands``: ``above_prompt_tokens`` and ``prices``) bills the *whole*
  request at the band its prompt length falls in; the prompt length is input + cache read +
  cache write tokens (Haiku 5.5 above 100K).
* Batch calls cost ``batch_discount`` (0.5) of every token kind.
* Web searches (``usage.server_tool_use.web_search_requests``) cost $10 per 1,000, on top of
  the tokens (``Cost.web_search``; the batch discount is for tokens only).
* What caching saved on a call (``cache_savings``) is its cost had every prompt token been
  sent as uncached input, minus what it cost (negative while a cache write has not paid off).
* An unknown model, or one with ``"prices": null``, is *unpriced*: ``cost`` returns None,
  never 0 and never an error. Showing it as unknown (and warning once) is the ledger's job.

Budgets (what a request could cost before it is sent) are in ``claude_nb._accounting.budget``.

Typical use::

    table = price_table()                       # packaged prices (cached)
    tokens = TokenCounts.from_usage(reply.message["usage"])
    cost = table.cost(tokens, "claude-sonnet-5-5")   # Cost | None
    cost.total if cost else "unpriced"
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_nb._api.models import catalog
from claude_nb._api.server_tools import WEB_SEARCH_PRICE_PER_1000, web_search_requests

__all__ = [
    "PER_TOKENS",
    "PRICE_KINDS",
    "Cost",
    "ModelPricing",
    "PriceTable",
    "Prices",
    "TokenCounts",
    "UnpricedModelWarning",
    "cache_savings",
    "merge_price_data",
    "price_table",
    "usage_cost",
]

PRICE_KINDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
"""The five token kinds that have a price, in display order."""

PER_TOKENS = 1_000_000
"""Prices are per this many tokens."""


class UnpricedModelWarning(UserWarning):
    """A call used a model with no known price; its cost is shown as unknown."""


@dataclass(frozen=True)
class TokenCounts:
    """Tokens of one call by kind (the numbers that are billed).

    Attributes:
        input: Uncached input tokens (``usage.input_tokens``).
        output: Output tokens.
        cache_write_5m: Tokens written to the cache with the 5-minute TTL.
        cache_write_1h: Tokens written to the cache with the 1-hour TTL.
        cache_read: Tokens read from the cache.
        web_search_requests: Web searches the service ran (billed per search, not per token).
    """

    input: int = 0
    output: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_read: int = 0
    web_search_requests: int = 0

    @classmethod
    def from_usage(cls, usage: Mapping[str, Any] | None) -> TokenCounts:
        """Counts from an API ``usage`` object (missing or null fields count as 0).

        ``cache_creation_input_tokens`` is split by ``cache_creation``; any part it does not
        account for is taken as a 5-minute write (the default TTL).
        """
        if not usage:
            return cls()
        written = _count(usage.get("cache_creation_input_tokens"))
        split = usage.get("cache_creation")
        split = split if isinstance(split, Mapping) else {}
        one_hour = _count(split.get("ephemeral_1h_input_tokens"))
        five_minutes = _count(split.get("ephemeral_5m_input_tokens"))
        five_minutes = max(five_minutes, written - one_hour)
        return cls(
            input=_count(usage.get("input_tokens")),
            output=_count(usage.get("output_tokens")),
            cache_write_5m=five_minutes,
            cache_write_1h=one_hour,
            cache_read=_count(usage.get("cache_read_input_tokens")),
            web_search_requests=web_search_requests(dict(usage)),
        )

    @property
    def cache_write(self) -> int:
        """Tokens written to the cache (both TTLs)."""
        return self.cache_write_5m + self.cache_write_1h

    @property
    def prompt(self) -> int:
        """The whole prompt: input + cache read + cache write (what price bands look at)."""
        return self.input + self.cache_read + self.cache_write

    def __add__(self, other: TokenCounts) -> TokenCounts:
        searches = self.web_search_requests + other.web_search_requests
        return TokenCounts(**_kinds(_sums(self, other)), web_search_requests=searches)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _values(item: Any) -> tuple[Any, ...]:
    return tuple(getattr(item, name) for name in PRICE_KINDS)


def _kinds(values: list[Any]) -> dict[str, Any]:
    return dict(zip(PRICE_KINDS, values, strict=True))


def _sums(left: Any, right: Any) -> list[Any]:
    return [a + b for a, b in zip(_values(left), _values(right), strict=True)]


@dataclass(frozen=True)
class Prices:
    """USD per million tokens for each token kind."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prices:
        """Prices from a ``prices`` object; a missing cache rate follows the standard rule.

        The standard multipliers of the input price: 5m write x1.25, 1h write x2, read x0.1.
        """
        base = float(data["input"])
        defaults = {
            "cache_write_5m": base * 1.25,
            "cache_write_1h": base * 2,
            "cache_read": base / 10,
        }
        values = {name: float(data.get(name, defaults.get(name, 0.0))) for name in PRICE_KINDS}
        values["output"] = float(data["output"])
        return cls(**values)


@dataclass(frozen=True)
class Cost:
    """The dollars of one call (or a sum of calls) by token kind."""

    input: float = 0.0
    output: float = 0.0
    cache_write_5m: float = 0.0
    cache_write_1h: float = 0.0
    cache_read: float = 0.0
    web_search: float = 0.0

    @property
    def cache_write(self) -> float:
        """Dollars for cache writes (both TTLs)."""
        return self.cache_write_5m + self.cache_write_1h

    @property
    def total(self) -> float:
        """Dollars in all (tokens and web searches)."""
        return float(sum(_values(self))) + self.web_search

    def __add__(self, other: Cost) -> Cost:
        return Cost(**_kinds(_sums(self, other)), web_search=self.web_search + other.web_search)


@dataclass(frozen=True)
class ModelPricing:
    """The prices of one model: a base rate and optional prompt-length bands.

    Attributes:
        model: The model id.
        base: Prices for prompts up to the first band.
        bands: ``(above_prompt_tokens, prices)`` pairs, ascending.
    """

    model: str
    base: Prices
    bands: tuple[tuple[int, Prices], ...] = ()

    def prices_for(self, prompt_tokens: int) -> Prices:
        """The prices that bill a request whose whole prompt has ``prompt_tokens`` tokens."""
        chosen = self.base
        for threshold, prices in self.bands:
            if prompt_tokens > threshold:
                chosen = prices
        return chosen

    def cost(self, tokens: TokenCounts, *, batch_discount: float = 1.0) -> Cost:
        """The dollars for ``tokens``, each kind at its (banded) rate, times the discount."""
        prices = self.prices_for(tokens.prompt)
        factor = batch_discount / PER_TOKENS
        pairs = zip(_values(tokens), _values(prices), strict=True)
        searches = tokens.web_search_requests * WEB_SEARCH_PRICE_PER_1000 / 1000
        dollars = [count * rate * factor for count, rate in pairs]
        return Cost(**_kinds(dollars), web_search=searches)


@dataclass(frozen=True)
class PriceTable:
    """Prices of every known model, dated.

    Attributes:
        as_of: The date the prices were checked (``prices_as_of``).
        batch_discount: Factor applied to batch calls (0.5).
        models: Pricing by model id and alias (unpriced models are absent).
    """

    as_of: str
    batch_discount: float
    models: Mapping[str, ModelPricing]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceTable:
        """A table from a parsed ``models.json``-shaped document."""
        models: dict[str, ModelPricing] = {}
        for record in data.get("models", []):
            pricing = _model_pricing(record)
            if pricing is None:
                continue
            for name in (record["id"], *record.get("aliases", ())):
                models[name] = pricing
        return cls(
            as_of=str(data.get("prices_as_of", "unknown")),
            batch_discount=float(data.get("batch_discount", 0.5)),
            models=models,
        )

    def pricing(self, model: str | None) -> ModelPricing | None:
        """The pricing of a model id or alias, or None when it is unpriced."""
        return self.models.get(model) if model else None

    def is_priced(self, model: str | None) -> bool:
        """Whether the table has prices for ``model``."""
        return self.pricing(model) is not None

    def cost(self, tokens: TokenCounts, model: str | None, *, batch: bool = False) -> Cost | None:
        """The cost of a call, or None when the model is unpriced.

        Args:
            tokens: The billed tokens by kind.
            model: The model id (the reply's ``model``).
            batch: The call went through the Message Batches API.
        """
        pricing = self.pricing(model)
        if pricing is None:
            return None
        return pricing.cost(tokens, batch_discount=self.batch_discount if batch else 1.0)


def _model_pricing(record: Mapping[str, Any]) -> ModelPricing | None:
    prices = record.get("prices")
    if not isinstance(prices, Mapping):
        return None
    bands = sorted(
        (int(band["above_prompt_tokens"]), Prices.from_json(band["prices"]))
        for band in record.get("price_bands") or ()
    )
    return ModelPricing(model=str(record["id"]), base=Prices.from_json(prices), bands=tuple(bands))


def merge_price_data(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged over ``base`` (both ``models.json``-shaped), without mutating either.

    Top-level fields replace; models are matched by ``id``: an override's ``prices`` are
    merged key by key (``null`` makes the model unpriced), its ``price_bands`` replace the
    base's, and a model the base does not know is added.
    """
    merged = {key: value for key, value in base.items() if key != "models"}
    merged.update({key: value for key, value in override.items() if key != "models"})
    models = {record["id"]: dict(record) for record in base.get("models", [])}
    for record in override.get("models", []):
        current = models.setdefault(record["id"], {"id": record["id"]})
        for key, value in record.items():
            old = current.get(key)
            if key == "prices" and isinstance(old, Mapping) and isinstance(value, Mapping):
                current[key] = {**old, **value}
            else:
                current[key] = value
    merged["models"] = list(models.values())
    return merged


@functools.lru_cache(maxsize=1)
def _packaged_table() -> PriceTable:
    return PriceTable.from_json(catalog())


def price_table(overrides: Mapping[str, Any] | None = None) -> PriceTable:
    """The packaged price table, or that table with ``overrides`` merged over it.

    Args:
        overrides: Parsed JSON of the ``models.json`` shape (a user file or config value).
    """
    if not overrides:
        return _packaged_table()
    return PriceTable.from_json(merge_price_data(catalog(), overrides))


def usage_cost(
    usage: Mapping[str, Any] | None,
    model: str | None,
    *,
    batch: bool = False,
    table: PriceTable | None = None,
) -> float | None:
    """Dollars for an API ``usage`` object, or None when the model is unpriced.

    This is what ``Reply.cost`` reports. Offline replies are priced the same way: the number
    is what the call would have cost (the caller marks it as simulated).
    """
    cost = (table or price_table()).cost(TokenCounts.from_usage(usage), model, batch=batch)
    return None if cost is None else cost.total


def cache_savings(
    tokens: TokenCounts | Mapping[str, Any],
    model: str | None,
    *,
    batch: bool = False,
    table: PriceTable | None = None,
) -> float | None:
    """Dollars saved by caching on one call, versus sending the whole prompt uncached.

    Args:
        tokens: The call's ``TokenCounts`` or its API ``usage`` object.
        model: The model id; None or unpriced gives None.
        batch: The call was a batch call (both sides get the discount).
        table: The price table (default: the packaged one).

    Returns:
        ``cost without caching - actual cost``: positive when reads saved money, negative when
        a write has not paid for itself yet, None when the model is unpriced.
    """
    counts = tokens if isinstance(tokens, TokenCounts) else TokenCounts.from_usage(tokens)
    prices = table or price_table()
    actual = prices.cost(counts, model, batch=batch)
    uncached = TokenCounts(
        input=counts.prompt, output=counts.output, web_search_requests=counts.web_search_requests
    )
    baseline = prices.cost(uncached, model, batch=batch)
    if actual is None or baseline is None:
        return None
    return baseline.total - actual.total
