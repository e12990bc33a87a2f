"""What ``POST /v1/messages/batches`` checks before it accepts a batch (synchronously).

The service checks the batch's own shape when the batch is created: a JSON object with one
key, ``requests``, a list of 1 to 100,000 ``{"custom_id", "params"}`` objects, ``custom_id``
matching ``^[a-zA-Z0-9_-]{1,64}$`` and unique, the body at most 256 MB, and the three things
a batch refuses (``stream: true``, ``speed``, ``max_tokens: 0``). Any of these fails the whole
create with a 400 (413 for the size). Everything else in ``params`` is validated *later*, as
the service does it asynchronously: a request whose params ``/v1/messages`` would refuse
becomes an ``errored`` result carrying that error (see ``_batches``).
"""

from __future__ import annotations

import re
from typing import Any

from claude_nb.emulator._validate import parse_json_body
from claude_nb.emulator._wire import invalid

__all__ = ["CUSTOM_ID", "MAX_REQUESTS", "parse_batch_body"]

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_REQUESTS = 100_000


def parse_batch_body(raw: bytes, max_bytes: int) -> list[tuple[str, dict[str, Any]]]:
    """Decode and check a create body.

    Args:
        raw: The request body.
        max_bytes: The size limit (256 MB for batches).

    Returns:
        The ``(custom_id, params)`` pairs in request order.

    Raises:
        ApiError: 413 ``request_too_large`` or 400 ``invalid_request_error`` naming the field.
    """
    body = parse_json_body(raw, max_bytes)
    for name in body:
        if name != "requests":
            raise invalid(f"{name}: Extra inputs are not permitted")
    items = body.get("requests")
    if "requests" not in body:
        raise invalid("requests: Field required")
    if not isinstance(items, list):
        raise invalid("requests: Input should be a valid list")
    if not items:
        raise invalid("requests: List should have at least 1 item after validation, not 0")
    if len(items) > MAX_REQUESTS:
        raise invalid(
            f"requests: List should have at most {MAX_REQUESTS} items after validation, "
            f"not {len(items)}"
        )
    seen: set[str] = set()
    pairs: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        custom_id, params = _check_item(index, item)
        if custom_id in seen:
            raise invalid(
                f"requests.{index}.custom_id: custom_id {custom_id!r} is used more than once; "
                "each request in a batch needs a unique custom_id"
            )
        seen.add(custom_id)
        pairs.append((custom_id, params))
    return pairs


def _check_item(index: int, item: Any) -> tuple[str, dict[str, Any]]:
    where = f"requests.{index}"
    if not isinstance(item, dict):
        raise invalid(f"{where}: Input should be a valid dictionary")
    for name in item:
        if name not in ("custom_id", "params"):
            raise invalid(f"{where}.{name}: Extra inputs are not permitted")
    if "custom_id" not in item:
        raise invalid(f"{where}.custom_id: Field required")
    custom_id = item["custom_id"]
    if not isinstance(custom_id, str):
        raise invalid(f"{where}.custom_id: Input should be a valid string")
    if not CUSTOM_ID.fullmatch(custom_id):
        raise invalid(f"{where}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
    if "params" not in item:
        raise invalid(f"{where}.params: Field required")
    params = item["params"]
    if not isinstance(params, dict):
        raise invalid(f"{where}.params: Input should be a valid dictionary")
    if params.get("stream") is True:
        raise invalid(f"{where}.params.stream: streaming is not supported in a Message Batch")
    if "speed" in params:
        raise invalid(f"{where}.params.speed: speed is not supported in a Message Batch")
    if params.get("max_tokens") == 0 and not isinstance(params.get("max_tokens"), bool):
        raise invalid(
            f"{where}.params.max_tokens: max_tokens 0 is not supported in a Message Batch"
        )
    return custom_id, params
