"""Structured output: a Python type (or a JSON Schema) as ``output_config.format``, and back.

``ask(prompt, output=Model)`` sends ``output_config.format = {"type": "json_schema",
"schema": ...}`` and reads the reply's JSON back as a ``Model``::

    spec = output_spec(Movie)            # a dataclass, TypedDict, pydantic model or schema dict
    spec.format                          # {"type": "json_schema", "schema": {...}}
    spec.parse('{"title": "Up", ...}')   # Movie(title="Up", ...)

The schema of a dataclass or TypedDict is the one tools use (``claude_nb._tools.schema``'s
compiler: nested dataclasses, enums, ``Literal``, ``Optional``, lists, ``$defs`` of pydantic
models), so one concept lives in one place; a pydantic model's is its own
``model_json_schema()`` (pydantic is never imported here: a model is recognised only when
pydantic is already loaded). Every object schema gets ``additionalProperties: false``, as
structured outputs require. A JSON Schema dict is sent as given and parses to plain JSON.

Reading back: the text is JSON (a fenced block is unwrapped), it passes the schema
(``schema_check.validate_instance``), and it converts to the type; otherwise a
``StructuredOutputError`` carrying the text and one line per problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from claude_nb._api.formats import fenced_blocks
from claude_nb._exceptions import ContentError, StructuredOutputError, ToolError
from claude_nb._tools.schema import _Compiler
from claude_nb._tools.schema_check import validate_instance

__all__ = ["OutputSpec", "output_spec", "strict_schema"]

_SCHEMA_KEYS = frozenset(("type", "properties", "$ref", "anyOf", "oneOf", "allOf", "enum"))


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class OutputSpec:
    """What ``output=`` asked for: the schema sent and how the reply becomes a value.

    Attributes:
        name: The type's name (or the schema's ``title``), for messages.
        schema: The JSON schema sent as ``output_config.format.schema``.
        convert: Turns JSON that passed the schema into the value (``Model(**...)``).
    """

    name: str
    schema: dict[str, Any]
    convert: Callable[[Any], Any] = _same

    @property
    def format(self) -> dict[str, Any]:
        """``output_config.format`` for this schema."""
        return {"type": "json_schema", "schema": self.schema}

    def parse(self, text: str, *, stop_reason: str | None = None) -> Any:
        """The reply's text as the asked value.

        Raises:
            StructuredOutputError: Not JSON, not of the schema, or refused by the type.
        """
        why = (
            f" (the reply stopped on {stop_reason!r})"
            if stop_reason not in (None, "end_turn", "stop_sequence")
            else ""
        )
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            blocks = fenced_blocks(text)
            try:
                value = json.loads(blocks[0]) if blocks else None
            except json.JSONDecodeError:
                blocks = []
            if not blocks:
                raise StructuredOutputError(
                    f"the reply is not JSON of {self.name}{why}: {error.msg} at line "
                    f"{error.lineno}; the text is in the error's .text",
                    text=text,
                    problems=[error.msg],
                ) from None
        problems = validate_instance(value, self.schema, path="reply")
        if problems:
            shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
            raise StructuredOutputError(
                f"the reply does not match {self.name}{why}: {shown}",
                text=text,
                problems=problems,
            )
        try:
            return self.convert(value)
        except (TypeError, ValueError) as error:  # pydantic's ValidationError is a ValueError
            raise StructuredOutputError(
                f"the reply's JSON is not a {self.name}: {error}", text=text, problems=[str(error)]
            ) from None


class _OutputCompiler(_Compiler):
    """The tools' schema compiler, its refusals worded for an output type."""

    def refuse(self, where: str, reason: str) -> ToolError:
        raise ContentError(f"cannot use {self.label!r} as an output schema: {where} {reason}")


def strict_schema(schema: Any) -> Any:
    """A copy with ``additionalProperties: false`` on every object that names properties."""
    if isinstance(schema, list):
        return [strict_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    copied = {key: strict_schema(item) for key, item in schema.items()}
    if "properties" in copied and "additionalProperties" not in copied:
        copied["additionalProperties"] = False
    return copied


def output_spec(output: Any) -> OutputSpec:
    """``output=``'s type or schema as an ``OutputSpec`` (an ``OutputSpec`` is returned as is).

    Raises:
        ContentError: Not a type with a schema (the message names the field), nor a schema.
    """
    if isinstance(output, OutputSpec):
        return output
    if isinstance(output, Mapping):
        if not _SCHEMA_KEYS & set(output):
            raise ContentError(
                "output= takes a dataclass, TypedDict, pydantic model or a JSON Schema dict; "
                f"this dict has none of {sorted(_SCHEMA_KEYS)}"
            )
        schema = json.loads(json.dumps(output))  # a copy, and plain JSON
        return OutputSpec(str(schema.get("title") or "the schema"), strict_schema(schema))
    label = getattr(output, "__name__", repr(output))
    compiler = _OutputCompiler(label)
    try:
        shape = compiler.compile(output, "the type")
    except RecursionError:
        raise ContentError(f"cannot use {label!r} as an output schema: it nests too deep") from None
    schema = dict(shape.schema)
    if compiler.defs:
        schema["$defs"] = compiler.defs
    return OutputSpec(label, strict_schema(schema), shape.convert)
