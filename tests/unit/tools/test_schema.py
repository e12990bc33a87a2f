"""Signatures -> input schemas, compared with hand-written schemas; refusals; validation."""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, TypedDict

import pydantic
import pytest

from claude_nb._exceptions import ToolError
from claude_nb._tools.docstrings import parse_docstring
from claude_nb._tools.schema import function_schema
from claude_nb._tools.schema_check import validate_instance


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass
class Point:
    """A point on the plane.

    Attributes:
        x: Horizontal position.
        y: Vertical position.
    """

    x: float
    y: float = 0.0


@dataclass
class Box:
    corner: Point
    tags: list[str] = field(default_factory=list)


class Movie(TypedDict):
    title: str
    year: int


class Partial(TypedDict, total=False):
    note: str


class Address(pydantic.BaseModel):
    street: str
    number: int = 1


class Person(pydantic.BaseModel):
    name: str
    address: Address


# --- the table: one function per supported kind, with its expected schema -------------------


def f_scalars(text: str, count: int, ratio: float, flag: bool) -> None:
    """Scalars."""


def f_any_and_none(anything: Any, nothing: None) -> None:
    """Any and None."""


def f_literal(mode: Literal["fast", "slow"], level: Literal[1, 2]) -> None:
    """Literals."""


def f_enum(color: Color, level: Level = Level.LOW) -> None:
    """Enums."""


def f_lists(names: list[str], points: tuple[float, ...], unique: set[int], raw: list) -> None:  # type: ignore[type-arg]
    """Arrays."""


def f_dicts(free: dict, scores: dict[str, float]) -> None:  # type: ignore[type-arg]
    """Objects."""


def f_optional(a: Optional[int], b: str | None = None, c: int | str = 0) -> None:  # noqa: UP045
    """Optionals and unions."""


def f_defaults(city: str, days: int = 3, units: str = "metric") -> None:
    """Defaults are not required."""


def f_dataclass(point: Point, box: Box | None = None) -> None:
    """Nested dataclasses."""


def f_typed_dict(movie: Movie, extra: Partial) -> None:
    """TypedDicts."""


def f_pydantic(person: Person) -> None:
    """Pydantic models."""


def f_annotated(city: Annotated[str, "The city"], when: date, where: Path) -> None:
    """Annotated, dates and paths."""


def f_google(city: str, unit: str = "c") -> None:
    """Look up the weather
    for a city.

    Second paragraph, not in the description.

    Args:
        city (str): The city, e.g.
            "Paris".
        unit: Either c or f.

    Returns:
        The forecast.
    """


def f_numpy(city: str, unit: str = "c") -> None:
    """Look up the weather.

    Parameters
    ----------
    city : str
        The city.
    unit : str, optional
        Either c or f.

    Returns
    -------
    str
    """


def f_rest(city: str, unit: str = "c") -> None:
    """Look up the weather.

    :param city: The city.
    :param str unit: Either c or
        f.
    :returns: The forecast.
    """


def f_positional_only(a: int, /, b: int = 2, *, c: bool = False) -> None:
    """Positional-only and keyword-only parameters."""


def f_no_docstring(x: int) -> None:
    pass


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


STRING, INTEGER, NUMBER, BOOLEAN, NULL = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "null"},
)
POINT = obj(
    {
        "x": {"type": "number", "description": "Horizontal position."},
        "y": {"type": "number", "description": "Vertical position."},
    },
    ["x"],
)
GOOGLE_NUMPY_REST = obj(
    {
        "city": {**STRING, "description": "The city."},
        "unit": {**STRING, "description": "Either c or f.", "default": "c"},
    },
    ["city"],
)

