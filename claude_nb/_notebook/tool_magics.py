"""The magics' side of tools: ``%claude_tools`` and the tool flags of ``%%claude``.

* ``%claude_tools f g`` registers variables of the user namespace by name (a later
  redefinition of ``f`` is used at call time); ``%claude_tools`` alone lists the tools with
  their schemas; ``--remove NAME`` and ``--clear`` take tools away.
* Every ``%%claude`` first registers the ``@claude_nb.tool`` functions of the namespace
  (``ToolRegistry.discover``), except those removed with ``--remove``/``--clear`` until they
  are registered again by name.
* ``--tools a,b`` offers only those, ``--no-tools`` none, ``--max-steps N`` (else
  ``%config ClaudeMagics.max_steps``) caps the API calls, ``--confirm`` (or
  ``%config ClaudeMagics.confirm_tools = True``) asks before each call with a new
  ``PromptApprover`` per cell.

The magics keep the per-kernel state (``session.tools`` and the removed names); this
module only turns flags into ``Session.ask`` arguments, so ``magics.py`` stays small.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from IPython.core.error import UsageError

from claude_nb._display.render import StreamRenderer
from claude_nb._exceptions import ToolError
from claude_nb._notebook.service_flags import with_server_tools
from claude_nb._session.tool_loop import ToolPlan, ToolsArgument, plan_tools
from claude_nb._tools.approval import (
    ApprovalRequest,
    ApprovalTypes,
    Approver,
    Denied,
    PromptApprover,
)
from claude_nb._tools.registry import ToolRegistry

__all__ = ["CellTools", "cell_tools", "tools_command"]


def _discover(registry: ToolRegistry, namespace: Mapping[str, Any], removed: set[str]) -> None:
    """Register the namespace's ``@tool`` functions, except the removed ones."""
    for found in registry.discover(namespace):
        if found.name in removed:
            registry.remove(found.name)


def tools_command(
    registry: ToolRegistry,
    arguments: argparse.Namespace,
    namespace: Mapping[str, Any],
    removed: set[str],
) -> ToolRegistry:
    """Run ``%claude_tools`` (parsed ``arguments``) and return the registry to show.

    Raises:
        UsageError: A name is not defined, not registered, or cannot become a tool (one line
            naming the parameter).
    """
    try:
        if arguments.clear:
            removed.update(registry.names())
            registry.clear()
        for name in arguments.remove or []:
            registry.remove(name)
            removed.add(name)
        if arguments.names:
            missing = [name for name in arguments.names if name not in namespace]
            if missing:
                raise UsageError(f"not defined in the notebook: {', '.join(missing)}")
            registry.register_names(arguments.names, namespace)
            removed.difference_update(arguments.names)
        _discover(registry, namespace, removed)
    except ToolError as error:
        raise UsageError(str(error)) from None
    return registry


@dataclass(frozen=True)
class CellTools:
    """The tool settings of one ``%%claude`` cell.

    Attributes:
        plan: The tools offered and run (``Session.ask(tools=...)``).
        max_steps: The step cap.
        approver: A fresh ``PromptApprover`` when confirmation is on, else None.
    """

    plan: ToolPlan
    max_steps: int
    approver: Approver | None = None

    @property
    def loop(self) -> bool:
        """Whether the ask runs tools (else it is a plain call)."""
        return len(self.plan.registry) > 0

    def ask_options(self, renderer: StreamRenderer) -> dict[str, Any]:
        """Keyword arguments for ``Session.ask``, painting every step into ``renderer``."""
        if not self.loop:
            return {"tools": self.plan, "on_event": renderer.on_event}
        from claude_nb._display.transcript import ToolLoopView

        view = ToolLoopView(renderer)
        return {
            "tools": self.plan,
            "max_steps": self.max_steps,
            "approver": _settled(self.approver, renderer) if self.approver else None,
            "on_event": view.on_event,
            "on_tool_event": view.on_tool_event,
        }


def _settled(approver: Approver, renderer: StreamRenderer) -> Approver:
    """``approver``, once the reply so far is painted whole (no cursor, line ended).

    So the question appears below the text instead of cutting it in two.
    """

    def ask(request: ApprovalRequest) -> ApprovalTypes | Denied:
        renderer.settle()
        return approver(request)

    return ask


def cell_tools(
    registry: ToolRegistry,
    arguments: argparse.Namespace,
    namespace: Mapping[str, Any],
    removed: set[str],
    *,
    max_steps: int,
    confirm: bool,
) -> CellTools:
    """The cell's tools from ``--tools``, ``--no-tools``, ``--max-steps`` and ``--confirm``.

    Raises:
        UsageError: An unknown name in ``--tools``, a bad ``--max-steps``, or a tool that
            no longer resolves.
    """
    steps = max_steps if arguments.max_steps is None else arguments.max_steps
    if steps < 1:
        raise UsageError(f"--max-steps must be at least 1 (got {steps})")
    try:
        _discover(registry, namespace, removed)
        if arguments.no_tools:
            chosen: ToolsArgument = ()
        elif arguments.tools is not None:
            chosen = [name.strip() for name in arguments.tools.split(",") if name.strip()]
        else:
            chosen = None
        plan = with_server_tools(plan_tools(registry, chosen), arguments)  # --web-search
    except ToolError as error:
        raise UsageError(str(error)) from None
    approver: Approver | None = None
    if (arguments.confirm or confirm) and len(plan.registry):
        approver = PromptApprover()
    return CellTools(plan, steps, approver)
