"""``Session.map``: one prompt over many items, concurrently or as a Message Batch.

    map(prompt, items)  -> to_items, render (``map_items``: checked before anything is sent)
        -> one one-shot body per item: the session's model and system prompt, no history,
           no tools unless asked, the shared prefix cached (1h TTL for a batch)
        -> batch=False: run_concurrent (``map_run``) -> MapResult
           batch=True:  BatchJob.create (``batch_job``), returned at once

The shared prefix is the system prompt (and tools) plus the text every prompt starts with;
when it is long enough to cache (``plan_cache``'s minimum), it becomes its own text block with
a breakpoint, so every item after the first reads it at a tenth of the price. The rest of
each prompt is never marked (a breakpoint on text no other item shares would only cost the
write premium).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from typing import Any

from claude_nb._accounting.cache_plan import plan_cache
from claude_nb._content.convert import options_for_model
from claude_nb._exceptions import ContentError
from claude_nb._session.batch_job import BatchJob
from claude_nb._session.features import parse_map
from claude_nb._session.map_items import MapPrompt, render, to_items
from claude_nb._session.map_result import MapResult
from claude_nb._session.map_run import (
    CEILING,
    MapProgress,
    Pacer,
    progress_bar,
    run_concurrent,
)
from claude_nb._session.reply import Reply
from claude_nb._session.tool_loop import plan_tools
from claude_nb._types import ContentBlock

Session = Any
"""A ``claude_nb.Session`` (not imported here: ``session.py`` imports this module)."""

__all__ = ["run_map"]


def _shared_prefix(prompts: list[str | list[ContentBlock]]) -> str:
    texts = [prompt for prompt in prompts if isinstance(prompt, str)]
    if len(texts) != len(prompts) or len(texts) < 2:
        return ""
    return os.path.commonprefix(texts)  # noqa: RUF071  # characters, on purpose


def _bodies(
    session: Session,
    prompts: list[str | list[ContentBlock]],
    ttl: str | None,
    params: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One body per prompt, with the shared prefix cached when it pays."""
    params = dict(params)
    params.setdefault("tools", [])
    build = [
        session.prepare_request(prompt, history=False, stream=False, cache=False, **params).body
        for prompt in prompts
    ]
    if not ttl:
        return build
    prefix = _shared_prefix(prompts)
    first = dict(build[0])
    probe = {**first, "messages": [{"role": "user", "content": [{"type": "text", "text": prefix}]}]}
    if not prefix.strip():
        probe["messages"] = []
    plan = plan_cache(probe, ttl=ttl)  # type: ignore[arg-type]
    if not plan.added:
        return build
    marked_prefix = plan.body["messages"][0]["content"][0] if prefix.strip() else None
    bodies = []
    for body, prompt in zip(build, prompts, strict=True):
        body = {**body, **{key: plan.body[key] for key in ("system", "tools") if key in plan.body}}
        if marked_prefix is not None and isinstance(prompt, str):
            rest = prompt[len(prefix) :]
            content = [marked_prefix] + ([{"type": "text", "text": rest}] if rest else [])
            body["messages"] = [{"role": "user", "content": content}]
        bodies.append(body)
    return bodies


_ONE_SHOT = {
    "stream": "a map's calls are not streamed (each answer arrives whole; the bar shows them)",
    "history": "a map's calls are one-shot: the conversation is neither sent nor changed",
}


def _refuse_what_a_map_cannot_do(session: Session, params: dict[str, Any]) -> None:
    """One line for arguments a map cannot honour, before anything is built or sent."""
    for name, why in _ONE_SHOT.items():
        if name in params:
            raise ContentError(f"map takes no {name}=: {why}")
    tools = params.get("tools")
    if tools:
        runs = plan_tools(session.tools, tools).registry.names()
        if runs:
            raise ContentError(
                f"map runs no tool loop, so {', '.join(runs)} would never run: use "
                "ask(..., tools=...) per item, or give tools as plain specs (their tool_use "
                "input is then the answer) or server tools (web_search)"
            )


async def _close_all(pools: list[Any]) -> None:
    for pool in pools:
        await pool.aclose()


def run_map(
    session: Session,
    prompt: MapPrompt,
    items: Any,
    *,
    batch: bool = False,
    concurrency: int | None = None,
    progress: MapProgress | bool | None = None,
    cache: bool | None = None,
    notebook_path: str | None = None,
    **params: Any,
) -> MapResult | BatchJob:
    """See ``Session.map``."""
    if concurrency is not None and (not isinstance(concurrency, int) or concurrency < 1):
        raise ContentError(f"concurrency must be a positive whole number, not {concurrency!r}")
    _refuse_what_a_map_cannot_do(session, params)
    read = to_items(items)
    model = str(params.get("model") or session.settings.model)
    prompts = render(prompt, read, options_for_model(model))
    use_cache = session.cache if cache is None else cache
    ttl = ("1h" if batch else session.cache_ttl) if use_cache else None
    bodies = _bodies(session, prompts, ttl, params)
    if batch:
        output, source = params.get("output"), read.source
        return BatchJob.create(
            session, bodies, read.labels, notebook_path, output=output, source=source
        )
    for body in bodies:  # a refusal (a budget) before anything is sent
        for check in session.before_send:
            check(body)
    started = time.perf_counter()
    clients = session._clients
    shown: MapProgress | None = None
    slots: list[Reply | BaseException | None]
    try:  # the first map loads its bar (a widget) and its pools: a Ctrl-C here sent nothing
        shown = progress_bar(session.map_progress, progress)
        client, pools = clients.paced(min(CEILING, concurrency or CEILING))
    except KeyboardInterrupt:
        slots, interrupted, pacer = [None] * len(bodies), True, Pacer()
    else:
        slots, interrupted, pacer = run_concurrent(
            session,
            client,
            bodies,
            concurrency=concurrency,
            progress=shown,
            close=functools.partial(_close_all, pools),
            start=None if concurrency else clients.learned_pace,
        )
    if concurrency is None and pacer.latency:  # it heard answers: the pace it learned
        clients.learned_pace = pacer.limit
    session._commit([])  # tell on_history (the store) the history is unchanged by the map
    replies = [slot if not isinstance(slot, BaseException) else None for slot in slots]
    failures = {
        position: slot for position, slot in enumerate(slots) if isinstance(slot, BaseException)
    }
    result = MapResult(
        read.labels,
        replies,
        failures,
        source=read.source,
        interrupted=interrupted,  # type: ignore[arg-type]
        elapsed=time.perf_counter() - started,
        peak_concurrency=pacer.peak,
    )
    parse_map(result, params.get("output"))  # output=Model: each answer parsed, or its error
    if shown is not None:
        shown.close(result.summary())
    return result
