"""What JSON can carry, checked without recursion (pure, no I/O).

The API takes strict JSON (RFC 8259) in UTF-8: no ``NaN`` or ``Infinity``, no cycles, no
unpaired surrogates. Python's ``json`` module can produce all three (``allow_nan`` is on by
default), raises ``RecursionError`` on deep values and ``ValueError`` on integers longer than
``sys.get_int_max_str_digits()``. Everything here walks values with an explicit stack, so it
works on any depth and never raises ``RecursionError``:

* ``json_problem(value)``: why a value cannot be sent as strict JSON, naming where
  (``result['rows'][3]: NaN is not valid JSON``), or None when it can;
* ``nesting_depth(value)``: how many objects and arrays are nested (a scalar is 0);
  ``MAX_NESTING`` (64) is the most a tool spec or a tool input may have;
* ``canonical_json(value)``: compact, key-sorted JSON text that never raises (the token
  estimate hashes and measures with it); equal to ``json.dumps`` wherever that succeeds;
* ``finite_copy(value)``: NaN and the infinities replaced by ``null`` (what JavaScript's
  ``JSON.stringify`` does), copying only what changes;
* ``valid_utf8(text)``: a string with unpaired surrogates replaced by U+FFFD.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "MAX_NESTING",
    "canonical_json",
    "finite_copy",
    "json_problem",
    "nesting_depth",
    "safe_repr",
    "valid_utf8",
]

MAX_NESTING = 64
"""The deepest nesting of objects and arrays a tool spec or a tool input may have."""

_SCALARS = (str, int, float, bool, type(None))
_KEY_TYPES = (str, int, float, bool, type(None))  # what ``json`` turns into object keys
_CONTAINERS = (dict, list, tuple)


def safe_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, or ``<type object>`` when repr raises."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real problem
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _children(value: Any) -> Iterator[tuple[str, Any]]:
    """(path suffix, child) of a dict or a list/tuple."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"[{safe_repr(key)}]", item
    else:
        for index, item in enumerate(value):
            yield f"[{index}]", item


def nesting_depth(value: Any, *, limit: int | None = None) -> int:
    """How deeply objects and arrays nest in ``value`` (a scalar 0, ``[]`` 1, ``[[1]]`` 2).

    Iterative. A cycle counts as deeper than any limit: with ``limit`` the walk stops and
    returns ``limit + 1`` as soon as the depth passes it, and a cycle returns ``limit + 1``
    too (``sys.maxsize`` without a limit).

    Args:
        value: Any value (dicts, lists and tuples are containers).
        limit: Stop counting past this depth.
    """
    cap = limit if limit is not None else sys.maxsize - 1
    deepest = 0
    on_path: set[int] = set()
    # entries: (container, depth) to enter, or (None, id) to leave one
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, _CONTAINERS) else []
    while stack:
        item, depth = stack.pop()
        if item is None:
            on_path.discard(depth)
            continue
        if id(item) in on_path or depth > cap:
            return cap + 1
        deepest = max(deepest, depth)
        on_path.add(id(item))
        stack.append((None, id(item)))
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, _CONTAINERS))
    return deepest


