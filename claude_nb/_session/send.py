"""One API call of a ``Session``: checks, the request, the history and the callbacks.

    _send(body) -> _check: the context window (a request far past it is refused), every
                   before_send check (may refuse) -> client.create (retries, SSE)
        finished    -> _commit(request's last message, reply)      -> Reply -> on_call
        failed      -> error: history unchanged; interrupt (Ctrl-C, a cancelled task):
                       _commit(prompt, text) or nothing
                    -> Reply (error, interrupted, partial message) -> on_call -> re-raised

``Session.ask`` sends a plain question with one ``_send``; the tool loop (``tool_loop.py``)
sends every step through it with ``history=False`` and commits its closed exchange once.
``_send_async`` is the async twin; only the client call differs. Every history change goes
through ``_commit``, which tells the ``on_history`` callbacks (the store) what was kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from claude_nb._api.context_window import context_overflow
from claude_nb._api.estimate import text_tokens
from claude_nb._api.history import HistoryChange, text_only_turn, without_cache_control
from claude_nb._api.redact import redact_value, secrets_of
from claude_nb._api.segment_memo import SegmentMemo
from claude_nb._config import Settings
from claude_nb._exceptions import APIError, ContentError, is_interrupt
from claude_nb._session.call_tracker import CallTracker
from claude_nb._session.files import FilePaths
from claude_nb._session.prefix_guard import PrefixPaths
from claude_nb._session.reply import Reply
from claude_nb._types import MessageParam

if TYPE_CHECKING:
    from claude_nb._accounting.ledger import Ledger
    from claude_nb._content.attach import ContentReport
    from claude_nb._session.clients import SessionClients
    from claude_nb._wire.client import CallResult
    from claude_nb._wire.stream import MessageSnapshot

__all__ = ["SendPaths", "delivered_output_tokens"]


def delivered_output_tokens(partial: Mapping[str, Any]) -> int | None:
    """The estimated output tokens of a stopped call's delivered content, or None.

    None when its usage (the stream's count before the final ``message_delta``) says as
    many or more. The output was billed as far as it was generated, so a stopped call
    records at least what it delivered (``_api.estimate.text_tokens`` of its text,
    thinking and tool input), marked estimated, rather than ``1 out · $0.0000``.
    """
    pieces = []
    for block in partial.get("content") or []:
        for key in ("text", "thinking"):
            if isinstance(block.get(key), str):
                pieces.append(block[key])
        if block.get("type") in ("tool_use", "server_tool_use") and block.get("input"):
            pieces.append(json.dumps(block["input"], ensure_ascii=False, default=str))
    estimate = text_tokens("".join(pieces))
    counted = (partial.get("usage") or {}).get("output_tokens") or 0
    return estimate if estimate > counted else None


class SendPaths(FilePaths, PrefixPaths):
    """The call and history-commit methods ``Session`` is built on (a mixin).

    Its bases: the Files API methods (``files.py``) and what a body may resend of the
    conversation (``prefix_guard.py``: bound thinking dropped, cache diagnostics).
    """

    settings: Settings
    history: list[MessageParam]
    before_send: list[Callable[[dict[str, Any]], None]]
    on_call: list[Callable[[Reply], object]]
    on_history: list[Callable[[HistoryChange], object]]
    last_reply: Reply | None
    ledger: Ledger
    _clients: SessionClients
    _segments: SegmentMemo

    def _check(self, body: dict[str, Any]) -> None:
        """Before sending: the context window, then every ``before_send`` check.

        Raises:
            ContentError: The request is clearly past the model's context window (one
                line; the estimate reuses the conversation's ``SegmentMemo``, so this costs
                the new turns only).
        """
        problem = context_overflow(body, memo=self._segments)
        if problem is not None:
            raise ContentError(f"the request cannot be sent: {problem}")
        for check in self.before_send:
            check(body)

    def _send(
        self,
        body: dict[str, Any],
        on_event: Callable[[MessageSnapshot], None] | None,
        history: bool,
        report: ContentReport | None = None,
    ) -> Reply:
        """One API call: ``before_send`` checks, the request, the history and ``on_call``."""
        tracker = CallTracker(on_event, report)
        self._check(body)
        try:
            result = self._clients.sync().create(body, on_event=tracker)
        except (APIError, KeyboardInterrupt) as error:
            self._failed(body, tracker, error, history)
            raise
        return self._finished(body, tracker, result, history)

    async def _send_async(
        self,
        body: dict[str, Any],
        on_event: Callable[[MessageSnapshot], None] | None,
        history: bool,
        report: ContentReport | None = None,
    ) -> Reply:
        """The async twin of ``_send``; a cancelled task counts as an interrupt."""
        import asyncio  # loaded already: this runs on an event loop

        tracker = CallTracker(on_event, report)
        self._check(body)
        try:
            result = await self._clients.asynchronous().create(body, on_event=tracker)
        except (APIError, KeyboardInterrupt, asyncio.CancelledError) as error:
            self._failed(body, tracker, error, history)
            raise
        return self._finished(body, tracker, result, history)

    def _commit(self, turns: Sequence[MessageParam], offset: int | None = None) -> None:
        """Keep ``offset`` messages (default: all), append ``turns``; tell ``on_history``."""
        offset = len(self.history) if offset is None else offset
        turns, _ = redact_value(list(turns), secrets_of(self.settings.api_key))  # tool results
        self.history[offset:] = turns
        change = HistoryChange(offset, list(turns))
        for callback in list(self.on_history):
            callback(change)

    def _reply(self, body: dict[str, Any], tracker: CallTracker, **fields: Any) -> Reply:
        return Reply(
            request=body,
            offline=self.settings.offline or bool(fields.get("replayed")),
            time_to_first_token=tracker.time_to_first_token,
            duration=tracker.elapsed(),
            content_report=tracker.content_report,
            prices=self.ledger.prices,
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
        self._prefix_guard.remember(body, message)
        if not body.get("stream") and tracker.snapshot.message.get("id") is None:
            tracker.deliver_whole(message)
        if history:
            answer: MessageParam = {"role": "assistant", "content": message.get("content", [])}
            self._commit([without_cache_control(body["messages"][-1]), answer])
        reply = self._reply(
            body,
            tracker,
            message=message,
            model=str(message.get("model") or body["model"]),
            request_id=result.request_id,
            retries=result.retries,
            replayed=result.replayed,
        )
        self._record(reply)
        return reply

    def _failed(
        self, body: dict[str, Any], tracker: CallTracker, error: BaseException, history: bool
    ) -> None:
        interrupted = is_interrupt(error)
        if isinstance(error, APIError):
            partial = error.partial or {}
            retries = error.retries
        else:
            partial = tracker.snapshot.message
            retries = 0
        if interrupted and history:
            turn = text_only_turn(partial)
            if turn is not None:
                self._commit([without_cache_control(body["messages"][-1]), turn])
        reply = self._reply(
            body,
            tracker,
            message=dict(partial),
            model=str(partial.get("model") or body["model"]),
            request_id=getattr(error, "request_id", None) or tracker.snapshot.request_id,
            retries=retries,
            interrupted=interrupted,
            error=error,
            estimated_output_tokens=delivered_output_tokens(partial),
        )
        self._record(reply)

    def _record(self, reply: Reply) -> None:
        self.last_reply = reply
        for callback in list(self.on_call):
            callback(reply)
