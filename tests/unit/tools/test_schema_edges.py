"""The tool-input validator on valid input too, and at its exact edges.

Every union test used to give an invalid value, so a validator that rejected a correct value
for an ``Optional`` parameter went unseen (the mutation run: ``anyOf`` checked with ``any``
instead of ``all`` survived). Here each keyword gets a value just inside and just outside.
"""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb._tools.schema_check import json_type_name, validate_instance

OPTIONAL_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        (OPTIONAL_INT, [None, 3, 0, -2, 2.0], ["3", True, 1.5, [], {}]),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, ["x", 3], [None, 1.5]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1.5], [3]),  # 3 matches both
        ({"allOf": [{"type": "integer"}, {"minimum": 2}]}, [2, 9], [1, "x"]),
        ({"type": ["string", "null"]}, ["", None], [0, False]),
        ({"enum": [1, "a", None]}, [1, 1.0, "a", None], [True, "A", 2, 0]),
        ({"enum": [True]}, [True], [1, False]),
        ({"const": 0}, [0, 0.0], [False, None, "0"]),
        ({"const": {"a": [1, True]}}, [{"a": [1.0, True]}], [{"a": [1, 1]}, {"a": [1]}]),
        ({"type": "integer", "minimum": 3}, [3, 4], [2, 2.99]),
        ({"type": "integer", "maximum": 3}, [3, -1], [4]),
        ({"type": "number", "exclusiveMinimum": 3}, [3.01, 4], [3, 2]),
        ({"type": "number", "exclusiveMaximum": 3}, [2.99], [3, 4]),
        ({"type": "string", "minLength": 2}, ["ab", "abc"], ["a", ""]),
        ({"type": "string", "maxLength": 2}, ["ab", ""], ["abc"]),
        ({"type": "string", "pattern": "^[a-z]+$"}, ["abc"], ["ab1", ""]),
        ({"type": "array", "minItems": 2}, [[1, 2], [1, 2, 3]], [[1], []]),
        ({"type": "array", "maxItems": 2}, [[], [1, 2]], [[1, 2, 3]]),
        (
            {"type": "array", "uniqueItems": True},
            [[1, True], [1, "1"], [[1], [2]], []],
            [[1, 1.0], [{"a": 1}, {"a": 1}], [[1], [1]], [None, None]],
        ),
        ({"type": "array", "uniqueItems": False}, [[1, 1]], []),
        ({"type": "array", "items": {"type": "integer"}}, [[1, 2], []], [[1, "2"], ["x"]]),
        ({"type": "object", "required": ["a"]}, [{"a": 1}, {"a": None, "b": 2}], [{}, {"b": 1}]),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "integer"}},
                "additionalProperties": False,
            },
            [{}, {"a": 1}],
            [{"b": 1}, {"a": "x"}],
        ),
        ({"type": "object", "additionalProperties": {"type": "string"}}, [{"k": "v"}], [{"k": 1}]),
        (
            {
                "type": "object",
                "properties": {"a": {"$ref": "#/$defs/A"}},
                "$defs": {"A": {"type": "integer"}},
            },
            [{"a": 1}],
            [{"a": "x"}],
        ),
        ({"$ref": "#/$defs/Missing"}, [1, "x", None], []),  # an unknown pointer allows anything
        ({"type": "boolean"}, [True, False], [0, 1, "true", None]),
        ({"type": "null"}, [None], [0, "", False]),
        ({"type": "integer"}, [1, 1.0, -0.0], [1.5, True, "1"]),
        ({"type": "number"}, [1, 1.5], [True, "1", None]),
        ({"type": "object"}, [{}], [[], "x"]),
        ({"type": "array"}, [[], (1, 2)], [{}, "x"]),
        ({"type": "mystery"}, [1, "x"], []),  # an unknown type name allows anything
    ],
)
def test_just_inside_is_valid_and_just_outside_is_not(
    schema: dict[str, Any], good: list[Any], bad: list[Any]
) -> None:
    for value in good:
        assert validate_instance(value, schema) == [], (value, schema)
    for value in bad:
        problems = validate_instance(value, schema)
        assert problems and all(p.startswith("input") for p in problems), (value, schema)


