"""The sans-I/O step of running one turn's tool calls: checks, approvals, results, events.

``ToolBatch`` plans the calls of an assistant turn, looks each tool up, validates its input,
records the approver's answer, binds the arguments and builds every ``tool_result`` block and
``ToolCallEvent``. It never calls the approver nor a tool: the two executors of
``claude_nb._tools.execute`` do (on the calling thread, or without blocking an event loop),
so both give the same results, in the same order, with the same events::

    batch = ToolBatch(blocks, registry, on_tool_event)
    for call in batch.calls:
        request = batch.check(call, approver)          # unknown / invalid -> error result
        if request: batch.decide(call, approver(request))   # denied -> error result
        run = batch.begin(call)                        # None: the call already has a result
        if run: batch.ran(call, run(), pending)        # awaitables wait on ``pending``
    batch.results()                                     # one block per tool_use, in order

A tool's return value becomes tool_result content in ``format_result``: ``str`` as is,
``None`` as ``"(no output)"``, numbers, bools, dicts, lists, tuples and sets as JSON (inside
them, sets as arrays and other objects as their ``str``), figures, images, arrays, image bytes
and DataFrames (a bounded Markdown table) as content blocks
(``claude_nb._content.convert.to_content_blocks``, imported only for such a value), anything
else as its ``repr``; text is cut to a character budget with a visible notice, and unpaired
surrogates become U+FFFD (the API takes UTF-8).

A value that cannot become strict JSON (a circular reference, NaN or an infinity, an integer
too long for text, a non-text key, nesting past what ``json`` can write, an object whose
``str``/``repr`` raises) is not an exception out of the cell: the call gets an ``is_error``
tool_result naming what and where (``result['mean']: NaN is not valid JSON``), so the model
can react and the next request stays encodable. The same holds for an exception whose text
cannot be read.
"""

from __future__ import annotations

import inspect
import json
import os
import time
import traceback as traceback_module
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claude_nb._api.history import tool_use_blocks
from claude_nb._api.json_safe import json_problem, nesting_depth, str_or_type, valid_utf8
from claude_nb._exceptions import ContentError, ToolError
from claude_nb._tools.approval import ApprovalRequest, ApprovalTypes, Approver, Denied
from claude_nb._tools.registry import Tool, ToolRegistry
from claude_nb._tools.render import ToolCallEvent, ToolCallEventTypes
from claude_nb._types import ContentBlock

__all__ = [
    "DEFAULT_MAX_RESULT_CHARS",
    "INTERRUPTED",
    "NO_OUTPUT",
    "Pending",
    "ToolBatch",
    "ToolCall",
    "ToolCallEventCallback",
    "format_result",
]

DEFAULT_MAX_RESULT_CHARS = 20_000
"""Results longer than this many characters are cut, with a visible notice."""

NO_OUTPUT = "(no output)"
INTERRUPTED = "Interrupted by the user before the tool finished."
_SUMMARY_CHARS = 300

ToolCallEventCallback = Callable[[ToolCallEvent], None]
"""Receives a ``ToolCallEvent`` when a tool call starts and when it ends."""


@dataclass
class ToolCall:
    """One tool_use block on its way to a result.

    Attributes:
        index: Its position among the turn's tool_use blocks.
        tool_use_id: The block's id.
        name: The tool name the model called.
        arguments: The input the model sent (not necessarily a dict).
        tool: The registered tool, once the call passed ``ToolBatch.check``.
        started: ``time.perf_counter()`` when the tool was called.
    """

    index: int
    tool_use_id: str
    name: str
    arguments: Any
    tool: Tool | None = None
    started: float = 0.0

    @property
    def is_async(self) -> bool:
        """Whether calling the tool returns a coroutine (run it on a loop, not a thread)."""
        return self.tool is not None and self.tool.is_async


Pending = list[tuple[ToolCall, Awaitable[Any]]]
"""Calls whose tool returned an awaitable, waiting to be awaited together."""


