"""Model facts as data: limits, cache minimums, thinking and sampling rules, prices.

The facts live in ``claude_nb/data/models.json`` (dated by its ``prices_as_of`` field) and are
read once, on first use. An unknown model is not an error: ``model_info`` returns None and
callers treat it as "unpriced" with generic limits.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

__all__ = ["DEFAULT_CACHE_MIN_TOKENS", "FLAG_DEFAULTS", "catalog", "model_flag", "model_ids",
           "model_info"]

DEFAULT_CACHE_MIN_TOKENS = 1024
"""Cache minimum used for a model the data file does not know."""

FLAG_DEFAULTS: dict[str, bool] = {
    "prefill": True,
    "system_messages": False,
    "forced_tool_choice": True,
    "sampling_default_only": False,
    "high_res_vision": False,
}
"""Yes/no model facts and their value when a record (or the model) lacks them.

``system_messages``: ``messages`` may hold ``{"role": "system"}`` entries (Fable 5+, Mythos 5+,
Opus 4.8+). ``forced_tool_choice``: ``tool_choice`` ``any``/``tool`` is allowed (not on Opus 5.5
or Sonnet 5.5).
"""


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, Any]:
    """The whole data file (read once; a benign cache of package data)."""
    text = resources.files("claude_nb").joinpath("data/models.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.lru_cache(maxsize=1)
def _by_id() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for record in catalog()["models"]:
        table[record["id"]] = record
        for alias in record.get("aliases", []):
            table[alias] = record
    return table


def model_info(model_id: str) -> dict[str, Any] | None:
    """The record for a model id or alias, or None when the model is unknown."""
    return _by_id().get(model_id)


def model_ids() -> list[str]:
    """Known model ids, newest first (by ``created_at``; the data file's order breaks ties).

    This is the order the Models API lists them in, and so the emulator's ``/v1/models``.
    """
    return [record["id"] for record in _newest_first(catalog()["models"])]


def _newest_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # ISO-8601 UTC stamps sort as text; sorted() is stable, so ties keep the file's order
    return sorted(records, key=lambda record: str(record.get("created_at") or ""), reverse=True)


def model_flag(record: dict[str, Any] | None, name: str) -> bool:
    """A yes/no fact of a model record (``FLAG_DEFAULTS`` when absent or the model is unknown).

    Args:
        record: A record from ``model_info``, or None.
        name: A key of ``FLAG_DEFAULTS``.
    """
    value = (record or {}).get(name, FLAG_DEFAULTS[name])
    return bool(value)
