"""``GET /v1/models`` (paged) and ``GET /v1/models/{id}`` from ``models.json``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from claude_nb._api.lifecycle import is_retired
from claude_nb._api.models import catalog, model_ids, model_info
from claude_nb.emulator._wire import ApiError, invalid

__all__ = ["check_available", "list_models", "retrieve_model"]


def _model_object(record: dict[str, Any]) -> dict[str, Any]:
    thinking = record.get("thinking") or {}
    return {
        "type": "model",
        "id": record["id"],
        "display_name": record.get("display_name", record["id"]),
        "created_at": record.get("created_at", "1970-01-01T00:00:00Z"),
        "max_input_tokens": record.get("max_input_tokens", 0),
        "max_tokens": record.get("max_tokens", 0),
        "lifecycle": record.get("lifecycle", "active"),
        "retires_at": record.get("retires_at"),
        "line": record.get("line"),
        "capabilities": {
            "image_input": {"supported": True},
            "pdf_input": {"supported": True},
            "thinking": {
                "supported": any(thinking.values()),
                "types": {
                    "adaptive": {"supported": bool(thinking.get("adaptive"))},
                    "enabled": {"supported": bool(thinking.get("enabled"))},
                },
            },
        },
    }


def list_models(query: str) -> dict[str, Any]:
    """One page of the model list.

    Args:
        query: The URL query string (``limit``, ``after_id``, ``before_id``).
    """
    params = {key: values[-1] for key, values in parse_qs(query).items()}
    try:
        limit = int(params.get("limit", "20"))
    except ValueError:
        raise invalid("limit: Input should be a valid integer") from None
    if not 1 <= limit <= 1000:
        raise invalid("limit: Input should be between 1 and 1000")
    by_id = {record["id"]: record for record in catalog()["models"]}
    records = [_model_object(by_id[model_id]) for model_id in model_ids()]
    ids = [record["id"] for record in records]
    if "after_id" in params:
        start = _position(ids, params["after_id"]) + 1
        page = records[start : start + limit]
        has_more = start + limit < len(records)
    elif "before_id" in params:
        end = _position(ids, params["before_id"])
        page = records[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        page = records[:limit]
        has_more = limit < len(records)
    return {
        "data": page,
        "has_more": has_more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }


def _position(ids: list[str], model_id: str) -> int:
    record = model_info(model_id)
    if record is None or record["id"] not in ids:
        raise ApiError(404, "not_found_error", f"model: {model_id}")
    return ids.index(record["id"])


def retrieve_model(model_id: str) -> dict[str, Any]:
    """One model object by id or alias (404 ``not_found_error`` otherwise)."""
    record = model_info(model_id)
    if record is None:
        raise ApiError(404, "not_found_error", f"model: {model_id}")
    return _model_object(record)


def check_available(body: dict[str, Any], now: float) -> None:
    """A retired model (``retires_at`` passed) is gone: 404 ``not_found_error``, as the service."""
    model = body.get("model")
    if isinstance(model, str) and is_retired(model, now):
        raise ApiError(404, "not_found_error", f"model: {model}")
