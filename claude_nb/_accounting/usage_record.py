"""``UsageRecord``: one API call as billed (facts only), made from a ``Reply``.

A record holds time, model, tokens by kind, timings, request id, offline flag, cell, and the
interrupted/error/batch flags; cost and savings are derived from a ``PriceTable`` when asked (by
default ``default_price_table()``: the packaged prices with the user's ``prices.json``). The
``Ledger`` (``_accounting.ledger``) keeps them in order; the store (``_store``) saves them as JSON.
"""

from __future__ import annotations

import time as time_module
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from claude_nb._accounting.pricing import Cost, PriceTable, TokenCounts, cache_savings
from claude_nb._accounting.user_prices import default_price_table

__all__ = ["UsageRecord", "has_usage", "hit_ratio"]

_MAX_ERROR_CHARS = 200


def has_usage(reply: Any) -> bool:
    """Whether a call was billed: it succeeded, or its (partial) message carries usage."""
    message = getattr(reply, "message", None) or {}
    return getattr(reply, "error", None) is None or bool(message.get("usage"))


def hit_ratio(tokens: TokenCounts) -> float | None:
    """Cache read / (cache read + cache write + uncached input); None with no input at all."""
    prompt = tokens.prompt
    return tokens.cache_read / prompt if prompt else None


@dataclass(frozen=True)
class UsageRecord:
    """One API call, as billed.

    Attributes:
        model: The model that answered.
        input_tokens: Uncached input tokens.
        output_tokens: Output tokens.
        cache_write_5m_tokens: Tokens written to the cache with the 5-minute TTL.
        cache_write_1h_tokens: Tokens written to the cache with the 1-hour TTL.
        cache_read_tokens: Tokens read from the cache.
        time: When the call ended (seconds since the epoch).
        time_to_first_token: Seconds to the first streamed content, or None.
        duration: Seconds the call took, or None.
        request_id: The API's request id, or None.
        offline: The offline emulator answered (the cost is simulated).
        cell: The notebook cell it came from (``"In[7]"``), or None.
        interrupted: The call was stopped before it finished.
        error: ``"ErrorClass: message"`` for a failed call, or None.
        batch: The call went through the Message Batches API (half price).
        web_search_requests: Web searches the service ran ($10 per 1,000).
        estimated: ``output_tokens`` is an estimate from the delivered text (a stopped call
            whose final usage never arrived, yet whose output was billed).
    """

    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    cache_read_tokens: int = 0
    time: float = field(default_factory=time_module.time)
    time_to_first_token: float | None = None
    duration: float | None = None
    request_id: str | None = None
    offline: bool = False
    cell: str | None = None
    interrupted: bool = False
    error: str | None = None
    batch: bool = False
    estimated: bool = False
    web_search_requests: int = 0

    @classmethod
    def from_usage(cls, usage: Mapping[str, Any] | None, model: str, **fields: Any) -> UsageRecord:
        """A record from an API ``usage`` object; ``fields`` set the other attributes."""
        tokens = TokenCounts.from_usage(usage)
        return cls(
            model=model,
            input_tokens=tokens.input,
            output_tokens=tokens.output,
            cache_write_5m_tokens=tokens.cache_write_5m,
            cache_write_1h_tokens=tokens.cache_write_1h,
            cache_read_tokens=tokens.cache_read,
            web_search_requests=tokens.web_search_requests,
            **fields,
        )

    @classmethod
    def from_reply(cls, reply: Any, cell: str | None = None, **fields: Any) -> UsageRecord:
        """A record from a ``Reply`` (or anything with the same attributes).

        Reads ``.usage`` (else ``.message["usage"]``: a stopped call's estimate is in
        ``.usage``), ``.model``, ``.request_id``, ``.offline``, ``.time_to_first_token``,
        ``.duration``, ``.interrupted``, ``.error``, ``.batch`` and ``.usage_estimated``;
        ``fields`` (``time``, ``batch``...) override or add.
        """
        message = getattr(reply, "message", None) or {}
        error = getattr(reply, "error", None)
        values: dict[str, Any] = {
            "time_to_first_token": getattr(reply, "time_to_first_token", None),
            "duration": getattr(reply, "duration", None),
            "request_id": getattr(reply, "request_id", None),
            "offline": bool(getattr(reply, "offline", False)),
            "cell": cell,
            "interrupted": bool(getattr(reply, "interrupted", False)),
            "error": _describe_error(error),
            "batch": bool(getattr(reply, "batch", False)),
            "estimated": bool(getattr(reply, "usage_estimated", False)),
        }
        values.update(fields)
        model = getattr(reply, "model", None) or message.get("model") or "unknown"
        usage = getattr(reply, "usage", None)  # a Reply's: a stopped call's estimate included
        if not isinstance(usage, Mapping):
            usage = message.get("usage")
        return cls.from_usage(usage, str(model), **values)

    @property
    def tokens(self) -> TokenCounts:
        """The billed tokens by kind."""
        return TokenCounts(
            input=self.input_tokens,
            output=self.output_tokens,
            cache_write_5m=self.cache_write_5m_tokens,
            cache_write_1h=self.cache_write_1h_tokens,
            cache_read=self.cache_read_tokens,
            web_search_requests=self.web_search_requests,
        )

    def cost(self, table: PriceTable | None = None) -> Cost | None:
        """Dollars by kind, or None when the model is unpriced."""
        return (table or default_price_table()).cost(self.tokens, self.model, batch=self.batch)

    def savings(self, table: PriceTable | None = None) -> float | None:
        """Dollars caching saved on this call (None when unpriced)."""
        prices = table or default_price_table()
        return cache_savings(self.tokens, self.model, batch=self.batch, table=prices)

    def as_dict(self) -> dict[str, Any]:
        """The record's fields as a plain dict (for JSON and SQLite)."""
        return asdict(self)


def _describe_error(error: Any) -> str | None:
    if error is None:
        return None
    if isinstance(error, str):
        return error[:_MAX_ERROR_CHARS]
    text = f"{type(error).__name__}: {error}"
    return text[:_MAX_ERROR_CHARS]
