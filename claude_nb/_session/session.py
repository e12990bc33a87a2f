"""``Session``: one conversation with the Messages API, and the ``Reply`` it returns.

    ask(prompt) -> prepare_request (attachments, tools, cache plan) -> _send (``send.py``:
                before_send checks, MessagesClient.create: retries, SSE, accumulate)
                -> history committed -> Reply -> every ``on_call`` callback (the ledger)

History is the API's own message list. The rules after a failure (docs/ARCHITECTURE.md,
``claude_nb._api.history``): the history never ends on an unanswered user turn. An error leaves
it as it was. An interrupt (KeyboardInterrupt, also raised from ``on_event`` by a Stop button)
that had received text keeps the user turn and the partial text (tool_use and unsigned thinking
blocks are dropped); with no text, the user turn is dropped. Every call, finished or not,
becomes a ``Reply`` passed to ``on_call`` and kept as ``last_reply``; every change to the
history (asks, tool loops, ``undo``, ``reset``) is passed to ``on_history``.

The httpx client is created on the first request (``clients.py``: ``import claude_nb``
and ``Session()`` stay free of httpx). Offline, it talks to an in-process
``claude_nb.emulator.Emulator``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from claude_nb._accounting.cache_plan import plan_cache
from claude_nb._accounting.ledger import Ledger
from claude_nb._accounting.user_prices import default_price_table
from claude_nb._api.history import HistoryChange, undo_point
from claude_nb._api.redact import secrets_of
from claude_nb._api.segment_memo import SegmentMemo
from claude_nb._config import Settings, resolve_settings
from claude_nb._content.attach import PreparedRequest, prepare_request, redact_request
from claude_nb._content.convert import ConvertedContent
from claude_nb._session.clients import SessionClients
from claude_nb._session.dry_run import DryRun, dry_run
from claude_nb._session.features import request_features, with_parsed
from claude_nb._session.reply import Reply
from claude_nb._session.send import SendPaths
from claude_nb._session.streaming import AsyncMessageStream, MessageStream
from claude_nb._session.tool_loop import (
    ToolLoop,
    ToolsArgument,
    plan_tools,
    run_tool_loop,
    run_tool_loop_async,
)
from claude_nb._tools.registry import ToolRegistry
from claude_nb._types import CacheTTLTypes, ContentBlock, MessageParam
from claude_nb._wire.request import build_body, count_tokens_body
from claude_nb._wire.stream import MessageSnapshot

if TYPE_CHECKING:
    from os import PathLike

    from claude_nb._session.batch_job import BatchJob, BatchList
    from claude_nb._session.map_items import MapPrompt
    from claude_nb._session.map_result import MapResult
    from claude_nb._session.map_run import MapProgress
    from claude_nb._tools.approval import Approver
    from claude_nb._tools.render import ToolCallEvent
    from claude_nb._wire.client import MessagesClient
    from claude_nb._wire.transport import AsyncHTTPClient, HTTPClient
    from claude_nb.emulator import Emulator

__all__ = ["Reply", "Session"]

Prompt = str | list[ContentBlock] | ConvertedContent
"""A prompt: text, content blocks, or converted objects (``%%claude`` cells, their notes kept)."""


class Session(SendPaths):
    """A conversation with Claude: settings, history, and the HTTP clients.

    Args:
        api_key: The API key (else ``ANTHROPIC_API_KEY``); never printed or stored elsewhere.
        base_url: The API base URL (else ``ANTHROPIC_BASE_URL``).
        model: The default model (else ``CLAUDE_NB_MODEL``).
        offline: Use the in-process emulator (default: when there is no key and no URL).
        system: The system prompt sent with every request.
        max_tokens: Default ``max_tokens``.
        api_version: The ``anthropic-version`` header (``2023-06-01`` or ``2026-10-21``).
        max_retries: Retries after the first attempt (default 2).
        read_timeout: Seconds without data before a read times out.
        offline_speed: Tokens per second the offline emulator streams at (else
            ``CLAUDE_NB_OFFLINE_SPEED``; None: instant).
        cassette, cassette_mode, cassette_speed: A cassette to record/replay (``_config``).
        http_client: An ``httpx.Client`` to use (tests, proxies); not closed by ``close()``.
        async_http_client: An ``httpx.AsyncClient`` for ``ask_async``; not closed either.
        emulator: The ``Emulator`` to use offline (a fresh one by default).
        environ: The environment mapping to read (``os.environ`` by default).
        cache: Place prompt-cache breakpoints automatically (``ask(..., cache=False)``: once).
        cache_ttl: Their TTL, ``"5m"`` or ``"1h"``.

    Attributes:
        history: The conversation, as the API's message list.
        ledger: Usage and cost of every call (a ``Ledger``, the first ``on_call`` callback).
        on_call: Callbacks given every finished or failed call's ``Reply``.
        on_history: Callbacks given every ``HistoryChange`` (``claude_nb._api.history``): what the
            history kept after an ask, a tool loop, ``undo`` or ``reset``.
        before_send: Callbacks given each body before it is sent (raising one refuses it).
        last_reply: The latest ``Reply`` (also set for failed and interrupted calls).
        tools: The ``ToolRegistry`` ``ask`` offers and runs (the tool loop, ``tool_loop.py``).
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        offline: bool | None = None,
        *,
        system: str | list[ContentBlock] | None = None,
        max_tokens: int | None = None,
        api_version: str | None = None,
        max_retries: int | None = None,
        read_timeout: float | None = None,
        offline_speed: float | None = None,
        cassette: str | PathLike[str] | None = None, cassette_mode: str | None = None,
        cassette_speed: float | None = None,
        http_client: HTTPClient | None = None,
        async_http_client: AsyncHTTPClient | None = None,
        emulator: Emulator | None = None,
        environ: Mapping[str, str] | None = None,
        cache: bool = True,
        cache_ttl: CacheTTLTypes = "5m",
    ) -> None:
        arguments = {
            "api_key": api_key, "base_url": base_url, "model": model, "offline": offline,
            "max_tokens": max_tokens, "api_version": api_version, "max_retries": max_retries,
            "read_timeout": read_timeout, "offline_speed": offline_speed, "cassette": cassette,
            "cassette_mode": cassette_mode, "cassette_speed": cassette_speed,
        }
        self.settings: Settings = resolve_settings(arguments, environ=environ)
        self.system = system
        self.history: list[MessageParam] = []
        self.cache, self.cache_ttl = cache, cache_ttl
        self.ledger = Ledger(prices=default_price_table(environ))
        self.on_call: list[Callable[[Reply], object]] = [self.ledger.record_reply]
        self.on_history: list[Callable[[HistoryChange], object]] = []
        self.before_send: list[Callable[[dict[str, Any]], None]] = []
        self.last_reply: Reply | None = None
        self.tools = ToolRegistry()
        self._segments = SegmentMemo()  # each turn's estimate, reused by later requests
        self._clients = SessionClients(self.settings, emulator, http_client, async_http_client)
        self._environ = environ
        self.map_progress: Callable[[], MapProgress] | None = None  # the notebook's bar

    @property
    def _emulator(self) -> Emulator | None:
        """The emulator offline requests go to (None before the first one)."""
        return self._clients.emulator

    @property
    def offline(self) -> bool:
        """True when requests go to the in-process emulator."""
        return self.settings.offline

    def __repr__(self) -> str:
        where = "offline emulator" if self.offline else self.settings.base_url
        return f"Session(model={self.settings.model!r}, {where}, turns={len(self.history)})"

    # -- requests ----------------------------------------------------------------------

    def build_request(
        self,
        prompt: Prompt | None = None,
        *,
        history: bool = True,
        stream: bool = True,
        attach: Iterable[Any] = (),
        **params: Any,
    ) -> dict[str, Any]:
        """The body ``ask`` would send for this prompt (the same code path; no headers)."""
        return self.prepare_request(
            prompt, history=history, stream=stream, attach=attach, **params
        ).body

    def prepare_request(
        self,
        prompt: Prompt | None = None,
        *,
        history: bool = True,
        stream: bool = True,
        attach: Iterable[Any] = (),
        cache: bool | CacheTTLTypes | None = None,
        tools: ToolsArgument = None,
        **params: Any,
    ) -> PreparedRequest:
        """``build_request``'s body with the report on its content (notes, image tokens).

        ``cache`` (default ``self.cache``): False sends no automatic cache breakpoints; True
        or a TTL places them with ``plan_cache`` on the body (never on ``history``).
        ``tools`` (default ``self.tools``) becomes the ``tools`` field (see ``ask``).
        """
        params, extra = request_features(params, new_turn=prompt is not None)  # features.py
        params = plan_tools(self.tools, tools).params(params)
        key, sent = secrets_of(self.settings.api_key), self._segments.sent  # never the key
        build = functools.partial(
            build_body, self.settings, history=self.history if history else (),
            system=self.system, stream=stream, params=params, sent=sent,
        )
        model = params.get("model") or self.settings.model
        prepared = extra.apply(prepare_request(build, prompt, attach, model=model, memo=sent))
        prepared = self._guard_prefix(redact_request(prepared, key, sent))
        cache = self.cache if cache is None else cache
        if cache:
            ttl = self.cache_ttl if cache is True else cache
            plan = plan_cache(prepared.body, model=model, ttl=ttl, memo=self._segments)
            prepared.body = plan.body
        return prepared

    def ask(
        self,
        prompt: Prompt,
        *,
        stream: bool = True,
        history: bool = True,
        on_event: Callable[[MessageSnapshot], None] | None = None,
        attach: Iterable[Any] = (),
        tools: ToolsArgument = None,
        max_steps: int | None = None,
        approver: Approver | None = None,
        on_tool_event: Callable[[ToolCallEvent], None] | None = None,
        **params: Any,
    ) -> Reply:
        """Send a prompt and return the reply (the history grows unless ``history=False``).

        Args:
            prompt: A string or a list of content blocks.
            stream: Stream the answer (``on_event`` sees every event as it arrives).
            history: Send and record the conversation; False for a one-shot question.
            on_event: Called with the ``MessageSnapshot`` after every event.
            attach: Objects sent before the prompt: matplotlib figures, PIL images, arrays,
                image or PDF bytes, file paths, http(s) URLs, DataFrames.
            tools: Tools to offer and run: None (``self.tools``), registered names,
                functions, raw API specs (dicts, not run), ``[]`` for none. With tools to
                run, the tool loop answers every tool call until the model is done and
                returns a ``ToolLoopReply`` (``.steps``; see ``claude_nb._session.tool_loop``).
            max_steps: API calls the tool loop may make (default 10).
            approver: Asked before each tool call (e.g. ``PromptApprover()``).
            on_tool_event: Called with a ``ToolCallEvent`` as each tool call starts and ends.
            **params: Body fields (``max_tokens``, ``thinking``...); ``output=``, ``cite=``...

        Raises:
            APIError: Any failure (``.partial`` holds what arrived); ``last_reply`` has it too.
            KeyboardInterrupt: Re-raised after the partial reply was recorded.
            ContentError: An attachment cannot be sent (nothing was sent).
        """
        prepared, loop = self._prepare_ask(
            prompt, stream, history, attach, tools, params, on_event=on_event,
            on_tool_event=on_tool_event, approver=approver, max_steps=max_steps,
        )
        if loop is not None:
            reply = run_tool_loop(loop, lambda body: self._send(body, on_event, history=False))
            return with_parsed(reply, params)
        return with_parsed(self._send(prepared.body, on_event, history, prepared.report), params)

    async def ask_async(
        self,
        prompt: Prompt,
        *,
        stream: bool = True,
        history: bool = True,
        on_event: Callable[[MessageSnapshot], None] | None = None,
        attach: Iterable[Any] = (),
        tools: ToolsArgument = None,
        max_steps: int | None = None,
        approver: Approver | None = None,
        on_tool_event: Callable[[ToolCallEvent], None] | None = None,
        **params: Any,
    ) -> Reply:
        """The async twin of ``ask`` (same body, history rules, tool loop and callbacks)."""
        prepared, loop = self._prepare_ask(
            prompt, stream, history, attach, tools, params, on_event=on_event,
            on_tool_event=on_tool_event, approver=approver, max_steps=max_steps,
        )
        if loop is not None:
            return with_parsed(await run_tool_loop_async(
                loop, lambda body: self._send_async(body, on_event, history=False)
            ), params)
        reply = await self._send_async(prepared.body, on_event, history, prepared.report)
        return with_parsed(reply, params)

    def stream(self, prompt: Prompt, *, history: bool = True, **params: Any) -> MessageStream:
        """``with session.stream(prompt) as s:``: the call event by event (``streaming.py``).

        ``for event in s``: the API's event dicts; ``s.text_stream``: the text deltas;
        ``s.final_message()``; ``s.reply``. Params (``attach=`` too), history, ledger and
        errors as ``ask``; ``tools=`` (none by default) are offered, never run.
        """
        return MessageStream(self, self._stream_request(prompt, history, params), history)

    def stream_async(
        self, prompt: Prompt, *, history: bool = True, **params: Any
    ) -> AsyncMessageStream:
        """The async twin of ``stream``: ``async with session.stream_async(prompt) as s:``."""
        return AsyncMessageStream(self, self._stream_request(prompt, history, params), history)

    def _stream_request(
        self, prompt: Prompt, history: bool, params: dict[str, Any]
    ) -> PreparedRequest:
        params.setdefault("tools", ())
        return self.prepare_request(prompt, history=history, stream=True, **params)

    def _prepare_ask(
        self,
        prompt: Prompt,
        stream: bool,
        history: bool,
        attach: Iterable[Any],
        tools: ToolsArgument,
        params: Mapping[str, Any],
        *,
        on_event: Callable[[MessageSnapshot], None] | None,
        on_tool_event: Callable[[ToolCallEvent], None] | None,
        approver: Approver | None,
        max_steps: int | None,
    ) -> tuple[PreparedRequest, ToolLoop | None]:
        """``ask``'s first request, and the tool loop when there are tools to run."""
        plan = plan_tools(self.tools, tools)
        prepared = self.prepare_request(
            prompt, history=history, stream=stream, attach=attach, tools=plan, **params
        )
        if not plan.registry:
            return prepared, None
        rebuild = functools.partial(
            self.prepare_request, None, history=False, stream=stream, tools=plan, **params
        )
        return prepared, ToolLoop(
            prepared, plan.registry, rebuild,
            last_reply=lambda: self.last_reply, commit=self._commit, publish=self._publish,
            history=history, on_event=on_event, on_tool_event=on_tool_event,
            approver=approver, max_steps=max_steps,
        )

    def _publish(self, reply: Reply) -> None:
        self.last_reply = reply

    def map(
        self, prompt: MapPrompt, items: Any, *, batch: bool = False,
        concurrency: int | None = None, **params: Any,
    ) -> MapResult | BatchJob:
        """One prompt over many items: a ``MapResult`` (``BatchJob`` if batch; ``map.py``)."""
        from claude_nb._session.map import run_map  # asyncio and pools load on first use

        return run_map(self, prompt, items, batch=batch, concurrency=concurrency, **params)

    def batches(self, limit: int = 20) -> BatchList:
        """The Message Batches ``map(batch=True)`` saved in the history store, newest first."""
        from claude_nb._session.batch_job import list_batches
        return list_batches(self, limit)

    def resume_batch(self, batch_id: str) -> BatchJob:
        """A stored batch job by id (or prefix), on this session."""
        from claude_nb._session.batch_job import BatchJob
        return BatchJob.resume(batch_id, self)

    def dry_run(self, prompt: Prompt | None = None, **params: Any) -> DryRun:
        """The request ``ask`` would send, unsent: a ``DryRun`` (``.curl()``; ``dry_run.py``)."""
        return dry_run(self, prompt, **params)

    def count_tokens(self, prompt: Prompt | None = None, **params: Any) -> int:
        """Input tokens the prompt (with the history and system prompt) would use."""
        body = count_tokens_body(self.build_request(prompt, stream=False, **params))
        value = self._sync_client().count_tokens(body).value
        return int(value.get("input_tokens", 0)) if isinstance(value, dict) else 0

    def list_models(self) -> list[dict[str, Any]]:
        """Every model the API lists (all pages)."""
        return self._sync_client().list_models()

    # -- history -----------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the conversation (settings and callbacks stay)."""
        self._commit([], 0)

    def undo(self) -> None:
        """Drop the last exchange: the last user turn and everything after it."""
        self._commit([], undo_point(self.history))

    # -- clients -----------------------------------------------------------------------

    def _sync_client(self) -> MessagesClient:
        return self._clients.sync()

    def close(self) -> None:
        """Close the HTTP clients this session created (injected ones are left open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close every HTTP client this session created, the async one included."""
        await self._clients.aclose()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
