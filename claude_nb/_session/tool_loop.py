"""The tool loop: ask, run the tools the model calls, send their results, until it answers.

::

    step 1 body (Session.prepare_request, tool specs included)
      -> Session._send -> Reply (on_call: the ledger sees every step as one call)
      -> stop_reason "tool_use"? run the calls -> one user turn of tool_results, in order
      -> step 2 body (the same fields; messages = history + this exchange) -> ... -> answer

``ToolLoop`` is the state and every decision, free of I/O: it hands out bodies and takes
replies, hands out each turn's tool calls (``received``) and takes their results
(``tools_ran``). The two drivers are the only code that differs between ``Session.ask`` and
``Session.ask_async``: ``run_tool_loop`` runs the calls with ``execute_tool_calls`` on the
calling thread; ``run_tool_loop_async`` awaits ``execute_tool_calls_async``, so ``ask_async``
never blocks its event loop (sync tools and the approver run in worker threads, ``async
def`` tools on the caller's loop; ``claude_nb._tools.execute``). Same order, same results.
The loop never sees the ``Session``: it gets callables (``send``; ``last_reply``, ``commit``
and ``publish`` for the session's state), so this module sits below the session.

History. The loop keeps this ask's exchange (prompt, assistant turns, tool_result turns)
apart and commits it to ``session.history`` once (``Session._commit``, so the store's
``on_history`` sees exactly what was kept) when the loop ends for any reason (answer, step
cap, refused budget, error, interrupt, cancelled task), after ``close_exchange``: a trailing
user turn (a prompt or tool results nobody answered) is dropped, and a trailing assistant
turn whose tool calls have no results keeps only its text, or is dropped when it has none
(which may leave a trailing user turn: repeat). So the history never ends on an unanswered
user turn nor on a tool_use without its tool_result (rather than "close with error
results", which would end it on a user turn). What was dropped is still in ``reply.steps``.

Every step is a full call: ``before_send`` checks (the budget: a refused step ends the
loop with a ``note``), cache breakpoints planned afresh on its body (so step 2 reads step
1's prefix), one ledger record and one stored call (``on_call``).

Step cap: ``max_steps`` API calls (default ``DEFAULT_MAX_STEPS``). When the last allowed
call still asks for tools, they do not run (their results could not be sent); the reply's
``note`` says so, and the history keeps that turn's text (see above).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from claude_nb._api.history import (
    close_exchange,
    text_only_turn,
    tool_use_blocks,
    without_cache_control,
)
from claude_nb._exceptions import APIError, BudgetExceededError, ToolError, is_interrupt
from claude_nb._session.reply import Reply, ToolLoopReply
from claude_nb._tools.execute import (
    ToolCallsInterrupted,
    execute_tool_calls,
    execute_tool_calls_async,
)
from claude_nb._tools.identity import check_tool_spec, described
from claude_nb._tools.registry import Tool, ToolRegistry
from claude_nb._tools.render import ToolCallEvent
from claude_nb._types import ContentBlock, MessageParam

if TYPE_CHECKING:
    from claude_nb._content.attach import PreparedRequest
    from claude_nb._tools.approval import Approver
    from claude_nb._wire.stream import MessageSnapshot

__all__ = [
    "DEFAULT_MAX_STEPS",
    "ToolLoop",
    "ToolLoopReply",
    "ToolPlan",
    "ToolsArgument",
    "plan_tools",
    "run_tool_loop",
    "run_tool_loop_async",
]

DEFAULT_MAX_STEPS = 10
"""API calls one ask may make with tools before it stops (``max_steps``)."""

ToolItem = Union[str, Callable[..., Any], Tool, Mapping[str, Any]]  # noqa: UP007
ToolsArgument = Union["ToolPlan", ToolRegistry, Iterable[ToolItem], None]
"""``tools=`` of ``Session.ask``: None (the session's registry), a registry, or a list of
registered names, functions, ``Tool``s and raw API tool specs (dicts, sent as they are)."""


@dataclass(frozen=True)
class ToolPlan:
    """Which tools one request offers and which the loop runs.

    Attributes:
        registry: The tools the loop runs (empty: no loop; the caller handles tool_use).
        specs: The body's ``tools`` field (empty: the field is left out).
    """

    registry: ToolRegistry
    specs: list[dict[str, Any]]

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` with the ``tools`` field set from this plan (when it has specs)."""
        return {**params, "tools": self.specs} if self.specs else dict(params)


def plan_tools(registered: ToolRegistry, tools: ToolsArgument) -> ToolPlan:
    """Resolve ``tools=`` against the session's registry.

    Args:
        registered: The session's tools (``session.tools``).
        tools: See ``ToolsArgument``; an empty list offers no tools at all.

    Raises:
        ToolError: A name is not registered, a function cannot become a tool, a raw spec
            cannot be sent (``check_tool_spec``: not JSON, nested too deep), or two
            different tools share a name (equal raw specs, or one function given twice,
            count once).
    """
    if isinstance(tools, ToolPlan):
        return tools
    if tools is None or isinstance(tools, ToolRegistry):
        registry = registered if tools is None else tools
        return ToolPlan(registry, [dict(spec) for spec in registry.specs()])
    items = [tools] if isinstance(tools, (str, Mapping)) or callable(tools) else list(tools)
    chosen, raw = ToolRegistry(), []
    for item in items:
        if isinstance(item, Mapping):
            check_tool_spec(item)
            if dict(item) not in raw:
                raw.append(dict(item))
        elif isinstance(item, str):
            if item not in registered:
                known = ", ".join(registered.names()) or "(none)"
                raise ToolError(f"no tool named {item!r} is registered; known tools: {known}")
            chosen.register(registered[item])
        else:
            chosen.register(item)
    _check_raw_names(chosen, raw)
    return ToolPlan(chosen, [dict(spec) for spec in chosen.specs()] + raw)


def _check_raw_names(chosen: ToolRegistry, raw: list[dict[str, Any]]) -> None:
    """Refuse a raw spec named like a chosen function, or like another (different) raw spec."""
    seen: set[str] = set()
    for spec in raw:
        name = spec.get("name")
        if not isinstance(name, str):
            continue
        if name in chosen:
            raise ToolError(
                f"two different tools are named {name!r}: the function "
                f"{described(chosen[name].function)} and a raw tool spec; rename one"
            )
        if name in seen:
            raise ToolError(f"two different raw tool specs are named {name!r}; rename one")
        seen.add(name)


@dataclass
class ToolLoop:
    """One ask with tools, free of I/O, driven by ``run_tool_loop`` or its async twin.

    ``next_body`` -> (the driver sends) -> ``received`` -> (the driver runs the calls it
    handed out) -> ``tools_ran`` -> ``next_body`` ... -> ``finish``.

    Args:
        prepared: The first step's request (``Session.prepare_request``).
        registry: The tools to run.
        rebuild: Makes a later step's request from ``messages=`` (the same fields, cache
            breakpoints planned afresh).
        last_reply: The session's latest reply (a failed step leaves its partial there).
        commit: Writes the closed exchange to the session's history.
        publish: Makes the loop's reply the session's latest.
        history: Write the exchange to the history at the end (through ``commit``).
        on_event: Called with each step's ``MessageSnapshot`` after every event.
        on_tool_event: Called with each ``ToolCallEvent`` (start and end of each call).
        approver: Asked before each call (None: calls run unasked).
        max_steps: API calls at most (None: ``DEFAULT_MAX_STEPS``).
    """

    prepared: PreparedRequest
    registry: ToolRegistry
    rebuild: Callable[..., PreparedRequest]
    last_reply: Callable[[], Reply | None]
    commit: Callable[[list[MessageParam]], None]
    publish: Callable[[Reply], None]
    history: bool = True
    on_event: Callable[[MessageSnapshot], None] | None = None
    on_tool_event: Callable[[ToolCallEvent], None] | None = None
    approver: Approver | None = None
    max_steps: int | None = None
    steps: list[Reply] = field(default_factory=list)
    tool_calls: list[ToolCallEvent] = field(default_factory=list)
    note: str | None = None

    def __post_init__(self) -> None:
        if self.max_steps is not None and self.max_steps < 1:
            raise ToolError(f"max_steps must be at least 1 (got {self.max_steps})")
        messages = [without_cache_control(turn) for turn in self.prepared.body["messages"]]
        self.base, self.exchange = messages[:-1], messages[-1:]
        self.started = time.perf_counter()
        self._next: dict[str, Any] | None = self.prepared.body
        self._before: Reply | None = None

    @property
    def limit(self) -> int:
        """The step cap in force."""
        return DEFAULT_MAX_STEPS if self.max_steps is None else self.max_steps

    def next_body(self) -> dict[str, Any] | None:
        """The body of the next API call, or None when the loop is done."""
        body, self._next = self._next, None
        self._before = self.last_reply()
        return body

    def received(self, reply: Reply) -> list[ContentBlock]:
        """Take a finished step; the tool_use blocks to run now (none: the loop is done).

        The driver runs them (with ``approver``, events to ``tool_event``) and passes their
        results to ``tools_ran``. Calls that may not run (the step cap, a cut reply) end
        here with a ``note``.
        """
        self.steps.append(reply)
        content = list(reply.message.get("content") or [])
        self.exchange.append({"role": "assistant", "content": content})
        calls = tool_use_blocks(content)
        if not calls:
            return []
        if reply.stop_reason != "tool_use":
            self._not_run(calls, f"the reply stopped ({reply.stop_reason}) mid tool call")
            return []
        if len(self.steps) >= self.limit:
            self._not_run(calls, f"the step limit ({self.limit}) was reached")
            return []
        return calls

    def tools_ran(self, results: list[ContentBlock], *, interrupted: bool = False) -> None:
        """Take the tool_result blocks of the calls ``received`` handed out, in order.

        They become one user turn; then the next step's body is queued, unless the calls
        were ``interrupted`` (the loop ends: ``finish`` closes the exchange).
        """
        self.exchange.append({"role": "user", "content": results})
        if not interrupted:
            self._next = self.rebuild(messages=[*self.base, *self.exchange]).body

    def step_failed(self, error: BaseException) -> None:
        """Keep the failed step's reply and, after an interrupt, its partial text."""
        step = self.last_reply()
        if step is None or step is self._before or step in self.steps:
            return
        self.steps.append(step)
        if is_interrupt(error):
            turn = text_only_turn(step.message)
            if turn is not None:
                self.exchange.append(turn)

    def finish(self, error: BaseException | None = None) -> ToolLoopReply | None:
        """Write the closed exchange to the history and make the loop's reply.

        The reply is published as the session's latest (not passed to ``on_call``: every
        step already was). None when no step was made.
        """
        if isinstance(error, BudgetExceededError) and self.steps:
            self.note = f"Stopped before step {len(self.steps) + 1}: {error}"
        if self.history and (kept := close_exchange(self.exchange)):
            self.commit(kept)
        if not self.steps:
            return None
        first, last = self.steps[0], self.steps[-1]
        reply = ToolLoopReply(
            message=last.message,
            model=last.model,
            request=last.request,
            offline=last.offline,
            replayed=last.replayed,
            request_id=last.request_id,
            time_to_first_token=first.time_to_first_token,
            duration=time.perf_counter() - self.started,
            retries=sum(step.retries for step in self.steps),
            interrupted=is_interrupt(error),
            error=error,
            steps=list(self.steps),
            tool_calls=list(self.tool_calls),
            note=self.note,
            prices=last.prices,
        )
        reply.content_report = self.prepared.report
        self.publish(reply)
        return reply

    def tool_event(self, event: ToolCallEvent) -> None:
        """Keep an ended call for the reply and pass every event to ``on_tool_event``."""
        if event.kind == "end":
            self.tool_calls.append(event)
        if self.on_tool_event is not None:
            self.on_tool_event(event)

    def _not_run(self, calls: list[ContentBlock], why: str) -> None:
        names = ", ".join(str(call.get("name")) for call in calls)
        self.note = f"Stopped: {why}; the model asked for {names}, which did not run."
        for index, call in enumerate(calls):
            arguments = call.get("input")
            self.tool_event(
                ToolCallEvent(
                    "end",
                    str(call.get("id", "")),
                    str(call.get("name", "")),
                    arguments if isinstance(arguments, Mapping) else {},
                    index,
                    error=f"not run: {why}",
                )
            )


Send = Callable[[dict[str, Any]], Reply]
"""Sends one step's body and returns its reply (``Session._send`` without history)."""
AsyncSend = Callable[[dict[str, Any]], Awaitable[Reply]]


def run_tool_loop(loop: ToolLoop, send: Send) -> ToolLoopReply:
    """Drive ``loop``: send each step with ``send``, run the tools here (``Session.ask``)."""
    try:
        while (body := loop.next_body()) is not None:
            try:
                reply = send(body)
            except (APIError, KeyboardInterrupt) as error:
                loop.step_failed(error)
                raise
            calls = loop.received(reply)
            if not calls:
                continue
            try:
                results = execute_tool_calls(
                    calls, loop.registry, approver=loop.approver, on_tool_event=loop.tool_event
                )
            except ToolCallsInterrupted as interrupt:
                loop.tools_ran(interrupt.results, interrupted=True)
                raise
            loop.tools_ran(results)
    except (Exception, KeyboardInterrupt) as error:
        loop.finish(error)
        raise
    return _done(loop)


async def run_tool_loop_async(loop: ToolLoop, send: AsyncSend) -> ToolLoopReply:
    """The async twin of ``run_tool_loop`` (``Session.ask_async``): the loop stays free.

    A cancelled task ends the loop like an interrupt: the exchange is closed and committed,
    the reply (``interrupted``) published, and ``CancelledError`` propagates.
    """
    import asyncio  # loaded already: this runs on an event loop

    try:
        while (body := loop.next_body()) is not None:
            try:
                reply = await send(body)
            except (APIError, KeyboardInterrupt, asyncio.CancelledError) as error:
                loop.step_failed(error)
                raise
            calls = loop.received(reply)
            if not calls:
                continue
            try:
                results = await execute_tool_calls_async(
                    calls, loop.registry, approver=loop.approver, on_tool_event=loop.tool_event
                )
            except ToolCallsInterrupted as interrupt:
                loop.tools_ran(interrupt.results, interrupted=True)
                raise
            loop.tools_ran(results)
    except (Exception, KeyboardInterrupt, asyncio.CancelledError) as error:
        loop.finish(error)
        raise
    return _done(loop)


def _done(loop: ToolLoop) -> ToolLoopReply:
    reply = loop.finish()
    assert reply is not None  # a loop that did not raise made at least one step
    return reply
