"""A Python function's signature, type hints and docstring as a tool ``input_schema``.

Each parameter's annotation is compiled once into a ``Shape``: its JSON schema plus how to turn
validated JSON back into the Python value the function expects (an ``Enum`` member, a
dataclass instance, a pydantic model, a tuple...). The compiled ``FunctionSchema`` then
validates a tool call's input (``claude_nb._tools.schema_check``) and binds it to arguments.

Supported annotations, and their schemas::

    str, int, float, bool, None     {"type": "string" | "integer" | "number" | "boolean" | "null"}
    typing.Any                      {}  (any JSON value; the explicit opt-in)
    Literal["a", "b"], an Enum      {"type": "string", "enum": ["a", "b"]}
    list[T], tuple[T, ...], set[T]  {"type": "array", "items": T}  (set: "uniqueItems")
    dict, dict[str, T]              {"type": "object", "additionalProperties": T}
    X | None, Optional[X], A | B    {"anyOf": [X, {"type": "null"}]}
    a dataclass or a TypedDict      {"type": "object", "properties": ..., "required": ...,
                                     "additionalProperties": false}
    a pydantic model                its own ``model_json_schema()`` (``$defs`` hoisted to the root)
    datetime, date, pathlib.Path    {"type": "string", "format": "date-time" | "date"}
    Annotated[T, "text"]            T's schema with "description": "text"

Refused at registration, with a ``ToolError``: an input schema nesting deeper than
``MAX_NESTING`` (64) objects and arrays (e.g. dataclasses nested some 30 levels), and, naming
the parameter, ``*args``, ``**kwargs``, a
missing annotation (decision: refuse rather than guess; annotate with ``typing.Any`` to accept
any JSON value), and any other annotation (``bytes``, fixed-length tuples, non-str dict keys,
recursive types). Positional-only parameters are allowed: the signature names them, and the
call passes them by position. Parameters with a default are not required.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from claude_nb._api.json_safe import MAX_NESTING, nesting_depth
from claude_nb._exceptions import ToolError
from claude_nb._tools.docstrings import parse_docstring
from claude_nb._tools.schema_check import validate_instance

__all__ = ["FunctionSchema", "ParameterPlan", "Shape", "function_schema"]

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_STRING_LIKE: dict[Any, tuple[str | None, Callable[[Any], Any]]] = {
    datetime: ("date-time", datetime.fromisoformat),
    date: ("date", date.fromisoformat),
    Path: (None, Path),
}
_ARRAYS = {list: list, Sequence: list, tuple: tuple, set: set, frozenset: frozenset}


def _same(value: Any) -> Any:
    """Identity: the JSON value is already the Python value."""
    return value


@dataclass(frozen=True)
class Shape:
    """One annotation compiled: its JSON schema and its JSON-to-Python conversion.

    Attributes:
        schema: The JSON schema of the value.
        convert: Turns a value that passed the schema into the Python value to pass.
    """

    schema: dict[str, Any]
    convert: Callable[[Any], Any] = _same


@dataclass(frozen=True)
class ParameterPlan:
    """How one parameter is described to the model and passed to the function."""

    name: str
    shape: Shape
    positional_only: bool = False
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class FunctionSchema:
    """A function's tool description, input schema and argument binding.

    Attributes:
        description: The docstring's first paragraph ("" when there is none).
        input_schema: The JSON schema of the tool's input object.
        parameters: One plan per parameter, in signature order.
    """

    description: str
    input_schema: dict[str, Any]
    parameters: tuple[ParameterPlan, ...]

    def validate(self, arguments: Any) -> list[str]:
        """Check a tool call's input; one readable line per problem (empty when valid)."""
        return validate_instance(arguments, self.input_schema)

    def bind(self, arguments: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Turn validated input into positional and keyword arguments for the call.

        Raises:
            ValueError: A value passed the schema but could not be converted
                (an invalid date, a pydantic validator that refused it).
        """
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        for plan in self.parameters:
            if plan.name in arguments:
                value = plan.shape.convert(arguments[plan.name])
            elif plan.positional_only:
                value = plan.default
            else:
                continue
            if plan.positional_only:
                positional.append(value)
            else:
                keywords[plan.name] = value
        return positional, keywords


def function_schema(function: Callable[..., Any]) -> FunctionSchema:
    """Compile a function's signature, type hints and docstring.

    Args:
        function: A function, bound method, ``functools.partial`` or callable object.

    Returns:
        The compiled schema.

    Raises:
        ToolError: The signature cannot become a tool; the message names the parameter.
    """
    label = getattr(function, "__name__", type(function).__name__)
    try:
        signature = inspect.signature(function, eval_str=True)
    except (NameError, TypeError, ValueError, SyntaxError) as exc:
        reason = f"cannot read its signature ({exc})"
        raise ToolError(f"cannot use {label!r} as a tool: {reason}") from exc
    docs = parse_docstring(inspect.getdoc(function))
    compiler = _Compiler(label)
    properties: dict[str, Any] = {}
    plans: list[ParameterPlan] = []
    for parameter in signature.parameters.values():
        where = f"parameter {parameter.name!r}"
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            stars = "*" if parameter.kind is parameter.VAR_POSITIONAL else "**"
            raise compiler.refuse(
                f"parameter '{stars}{parameter.name}'",
                "collects variable arguments, which have no schema; name each parameter",
            )
        if parameter.annotation is parameter.empty:
            raise compiler.refuse(
                where, "has no type annotation; annotate it (typing.Any accepts any JSON value)"
            )
        try:
            shape = compiler.compile(_evaluated(parameter.annotation, function, where), where)
        except RecursionError:
            raise compiler.refuse(where, _TOO_DEEP) from None
        schema = dict(shape.schema)
        if parameter.name in docs.parameters and "description" not in schema:
            schema["description"] = docs.parameters[parameter.name]
        required = parameter.default is parameter.empty
        if not required:
            default = _json_default(parameter.default)
            if default is not None:
                schema["default"] = default[0]
        properties[parameter.name] = schema
        plans.append(
            ParameterPlan(
                name=parameter.name,
                shape=Shape(schema, shape.convert),
                positional_only=parameter.kind is parameter.POSITIONAL_ONLY,
                required=required,
                default=None if required else parameter.default,
            )
        )
    input_schema: dict[str, Any] = {"type": "object", "properties": properties}
    required_names = [plan.name for plan in plans if plan.required]
    if required_names:
        input_schema["required"] = required_names
    input_schema["additionalProperties"] = False
    if compiler.defs:
        input_schema["$defs"] = compiler.defs
    if nesting_depth(input_schema, limit=MAX_NESTING) > MAX_NESTING:
        raise ToolError(f"cannot use {label!r} as a tool: its input schema {_TOO_DEEP}")
    return FunctionSchema(docs.description, input_schema, tuple(plans))


_TOO_DEEP = (
    f"nests deeper than {MAX_NESTING} levels of objects and arrays; flatten the parameter types"
)


def _evaluated(annotation: Any, function: Callable[..., Any], where: str) -> Any:
    """A quoted annotation inside a postponed one (``x: "int"`` under PEP 563), evaluated."""
    if not isinstance(annotation, str):
        return annotation
    namespace = getattr(inspect.unwrap(function), "__globals__", {})
    try:
        return eval(annotation, dict(namespace))  # annotation text, as typing does
    except Exception as exc:
        raise ToolError(f"{where} has the annotation {annotation!r}, which fails: {exc}") from exc


def _json_default(value: Any) -> tuple[Any] | None:
    """A default as JSON, in a 1-tuple (None when it has no JSON form)."""
    if isinstance(value, enum.Enum):
        value = value.value
    try:
        return (json.loads(json.dumps(value)),)
    except (TypeError, ValueError):
        return None


class _Compiler:
    """Compiles annotations for one function; collects pydantic ``$defs``."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.defs: dict[str, Any] = {}
        self.active: set[type] = set()

    def refuse(self, where: str, reason: str) -> ToolError:
        """The registration error for one parameter."""
        return ToolError(f"cannot use {self.label!r} as a tool: {where} {reason}")

    def compile(self, annotation: Any, where: str) -> Shape:
        """The shape of one annotation (``where`` names the parameter in errors)."""
        origin = typing.get_origin(annotation)
        arguments = typing.get_args(annotation)
        if origin is typing.Annotated:
            shape = self.compile(arguments[0], where)
            notes = [note for note in arguments[1:] if isinstance(note, str)]
            if notes:
                return Shape({**shape.schema, "description": " ".join(notes)}, shape.convert)
            return shape
        if annotation is Any or annotation is object:
            return Shape({})
        if annotation is None or annotation is type(None):
            return Shape({"type": "null"})
        if annotation in _SCALARS:
            return _scalar(annotation)
        if annotation in _STRING_LIKE:
            string_format, parse = _STRING_LIKE[annotation]
            schema = {"type": "string"} | ({"format": string_format} if string_format else {})
            return Shape(schema, parse)
        if origin is typing.Literal:
            return Shape(_enum_schema(list(arguments)))
        if origin is typing.Union or origin is types.UnionType:
            return self._union(arguments, where)
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return Shape(_enum_schema([member.value for member in annotation]), annotation)
        if annotation in _ARRAYS or origin in _ARRAYS:
            return self._array(annotation, origin or annotation, arguments, where)
        if annotation in (dict, Mapping) or origin in (dict, Mapping):
            return self._mapping(arguments, where)
        if isinstance(annotation, type):
            found = self._class(annotation, where)
            if found is not None:
                return found
        raise self.refuse(where, f"has an unsupported annotation {annotation!r}")

    def _union(self, members: tuple[Any, ...], where: str) -> Shape:
        shapes = [self.compile(member, where) for member in members]
        root = {"$defs": self.defs}

        def convert(value: Any) -> Any:
            for shape in shapes:
                if not validate_instance(value, shape.schema, root=root):
                    return shape.convert(value)
            return value

        return Shape({"anyOf": [shape.schema for shape in shapes]}, convert)

    def _array(self, annotation: Any, kind: Any, arguments: tuple[Any, ...], where: str) -> Shape:
        container = _ARRAYS[kind]
        if kind is tuple and arguments and not (len(arguments) == 2 and arguments[1] is ...):
            raise self.refuse(where, f"is a fixed-length tuple {annotation!r}; use tuple[T, ...]")
        schema: dict[str, Any] = {"type": "array"}
        if container in (set, frozenset):
            schema["uniqueItems"] = True
        if not arguments:
            return Shape(schema, container)
        item = self.compile(arguments[0], where)
        schema["items"] = item.schema
        return Shape(schema, lambda value: container(item.convert(entry) for entry in value))

    def _mapping(self, arguments: tuple[Any, ...], where: str) -> Shape:
        if not arguments:
            return Shape({"type": "object"})
        if arguments[0] is not str:
            raise self.refuse(where, "is a dict with non-str keys; JSON object keys are strings")
        value = self.compile(arguments[1], where)
        schema = {"type": "object", "additionalProperties": value.schema}
        return Shape(schema, lambda mapping: {k: value.convert(v) for k, v in mapping.items()})

    def _class(self, cls: type, where: str) -> Shape | None:
        """Dataclasses, TypedDicts and pydantic models; None for anything else."""
        if _is_pydantic_model(cls):
            return self._pydantic(cls)
        is_typed_dict = typing.is_typeddict(cls)
        if not (dataclasses.is_dataclass(cls) or is_typed_dict):
            return None
        if cls in self.active:
            raise self.refuse(where, f"uses the recursive type {cls.__name__!r}")
        self.active.add(cls)
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except NameError as exc:
            raise self.refuse(where, f"uses {cls.__name__!r} whose hints fail ({exc})") from exc
        if is_typed_dict:
            required = set(getattr(cls, "__required_keys__", hints))
        else:
            hints = {field.name: hints[field.name] for field in dataclasses.fields(cls)}
            required = {
                field.name
                for field in dataclasses.fields(cls)
                if field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            }
        docs = parse_docstring(cls.__doc__).parameters
        fields = {
            name: self.compile(hint, f"{where} (field {cls.__name__}.{name})")
            for name, hint in hints.items()
        }
        self.active.discard(cls)
        properties = {
            name: shape.schema | ({"description": docs[name]} if name in docs else {})
            for name, shape in fields.items()
        }
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = [name for name in fields if name in required]
        schema["additionalProperties"] = False

        def convert(value: dict[str, Any]) -> Any:
            converted = {name: fields[name].convert(item) for name, item in value.items()}
            return converted if is_typed_dict else cls(**converted)

        return Shape(schema, convert)

    def _pydantic(self, model: Any) -> Shape:
        schema = dict(model.model_json_schema(ref_template="#/$defs/{model}"))
        self.defs.update(schema.pop("$defs", {}))
        schema.pop("title", None)
        return Shape(schema, model.model_validate)


def _scalar(annotation: Any) -> Shape:
    """str, int, float, bool; JSON 3.0 becomes int 3 and JSON 3 becomes float 3.0."""
    schema = {"type": _SCALARS[annotation]}
    if annotation is int:
        return Shape(schema, int)
    if annotation is float:
        return Shape(schema, float)
    return Shape(schema)


def _enum_schema(values: list[Any]) -> dict[str, Any]:
    """``enum`` with a ``type`` when every value has the same JSON type."""
    names = {_SCALARS.get(type(value), "null" if value is None else "other") for value in values}
    schema: dict[str, Any] = {"enum": values}
    if len(names) == 1 and "other" not in names:
        schema = {"type": names.pop(), **schema}
    return schema


def _is_pydantic_model(cls: type) -> bool:
    """Whether a class is a pydantic model, without importing pydantic when unused."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and issubclass(cls, pydantic.BaseModel)