class ToolBatch:
    """The state of one turn's tool calls, free of I/O (see the module docstring).

    Args:
        message_or_blocks: The assistant message (API shape) or its content blocks.
        registry: Where tool names are looked up (by-name entries resolve now).
        on_tool_event: Receives a ``ToolCallEvent`` when a call starts and when it ends.
        max_result_chars: Text results are cut to this many characters, with a notice.
        traceback: Put the full traceback in error results instead of one line.
    """

    def __init__(
        self,
        message_or_blocks: Mapping[str, Any] | Sequence[Any],
        registry: ToolRegistry,
        on_tool_event: ToolCallEventCallback | None = None,
        max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
        traceback: bool = False,
    ) -> None:
        self.registry = registry
        self.on_tool_event = on_tool_event
        self.max_result_chars = max_result_chars
        self.traceback = traceback
        self.approved_all = False
        self.calls = [
            ToolCall(
                index, str(block.get("id", "")), str(block.get("name", "")), block.get("input")
            )
            for index, block in enumerate(tool_use_blocks(message_or_blocks))
        ]
        self._results: list[ContentBlock | None] = [None] * len(self.calls)

    def results(self) -> list[ContentBlock]:
        """The results recorded so far, in call order (all of them once the batch is done)."""
        return [result for result in self._results if result is not None]

    def done(self, call: ToolCall) -> bool:
        """Whether ``call`` has its result (run, refused or failed)."""
        return self._results[call.index] is not None

    def stop(self) -> list[ContentBlock]:
        """After an interrupt: an "interrupted" result for every unfinished call; all results."""
        for call in self.calls:
            if self._results[call.index] is None:
                self._fail(call, INTERRUPTED)
        return self.results()

    def check(self, call: ToolCall, approver: Approver | None) -> ApprovalRequest | None:
        """Look the call up and validate its input; what to ask ``approver``, if anything.

        A call that fails here gets its error result at once (``begin`` then skips it).
        """
        try:
            found = self.registry.get(call.name)
        except ToolError as exc:
            self._fail(call, str(exc))
            return None
        if found is None:
            known = ", ".join(self.registry.names()) or "(none)"
            self._fail(call, f"Unknown tool {call.name!r}. Known tools: {known}.")
            return None
        problems = found.schema.validate(call.arguments)
        if problems:
            listing = "\n".join(f"- {problem}" for problem in problems)
            self._fail(call, f"Invalid input for tool {call.name!r}:\n{listing}")
            return None
        call.tool = found
        if approver is None or self.approved_all:
            return None
        return ApprovalRequest(call.name, call.arguments, call.tool_use_id, found.description)

    def decide(self, call: ToolCall, decision: ApprovalTypes | Denied) -> None:
        """Record the approver's answer; a denial becomes the call's error result."""
        if isinstance(decision, Denied):
            self._fail(call, decision.reason)
        elif decision == "approve_all":
            self.approved_all = True
        elif decision != "approve":
            self._fail(call, f"The user declined to run the tool {call.name!r}.")

    def begin(self, call: ToolCall) -> Callable[[], Any] | None:
        """Bind the arguments and emit "start"; the call to make, or None when it ends here."""
        if self._results[call.index] is not None or call.tool is None:
            return None
        try:
            positional, keywords = call.tool.schema.bind(call.arguments)
        except (ValueError, TypeError) as exc:
            self._fail(call, f"Invalid input for tool {call.name!r}: {exc}")
            return None
        self._emit(self._event("start", call))
        call.started = time.perf_counter()
        function = call.tool.function
        return lambda: function(*positional, **keywords)

    def ran(self, call: ToolCall, value: Any, pending: Pending) -> None:
        """Record a returned value, or queue an awaitable one on ``pending``."""
        if inspect.isawaitable(value):
            pending.append((call, value))
        else:
            self.finish(call, value=value)

    def finish(
        self, call: ToolCall, *, value: Any = None, error: BaseException | None = None
    ) -> None:
        """Record the outcome of a call that ran (its value, or the exception it raised)."""
        duration = time.perf_counter() - call.started
        if error is not None:
            self._fail(call, self._error_text(error), duration)
            return
        try:
            content = format_result(value, self.max_result_chars)
        except Exception as problem:  # whatever the value does, the cell lives
            reason = (
                str_or_type(problem)
                if isinstance(problem, ToolError)
                else (f"{type(problem).__name__}: {str_or_type(problem)}")
            )
            message = (
                f"The tool {call.name!r} ran, but its result cannot be sent to the model: "
                f"{reason}. Return text, numbers, or lists and dicts of them."
            )
            self._fail(call, _bounded(message, self.max_result_chars), duration)
            return
        self._results[call.index] = _result_block(call.tool_use_id, content)
        self._emit(self._event("end", call, result_summary=_summary(content), duration=duration))

    def _fail(self, call: ToolCall, message: str, duration: float | None = None) -> None:
        """Record an is_error result that never produced a value."""
        message = valid_utf8(message)
        self._results[call.index] = _result_block(call.tool_use_id, message, is_error=True)
        self._emit(self._event("end", call, error=message, duration=duration))

    def _emit(self, event: ToolCallEvent) -> None:
        if self.on_tool_event is not None:
            self.on_tool_event(event)

    def _event(
        self,
        kind: ToolCallEventTypes,
        call: ToolCall,
        *,
        result_summary: str = "",
        error: str | None = None,
        duration: float | None = None,
    ) -> ToolCallEvent:
        arguments = call.arguments if isinstance(call.arguments, Mapping) else {}
        return ToolCallEvent(
            kind,
            call.tool_use_id,
            call.name,
            arguments,
            call.index,
            result_summary=result_summary,
            error=error,
            duration=duration,
        )

    def _error_text(self, error: BaseException) -> str:
        if self.traceback:
            try:
                lines = traceback_module.format_exception(type(error), error, error.__traceback__)
                return _bounded("".join(lines).rstrip(), self.max_result_chars)
            except Exception:  # an exception whose text raises: the short form
                pass
        return _bounded(f"{type(error).__name__}: {str_or_type(error)}", self.max_result_chars)


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
    """A tool's return value as tool_result content (see the module docstring).

    Args:
        value: What the tool returned.
        max_chars: Text is cut to this many characters, with a notice.

    Raises:
        ToolError: The value cannot become content; the message says what and where.
    """
    if value is None:
        return NO_OUTPUT
    if isinstance(value, str):
        return valid_utf8(_bounded(value, max_chars)) if value else "(empty string)"
    if isinstance(value, (bool, int, float, dict, list, tuple, set, frozenset)):
        return valid_utf8(_bounded(_json_text(value), max_chars))
    blocks = _content_blocks(value)
    if blocks is None:
        return valid_utf8(_bounded(_plain_text(value), max_chars))
    budget = max_chars
    cut: list[ContentBlock] = []
    for block in blocks:
        if block.get("type") == "text":
            text = valid_utf8(_bounded(str(block.get("text", "")), max(budget, 0)))
            budget -= len(text)
            block = {**block, "text": text}
        cut.append(block)
    return cut


