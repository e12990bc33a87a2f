"""``Session``: one conversation with the Messages API, and the ``Reply`` it returns.

    ask(prompt) -> build_request -> MessagesClient.create (retries, SSE, accumulate)
                -> history updated -> Reply -> every ``on_call`` callback (the ledger)

History is the API's own message list. The rules after a failure (docs/ARCHITECTURE.md):
the history never ends on an unanswered user turn. An error leaves it as it was. An
interrupt (KeyboardInterrupt, also raised from ``on_event`` by a Stop button) that had
received text keeps the user turn and the partial text (tool_use and unsigned thinking
blocks are dropped); with no text, the user turn is dropped. Every call, finished or not,
becomes a ``Reply`` passed to ``on_call`` and kept as ``last_reply``.

The httpx client is created on the first request (``import claude_nb`` and ``Session()``
stay free of httpx). Offline, it talks to an in-process ``claude_nb.emulator.Emulator``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from claude_nb._attachments import PreparedRequest, prepare_request
from claude_nb._cache_plan import plan_cache, without_cache_control
from claude_nb._call_tracker import CallTracker
from claude_nb._config import Settings, resolve_settings
from claude_nb._exceptions import APIError
from claude_nb._ledger import Ledger
from claude_nb._reply import Reply, interrupted_turn
from claude_nb._request import build_body, count_tokens_body
from claude_nb._stream import MessageSnapshot
from claude_nb._tool_loop import plan_tools, prepare_ask, run_tool_loop, run_tool_loop_async
from claude_nb._tools import ToolRegistry
from claude_nb._types import CacheTTLTypes, ContentBlock, MessageParam

if TYPE_CHECKING:
    import httpx

    from claude_nb._client import AsyncMessagesClient, CallResult, MessagesClient

__all__ = ["Reply", "Session", "get_session"]

Prompt = str | list[ContentBlock]


class Session:
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
        before_send: Callbacks given each body before it is sent (raising one refuses it).
        last_reply: The latest ``Reply`` (also set for failed and interrupted calls).
        tools: The ``ToolRegistry`` ``ask`` offers and runs (the tool loop, ``_tool_loop``).
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
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        emulator: Any = None,
        environ: Mapping[str, str] | None = None,
        cache: bool = True,
        cache_ttl: CacheTTLTypes = "5m",
    ) -> None:
        arguments = {
            "api_key": api_key,
            "base_url": base_url,
            "model": model,
            "offline": offline,
            "max_tokens": max_tokens,
            "api_version": api_version,
            "max_retries": max_retries,
            "read_timeout": read_timeout,
        }
        self.settings: Settings = resolve_settings(arguments, environ=environ)
        self.system = system
        self.history: list[MessageParam] = []
        self.cache, self.cache_ttl = cache, cache_ttl
        self.ledger = Ledger()
        self.on_call: list[Callable[[Reply], object]] = [self.ledger.record_reply]
        self.before_send: list[Callable[[dict[str, Any]], None]] = []
        self.last_reply: Reply | None = None
        self.tools = ToolRegistry()
        self._emulator = emulator
        self._http_client = http_client
        self._async_http_client = async_http_client
        self._owned: list[Any] = []
        self._client: MessagesClient | None = None
        self._async_client: AsyncMessagesClient | None = None

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
        tools: Any = None,
        **params: Any,
    ) -> PreparedRequest:
        """``build_request``'s body with the report on its content (notes, image tokens).

        ``cache`` (default ``self.cache``): False sends no automatic cache breakpoints; True
        or a TTL places them with ``plan_cache`` on the body (never on ``history``).
        ``tools`` (default ``self.tools``) becomes the ``tools`` field (see ``ask``).
        """
        params = plan_tools(self.tools, tools).params(params)
        build = functools.partial(
            build_body, self.settings, history=self.history if history else (),
            system=self.system, stream=stream, params=params,
        )
        model = params.get("model") or self.settings.model
        prepared = prepare_request(build, prompt, attach, model=model)
        cache = self.cache if cache is None else cache
        if cache:
            ttl = self.cache_ttl if cache is True else cache
            prepared.body = plan_cache(prepared.body, model=model, ttl=ttl).body
        return prepared

    def ask(
        self,
        prompt: Prompt,
        *,
        stream: bool = True,
        history: bool = True,
        on_event: Callable[[MessageSnapshot], None] | None = None,
        attach: Iterable[Any] = (),
        tools: Any = None,
        max_steps: int | None = None,
        approver: Any = None,
        on_tool_event: Callable[[Any], None] | None = None,
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
                returns a ``ToolLoopReply`` (``.steps``; see ``claude_nb._tool_loop``).
            max_steps: API calls the tool loop may make (default 10).
            approver: Asked before each tool call (e.g. ``PromptApprover()``).
            on_tool_event: Called with a ``ToolCallEvent`` as each tool call starts and ends.
            **params: Body fields (``max_tokens``, ``tool_choice``, ``thinking``...).

        Raises:
            APIError: Any failure (``.partial`` holds what arrived); ``last_reply`` has it too.
            KeyboardInterrupt: Re-raised after the partial reply was recorded.
            ContentError: An attachment cannot be sent (nothing was sent).
        """
        prepared, loop = prepare_ask(
            self, prompt, stream, history, attach, tools, params, on_event=on_event,
            on_tool_event=on_tool_event, approver=approver, max_steps=max_steps,
        )
        if loop is not None:
            return run_tool_loop(loop)
        return self._send(prepared.body, on_event, history, prepared.report)

    def _send(
        self, body: dict[str, Any], on_event: Any, history: bool, report: Any = None
    ) -> Reply:
        """One API call: ``before_send`` checks, the request, the history and ``on_call``."""
        tracker = CallTracker(on_event, report)
        for check in self.before_send:
            check(body)
        try:
            result = self._sync_client().create(body, on_event=tracker)
        except (APIError, KeyboardInterrupt) as error:
            self._failed(body, tracker, error, history)
            raise
        return self._finished(body, tracker, result, history)

    async def ask_async(
        self,
        prompt: Prompt,
        *,
        stream: bool = True,
        history: bool = True,
        on_event: Callable[[MessageSnapshot], None] | None = None,
        attach: Iterable[Any] = (),
        tools: Any = None,
        max_steps: int | None = None,
        approver: Any = None,
        on_tool_event: Callable[[Any], None] | None = None,
        **params: Any,
    ) -> Reply:
        """The async twin of ``ask`` (same body, history rules, tool loop and callbacks)."""
        prepared, loop = prepare_ask(
            self, prompt, stream, history, attach, tools, params, on_event=on_event,
            on_tool_event=on_tool_event, approver=approver, max_steps=max_steps,
        )
        if loop is not None:
            return await run_tool_loop_async(loop)
        return await self._send_async(prepared.body, on_event, history, prepared.report)

    async def _send_async(
        self, body: dict[str, Any], on_event: Any, history: bool, report: Any = None
    ) -> Reply:
        """The async twin of ``_send``."""
        tracker = CallTracker(on_event, report)
        for check in self.before_send:
            check(body)
        try:
            result = await self._asynchronous_client().create(body, on_event=tracker)
        except (APIError, KeyboardInterrupt) as error:
            self._failed(body, tracker, error, history)
            raise
        return self._finished(body, tracker, result, history)

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
        self.history.clear()

    def undo(self) -> None:
        """Drop the last exchange: the last user turn and everything after it."""
        for index in range(len(self.history) - 1, -1, -1):
            turn = self.history[index]
            if turn["role"] == "user" and not _is_tool_result(turn):
                del self.history[index:]
                return
        self.history.clear()

    # -- outcomes ----------------------------------------------------------------------

    def _reply(self, body: dict[str, Any], tracker: CallTracker, **fields: Any) -> Reply:
        return Reply(
            request=body,
            offline=self.offline,
            time_to_first_token=tracker.time_to_first_token,
            duration=tracker.elapsed(),
            content_report=tracker.content_report,
            **fields,
        )

    def _finished(
        self,
        body: dict[str, Any],
        tracker: CallTracker,
        result: CallResult[dict[str, Any]],
        history: bool,
    ) -> Reply:
        message = result.value
        if not body.get("stream") and tracker.snapshot.message.get("id") is None:
            tracker.deliver_whole(message)
        if history:
            self.history.append(without_cache_control(body["messages"][-1]))
            self.history.append({"role": "assistant", "content": message.get("content", [])})
        reply = self._reply(
            body,
            tracker,
            message=message,
            model=str(message.get("model") or body["model"]),
            request_id=result.request_id,
            retries=result.retries,
        )
        self._record(reply)
        return reply

    def _failed(
        self, body: dict[str, Any], tracker: CallTracker, error: BaseException, history: bool
    ) -> None:
        interrupted = isinstance(error, KeyboardInterrupt)
        if isinstance(error, APIError):
            partial = error.partial or {}
            retries = error.retries
        else:
            partial = tracker.snapshot.message
            retries = 0
        if interrupted and history:
            turn = interrupted_turn(partial)
            if turn is not None:
                self.history.append(without_cache_control(body["messages"][-1]))
                self.history.append(turn)
        reply = self._reply(
            body,
            tracker,
            message=dict(partial),
            model=str(partial.get("model") or body["model"]),
            request_id=getattr(error, "request_id", None) or tracker.snapshot.request_id,
            retries=retries,
            interrupted=interrupted,
            error=error,
        )
        self._record(reply)

    def _record(self, reply: Reply) -> None:
        self.last_reply = reply
        for callback in list(self.on_call):
            callback(reply)

    # -- clients -----------------------------------------------------------------------

    def _offline_transport(self, asynchronous: bool) -> Any:
        if self._emulator is None:
            from claude_nb.emulator import Emulator

            self._emulator = Emulator(require_key=False)
        return self._emulator.async_transport() if asynchronous else self._emulator.transport()

    def _sync_client(self) -> MessagesClient:
        if self._client is None:
            from claude_nb._client import MessagesClient
            from claude_nb._transport import make_client

            http = self._http_client
            if http is None:
                transport = self._offline_transport(False) if self.offline else None
                http = make_client(self.settings, transport)
                self._owned.append(http)
            self._client = MessagesClient(self.settings, http)
        return self._client

    def _asynchronous_client(self) -> AsyncMessagesClient:
        if self._async_client is None:
            from claude_nb._client import AsyncMessagesClient
            from claude_nb._transport import make_async_client

            http = self._async_http_client
            if http is None:
                transport = self._offline_transport(True) if self.offline else None
                http = make_async_client(self.settings, transport)
                self._owned.append(http)
            self._async_client = AsyncMessagesClient(self.settings, http)
        return self._async_client

    def close(self) -> None:
        """Close the HTTP clients this session created (injected ones are left open)."""
        for http in self._owned:
            if hasattr(http, "close"):
                http.close()
        self._owned = [http for http in self._owned if not hasattr(http, "close")]
        self._client = None

    async def aclose(self) -> None:
        """Close every HTTP client this session created, the async one included."""
        for http in self._owned:
            if hasattr(http, "aclose"):
                await http.aclose()
            else:
                http.close()
        self._owned = []
        self._client = self._async_client = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _is_tool_result(turn: MessageParam) -> bool:
    content = turn["content"]
    return isinstance(content, list) and any(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in content
    )


@functools.lru_cache(maxsize=1)
def _default_session() -> Session:
    return Session()


def get_session() -> Session:
    """The kernel's session inside IPython (from ``ClaudeMagics``), else a default one.

    Outside IPython (or before ``%load_ext claude_nb``) this is a documented, lazily created
    default ``Session()``, the same object on every call; ``_default_session.cache_clear()``
    replaces it.
    """
    if "IPython" in sys.modules:
        from IPython import get_ipython

        shell = get_ipython()
        magics = shell.magics_manager.registry.get("ClaudeMagics") if shell else None
        session = getattr(magics, "session", None)
        if isinstance(session, Session):
            return session
    return _default_session()
