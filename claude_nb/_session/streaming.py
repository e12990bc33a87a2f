"""``Session.stream``: one call handed out event by event, ``with`` / ``async with``.

    with session.stream(prompt) as s:     # sends, waits for the first event
        for event in s: ...               # {"type": "message_start", "message": {...}}, ...
        for piece in s.text_stream: ...   # the text deltas (str), continuing where it was
    s.final_message(), s.text, s.reply    # the message dict, the text so far, the Reply

The events come from the client's ``stream`` generator (``_wire.client``: the same retries,
decoding and accumulation as ``ask``); the bookkeeping is ``SendPaths``'s (``send.py``):
``before_send`` checks, then ``_finished`` or ``_failed`` (history, ``on_call``, ledger, store),
so a streamed call leaves exactly what ``ask`` would. ``_StreamCall`` is the sans-I/O half
both twins share; ``MessageStream`` and ``AsyncMessageStream`` only pull.

Events before the first content delta (``message_start``, ``content_block_start``, ``ping``)
are held until it (or ``message_stop``) arrives: a failure before any content is retried as
``ask`` retries it, and the retried attempt's events replace the held ones, so every event
handed out belongs to the one attempt that answered. Leaving the ``with`` before the end
closes the response and records an interrupt (the partial text kept, as after Ctrl-C).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING, Any

from claude_nb._exceptions import APIError, is_interrupt
from claude_nb._session.call_tracker import CallTracker
from claude_nb._types import Event

if TYPE_CHECKING:
    from types import TracebackType

    from claude_nb._content.attach import PreparedRequest
    from claude_nb._session.reply import Reply
    from claude_nb._session.send import SendPaths
    from claude_nb._wire.calls import StreamProgress
    from claude_nb._wire.stream import MessageSnapshot

__all__ = ["AsyncMessageStream", "MessageStream", "StreamClosed"]


class StreamClosed(BaseException):
    """``Reply.error`` of a stream left before its end (``break``, an error in the body).

    A ``BaseException`` like ``KeyboardInterrupt``: the call was stopped, not failed, so the
    reply is ``interrupted`` and the history keeps the partial text.
    """


def text_of(event: Event) -> str | None:
    """The text a ``text_delta`` event carries, None for any other event."""
    if event.get("type") != "content_block_delta":
        return None
    delta = event.get("delta") or {}
    return str(delta.get("text") or "") if delta.get("type") == "text_delta" else None


class _StreamCall:
    """What both twins share: the held and ready events, the tracker, the outcome."""

    def __init__(self, paths: SendPaths, prepared: PreparedRequest, history: bool) -> None:
        self.paths, self.body, self.history = paths, prepared.body, history
        self.tracker = CallTracker(None, prepared.report)
        self.progress: StreamProgress | None = None
        self.ready: deque[Event] = deque()
        self.held: list[Event] = []
        self.attempt: MessageSnapshot | None = None
        self.reply: Reply | None = None
        self.error: BaseException | None = None

    def start(self) -> StreamProgress:
        """The ``before_send`` checks, then what the client's generator will fill in."""
        self.paths._check(self.body)
        from claude_nb._wire.calls import StreamProgress  # with httpx: on the first request

        self.progress = StreamProgress()
        return self.progress

    def take(self, snapshot: MessageSnapshot) -> None:
        """One event arrived: hold it until content starts, else make it (and the held) ready."""
        self.tracker(snapshot)
        if snapshot is not self.attempt:  # a retried attempt: the failed one's events go
            self.attempt = snapshot
            self.held.clear()
        if snapshot.started or snapshot.finished:
            self.ready.extend(self.held)
            self.held.clear()
            self.ready.append(snapshot.event)
        else:
            self.held.append(snapshot.event)

    def finish(self) -> None:
        result = self.progress.result if self.progress else None
        assert result is not None  # the client's generator ends only once finished
        self.reply = self.paths._finished(self.body, self.tracker, result, self.history)

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.ready.clear()
        self.paths._failed(self.body, self.tracker, error, self.history)
        self.reply = self.paths.last_reply

    def left_early(self, error: BaseException | None) -> None:
        """The ``with`` ended before the stream did: an interrupt."""
        self.fail(error if is_interrupt(error) and error is not None else StreamClosed())

    def final_message(self) -> dict[str, Any]:
        if isinstance(self.error, Exception):
            raise self.error
        assert self.reply is not None
        return self.reply.message


