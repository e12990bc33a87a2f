"""What makes two registrations the same tool, and what a tool spec may be (pure).

Re-running the notebook cell that defines ``f`` makes a new function object with the same
``__module__`` and ``__qualname__``: registering it again must replace the old ``f``, while a
different function under the name ``f`` is a mistake (only one of them could be offered).
So two callables are the same tool when they are the same object or have the same
``origin``: (module, qualified name), looking through ``functools.partial`` and bound methods,
and for a callable object its class's. Two lambdas of one module share an origin (both are
``<lambda>``) and so replace each other.

A spec (a registered function's or a raw dict passed in ``tools=``) must be strict JSON and
nest at most ``MAX_NESTING`` (64) levels of objects and arrays: deeper specs are refused with
a ``ToolError`` before anything walks them recursively (the schema check, the estimate).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from claude_nb._api.json_safe import MAX_NESTING, json_problem
from claude_nb._exceptions import ToolError

__all__ = ["MAX_NESTING", "check_tool_spec", "clash_error", "described", "origin", "same_tool"]


def check_tool_spec(spec: Mapping[str, Any]) -> None:
    """Refuse a tool spec JSON cannot carry, or nested past ``MAX_NESTING`` levels.

    Raises:
        ToolError: Names the tool and what is wrong where (a cycle, NaN, too deep...).
    """
    name = spec.get("name", "(unnamed)")
    problem = json_problem(dict(spec), where="spec", max_depth=MAX_NESTING)
    if problem is not None:
        raise ToolError(f"cannot offer the tool {name!r}: {problem}")


def origin(function: Any) -> tuple[str, str]:
    """(module, qualified name) of a callable: what makes two registrations the same tool."""
    target = function
    while isinstance(target, functools.partial):
        target = target.func
    target = getattr(target, "__func__", target)  # a bound method: its function
    qualname = getattr(target, "__qualname__", None)
    if not isinstance(qualname, str):
        target = type(target)
        qualname = target.__qualname__
    return str(getattr(target, "__module__", "")), qualname


def same_tool(old: Any, new: Any) -> bool:
    """Whether registering ``new`` under ``old``'s name replaces it (see the module)."""
    return old is new or origin(old) == origin(new)


def described(function: Any) -> str:
    """``module.qualname`` of a callable, for messages."""
    module, qualname = origin(function)
    return f"{module}.{qualname}" if module else qualname


def clash_error(name: str, old: Any, new: Any) -> ToolError:
    """The error for two different tools under one name."""
    return ToolError(
        f"two different tools are named {name!r}: {described(old)} and {described(new)}; "
        f"remove the first (remove({name!r})) or give the second another name (name=...)"
    )