TABLE: list[tuple[Any, str, dict[str, Any]]] = [
    (
        f_scalars,
        "Scalars.",
        obj(
            {"text": STRING, "count": INTEGER, "ratio": NUMBER, "flag": BOOLEAN},
            ["text", "count", "ratio", "flag"],
        ),
    ),
    (
        f_any_and_none,
        "Any and None.",
        obj({"anything": {}, "nothing": NULL}, ["anything", "nothing"]),
    ),
    (
        f_literal,
        "Literals.",
        obj(
            {
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "level": {"type": "integer", "enum": [1, 2]},
            },
            ["mode", "level"],
        ),
    ),
    (
        f_enum,
        "Enums.",
        obj(
            {
                "color": {"type": "string", "enum": ["red", "green"]},
                "level": {"type": "integer", "enum": [1, 2], "default": 1},
            },
            ["color"],
        ),
    ),
    (
        f_lists,
        "Arrays.",
        obj(
            {
                "names": {"type": "array", "items": STRING},
                "points": {"type": "array", "items": NUMBER},
                "unique": {"type": "array", "uniqueItems": True, "items": INTEGER},
                "raw": {"type": "array"},
            },
            ["names", "points", "unique", "raw"],
        ),
    ),
    (
        f_dicts,
        "Objects.",
        obj(
            {
                "free": {"type": "object"},
                "scores": {"type": "object", "additionalProperties": NUMBER},
            },
            ["free", "scores"],
        ),
    ),
    (
        f_optional,
        "Optionals and unions.",
        obj(
            {
                "a": {"anyOf": [INTEGER, NULL]},
                "b": {"anyOf": [STRING, NULL], "default": None},
                "c": {"anyOf": [INTEGER, STRING], "default": 0},
            },
            ["a"],
        ),
    ),
    (
        f_defaults,
        "Defaults are not required.",
        obj(
            {
                "city": STRING,
                "days": {**INTEGER, "default": 3},
                "units": {**STRING, "default": "metric"},
            },
            ["city"],
        ),
    ),
    (
        f_dataclass,
        "Nested dataclasses.",
        obj(
            {
                "point": POINT,
                "box": {
                    "anyOf": [
                        obj(
                            {"corner": POINT, "tags": {"type": "array", "items": STRING}},
                            ["corner"],
                        ),
                        NULL,
                    ],
                    "default": None,
                },
            },
            ["point"],
        ),
    ),
    (
        f_typed_dict,
        "TypedDicts.",
        obj(
            {
                "movie": obj({"title": STRING, "year": INTEGER}, ["title", "year"]),
                "extra": obj({"note": STRING}),
            },
            ["movie", "extra"],
        ),
    ),
    (
        f_pydantic,
        "Pydantic models.",
        {
            "type": "object",
            "properties": {
                "person": {
                    "type": "object",
                    "properties": {
                        "name": {"title": "Name", "type": "string"},
                        "address": {"$ref": "#/$defs/Address"},
                    },
                    "required": ["name", "address"],
                }
            },
            "required": ["person"],
            "additionalProperties": False,
            "$defs": {
                "Address": {
                    "type": "object",
                    "title": "Address",
                    "properties": {
                        "street": {"title": "Street", "type": "string"},
                        "number": {"default": 1, "title": "Number", "type": "integer"},
                    },
                    "required": ["street"],
                }
            },
        },
    ),
    (
        f_annotated,
        "Annotated, dates and paths.",
        obj(
            {
                "city": {**STRING, "description": "The city"},
                "when": {**STRING, "format": "date"},
                "where": STRING,
            },
            ["city", "when", "where"],
        ),
    ),
    (
        f_google,
        "Look up the weather for a city.",
        obj(
            {
                "city": {**STRING, "description": 'The city, e.g. "Paris".'},
                "unit": {**STRING, "description": "Either c or f.", "default": "c"},
            },
            ["city"],
        ),
    ),
    (f_numpy, "Look up the weather.", GOOGLE_NUMPY_REST),
    (f_rest, "Look up the weather.", GOOGLE_NUMPY_REST),
    (
        f_positional_only,
        "Positional-only and keyword-only parameters.",
        obj(
            {"a": INTEGER, "b": {**INTEGER, "default": 2}, "c": {**BOOLEAN, "default": False}},
            ["a"],
        ),
    ),
    (f_no_docstring, "", obj({"x": INTEGER}, ["x"])),
]


@pytest.mark.parametrize(
    ("function", "description", "expected"), TABLE, ids=[row[0].__name__ for row in TABLE]
)
def test_schema_table(function: Any, description: str, expected: dict[str, Any]) -> None:
    compiled = function_schema(function)
    assert compiled.description == description
    assert compiled.input_schema == expected


def test_table_covers_at_least_fifteen_rows() -> None:
    assert len(TABLE) >= 15


# --- refusals, named by parameter ----------------------------------------------------------


def r_args(a: int, *rest: int) -> None: ...


def r_kwargs(a: int, **options: int) -> None: ...


def r_missing(a: int, b) -> None: ...  # type: ignore[no-untyped-def]


def r_bytes(payload: bytes) -> None: ...


def r_fixed_tuple(pair: tuple[int, int]) -> None: ...


def r_int_keys(table: dict[int, str]) -> None: ...


@dataclass
class Node:
    value: int
    child: Node | None = None


def r_recursive(tree: Node) -> None: ...


def r_nested_field(box: list[Box], blob: Annotated[bytes, "x"]) -> None: ...


@pytest.mark.parametrize(
    ("function", "fragment"),
    [
        (r_args, "parameter '*rest'"),
        (r_kwargs, "parameter '**options'"),
        (r_missing, "parameter 'b' has no type annotation"),
        (r_bytes, "parameter 'payload' has an unsupported annotation"),
        (r_fixed_tuple, "parameter 'pair' is a fixed-length tuple"),
        (r_int_keys, "parameter 'table' is a dict with non-str keys"),
        (r_recursive, "parameter 'tree' (field Node.child) uses the recursive type 'Node'"),
        (r_nested_field, "parameter 'blob' has an unsupported annotation"),
    ],
)
def test_refusals_name_the_parameter(function: Any, fragment: str) -> None:
    with pytest.raises(ToolError) as caught:
        function_schema(function)
    assert fragment in str(caught.value)
    assert function.__name__ in str(caught.value)