def test_messages_name_the_place_and_the_rule() -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "array", "items": {"type": "integer", "minimum": 1}},
            "unit": {"enum": ["c", "f"]},
        },
        "required": ["city", "when"],
        "additionalProperties": False,
    }
    problems = validate_instance({"city": 3, "days": [1, 0], "unit": "k", "x": 1}, schema)
    assert problems == [
        "input: missing required property 'when'",
        "input.city: expected string, got integer 3",
        "input.days[1]: must be >= 1, got 0",
        'input.unit: "k" is not one of "c", "f"',
        "input: unexpected property 'x' (allowed: city, days, unit)",
    ]
    assert validate_instance("abc", {"maxLength": 2}) == ["input: allows at most 2 characters"]
    assert validate_instance("", {"minLength": 1}) == ["input: needs at least 1 characters"]
    assert validate_instance([1], {"minItems": 2}) == ["input: needs at least 2 items, got 1"]
    assert validate_instance([1, 2], {"maxItems": 1}) == ["input: allows at most 1 items, got 2"]
    assert validate_instance(5, {"exclusiveMaximum": 5}) == ["input: must be < 5, got 5"]
    assert validate_instance(5, {"exclusiveMinimum": 5}) == ["input: must be > 5, got 5"]
    assert validate_instance(6, {"maximum": 5}) == ["input: must be <= 5, got 6"]
    assert validate_instance("b", {"pattern": "a"}) == ["input: does not match the pattern 'a'"]
    assert validate_instance(2, {"const": 1}) == ["input: must be 1"]
    assert validate_instance([1, 1], {"uniqueItems": True}) == ["input: items must be unique"]
    assert validate_instance(1, {"type": ["string", "null"]}) == [
        "input: expected string or null, got integer 1"
    ]
    assert validate_instance(3, {"oneOf": [{"type": "integer"}, {"minimum": 0}]}) == [
        "input: matches more than one of the allowed forms (oneOf)"
    ]
    assert validate_instance("x", OPTIONAL_INT) == ['input: expected integer, got string "x"']
    two_each = {
        "anyOf": [
            {"type": "string", "minLength": 3, "pattern": "^z"},
            {"type": "string", "maxLength": 1, "pattern": "^y"},
        ]
    }
    assert validate_instance("ab", two_each) == ["input: matches none of the allowed forms"]
    one_left = {"anyOf": [{"type": "string", "minLength": 3}, {"type": "string", "maxLength": 0}]}
    assert validate_instance("ab", one_left) == ["input: needs at least 3 characters"]
    long_value = "x" * 100
    assert validate_instance(long_value, {"enum": ["a"]}) == [
        f'input: "{"x" * 56}... is not one of "a"'
    ]


def test_the_json_type_names() -> None:
    assert [json_type_name(v) for v in (None, True, 1, 1.5, "s", [], (), {})] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "array",
        "object",
    ]
    assert json_type_name(b"x") == "bytes"


def test_numbers_json_cannot_carry_are_named_each_up_to_ten() -> None:
    nan, inf = float("nan"), float("inf")
    assert validate_instance({"a": nan, "b": [inf, -inf, 0.0]}, {"type": "object"}) == [
        "input.a: got NaN (a number out of range or not a number); numbers must be finite",
        "input.b[0]: got Infinity (a number out of range or not a number); numbers must be finite",
        "input.b[1]: got -Infinity (a number out of range or not a number); numbers must be finite",
    ]
    assert len(validate_instance([inf] * 12, {})) == 10
    assert validate_instance([1e308, -1e308, 0.5], {}) == []


def test_nesting_exactly_at_the_limit_passes_and_one_deeper_does_not() -> None:
    def nested(depth: int) -> Any:
        value: Any = 1
        for _ in range(depth):
            value = [value]
        return value

    assert validate_instance(nested(64), {}) == []
    assert validate_instance(nested(65), {}) == [
        "input: nested deeper than 64 levels of objects and arrays"
    ]