def _json_default(item: Any) -> Any:
    """Inside a JSON result: sets as (sorted when possible) arrays, other objects as ``str``."""
    if isinstance(item, (set, frozenset)):
        members = list(item)
        try:
            return sorted(members)
        except TypeError:
            return members
    return str(item)


def _json_text(value: Any) -> str:
    """``value`` as strict JSON text (no NaN/Infinity), or a ``ToolError`` saying why not."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)
    except Exception as error:  # cycles, NaN, RecursionError, a raising __str__
        reason = json_problem(value, where="result", default=_json_default)
        if reason is None and isinstance(error, RecursionError):
            depth = nesting_depth(value)
            reason = f"result: nested {depth:,} levels deep, too deep to write as JSON"
        raise ToolError(reason or f"{type(error).__name__}: {str_or_type(error)}") from None


def _plain_text(value: Any) -> str:
    """A path's ``str``, anything else's ``repr``; a ``ToolError`` when that raises."""
    try:
        return str(value) if isinstance(value, os.PathLike) else repr(value)
    except Exception as error:  # a broken __repr__ is the tool's answer
        raise ToolError(
            f"result: repr() of the {type(value).__name__} object raised "
            f"{type(error).__name__}: {str_or_type(error)}"
        ) from None


def _content_blocks(value: Any) -> list[ContentBlock] | None:
    """``to_content_blocks(value)``, or None when it refuses the object."""
    from claude_nb._content.convert import to_content_blocks  # lazily: it knows figures, frames

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
