"""A small JSON Schema validator for tool input (pure, no dependencies).

It checks what the schemas made by ``claude_nb._tools.schema`` use: ``type`` (one or a list),
``enum``, ``const``, ``properties``, ``required``, ``additionalProperties`` (false or a schema),
``items``, ``anyOf``/``oneOf``/``allOf``, local ``$ref`` (``#/$defs/Name``, as pydantic writes
them) and the common bounds (``minimum``, ``maximum``, ``exclusiveMinimum``,
``exclusiveMaximum``, ``minLength``, ``maxLength``, ``minItems``, ``maxItems``,
``uniqueItems``, ``pattern``). Unknown keywords are ignored, never an error.

Each problem comes back as one readable line naming where it is (``input.city``), so the
model can fix its call from the tool_result alone.

Before any keyword, the whole input is checked for what JSON cannot carry back: a number
that is not finite anywhere in it (``1e400`` parses to ``inf``; ``NaN``), whatever the
schema says of that spot, and nesting deeper than ``MAX_NESTING`` (64) objects and arrays
(which also bounds the recursion here). Such input is refused: the tool never sees it.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from claude_nb._api.json_safe import MAX_NESTING, nesting_depth

__all__ = ["json_type_name", "validate_instance"]

_TYPE_CHECKS = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer())
    ),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "array": lambda value: isinstance(value, (list, tuple)),
    "object": lambda value: isinstance(value, dict),
}
_BOUNDS: tuple[tuple[str, Callable[[Any, Any], bool], str], ...] = (
    ("minimum", operator.ge, ">="),
    ("maximum", operator.le, "<="),
    ("exclusiveMinimum", operator.gt, ">"),
    ("exclusiveMaximum", operator.lt, "<"),
)


def json_type_name(value: Any) -> str:
    """The JSON type of a decoded JSON value ("string", "integer", "object"...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def validate_instance(
    value: Any, schema: dict[str, Any], *, root: dict[str, Any] | None = None, path: str = "input"
) -> list[str]:
    """Check a decoded JSON value against a schema.

    Args:
        value: The value to check (decoded JSON).
        schema: The JSON schema.
        root: The schema that ``$ref`` pointers resolve against (default: ``schema``).
        path: How to name the value in messages.

    Returns:
        One line per problem; an empty list when the value is valid.
    """
    if root is None:
        unsendable = _unsendable(value, path)
        if unsendable:
            return unsendable
        root = schema
    if "$ref" in schema:
        local = {key: item for key, item in schema.items() if key != "$ref"}
        schema = {**_resolve(schema["$ref"], root), **local}
    problems = _check_combinators(value, schema, root, path)
    expected = schema.get("type")
    if expected is not None:
        names = [expected] if isinstance(expected, str) else list(expected)
        if not any(_TYPE_CHECKS.get(name, lambda _: True)(value) for name in names):
            wanted = " or ".join(names)
            return [*problems, f"{path}: expected {wanted}, got {_describe(value)}"]
    if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
        allowed = ", ".join(json.dumps(option) for option in schema["enum"])
        problems.append(f"{path}: {_short(value)} is not one of {allowed}")
    if "const" in schema and not _equal(value, schema["const"]):
        problems.append(f"{path}: must be {json.dumps(schema['const'])}")
    if isinstance(value, dict):
        problems += _check_object(value, schema, root, path)
    elif isinstance(value, (list, tuple)):
        problems += _check_array(value, schema, root, path)
    else:
        problems += _check_scalar(value, schema, path)
    return problems


def _check_combinators(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str
) -> list[str]:
    """``allOf`` must all pass; ``anyOf`` needs a passing branch, ``oneOf`` exactly one."""
    problems: list[str] = []
    for branch in schema.get("allOf", []):
        problems += validate_instance(value, branch, root=root, path=path)
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if not branches:
            continue
        results = [validate_instance(value, branch, root=root, path=path) for branch in branches]
        if all(results):
            best = min(results, key=len)
            problems += best if len(best) == 1 else [f"{path}: matches none of the allowed forms"]
        elif keyword == "oneOf" and sum(not result for result in results) > 1:
            problems.append(f"{path}: matches more than one of the allowed forms (oneOf)")
    return problems


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str
) -> list[str]:
    """Required and unexpected properties, then each property's own schema."""
    problems = [
        f"{path}: missing required property {name!r}"
        for name in schema.get("required", [])
        if name not in value
    ]
    properties: dict[str, Any] = schema.get("properties", {})
    extra_schema = schema.get("additionalProperties", True)
    for name, item in value.items():
        where = f"{path}.{name}"
        if name in properties:
            problems += validate_instance(item, properties[name], root=root, path=where)
        elif extra_schema is False:
            allowed = ", ".join(properties) or "none"
            problems.append(f"{path}: unexpected property {name!r} (allowed: {allowed})")
        elif isinstance(extra_schema, dict):
            problems += validate_instance(item, extra_schema, root=root, path=where)
    return problems