def test_references_resolve_inside_branches_items_and_beside_local_keywords() -> None:
    root = {"$defs": {"A": {"type": "integer"}, "N": 3, "L": [1]}}
    branch = {**root, "anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]}
    assert validate_instance(3, branch) == [] and validate_instance(None, branch) == []
    assert validate_instance("x", branch) != []
    items = {**root, "type": "array", "items": {"$ref": "#/$defs/A"}}
    assert validate_instance([1, 2], items) == [] and validate_instance([1, "2"], items) != []
    local = {**root, "$ref": "#/$defs/A", "minimum": 3}
    assert validate_instance(3, local) == []
    assert validate_instance(2, local) == ["input: must be >= 3, got 2"]
    assert validate_instance("x", local) == ['input: expected integer, got string "x"']
    for pointer in ("#/$defs/N", "#/$defs/L/0", "#/nowhere"):
        assert validate_instance("anything", {**root, "$ref": pointer}) == []


def test_every_problem_is_reported_not_only_the_last_kind() -> None:
    schema = {"allOf": [{"minItems": 3}], "maxItems": 1}
    assert validate_instance([1, 2], schema) == [
        "input: needs at least 3 items, got 2",
        "input: allows at most 1 items, got 2",
    ]
    obj = {"allOf": [{"required": ["a"]}], "required": ["b"]}
    assert validate_instance({}, obj) == [
        "input: missing required property 'a'",
        "input: missing required property 'b'",
    ]
    scalar = {"allOf": [{"minimum": 5}], "maximum": 1}
    assert validate_instance(3, scalar) == [
        "input: must be >= 5, got 3",
        "input: must be <= 1, got 3",
    ]


def test_values_in_messages_are_cut_at_sixty_characters() -> None:
    exactly = "x" * 58  # 60 characters with its quotes
    assert validate_instance(exactly, {"enum": ["a"]}) == [f'input: "{exactly}" is not one of "a"']
    longer = "x" * 59
    assert validate_instance(longer, {"enum": ["a"]}) == [
        f'input: "{"x" * 56}... is not one of "a"'
    ]
    assert validate_instance(b"x", {"enum": ["a"]}) == ['input: "b\'x\'" is not one of "a"']


def test_the_closest_branch_is_the_one_with_fewest_problems() -> None:
    schema = {"anyOf": [{"maxLength": 1, "pattern": "^z"}, {"minLength": 3}]}
    assert validate_instance("ab", schema) == ["input: needs at least 3 characters"]


def test_closed_objects_without_properties_say_none_is_allowed() -> None:
    assert validate_instance({"a": 1}, {"type": "object", "additionalProperties": False}) == [
        "input: unexpected property 'a' (allowed: none)"
    ]
    typed_extra = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert validate_instance({"a": "x", "b": 2}, typed_extra) == [
        'input.a: expected integer, got string "x"'
    ]


def test_numeric_bounds_ignore_strings_and_booleans() -> None:
    bounds = {"minimum": 1, "maximum": 2, "exclusiveMinimum": 0, "exclusiveMaximum": 3}
    assert validate_instance("x", bounds) == []
    assert validate_instance(True, bounds) == []
    assert validate_instance(None, {"minLength": 1, "maxItems": 0}) == []


def test_references_resolve_in_all_of_and_additional_properties_too() -> None:
    defs = {"$defs": {"A": {"type": "integer"}}}
    all_of = {**defs, "allOf": [{"$ref": "#/$defs/A"}]}
    assert validate_instance(1, all_of) == []
    assert validate_instance("x", all_of) == ['input: expected integer, got string "x"']
    extra = {**defs, "type": "object", "additionalProperties": {"$ref": "#/$defs/A"}}
    assert validate_instance({"k": 1}, extra) == []
    assert validate_instance({"k": "x"}, extra) == ['input.k: expected integer, got string "x"']
    both = {"allOf": [{"minLength": 5}], "anyOf": [{"type": "integer"}]}
    assert validate_instance("ab", both) == [
        "input: needs at least 5 characters",
        'input: expected integer, got string "ab"',
    ]
    assert validate_instance([{"a": 1}, {"a": 2}], {"uniqueItems": True}) == []
    assert validate_instance([[1, 2], [2, 1]], {"uniqueItems": True}) == []


def test_problems_inside_all_of_name_the_nested_place() -> None:
    schema = {"type": "object", "properties": {"a": {"allOf": [{"type": "integer"}]}}}
    assert validate_instance({"a": "x"}, schema) == ['input.a: expected integer, got string "x"']
