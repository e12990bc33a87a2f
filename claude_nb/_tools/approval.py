"""Asking the user before a tool runs: the ``Approver`` protocol and a text-prompt approver.

Decision: the built-in approver is a text prompt through ``input()``, not buttons.

* ``input()`` works unchanged in JupyterLab, Notebook 7, VS Code and terminal IPython: inside
  a kernel ipykernel replaces ``builtins.input`` for the running cell and forwards it as an
  ``input_request`` on the stdin channel, and the front end shows an input box.
* Buttons would need the kernel to handle comm messages while the cell is still running.
  That means pumping the kernel's shell stream by hand, as jupyter-ui-poll does, which
  leans on ipykernel internals that changed between ipykernel 6 and 7, and would still not
  work in a terminal. A widget approver can be added later behind the same protocol.

When there is no stdin (``nbclient`` without ``allow_stdin``: ipykernel raises
``StdinNotImplementedError``; a closed stdin: ``EOFError``), the call is denied with that
reason rather than run unasked.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from claude_nb._tools.render import call_preview

__all__ = ["ApprovalRequest", "ApprovalTypes", "Approver", "Denied", "PromptApprover"]

ApprovalTypes = Literal["approve", "deny", "approve_all"]
"""``approve`` this call, ``deny`` it, or approve it and every later call of this approver."""

_ANSWERS: dict[str, ApprovalTypes] = {
    "y": "approve",
    "yes": "approve",
    "n": "deny",
    "no": "deny",
    "": "deny",
    "a": "approve_all",
    "all": "approve_all",
}
_ARGUMENT_CHARS = 200


@dataclass(frozen=True)
class ApprovalRequest:
    """One tool call waiting for the user's decision.

    Attributes:
        name: The tool name.
        arguments: The (validated) input the model sent.
        tool_use_id: The ``tool_use`` block's id.
        description: The tool's description.
    """

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    tool_use_id: str = ""
    description: str = ""

    def call_text(self, limit: int = _ARGUMENT_CHARS) -> str:
        """``weather(city="Paris")``, the arguments cut to ``limit`` characters."""
        return call_preview(self.name, self.arguments, limit)


@dataclass(frozen=True)
class Denied:
    """A denial with a reason of its own (instead of "the user declined").

    Attributes:
        reason: Why the call did not run; sent to the model as the error result.
    """

    reason: str


class Approver(Protocol):
    """Decides whether a tool call may run.

    Called once per valid call not yet approved, in the order of the tool_use blocks, one
    call at a time: on the calling thread by ``execute_tool_calls`` (``Session.ask``), in a
    worker thread by ``execute_tool_calls_async`` (``Session.ask_async``), so an approver
    that blocks (``input()``, a button it waits for) never stalls an event loop. Returning
    ``"approve_all"`` approves this call and every later one of the same turn; an approver
    that should remember it for a whole cell (as ``PromptApprover`` does) keeps that state
    itself.
    """

    def __call__(self, request: ApprovalRequest) -> ApprovalTypes | Denied:
        """Return the decision for one call."""
        ...


class PromptApprover:
    """Ask on the console or in the notebook's input box: ``[y]es / [n]o / [a]ll``.

    Create one per cell: after an ``a`` answer it approves every later call without
    asking, for as long as it lives.

    Args:
        input_function: Reads one answer given a prompt. Default: ``builtins.input``,
            looked up at each call, because ipykernel swaps it in for the running cell.
        attempts: How many unrecognised answers to accept before denying.
    """

    def __init__(
        self, *, input_function: Callable[[str], str] | None = None, attempts: int = 3
    ) -> None:
        self.input_function = input_function
        self.attempts = attempts
        self.approve_all = False

    def __call__(self, request: ApprovalRequest) -> ApprovalTypes | Denied:
        """Ask about one call (or approve at once after an earlier ``a``)."""
        if self.approve_all:
            return "approve"
        read = self.input_function or builtins.input
        prompt = f"Run tool {request.call_text()}? [y]es / [n]o / [a]ll for this cell: "
        for _ in range(self.attempts):
            try:
                answer = read(prompt)
            except (EOFError, NotImplementedError) as exc:
                reason = type(exc).__name__
                return Denied(
                    f"The tool {request.name!r} needs the user's approval, but no answer "
                    f"could be read ({reason}: stdin is not available)."
                )
            decision = _ANSWERS.get(answer.strip().lower())
            if decision is not None:
                self.approve_all = decision == "approve_all"
                return decision
            prompt = "Please answer y (run it), n (do not run it) or a (run all this cell): "
        return "deny"
