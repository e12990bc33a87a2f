"""The best-effort value of tool-input JSON cut short (a ``max_tokens`` stop mid tool call).

The SDK re-parses the growing ``input_json_delta`` buffer with ``jiter.from_json(buf,
partial_mode=True)``; ``partial_json`` gives the same value for any prefix of valid JSON
(``jiter`` is the oracle in tests/unit/wire/test_properties.py) without that dependency.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["partial_json"]

_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (untyped in typeshed)

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NUMBER_CHARS = frozenset("0123456789+-.eE")
_NUMBER_START = re.compile(r"-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]*)?)?")
# a \u escape cut short ("\u", "\u00e"), or a whole one waiting for its pair ("\ud83d\u")
_CUT_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{0,4}(?:\\(?:u[0-9a-fA-F]{0,3})?)?")
_LITERALS = {"true": True, "false": False, "null": None}
_WHITESPACE = frozenset(" \t\n\r")


class _Cut(Exception):
    """The text ended inside a value that has nothing usable yet."""


def _skip(raw: str, at: int) -> int:
    while at < len(raw) and raw[at] in _WHITESPACE:
        at += 1
    return at


def _string(raw: str, at: int) -> tuple[str, int]:
    try:
        text, end = _scanstring(raw, at + 1)
    except json.JSONDecodeError as error:
        if "Unterminated" in error.msg or _CUT_ESCAPE.fullmatch(raw, error.pos - 1):
            raise _Cut from None  # a string cut short (inside an escape too) is dropped
        raise ValueError(f"{error.msg} at {error.pos}") from None
    return text, end


def _value(raw: str, at: int) -> tuple[Any, int]:
    """(value, end) of the JSON value at ``at``; _Cut when nothing of it is usable.

    A container cut short ends at ``len(raw)`` (what it holds so far is its value).
    """
    at = _skip(raw, at)
    if at >= len(raw):
        raise _Cut
    first = raw[at]
    if first in "{[":
        return _container(raw, at)
    if first == '"':
        return _string(raw, at)
    for word, value in _LITERALS.items():
        if raw.startswith(word, at):
            return value, at + len(word)
        if word.startswith(raw[at:]):
            raise _Cut
    match = _NUMBER.match(raw, at)
    rest = raw[match.end() if match else at :]
    if rest and rest[0] in _NUMBER_CHARS:
        if _NUMBER_START.fullmatch(raw, at):
            raise _Cut  # "1." or "-" or "1e": a number still being written
        raise ValueError(f"bad number at {at}")
    if match is None:
        raise ValueError(f"unexpected {first!r} at {at}")
    return json.loads(match.group()), match.end()


def _container(raw: str, at: int) -> tuple[Any, int]:
    is_object = raw[at] == "{"
    closer = "}" if is_object else "]"
    items: Any = {} if is_object else []
    at = _skip(raw, at + 1)
    if at < len(raw) and raw[at] == closer:
        return items, at + 1
    while at < len(raw):
        try:
            if is_object:
                if raw[at] != '"':
                    raise ValueError(f"expected a key at {at}")
                key, at = _string(raw, at)
                at = _skip(raw, at)
                if at < len(raw) and raw[at] != ":":
                    raise ValueError(f"expected ':' at {at}")
                items[key], at = _value(raw, at + 1)
            else:
                value, at = _value(raw, at)
                items.append(value)
        except _Cut:
            break
        at = _skip(raw, at)
        if at < len(raw) and raw[at] == closer:
            return items, at + 1
        if at < len(raw) and raw[at] != ",":
            raise ValueError(f"expected ',' or {closer!r} at {at}")
        at = _skip(raw, at + 1)
    return items, len(raw)


def partial_json(raw: str) -> Any:
    """The best-effort value of JSON text cut short, as the SDK's ``jiter`` partial mode gives.

    Complete members are kept; a member whose value is unfinished (a string, a number still
    being written, ``tru``) is dropped; open objects and arrays are closed. Nothing usable
    (``""``, ``{``) gives ``{}``.

    Raises:
        ValueError: When ``raw`` is not the start of any JSON text (garbage, not a cut).
    """
    try:
        value, end = _value(raw, 0)
    except _Cut:
        return {}
    except RecursionError:
        raise ValueError("nested too deep") from None
    if _skip(raw, end) < len(raw):
        raise ValueError(f"extra data at {end}")
    return value
