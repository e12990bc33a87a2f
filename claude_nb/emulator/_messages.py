"""``POST /v1/messages`` and ``count_tokens``: from a validated body to an answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from claude_nb._api.estimate import prompt_tokens, segments
from claude_nb._api.models import DEFAULT_CACHE_MIN_TOKENS
from claude_nb.emulator._binding import bind_signatures, check_bindings
from claude_nb.emulator._cache import CacheUsage, PromptCache, plan_breakpoints
from claude_nb.emulator._diagnostics import DiagnosticsLog
from claude_nb.emulator._faults import Fault
from claude_nb.emulator._responders import (
    Responder,
    apply_limits,
    normalise_turn,
    output_tokens,
)
from claude_nb.emulator._server_tools import server_tool_turn
from claude_nb.emulator._sse_writer import (
    Pacing,
    apply_stream_faults,
    encode_events,
    stream_events,
)
from claude_nb.emulator._validate import check_context_window, validate_message_body
from claude_nb.emulator._validate_turns import ThinkingLedger
from claude_nb.emulator._wire import (
    JSON_CONTENT_TYPE,
    SSE_CONTENT_TYPE,
    ApiError,
    EmulatorResponse,
    invalid,
    json_bytes,
)

__all__ = ["count_tokens", "create_message"]

ResponderLike = Responder | Callable[[dict[str, Any]], Any]


def count_tokens(
    body: dict[str, Any], version: str, thinking: ThinkingLedger | None = None
) -> dict[str, Any]:
    """The ``count_tokens`` answer: the documented estimate, no caching."""
    record = validate_message_body(body, version, count_only=True)
    if thinking is not None:
        thinking.check(body["messages"])
    high_res = bool(record.get("high_res_vision"))
    prompt = segments(body, high_res=high_res)
    plan_breakpoints(prompt, body.get("cache_control"))
    return {"input_tokens": prompt_tokens(prompt)}


def _benchmark_turn(headers: dict[str, str]) -> dict[str, Any] | None:
    raw = headers.get("x-emulator-deltas")
    if raw is None:
        return None
    try:
        count = int(raw)
    except ValueError:
        raise invalid("x-emulator-deltas: must be an integer") from None
    if not 1 <= count <= 1_000_000:
        raise invalid("x-emulator-deltas: must be between 1 and 1000000")
    return {"content": [{"type": "text", "text": "tok " * count}], "delta_count": count}


def _respond(responder: ResponderLike, body: dict[str, Any]) -> Any:
    try:
        if isinstance(responder, Responder):
            return responder.respond(body)
        return responder(body)
    except ApiError:
        raise
    except Exception as error:  # a responder bug becomes a 500, not a dead server
        raise ApiError(500, "api_error", f"emulator responder failed: {error!r}") from error


def create_message(
    body: dict[str, Any],
    version: str,
    headers: dict[str, str],
    *,
    context: MessageContext,
) -> EmulatorResponse:
    """Validate, account the cache, ask the responder and shape the answer.

    Args:
        body: The parsed body.
        version: The request's API version.
        headers: Request headers, lower-case names.
        context: The emulator's state and settings for this request.
    """
    body = check_bindings(body, context.namespace)
    record = validate_message_body(body, version)
    context.thinking.check(body["messages"])
    high_res = bool(record.get("high_res_vision"))
    prompt = context.cache.segments(body, high_res=high_res)  # the new turns estimated only
    check_context_window(prompt_tokens(prompt), record)
    points = plan_breakpoints(prompt, body.get("cache_control"))
    message_context = json.dumps(
        [body.get("tool_choice"), body.get("thinking")], sort_keys=True, default=str
    )
    usage_in = context.account(
        prompt,
        points,
        record["id"],
        message_context,
        int(record.get("cache_min_tokens", DEFAULT_CACHE_MIN_TOKENS)),
    )
    turn = (
        _benchmark_turn(headers)
        or server_tool_turn(body, context.new_id)
        or _respond(context.responder, body)
    )
    turn = normalise_turn(turn, lambda: context.new_id("toolu_"))
    turn = apply_limits(turn, body["max_tokens"], body.get("stop_sequences"))
    context.thinking.remember(turn["content"])
    turn["content"] = bind_signatures(turn["content"], body, context.namespace)
    usage: dict[str, Any] = {
        **usage_in.as_usage(),
        "output_tokens": output_tokens(turn["content"]),
        "service_tier": "standard",
    }
    if turn.get("server_tool_use"):
        usage["server_tool_use"] = dict(turn["server_tool_use"])
    message = {
        "id": context.new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": turn["content"],
        "stop_reason": turn["stop_reason"],
        "stop_sequence": turn["stop_sequence"],
        "stop_details": None,
        "container": None,
        "usage": usage,
    }
    diagnostics = context.diagnostics.diagnose(
        body, context.namespace, usage_in.cache_read_input_tokens
    )
    if diagnostics is not None:
        message["diagnostics"] = diagnostics
    context.diagnostics.remember(
        message["id"], body, context.namespace, prompt_tokens(prompt)
    )
    total_in = usage_in.input_tokens + usage_in.cache_creation_input_tokens
    rate_headers = context.rate_headers(total_in, usage["output_tokens"])
    if not body.get("stream"):
        return EmulatorResponse(
            200, [("content-type", JSON_CONTENT_TYPE), *rate_headers], json_bytes(message)
        )
    events = stream_events(message, turn.get("delta_count"), context.seed)
    events = apply_stream_faults(events, context.stream_faults)
    return EmulatorResponse(
        200,
        [("content-type", SSE_CONTENT_TYPE), ("cache-control", "no-cache"), *rate_headers],
        chunks=encode_events(events, context.pacing),
    )


@dataclass(frozen=True)
class MessageContext:
    """What ``create_message`` needs from the emulator (state access behind small methods)."""

    responder: ResponderLike
    cache: PromptCache
    thinking: ThinkingLedger
    diagnostics: DiagnosticsLog
    namespace: str
    now: float
    pacing: Pacing | None
    seed: int
    stream_faults: list[Fault]
    new_id: Callable[[str], str]
    rate_headers: Callable[[int, int], list[tuple[str, str]]]

    def account(
        self,
        prompt: list[Any],
        points: list[Any],
        model_id: str,
        message_context: str,
        min_tokens: int,
    ) -> CacheUsage:
        """Run the cache accounting for this request's key and model."""
        return self.cache.account(
            prompt,
            points,
            namespace=f"{self.namespace}:{model_id}",
            message_context=message_context,
            min_tokens=min_tokens,
            now=self.now,
        )
