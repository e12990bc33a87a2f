"""The tool-input validator held against ``jsonschema`` (the oracle), with Hypothesis.

The validator (``claude_nb/_tools/schema_check.py``) stays hand-written: ``jsonschema`` is not
a dependency of claude_nb (it comes with nbformat), and importing it took 2 to 12 s on this
machine under load (``rfc3987_syntax`` builds a grammar at import; see docs/TESTING.md), for
checks that take about 0.1 ms here. So every decision it makes on the schemas
``claude_nb._tools.schema`` writes (types, enum, const, properties, required,
additionalProperties, items, anyOf/oneOf/allOf, $ref, bounds, lengths, uniqueItems, pattern)
must be the decision ``jsonschema`` makes: valid values (drawn to fit the schema) and
invalid ones alike.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claude_nb._tools.schema_check import validate_instance

jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = settings(
    max_examples=25 if "MUTANT_UNDER_TEST" in os.environ else 500,  # fewer under mutmut
    deadline=None,
    suppress_health_check=list(HealthCheck),
)

SCALAR_TYPES = ["string", "integer", "number", "boolean", "null"]
names = st.sampled_from(["a", "b", "c", "city", "n"])
leaf_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from([0.0, 1.0, 2.5, -1.5]),
    st.sampled_from(["", "x", "ab", "Paris", "12"]),
)


def scalar_schema() -> st.SearchStrategy[dict[str, Any]]:
    typed = st.sampled_from(SCALAR_TYPES).map(lambda name: {"type": name})
    bounded_number = st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "minimum": st.integers(-3, 3),
            "maximum": st.integers(-3, 3),
            "exclusiveMinimum": st.integers(-3, 3),
            "exclusiveMaximum": st.integers(-3, 3),
        },
    )
    bounded_string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 3),
            "maxLength": st.integers(0, 3),
            "pattern": st.sampled_from(["^a", "[0-9]", "s$"]),
        },
    )
    enum = st.lists(leaf_values, min_size=1, max_size=4).map(lambda options: {"enum": options})
    const = leaf_values.map(lambda value: {"const": value})
    union_type = st.lists(st.sampled_from(SCALAR_TYPES), min_size=1, max_size=3, unique=True).map(
        lambda types: {"type": types}
    )
    return st.one_of(typed, bounded_number, bounded_string, enum, const, union_type)


def extend(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    obj = st.builds(
        lambda props, required, closed: {
            "type": "object",
            "properties": props,
            "required": [name for name in required if name in props],
            **({"additionalProperties": False} if closed else {}),
        },
        st.dictionaries(names, inner, max_size=3),
        st.lists(names, max_size=2, unique=True),
        st.booleans(),
    )
    array = st.fixed_dictionaries(
        {"type": st.just("array"), "items": inner},
        optional={
            "minItems": st.integers(0, 2),
            "maxItems": st.integers(0, 3),
            "uniqueItems": st.booleans(),
        },
    )
    combined = st.builds(
        lambda keyword, branches: {keyword: branches},
        st.sampled_from(["anyOf", "oneOf", "allOf"]),
        st.lists(inner, min_size=1, max_size=3),
    )
    nullable = inner.map(lambda schema: {"anyOf": [schema, {"type": "null"}]})  # Optional[X]
    return st.one_of(obj, array, combined, nullable)


schemas = st.recursive(scalar_schema(), extend, max_leaves=6)


@st.composite
def fitting(draw: st.DrawFn, schema: dict[str, Any], depth: int = 0) -> Any:
    """A value drawn to fit ``schema`` as far as a simple walk can (often valid, not always)."""
    if depth > 6:
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in schema:
            return draw(fitting(draw(st.sampled_from(schema[keyword])), depth + 1))
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = draw(st.sampled_from(kind))
    if kind == "object":
        value = {}
        for name, sub in schema.get("properties", {}).items():
            if name in schema.get("required", []) or draw(st.booleans()):
                value[name] = draw(fitting(sub, depth + 1))
        return value
    if kind == "array":
        count = draw(st.integers(schema.get("minItems", 0), max(schema.get("minItems", 0), 3)))
        return [draw(fitting(schema["items"], depth + 1)) for _ in range(count)]
    if kind in ("integer", "number"):
        low = max(schema.get("minimum", -4), schema.get("exclusiveMinimum", -5) + 1)
        high = min(schema.get("maximum", 4), schema.get("exclusiveMaximum", 5) - 1)
        number = draw(st.integers(low, high)) if low <= high else low
        return float(number) + (0.5 if kind == "number" and draw(st.booleans()) else 0.0)
    if kind == "string":
        return draw(st.sampled_from(["a1s", "ab", "", "x", "a", "Paris", "12s"]))
    if kind == "boolean":
        return draw(st.booleans())
    return None


json_values = st.recursive(
    leaf_values,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)


def oracle_valid(value: Any, schema: dict[str, Any]) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(value))


@EXAMPLES
@given(data=st.data(), schema=schemas)
def test_values_drawn_to_fit_get_the_oracles_verdict(data: st.DataObject, schema: Any) -> None:
    value = data.draw(fitting(schema))
    assert (validate_instance(value, schema) == []) is oracle_valid(value, schema), (value, schema)


@EXAMPLES
@given(schema=schemas, value=json_values)
def test_any_value_gets_the_oracles_verdict(schema: dict[str, Any], value: Any) -> None:
    assert (validate_instance(value, schema) == []) is oracle_valid(value, schema), (value, schema)


@EXAMPLES
@given(inner=scalar_schema(), value=json_values)
def test_refs_resolve_as_the_oracle_resolves_them(inner: dict[str, Any], value: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}},
        "required": ["a"],
        "$defs": {"A": inner},
    }
    wrapped = {"a": value}
    assert (validate_instance(wrapped, schema) == []) is oracle_valid(wrapped, schema)
