"""Run one assistant turn's tool calls and build the ``tool_result`` blocks to send back.

::

    tool_use blocks ──> look up ──> validate ──> approve ──> call ──> result block
                          │            │            │          │
                          └─ unknown ──┴─ invalid ──┴─ denied ─┴─ exception ──> is_error result

Every tool_use block gets exactly one tool_result, in the order of the blocks. Sync tools
run one after another on the calling (main) thread, so they may draw figures and print.
Calls that return an awaitable (``async def`` tools) are started in turn and then awaited
together on a private event loop in a worker thread: ipykernel already runs a loop on the
main thread, so ``asyncio.run`` cannot be used there and nothing patches asyncio. Events
reach ``on_event`` on the calling thread only.

A KeyboardInterrupt (the notebook's stop button) raises ``ToolCallsInterrupted``, a
``KeyboardInterrupt`` whose ``results`` holds a full list: the results known so far and an
``is_error`` "interrupted" result for each call that did not finish, so the caller can close
the history validly before the interrupt propagates.
"""

from __future__ import annotations

import inspect
import json
import os
import queue
import threading
import time
import traceback as traceback_module
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claude_nb._exceptions import ContentError, ToolError
from claude_nb._tools.approval import ApprovalRequest, Approver, Denied
from claude_nb._tools.registry import Tool, ToolRegistry
from claude_nb._tools.render import ToolCallEvent
from claude_nb._types import ContentBlock

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "NO_OUTPUT",
    "ToolCallsInterrupted",
    "execute_tool_calls",
    "format_result",
    "tool_use_blocks",
]

DEFAULT_MAX_RESULT_CHARS = 20_000
"""Results longer than this many characters are cut, with a visible notice."""

NO_OUTPUT = "(no output)"
_SUMMARY_CHARS = 300
_POLL_SECONDS = 0.05
_SETTLE_SECONDS = 5.0

EventCallback = Callable[[ToolCallEvent], None]


class ToolCallsInterrupted(KeyboardInterrupt):
    """The user interrupted the tool calls; ``results`` answers every tool_use block.

    A ``KeyboardInterrupt``, so it stops the cell like any interrupt, and not a
    ``ClaudeNBError``: nothing went wrong.

    Attributes:
        results: One tool_result block per tool_use block, in order; calls that did not
            finish have an ``is_error`` "interrupted" result.
    """

    def __init__(self, results: list[ContentBlock]) -> None:
        super().__init__("tool calls interrupted")
        self.results = results


def tool_use_blocks(message_or_blocks: Mapping[str, Any] | Sequence[Any]) -> list[ContentBlock]:
    """The ``tool_use`` blocks of a message dict (or of a list of content blocks), in order."""
    if isinstance(message_or_blocks, Mapping):
        blocks = message_or_blocks.get("content") or []
    else:
        blocks = message_or_blocks
    if isinstance(blocks, str):
        return []
    return [
        dict(block)
        for block in blocks
        if isinstance(block, Mapping) and block.get("type") == "tool_use"
    ]


def execute_tool_calls(
    message_or_blocks: Mapping[str, Any] | Sequence[Any],
    registry: ToolRegistry,
    *,
    approver: Approver | None = None,
    on_event: EventCallback | None = None,
    max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
    traceback: bool = False,
) -> list[ContentBlock]:
    """Run every tool call of an assistant turn and return the tool_result blocks.

    Args:
        message_or_blocks: The assistant message (API shape) or its content blocks.
        registry: Where tool names are looked up (by-name entries resolve now).
        approver: Asked before each call runs; None runs every valid call.
        on_event: Receives a ``ToolCallEvent`` when a call starts and when it ends.
        max_result_chars: Text results are cut to this many characters, with a notice.
        traceback: Put the full traceback in error results instead of one line.

    Returns:
        One ``tool_result`` block per ``tool_use`` block, in the same order; send them
        all back in one user turn.

    Raises:
        ToolCallsInterrupted: On KeyboardInterrupt, after every call has a result.
    """
    batch = _Batch(registry, approver, on_event, max_result_chars, traceback)
    return batch.run(tool_use_blocks(message_or_blocks))


@dataclass
class _Call:
    """One tool_use block on its way to a result."""

    index: int
    tool_use_id: str
    name: str
    arguments: Any
    started: float = 0.0
    pending: Awaitable[Any] | None = None


