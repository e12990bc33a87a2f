"""The context window, checked on the client's side before sending (pure).

``context_overflow(body)`` is one line saying the request cannot fit, or None. The
estimate (``claude_nb._api.estimate``) is not the real tokenizer, so the request is called
too long only past ``OVERFLOW_MARGIN`` (5 %) over the model's ``max_input_tokens``; closer
calls are left to the service (and the emulator), which answer ``400 invalid_request_error``
"prompt is too long: N tokens > M maximum". An unknown model is not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_nb._api.models import model_flag, model_info
from claude_nb._api.segment_memo import SegmentMemo

__all__ = ["OVERFLOW_MARGIN", "context_limit", "context_overflow"]

OVERFLOW_MARGIN = 1.05
"""A request is refused before sending only when its estimate passes the window by this."""


def context_limit(model: str) -> int | None:
    """The model's ``max_input_tokens``, or None when the model (or its limit) is unknown."""
    record = model_info(model)
    limit = (record or {}).get("max_input_tokens")
    return int(limit) if isinstance(limit, int) and limit > 0 else None


def context_overflow(
    body: Mapping[str, Any], model: str | None = None, *, memo: SegmentMemo | None = None
) -> str | None:
    """One line when the request clearly cannot fit the model's context window, else None.

    Args:
        body: A Messages API request body (tools, system and messages are counted).
        model: The model to check against (default: ``body["model"]``).
        memo: The conversation's ``SegmentMemo``: only messages it has not seen are
            estimated (``Session`` checks every request this way before sending it).
    """
    name = model if model is not None else body.get("model")
    if not isinstance(name, str):
        return None
    limit = context_limit(name)
    if limit is None:
        return None
    high_res = model_flag(model_info(name), "high_res_vision")
    tokens = (SegmentMemo() if memo is None else memo).prompt(dict(body), high_res=high_res).tokens
    if tokens <= limit * OVERFLOW_MARGIN:
        return None
    return (
        f"the prompt is about {tokens:,} tokens, more than {name}'s context window of "
        f"{limit:,}: shorten it, or start a new conversation"
    )