def _check_array(
    value: list[Any] | tuple[Any, ...], schema: dict[str, Any], root: dict[str, Any], path: str
) -> list[str]:
    """Length bounds, uniqueness, then each item against ``items``."""
    problems: list[str] = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        problems.append(f"{path}: needs at least {schema['minItems']} items, got {len(value)}")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        problems.append(f"{path}: allows at most {schema['maxItems']} items, got {len(value)}")
    if schema.get("uniqueItems"):
        keys = {_identity(item) for item in value}
        if len(keys) != len(value):
            problems.append(f"{path}: items must be unique")
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            problems += validate_instance(item, items, root=root, path=f"{path}[{index}]")
    return problems


def _check_scalar(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """Numeric bounds and string length and pattern."""
    problems: list[str] = []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for keyword, holds, sign in _BOUNDS:
            if keyword in schema and not holds(value, schema[keyword]):
                problems.append(f"{path}: must be {sign} {schema[keyword]}, got {value}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{path}: needs at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{path}: allows at most {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{path}: does not match the pattern {schema['pattern']!r}")
    return problems


def _unsendable(value: Any, path: str) -> list[str]:
    """Too deep, or numbers that are not finite (each named): what the tool must not get."""
    if nesting_depth(value, limit=MAX_NESTING) > MAX_NESTING:
        return [f"{path}: nested deeper than {MAX_NESTING} levels of objects and arrays"]
    problems: list[str] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack and len(problems) < 10:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            shown = "NaN" if math.isnan(item) else ("Infinity" if item > 0 else "-Infinity")
            problems.append(
                f"{where}: got {shown} (a number out of range or not a number); "
                "numbers must be finite"
            )
        elif isinstance(item, dict):
            stack.extend((child, f"{where}.{key}") for key, child in reversed(item.items()))
        elif isinstance(item, (list, tuple)):
            stack.extend(
                (child, f"{where}[{index}]") for index, child in reversed(list(enumerate(item)))
            )
    return problems


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``true != 1`` (Python's ``True == 1`` is not JSON's)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(map(_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    return bool(left == right)


def _identity(value: Any) -> Any:
    """A hashable key equal for JSON-equal values (``1`` and ``1.0``; never ``true`` and ``1``)."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (list, tuple)):
        return ("array", tuple(_identity(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, _identity(item)) for key, item in value.items()))
    return ("value", value)


def _resolve(reference: str, root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local JSON pointer (``#/$defs/Name``); an unknown one allows anything."""
    target: Any = root
    for part in reference.removeprefix("#/").split("/"):
        if not isinstance(target, dict) or part not in target:
            return {}
        target = target[part]
    return target if isinstance(target, dict) else {}


def _short(value: Any) -> str:
    """A value as JSON, cut to 60 characters."""
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(value: Any) -> str:
    """``integer 3``, ``string "x"``: the type and a short rendering of a value."""
    return f"{json_type_name(value)} {_short(value)}"