def _scalar_problem(value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        name = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return f"{name} is not valid JSON (numbers must be finite)"
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            int.__repr__(value)
        except ValueError:
            return (
                f"an integer of about {int(value.bit_length() * 0.30103):,} digits is too long "
                "to write as text"
            )
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a string with an unpaired surrogate is not valid UTF-8"
    return None


_Path = tuple[Any, str]  # (parent path or None, this step): rendered only when reported


def _render(path: _Path) -> str:
    steps: list[str] = []
    node: _Path | None = path
    while node is not None:
        steps.append(node[1])
        node = node[0]
    text = "".join(reversed(steps))
    return text if len(text) <= 90 else f"{text[:50]}…{text[-35:]}"


def json_problem(
    value: Any,
    *,
    where: str = "value",
    max_depth: int | None = None,
    default: Callable[[Any], Any] | None = None,
) -> str | None:
    """Why ``value`` cannot be sent as strict JSON, naming where; None when it can.

    Problems: a circular reference, NaN or an infinity, an integer too long for text, a
    string that is not valid UTF-8, a key or a value of a type JSON has none for, nesting
    deeper than ``max_depth``. The first one found is reported, e.g.
    ``result['a'][0]: NaN is not valid JSON (numbers must be finite)``.

    Args:
        value: The value (dicts, lists, tuples and JSON scalars are understood).
        where: How to name the value itself in the message.
        max_depth: The deepest nesting of objects and arrays allowed (None: no limit).
        default: Like ``json.dumps``'s: turns other objects into JSON-able ones (its result
            is checked in turn; an exception it raises is the problem).
    """
    on_path: set[int] = set()
    # entries: (value, path, depth) to visit, or (id, None, -1) to leave a container
    stack: list[tuple[Any, Any, int]] = [(value, (None, where), 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth < 0:
            on_path.discard(item)
            continue
        problem = _item_problem(item, depth, max_depth, default, on_path)
        if isinstance(problem, str):
            return f"{_render(path)}: {problem}"
        if problem is not None:  # what ``default`` made of the object: check it in turn
            stack.append((problem[0], path, depth))
            continue
        if not isinstance(item, _CONTAINERS):
            continue
        on_path.add(id(item))
        stack.append((id(item), None, -1))
        children = list(_children(item))
        stack.extend((child, (path, step), depth + 1) for step, child in reversed(children))
    return None


def _item_problem(
    item: Any,
    depth: int,
    max_depth: int | None,
    default: Callable[[Any], Any] | None,
    on_path: set[int],
) -> str | tuple[Any] | None:
    """The problem with one item (a message), ``(converted,)`` from ``default``, or None."""
    if isinstance(item, _SCALARS):
        return _scalar_problem(item)
    if not isinstance(item, _CONTAINERS):
        if default is None:
            return f"a {type(item).__name__} object has no JSON form"
        try:
            converted = default(item)
        except Exception as error:  # any failure is the answer
            return (
                f"a {type(item).__name__} object could not be converted to text "
                f"({type(error).__name__}: {str_or_type(error)[:120]})"
            )
        if not isinstance(converted, (*_SCALARS, *_CONTAINERS)):
            return f"a {type(item).__name__} object has no JSON form"
        return (converted,)
    if id(item) in on_path:
        return "circular reference (the value contains itself)"
    if max_depth is not None and depth + 1 > max_depth:
        return f"nested deeper than {max_depth} levels of objects and arrays"
    if isinstance(item, dict):
        for key in item:
            if not isinstance(key, _KEY_TYPES):
                return f"a key of type {type(key).__name__} ({safe_repr(key)}); JSON keys are text"
            problem = _scalar_problem(key)
            if problem is not None:
                return f"key {safe_repr(key)}: {problem}"
    return None


def str_or_type(error: BaseException) -> str:
    """``str(error)``, or its type name when that raises."""
    try:
        return str(error)
    except Exception:
        return type(error).__name__


def valid_utf8(text: str) -> str:
    """``text`` with unpaired surrogates replaced by U+FFFD (paired ones joined)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def finite_copy(value: Any) -> Any:
    """``value`` with NaN and the infinities replaced by None (JSON ``null``).

    Containers are copied only where something changed (otherwise ``value`` itself comes
    back); iterative, so any depth works; a cycle is left as it is.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, (dict, list, tuple)):
        return value
    # post-order with an explicit stack: ``done`` maps id -> the (maybe new) container
    done: dict[int, Any] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, children_done = stack.pop()
        if not children_done:
            if id(item) in done or id(item) in on_path:
                continue
            on_path.add(id(item))
            stack.append((item, True))
            members = item.values() if isinstance(item, dict) else item
            stack.extend(
                (child, False) for child in members if isinstance(child, (dict, list, tuple))
            )
            continue
        on_path.discard(id(item))
        done[id(item)] = _rebuilt(item, done)
    return done[id(value)]


def _rebuilt(item: Any, done: dict[int, Any]) -> Any:
    """``item`` with its children replaced by their finite copies (itself if none changed)."""

    def fixed(child: Any) -> Any:
        if isinstance(child, float):
            return child if math.isfinite(child) else None
        if isinstance(child, (dict, list, tuple)):
            return done.get(id(child), child)
        return child

    if isinstance(item, dict):
        new_items = {key: fixed(child) for key, child in item.items()}
        changed = any(new_items[key] is not child for key, child in item.items())
        return new_items if changed else item
    new_list = [fixed(child) for child in item]
    if all(new is old for new, old in zip(new_list, item, strict=True)):
        return item
    return tuple(new_list) if isinstance(item, tuple) else new_list


def _key_text(key: Any) -> str:
    """An object key as ``json`` writes it."""
    if isinstance(key, str):
        return key
    return _scalar_text(key)


def _scalar_text(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except ValueError:  # an integer too long for text
        return "0" * int(value.bit_length() * 0.30103)


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON text of ``value``; never raises.

    Equal to ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
    whenever that succeeds. Otherwise (too deep, a cycle, mixed key types, other objects) it
    is written iteratively: a repeated container as ``null``, other objects as their
    ``str`` (or type name), keys sorted as text.
    """
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except Exception:  # RecursionError, ValueError, TypeError, anything
        return _iterative_json(value)


def _iterative_json(value: Any) -> str:
    parts: list[str] = []
    on_path: set[int] = set()
    # a str entry is literal text; an int entry leaves a container; anything else a value
    stack: list[Any] = [[value]]
    while stack:
        entry = stack.pop()
        if isinstance(entry, str):
            parts.append(entry)
            continue
        if isinstance(entry, int):
            on_path.discard(entry)
            continue
        item = entry[0]
        if isinstance(item, _SCALARS):
            parts.append(_scalar_text(item))
        elif isinstance(item, (dict, list, tuple)):
            if id(item) in on_path:
                parts.append("null")
                continue
            on_path.add(id(item))
            pending: list[Any] = []
            if isinstance(item, dict):
                pairs = sorted(
                    ((_key_text(key), child) for key, child in item.items()),
                    key=lambda pair: pair[0],
                )
                for index, (key, child) in enumerate(pairs):
                    pending += [
                        ("," if index else "") + json.dumps(key, ensure_ascii=False) + ":",
                        [child],
                    ]
                pending = ["{", *pending, "}", id(item)]
            else:
                for index, child in enumerate(item):
                    pending += [","] if index else []
                    pending.append([child])
                pending = ["[", *pending, "]", id(item)]
            stack.extend(reversed(pending))
        else:
            parts.append(json.dumps(_object_text(item), ensure_ascii=False))
    return "".join(parts)


def _object_text(item: Any) -> str:
    try:
        return str(item)
    except Exception:
        return f"<{type(item).__name__} object>"