def _recorded(call: _StreamCall, error: BaseException) -> None:
    """Record a failure the client raised (API errors and interrupts, as ``_send`` does)."""
    if isinstance(error, APIError) or is_interrupt(error):
        call.fail(error)


class _Common:
    """The read-only half of both twins."""

    _call: _StreamCall

    @property
    def text(self) -> str:
        """The text received so far (all text blocks, joined)."""
        return self._call.tracker.snapshot.text

    @property
    def reply(self) -> Reply | None:
        """The ``Reply`` once the stream ended (finished, failed or left), else None."""
        return self._call.reply


class MessageStream(_Common):
    """One streamed call, event by event (``Session.stream``; use it in a ``with``).

    Iterating yields every event as the API's own dict, ``ping`` and unknown types
    included; ``text_stream`` yields only the text deltas. Both read the same events:
    iterating again (or switching between them) continues where the last loop stopped, and
    nothing is replayed. Tools are offered (``tools=``) but never run: ``tool_use`` blocks
    are just events, and the reply ends with ``stop_reason == "tool_use"``.

    Raises (while iterating, or on entering):
        APIError: The same typed errors as ``ask`` (``.partial``; ``session.last_reply``).
    """

    def __init__(self, paths: SendPaths, prepared: PreparedRequest, history: bool) -> None:
        self._call = _StreamCall(paths, prepared, history)
        self._source: Generator[MessageSnapshot, None, None] | None = None

    def __enter__(self) -> MessageStream:
        self._pull()  # sends the request: its errors raise here, as with the SDK
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._call.reply is None:
            if self._source is not None:
                self._source.close()  # closes the HTTP response
            self._call.left_early(error)

    def __iter__(self) -> MessageStream:
        return self

    def __next__(self) -> Event:
        call = self._call
        while not call.ready:
            if call.reply is not None:
                raise StopIteration
            self._pull()
        return call.ready.popleft()

    def _pull(self) -> None:
        call = self._call
        if self._source is None:
            progress = call.start()
            self._source = call.paths._clients.sync().stream(call.body, progress)
        try:
            snapshot = next(self._source)
            call.take(snapshot)
            while snapshot.finished:  # the message is whole: read to the response's end
                snapshot = next(self._source)
                call.take(snapshot)
        except StopIteration:
            call.finish()
        except BaseException as error:
            _recorded(call, error)
            raise

    @property
    def text_stream(self) -> Iterator[str]:
        """The text deltas, as they arrive (other events are consumed and skipped)."""
        for event in self:
            text = text_of(event)
            if text is not None:
                yield text

    def final_message(self) -> dict[str, Any]:
        """The whole message (API shape), reading the rest of the stream first.

        After leaving the ``with`` early: the partial message. After a failure: raises it again.
        """
        for _ in self:
            pass
        return self._call.final_message()


class AsyncMessageStream(_Common):
    """The async twin of ``MessageStream`` (``async with``, ``async for``).

    A cancelled task counts as an interrupt, as with ``ask_async``.
    """

    def __init__(self, paths: SendPaths, prepared: PreparedRequest, history: bool) -> None:
        self._call = _StreamCall(paths, prepared, history)
        self._source: AsyncGenerator[MessageSnapshot, None] | None = None

    async def __aenter__(self) -> AsyncMessageStream:
        await self._pull()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._call.reply is None:
            if self._source is not None:
                await self._source.aclose()
            self._call.left_early(error)

    def __aiter__(self) -> AsyncMessageStream:
        return self

    async def __anext__(self) -> Event:
        call = self._call
        while not call.ready:
            if call.reply is not None:
                raise StopAsyncIteration
            await self._pull()
        return call.ready.popleft()

    async def _pull(self) -> None:
        call = self._call
        if self._source is None:
            progress = call.start()
            self._source = call.paths._clients.asynchronous().stream(call.body, progress)
        try:
            snapshot = await self._source.__anext__()
            call.take(snapshot)
            while snapshot.finished:  # the message is whole: read to the response's end
                snapshot = await self._source.__anext__()
                call.take(snapshot)
        except StopAsyncIteration:
            call.finish()
        except BaseException as error:
            _recorded(call, error)
            raise

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The text deltas, as they arrive (other events are consumed and skipped)."""
        return self._texts()

    async def _texts(self) -> AsyncIterator[str]:
        async for event in self:
            text = text_of(event)
            if text is not None:
                yield text

    async def final_message(self) -> dict[str, Any]:
        """The whole message, reading the rest of the stream first (see ``MessageStream``)."""
        async for _ in self:
            pass
        return self._call.final_message()
