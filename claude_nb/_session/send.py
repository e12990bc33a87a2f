"""One API call of a ``Session``: checks, the request, the history and the callbacks.

    _send(body) -> every before_send check (may refuse) -> client.create (retries, SSE)
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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from claude_nb._api.history import HistoryChange, text_only_turn, without_cache_control
from claude_nb._config import Settings
from claude_nb._exceptions import APIError, is_interrupt
from claude_nb._session.call_tracker import CallTracker
from claude_nb._session.reply import Reply
from claude_nb._types import MessageParam

if TYPE_CHECKING:
    from claude_nb._accounting.ledger import Ledger
    from claude_nb._content.attach import ContentReport
    from claude_nb._session.clients import SessionClients
    from claude_nb._wire.client import CallResult
    from claude_nb._wire.stream import MessageSnapshot

__all__ = ["SendPaths"]


class SendPaths:
    """The call and history-commit methods ``Session`` is built on (a mixin)."""

    settings: Settings
    history: list[MessageParam]
    before_send: list[Callable[[dict[str, Any]], None]]
    on_call: list[Callable[[Reply], object]]
    on_history: list[Callable[[HistoryChange], object]]
    last_reply: Reply | None
    ledger: Ledger
    _clients: SessionClients

    def _send(
        self,
        body: dict[str, Any],
        on_event: Callable[[MessageSnapshot], None] | None,
        history: bool,
        report: ContentReport | None = None,
    ) -> Reply:
        """One API call: ``before_send`` checks, the request, the history and ``on_call``."""
        tracker = CallTracker(on_event, report)
        for check in self.before_send:
            check(body)
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
        for check in self.before_send:
            check(body)
        try:
            result = await self._clients.asynchronous().create(body, on_event=tracker)
        except (APIError, KeyboardInterrupt, asyncio.CancelledError) as error:
            self._failed(body, tracker, error, history)
            raise
        return self._finished(body, tracker, result, history)

    def _commit(self, turns: Sequence[MessageParam], offset: int | None = None) -> None:
        """Keep ``offset`` messages (default: all), append ``turns``; tell ``on_history``."""
        offset = len(self.history) if offset is None else offset
        self.history[offset:] = turns
        change = HistoryChange(offset, list(turns))
        for callback in list(self.on_history):
            callback(change)

    def _reply(self, body: dict[str, Any], tracker: CallTracker, **fields: Any) -> Reply:
        return Reply(
            request=body,
            offline=self.settings.offline,
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
        )
        self._record(reply)

    def _record(self, reply: Reply) -> None:
        self.last_reply = reply
        for callback in list(self.on_call):
            callback(reply)
