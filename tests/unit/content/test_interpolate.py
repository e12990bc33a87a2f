from __future__ import annotations

from types import SimpleNamespace

import pytest

from claude_nb._content.interpolate import (
    interpolate,
    is_resolved,
    parse_reference,
    resolve_reference,
)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("df", [("name", "df")]),
        ("reply.text", [("name", "reply"), ("attribute", "text")]),
        ("Out[5]", [("name", "Out"), ("item", 5)]),
        ("items[-1]", [("name", "items"), ("item", -1)]),
        ('data["a b"].size', [("name", "data"), ("item", "a b"), ("attribute", "size")]),
        ("data['k'][0]", [("name", "data"), ("item", "k"), ("item", 0)]),
    ],
)
def test_plain_references_parse(text, steps):
    assert parse_reference(text) == steps


@pytest.mark.parametrize(
    "text",
    ["", "x + 1", "f(x)", "x.__class__", "x[y]", "x[1:2]", " x", "1x", '"a": 1', "x.", "x[0"],
)
def test_anything_else_is_not_a_reference(text):
    assert parse_reference(text) is None


def test_resolution_follows_attributes_and_literal_items_without_evaluating():
    namespace = {"obj": SimpleNamespace(rows={"k": [10, 20]})}
    value = resolve_reference(parse_reference("obj.rows['k'][-1]") or [], namespace)
    assert value == 20
    missing = resolve_reference(parse_reference("obj.rows['nope']") or [], namespace)
    assert not is_resolved(missing)


def test_code_json_and_unknown_names_stay_as_written():
    prompt = (
        'def f():\n    return {"a": 1}\n'
        "print(f'{value + 1}')\n"
        "s = {1, 2}\n"
        "{{name}} {unknown} {name}"
    )
    result = interpolate(prompt, {"name": "Ada", "value": 3})
    assert result.content == prompt.replace("{unknown} {name}", "{unknown} Ada")
    assert result.replaced == ["name"]
    assert "{unknown}" in result.kept and "{value + 1}" in result.kept


def test_strings_go_in_as_text_other_objects_as_bounded_repr():
    result = interpolate("{a} | {b} | {c}", {"a": "text", "b": [1, 2], "c": "x" * 10}, repr_limit=6)
    assert result.content == "text | [1, 2] | " + "x" * 10
    long = interpolate("{big}", {"big": list(range(1000))}, repr_limit=20).content
    assert isinstance(long, str)
    assert long.startswith("[0, 1, 2, 3, 4, 5, 6…")
    assert "more characters]" in long and len(long) < 60


def test_broken_repr_does_not_break_the_prompt():
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    content = interpolate("{thing}", {"thing": Broken()}).content
    assert content == "<Broken (repr failed: RuntimeError)>"


def test_convertible_objects_become_blocks_in_place():
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}}

    def convert(value):
        return [image] if value == "IMAGE" or isinstance(value, bytes) else None

    result = interpolate("before {picture} after {n}", {"picture": b"x", "n": 2}, convert=convert)
    assert result.content == [
        {"type": "text", "text": "before "},
        image,
        {"type": "text", "text": " after 2"},
    ]


def test_without_a_converter_objects_go_in_as_repr():
    # the conversion to images is _content.attach.cell_content's (test_attachments.py)
    pixels = pytest.importorskip("numpy").zeros((2, 2, 3), dtype="uint8")
    result = interpolate("look: {pixels}", {"pixels": pixels})
    assert result.content == f"look: {pixels!r}"


def test_in_and_out_history_references():
    namespace = {"In": ["", "x = 1", "x + 1"], "Out": {2: 2}}
    assert interpolate("{In[1]} gives {Out[2]}", namespace).content == "x = 1 gives 2"