def test_unresolvable_forward_reference_is_refused() -> None:
    def uses_missing(x: NoSuchType) -> None:  # type: ignore[name-defined]  # noqa: F821
        pass

    with pytest.raises(ToolError, match="cannot read its signature"):
        function_schema(uses_missing)


# --- docstrings ----------------------------------------------------------------------------


def test_docstring_parser_handles_multiple_names_and_star_args() -> None:
    parsed = parse_docstring(
        """Summary line.

        Parameters
        ----------
        x, y : float
            Coordinates.
        """
    )
    assert parsed.parameters == {"x": "Coordinates.", "y": "Coordinates."}
    assert parse_docstring(None).description == ""
    assert parse_docstring("Args:\n    a: first").description == ""


# --- validation and conversion -------------------------------------------------------------


def test_validation_reports_every_problem_with_its_path() -> None:
    compiled = function_schema(f_dataclass)
    problems = compiled.validate({"point": {"x": "far", "z": 1}, "box": {"tags": "a"}, "other": 1})
    assert 'input.point.x: expected number, got string "far"' in problems
    assert "input.point: unexpected property 'z' (allowed: x, y)" in problems
    assert "input: unexpected property 'other' (allowed: point, box)" in problems
    assert any(problem.startswith("input.box") for problem in problems)
    assert compiled.validate({}) == ["input: missing required property 'point'"]
    assert compiled.validate([1]) == ["input: expected object, got array [1]"]


def test_validation_enum_items_and_bools() -> None:
    compiled = function_schema(f_enum)
    assert compiled.validate({"color": "blue"}) == [
        'input.color: "blue" is not one of "red", "green"'
    ]
    lists = function_schema(f_lists)
    problems = lists.validate({"names": ["a", 2], "points": [], "unique": [1, 1], "raw": []})
    assert problems == [
        "input.names[1]: expected string, got integer 2",
        "input.unique: items must be unique",
    ]
    scalars = function_schema(f_scalars)
    assert scalars.validate({"text": "a", "count": True, "ratio": 1, "flag": 0}) == [
        "input.count: expected integer, got boolean true",
        "input.flag: expected boolean, got integer 0",
    ]


def test_validator_bounds_refs_and_unknown_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "exclusiveMaximum": 5},
            "s": {"type": "string", "minLength": 2, "pattern": "^a"},
            "ref": {"$ref": "#/$defs/Thing"},
            "odd": {"x-unknown-keyword": True},
        },
        "$defs": {"Thing": {"type": "array", "maxItems": 1}},
    }
    problems = validate_instance({"n": 5, "s": "b", "ref": [1, 2], "odd": object()}, schema)
    assert problems == [
        "input.n: must be < 5, got 5",
        "input.s: needs at least 2 characters",
        "input.s: does not match the pattern '^a'",
        "input.ref: allows at most 1 items, got 2",
    ]


def test_conversion_builds_python_values() -> None:
    compiled = function_schema(f_dataclass)
    positional, keywords = compiled.bind(
        {"point": {"x": 1}, "box": {"corner": {"x": 2, "y": 3}, "tags": ["t"]}}
    )
    assert positional == []
    assert keywords == {"point": Point(1.0, 0.0), "box": Box(Point(2.0, 3.0), ["t"])}
    assert isinstance(keywords["point"].x, float)

    positional, keywords = function_schema(f_enum).bind({"color": "red", "level": 2})
    assert keywords == {"color": Color.RED, "level": Level.HIGH}

    _, keywords = function_schema(f_lists).bind(
        {"names": ["a"], "points": [1, 2.5], "unique": [3], "raw": [None]}
    )
    assert keywords == {"names": ["a"], "points": (1.0, 2.5), "unique": {3}, "raw": [None]}

    _, keywords = function_schema(f_pydantic).bind(
        {"person": {"name": "Ada", "address": {"street": "Main"}}}
    )
    assert keywords["person"] == Person(name="Ada", address=Address(street="Main"))

    _, keywords = function_schema(f_annotated).bind(
        {"city": "X", "when": "2024-02-29", "where": "/tmp/x"}
    )
    assert keywords == {"city": "X", "when": date(2024, 2, 29), "where": Path("/tmp/x")}

    _, keywords = function_schema(f_optional).bind({"a": 3.0, "c": "s"})
    assert keywords == {"a": 3, "c": "s"}
    assert type(keywords["a"]) is int


def test_positional_only_parameters_are_passed_by_position() -> None:
    positional, keywords = function_schema(f_positional_only).bind({"a": 1, "c": True})
    assert positional == [1]
    assert keywords == {"c": True}


def test_conversion_failure_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        function_schema(f_annotated).bind({"city": "X", "when": "not a date", "where": "p"})


def test_string_annotations_resolve() -> None:
    namespace: dict[str, Any] = {"typing": typing}
    exec("def g(x: 'typing.List[int]', y: 'int | None' = None) -> None: pass", namespace)
    assert function_schema(namespace["g"]).input_schema["properties"] == {
        "x": {"type": "array", "items": INTEGER},
        "y": {"anyOf": [INTEGER, NULL], "default": None},
    }