class _Batch:
    """The state of one ``execute_tool_calls`` run."""

    def __init__(
        self,
        registry: ToolRegistry,
        approver: Approver | None,
        on_event: EventCallback | None,
        max_result_chars: int,
        traceback: bool,
    ) -> None:
        self.registry = registry
        self.approver = approver
        self.on_event = on_event
        self.max_result_chars = max_result_chars
        self.traceback = traceback
        self.approved_all = False
        self.results: list[ContentBlock | None] = []

    def run(self, blocks: list[ContentBlock]) -> list[ContentBlock]:
        calls = [
            _Call(index, str(block.get("id", "")), str(block.get("name", "")), block.get("input"))
            for index, block in enumerate(blocks)
        ]
        self.results = [None] * len(calls)
        try:
            for call in calls:
                self._start(call)
            self._await_pending([call for call in calls if call.pending is not None])
        except KeyboardInterrupt as interrupt:
            for call in calls:
                if inspect.iscoroutine(call.pending):
                    call.pending.close()
                if self.results[call.index] is None:
                    self._fail(call, "Interrupted by the user before the tool finished.")
            raise ToolCallsInterrupted(self._complete()) from interrupt
        return self._complete()

    def _complete(self) -> list[ContentBlock]:
        return [result for result in self.results if result is not None]

    def _emit(self, event: ToolCallEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _event(self, kind: str, call: _Call, **fields: Any) -> ToolCallEvent:
        arguments = call.arguments if isinstance(call.arguments, Mapping) else {}
        return ToolCallEvent(kind, call.tool_use_id, call.name, arguments, call.index, **fields)  # type: ignore[arg-type]

    def _start(self, call: _Call) -> None:
        """Look up, validate, approve and call; an awaitable result is left pending."""
        try:
            found = self.registry.get(call.name)
        except ToolError as exc:
            return self._fail(call, str(exc))
        if found is None:
            known = ", ".join(self.registry.names()) or "(none)"
            return self._fail(call, f"Unknown tool {call.name!r}. Known tools: {known}.")
        problems = found.schema.validate(call.arguments)
        if problems:
            listing = "\n".join(f"- {problem}" for problem in problems)
            return self._fail(call, f"Invalid input for tool {call.name!r}:\n{listing}")
        denial = self._ask(found, call)
        if denial is not None:
            return self._fail(call, denial)
        try:
            positional, keywords = found.schema.bind(call.arguments)
        except (ValueError, TypeError) as exc:
            return self._fail(call, f"Invalid input for tool {call.name!r}: {exc}")
        self._emit(self._event("start", call))
        call.started = time.perf_counter()
        try:
            value = found.function(*positional, **keywords)
        except Exception as exc:  # any tool failure goes back to the model
            return self._finish(call, error=exc)
        if inspect.isawaitable(value):
            call.pending = value
            return None
        return self._finish(call, value=value)

    def _ask(self, found: Tool, call: _Call) -> str | None:
        """None when the call may run, else the denial text for the model."""
        if self.approver is None or self.approved_all:
            return None
        request = ApprovalRequest(call.name, call.arguments, call.tool_use_id, found.description)
        decision = self.approver(request)
        if isinstance(decision, Denied):
            return decision.reason
        if decision == "approve_all":
            self.approved_all = True
        if decision in ("approve", "approve_all"):
            return None
        return f"The user declined to run the tool {call.name!r}."

    def _fail(self, call: _Call, message: str, duration: float | None = None) -> None:
        """Record an is_error result that never produced a value."""
        self.results[call.index] = _result_block(call.tool_use_id, message, is_error=True)
        self._emit(self._event("end", call, error=message, duration=duration))

    def _finish(
        self, call: _Call, *, value: Any = None, error: BaseException | None = None
    ) -> None:
        """Record the outcome of a call that ran."""
        duration = time.perf_counter() - call.started
        if error is not None:
            return self._fail(call, self._error_text(error), duration)
        content = format_result(value, self.max_result_chars)
        self.results[call.index] = _result_block(call.tool_use_id, content)
        summary = _summary(content)
        self._emit(self._event("end", call, result_summary=summary, duration=duration))
        return None

    def _error_text(self, error: BaseException) -> str:
        if self.traceback:
            lines = traceback_module.format_exception(type(error), error, error.__traceback__)
            return _bounded("".join(lines).rstrip(), self.max_result_chars)
        return _bounded(f"{type(error).__name__}: {error}", self.max_result_chars)

    def _await_pending(self, calls: list[_Call]) -> None:
        """Await the pending calls together on a private loop in a worker thread."""
        if not calls:
            return
        import asyncio  # only when an async tool runs: it costs ~30 ms to import

        finished: queue.Queue[tuple[_Call, Any, BaseException | None]] = queue.Queue()

        async def await_one(call: _Call, awaitable: Awaitable[Any]) -> None:
            try:
                finished.put((call, await awaitable, None))
            except Exception as exc:  # reported as the tool's error
                finished.put((call, None, exc))

        settled = threading.Event()

        async def await_all() -> None:
            try:
                await asyncio.gather(
                    *(await_one(call, call.pending) for call in calls if call.pending is not None)
                )
            finally:  # after a cancel, gather returns once every call has unwound
                settled.set()

        loop = asyncio.new_event_loop()
        worker = threading.Thread(target=loop.run_forever, name="claude_nb-tools", daemon=True)
        worker.start()
        future = asyncio.run_coroutine_threadsafe(await_all(), loop)
        try:
            for _ in calls:
                call, value, error = _next(finished)
                call.pending = None
                self._finish(call, value=value, error=error)
        finally:
            future.cancel()
            settled.wait(timeout=_SETTLE_SECONDS)
            loop.call_soon_threadsafe(loop.stop)
            worker.join()
            loop.close()


def _next(finished: queue.Queue[tuple[_Call, Any, BaseException | None]]) -> Any:
    """The next finished call; polls so that KeyboardInterrupt lands promptly."""
    while True:
        try:
            return finished.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue


def _result_block(
    tool_use_id: str, content: str | list[ContentBlock], *, is_error: bool = False
) -> ContentBlock:
    block: ContentBlock = {"type": "tool_result", "tool_use_id": tool_use_id, "content": content}
    if is_error:
        block["is_error"] = True
    return block


def _bounded(text: str, max_chars: int) -> str:
    """Cut ``text`` to ``max_chars`` with a notice saying how much was left out."""
    if len(text) <= max_chars:
        return text
    notice = f"\n… [truncated: showing {max_chars:,} of {len(text):,} characters]"
    return text[:max_chars] + notice


def format_result(
    value: Any, max_chars: int = DEFAULT_MAX_RESULT_CHARS
) -> str | list[ContentBlock]:
    """A tool's return value as tool_result content.

    str as is; None as ``"(no output)"``; numbers, bools, dicts and lists as JSON;
    figures, images, arrays, image bytes and DataFrames (a bounded Markdown table) through
    ``claude_nb._content.convert.to_content_blocks``; anything else as its ``repr``. Text is cut
    to ``max_chars`` with a visible notice.
    """
    if value is None:
        return NO_OUTPUT
    if isinstance(value, str):
        return _bounded(value, max_chars) if value else "(empty string)"
    if isinstance(value, (bool, int, float, dict, list, tuple)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return _bounded(text, max_chars)
    blocks = _content_blocks(value)
    if blocks is None:
        return _bounded(str(value) if isinstance(value, os.PathLike) else repr(value), max_chars)
    budget = max_chars
    bounded: list[ContentBlock] = []
    for block in blocks:
        if block.get("type") == "text":
            text = _bounded(str(block.get("text", "")), max(budget, 0))
            budget -= len(text)
            block = {**block, "text": text}
        bounded.append(block)
    return bounded


def _content_blocks(value: Any) -> list[ContentBlock] | None:
    """``_content.to_content_blocks(value)``, or None when it refuses the object."""
    from claude_nb._content.convert import to_content_blocks  # lazily: it knows figures and frames

    if isinstance(value, os.PathLike):
        return None  # a returned path is an answer, not a file to upload
    try:
        blocks = to_content_blocks(value)
    except (ContentError, TypeError, ValueError):
        return None
    return list(blocks) or None


def _summary(content: str | list[ContentBlock]) -> str:
    """The start of a result, for the folded call block."""
    if isinstance(content, str):
        text = content
    else:
        text = " ".join(
            str(block.get("text", "")) if block.get("type") == "text" else f"[{block.get('type')}]"
            for block in content
        )
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
