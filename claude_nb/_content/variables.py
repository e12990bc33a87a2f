"""The variables a cell uses, by type and shape, never their whole values (pure).

``names_used`` reads the cell's (IPython-transformed) code with ``ast`` and lists the names
it loads, in order; ``describe`` is one line per value: numbers, booleans, ``None`` and short
strings by value (what a ``ZeroDivisionError`` or ``KeyError`` turns on), containers by
length and their first keys, arrays and frames by shape, dtype and columns (duck-typed: no
numpy or pandas import), everything else by type. Nothing here runs the user's code beyond
``len`` and attribute reads of ``shape``, ``dtype`` and ``columns``.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Mapping
from typing import Any

__all__ = ["describe", "describe_variables", "names_used"]

MAX_NAMES = 20
SHORT_TEXT = 60
MAX_KEYS = 12


def names_used(code: str) -> list[str]:
    """Names the code reads (``Name`` loads and the roots of attributes), in order."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.setdefault(node.id)
    positions = {name: code.find(name) for name in names}
    return sorted(names, key=lambda name: positions[name])


def _bound(code: str) -> set[str]:
    """Names the code binds itself (assignments, arguments, definitions, imports)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound


def _safe(function: Any, default: Any = None) -> Any:
    try:
        return function()
    except Exception:  # a user's object may raise anything from len() or a property
        return default


def _keys(keys: list[Any], count: int) -> str:
    shown = ", ".join(repr(key)[:40] for key in keys[:MAX_KEYS])
    more = f", … {count - MAX_KEYS} more" if count > MAX_KEYS else ""
    return f"{shown}{more}"


def describe(value: Any) -> str:
    """One line on ``value``: its type and shape (see the module docstring)."""
    kind = type(value).__name__
    if value is None or isinstance(value, bool | int | float | complex):
        return f"{kind} = {value!r}"
    if isinstance(value, str | bytes):
        if len(value) <= SHORT_TEXT:
            return f"{kind} = {value!r}"
        return f"{kind}, {len(value):,} characters"
    shape = _safe(lambda: value.shape)
    if isinstance(shape, tuple):
        parts = [f"{kind}, shape {shape}"]
        dtype = _safe(lambda: value.dtype)
        if dtype is not None:
            parts.append(f"dtype {dtype}")
        columns = _safe(lambda: list(value.columns))
        if columns is not None:
            parts.append(f"columns: {_keys(columns, len(columns))}")
        return ", ".join(parts)
    if isinstance(value, Mapping):
        keys = _safe(lambda: list(value.keys())[: MAX_KEYS + 1], [])
        count = _safe(lambda: len(value), len(keys))
        return f"{kind}, {count:,} keys: {_keys(keys, count)}" if count else f"{kind}, empty"
    if isinstance(value, list | tuple | set | frozenset):
        if not value:
            return f"{kind}, empty"
        first = next(iter(value))
        return f"{kind}, {len(value):,} items (first: {type(first).__name__})"
    if isinstance(value, type):
        return f"class {value.__name__}"
    if callable(value):
        module = getattr(value, "__module__", None) or ""
        return f"{kind} {getattr(value, '__qualname__', '?')}" + (
            f" from {module}" if module and module != "__main__" else "")
    if kind == "module":
        return f"module {getattr(value, '__name__', '?')}"
    length = _safe(lambda: len(value))
    return f"{kind}, length {length:,}" if isinstance(length, int) else kind


def describe_variables(code: str, namespace: Mapping[str, Any]) -> list[str]:
    """``name: description`` for each name the code reads that the namespace holds.

    Names the code reads but nothing defines (neither the namespace nor builtins) are listed
    as ``not defined``: that is what a ``NameError`` turns on.
    """
    lines: list[str] = []
    bound = _bound(code)
    for name in names_used(code)[:MAX_NAMES]:
        if name in namespace:
            lines.append(f"{name}: {describe(namespace[name])}")
        elif not hasattr(builtins, name) and name not in bound:
            lines.append(f"{name}: not defined")
    return lines
