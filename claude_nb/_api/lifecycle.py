"""A model's lifecycle as of a date: ``retires_at`` passed means retired, and its successor.

``models.json`` records a ``lifecycle`` (``active``, ``deprecated``, ``retired``) as of its
``prices_as_of`` date and, for a deprecated model, ``retires_at``. The lifecycle in force
is the later of the two: once ``retires_at`` has passed the model is ``retired`` whatever the
record says (``claude-sonnet-4-5`` retired on 2026-11-30). A retired model keeps its prices
(old ledgers and stores still price their calls); a new request to it fails as the service's
does (404 ``not_found_error``), and the client names the successor: the record's
``successor`` or, without one, the newest active model of the same line.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from claude_nb._api.models import catalog, model_ids, model_info

__all__ = ["effective_lifecycle", "is_retired", "retirement_hint", "successor"]


def _timestamp(text: Any) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def effective_lifecycle(record: dict[str, Any], now: float | None = None) -> str:
    """``retired`` once ``retires_at`` has passed (at ``now``, default: the clock); else stated."""
    stated = str(record.get("lifecycle") or "active")
    retires = _timestamp(record.get("retires_at"))
    moment = time.time() if now is None else now
    if retires is not None and moment >= retires:
        return "retired"
    return stated


def is_retired(model: str, now: float | None = None) -> bool:
    """Whether a known model id or alias is retired at ``now`` (unknown models: False)."""
    record = model_info(model)
    return record is not None and effective_lifecycle(record, now) == "retired"


def successor(model: str, now: float | None = None) -> str | None:
    """The model to move to: the record's ``successor``, else the newest active one of its line."""
    record = model_info(model)
    if record is None:
        return None
    named = record.get("successor")
    if isinstance(named, str) and named:
        return named
    by_id = {item["id"]: item for item in catalog()["models"]}
    for candidate in model_ids():  # newest first
        other = by_id[candidate]
        same_line = other.get("line") == record.get("line") and other.get("prices") is not None
        if same_line and effective_lifecycle(other, now) == "active":
            return candidate
    return None


def retirement_hint(model: str, now: float | None = None) -> str | None:
    """``"claude-x was retired on 2026-11-30; use claude-y"`` for a retired model, else None."""
    record = model_info(model)
    if record is None or effective_lifecycle(record, now) != "retired":
        return None
    when = str(record.get("retires_at") or "")[:10]
    said = f"{model} was retired" + (f" on {when}" if when else "")
    after = successor(model, now)
    return said + (f"; use {after} (--model {after})" if after else "")
