"""``Session.map`` templates: any column can be named, indexing is on the real value, a field
that looks like a reference but names nothing is a one-line error before anything is sent,
code braces and JSON stay as written, a dict maps over its values with its keys as labels.

Prompts are checked on ``render`` (what would be sent) and the refusals on a ``Session``
over the offline emulator, which records every request it sees.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import pytest

from claude_nb import ContentError, Session
from claude_nb._content.convert import options_for_model
from claude_nb._session.map_items import render, to_items
from claude_nb.emulator import Emulator

MODEL = "claude-sonnet-5-5"
OPTIONS = options_for_model(MODEL)
REVIEWS = pd.DataFrame(
    {"review text": ["Great soup", "Cold tea"], 7: ["seven-a", "seven-b"], "stars": [5, 1]},
    index=["r1", "r2"],
)


def prompts(template: str, items: Any) -> list[Any]:
    return render(template, to_items(items), OPTIONS)


def refused(template: str, items: Any) -> str:
    """The one-line error ``Session.map`` gives, after checking nothing was sent."""
    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator, model=MODEL, environ={})
    with pytest.raises(ContentError) as info:
        session.map(template, items, progress=False)
    assert emulator.requests_seen == 0
    assert "\n" not in str(info.value)
    return str(info.value)


def test_any_column_can_be_named() -> None:
    assert prompts("R: {review text} ({stars})", REVIEWS) == [
        "R: Great soup (5)",
        "R: Cold tea (1)",
    ]
    assert prompts('R: {item["review text"]}', REVIEWS) == ["R: Great soup", "R: Cold tea"]
    assert prompts("S: {item[7]} {item['stars']}", REVIEWS) == ["S: seven-a 5", "S: seven-b 1"]


def test_indexing_applies_to_the_real_value_not_its_text() -> None:
    assert prompts("{a[0]} {a[-1]}", [{"a": [1, 2]}, {"a": [3, 4]}]) == ["1 2", "3 4"]
    assert prompts("{item[1]}/{item[0]}", [["x", "y"], ["p", "q"]]) == ["y/x", "q/p"]
    assert prompts('{item["k"]}!', [{"k": "v"}, {"k": "w"}]) == ["v!", "w!"]
    nested = [{"user": {"name": "Ann"}}, {"user": {"name": "Bo"}}]
    assert prompts('Hi {user["name"]}', nested) == ["Hi Ann", "Hi Bo"]


def test_a_field_holding_an_image_becomes_an_image_block_in_place() -> None:
    from PIL import Image

    image = Image.new("RGB", (8, 8), "red")
    (blocks,) = prompts("Look at {shots[1]} now", [{"shots": ["x", image]}])
    assert [block["type"] for block in blocks] == ["text", "image", "text"]
    assert (blocks[0]["text"], blocks[2]["text"]) == ("Look at ", " now")


@pytest.mark.parametrize(
    ("template", "items", "message"),
    [
        ("{stars.nope}", REVIEWS, "template field {stars.nope} does not resolve for item 'r1'"),
        ('{item["nope"]}', REVIEWS, 'template field {item["nope"]} does not resolve for item'),
        ("{item[9]}", REVIEWS, "{item[9]} does not resolve for item 'r1' (dict has no key 9)"),
        ("{a[1]}", [{"a": [1, 2]}, {"a": [3]}], "{a[1]} does not resolve for item 1 (list"),
        ("{a[0]}", [{"a": [1]}, {"a": 5}], "{a[0]} does not resolve for item 1 (int"),
        ("{item.nope}", [1, 2], "{item.nope} does not resolve for item 0 (int has no attribute"),
        ("{review}", REVIEWS, "template field {review} matches no column"),
        ("{a}", {"x": {"a": 1}, "y": {"b": 2}}, "template field {a} is not a key of item 'y'"),
    ],
)
def test_a_field_that_does_not_resolve_is_refused_before_sending(
    template: str, items: Any, message: str
) -> None:
    assert message in refused(f"Look: {template}", items)


def test_code_braces_json_and_format_placeholders_stay_as_written() -> None:
    template = (
        'JSON {"a": 1} and { } and {} and {{x}} and {json: 1}; '
        "def f(): {x for x in y}; '{0}'.format(v); `{nosuch}` for {item}"
    )
    frame = pd.DataFrame([["zero", "one"]])  # int columns 0 and 1: {0} is not a field
    assert prompts(template.replace("{item}", "{item[1]}"), frame) == [
        template.replace("{item}", "one")
    ]
    fenced = "Fix:\n```python\nprint(f'{name}')\n```\nfor {item}"
    assert prompts(fenced, ["a"]) == [fenced.replace("{item}", "a")]


def test_a_dict_maps_over_its_values_with_its_keys_as_labels() -> None:
    read = to_items({"a": "x", "b": "y"})
    assert (read.values, read.labels) == (["x", "y"], ["a", "b"])
    assert prompts("Say {item}", {"a": "x", "b": "y"}) == ["Say x", "Say y"]
    rows = {"ann": {"age": 3}, "bo": {"age": 4}}
    assert prompts("Age {age}", rows) == ["Age 3", "Age 4"]
    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator, model=MODEL, environ={})
    result = session.map("Say {item}", {"a": "x", "b": "y"}, progress=False)
    assert list(result.to_series().index) == ["a", "b"]


def test_a_named_series_takes_its_name_as_well_as_item() -> None:
    assert prompts("{city}={item}", pd.Series(["Oslo"], name="city")) == ["Oslo=Oslo"]
    assert prompts("{review text}", REVIEWS["review text"]) == ["Great soup", "Cold tea"]
    assert "use {item} (or {city})" in refused("{town}", pd.Series(["Oslo"], name="city"))


def test_a_hundred_thousand_rows_render_in_linear_time() -> None:
    count = 100_000
    frame = pd.DataFrame({"name": [f"n{i}" for i in range(count)], "n": range(count)})
    frame["tags"] = [[i, i + 1] for i in range(count)]
    started = time.perf_counter()
    out = prompts('Name {name} #{n} {tags[1]} {item["name"]} {"json": 1}', frame)
    assert time.perf_counter() - started < 10
    assert out[-1] == f'Name n{count - 1} #{count - 1} {count} n{count - 1} {{"json": 1}}'
