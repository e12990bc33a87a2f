"""Draw a tool's ``input`` from a prompt and the tool's JSON schema (offline responder).

Values come from the prompt when it offers them: ``name=value`` / ``name: value`` pairs, enum
values mentioned, numbers, quoted strings, booleans, and a phrase after "for"/"in"/"of".
Otherwise the schema's default; required fields always get a type-correct value.
"""

from __future__ import annotations

import re
from typing import Any

from claude_nb.emulator._patterns import lazy

__all__ = ["draw_input"]

NUMBER = lazy(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
QUOTED = lazy(r"\"([^\"]*)\"|'([^']+)'|`([^`]+)`")
PHRASE = lazy(r"\b(?:for|in|of|about|on|named|called|to)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)")
TRUE_WORDS = ("true", "yes", "on")
FALSE_WORDS = ("false", "no", "off")


class _Pool:
    """Values found in the prompt, handed out once each."""

    def __init__(self, prompt: str, tool_names: set[str]) -> None:
        cleaned = prompt
        for name in tool_names:
            cleaned = cleaned.replace(f"`{name}`", name)
        self.prompt = cleaned
        self.numbers = [match.group(0) for match in NUMBER.finditer(cleaned)]
        self.quoted = [
            next(group for group in match.groups() if group is not None)
            for match in QUOTED.finditer(cleaned)
        ]
        self.phrases = [match.group(1) for match in PHRASE.finditer(cleaned)]

    def pair(self, name: str) -> str | None:
        pattern = rf"\b{re.escape(name)}\s*(?:=|:|\bis\b)\s*(\"[^\"]*\"|'[^']*'|[^\s,;]+)"
        match = re.search(pattern, self.prompt, re.IGNORECASE)
        if match is None:
            return None
        value = match.group(1).strip("\"'")
        if value in self.quoted:
            self.quoted.remove(value)
        if value in self.numbers:
            self.numbers.remove(value)
        return value


def _coerce(text: str, kind: Any) -> Any:
    try:
        if kind == "integer":
            return int(text) if text.lstrip("-").isdigit() else int(float(text))
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except (ValueError, OverflowError):  # "1e400" as an integer: no value drawn
        return None
    if kind == "boolean":
        lowered = text.lower()
        return True if lowered in TRUE_WORDS else False if lowered in FALSE_WORDS else None
    return text


def _placeholder(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "string")
    if schema.get("enum"):
        return schema["enum"][0]
    return {
        "integer": 0,
        "number": 0,
        "boolean": False,
        "array": [],
        "object": {},
        "null": None,
    }.get(str(kind), "example")


def _draw_value(name: str, schema: dict[str, Any], pool: _Pool) -> tuple[bool, Any]:
    kind = schema.get("type")
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        for option in enum:
            if re.search(rf"\b{re.escape(str(option))}\b", pool.prompt, re.IGNORECASE):
                return True, option
    paired = pool.pair(name)
    if paired is not None and kind != "array":
        value = _coerce(paired, kind)
        if value is not None:
            return True, value
    if kind in ("integer", "number") and pool.numbers:
        value = _coerce(pool.numbers.pop(0), kind)
        if value is not None:
            return True, value
    if kind == "string" and not enum:
        if pool.quoted:
            return True, pool.quoted.pop(0)
        if pool.phrases:
            return True, pool.phrases.pop(0)
    if kind == "boolean":
        for word in TRUE_WORDS[:1] + FALSE_WORDS[:1]:
            if re.search(rf"\b{name}\b[^.]*\b{word}\b", pool.prompt, re.IGNORECASE):
                return True, word == "true"
    if kind == "array":
        items = schema.get("items")
        item_kind = items.get("type") if isinstance(items, dict) else None
        if item_kind in ("integer", "number") and pool.numbers:
            values = [_coerce(number, item_kind) for number in pool.numbers]
            pool.numbers = []
            return True, values
        if item_kind == "string" and pool.quoted:
            values_text = list(pool.quoted)
            pool.quoted = []
            return True, values_text
    if kind == "object" and isinstance(schema.get("properties"), dict):
        return True, _draw_object(schema, pool)
    if "default" in schema:
        return True, schema["default"]
    return False, _placeholder(schema)


def _draw_object(schema: dict[str, Any], pool: _Pool) -> dict[str, Any]:
    properties = schema.get("properties")
    required = schema.get("required") or []
    result: dict[str, Any] = {}
    if not isinstance(properties, dict):
        return result
    for name, spec in properties.items():
        found, value = _draw_value(name, spec if isinstance(spec, dict) else {}, pool)
        if found or name in required:
            result[name] = value
    return result


def draw_input(schema: dict[str, Any], prompt: str, tool_names: set[str]) -> dict[str, Any]:
    """The ``input`` for a call of a tool with ``schema``, drawn from ``prompt``.

    Args:
        schema: The tool's ``input_schema`` (an object schema).
        prompt: The user's text.
        tool_names: Names of offered tools (their digits are not taken as numbers).
    """
    return _draw_object(schema, _Pool(prompt, tool_names))
