"""``Session.map`` templates: any column can be named, indexing is on the real value, a field
that looks like a reference but names nothing is a one-line error before anything is sent,
code braces and JSON stay as written, a dict maps over its values with its keys as labels;
``!r`` and ``:spec`` format the real value, a near-miss on a column (an unquoted key, a bad
conversion) is refused with its fix, and a DataFrame is read only in the columns named.

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


FORMATTED = pd.DataFrame(
    {
        "stars": [4.25, 1.0],
        "name": ["Ann", "Bo"],
        "city": ["Oslo", "Lima"],
        "review text": ["Great soup", "Cold tea"],
        "when": pd.to_datetime(["2024-01-02", "2024-03-04"]),
        1.5: ["f-a", "f-b"],
        True: ["t-a", "t-b"],
    },
    index=["r1", "r2"],
)


def test_format_specs_and_conversions_apply_to_the_real_value() -> None:
    template = (
        "{stars:.1f}|{name!r}|{city:>6}|{review text:.5}|{item['stars']:.0%}|{when:%d/%m}"
        "|{name!r:>6}|{stars!s}"
    )
    assert prompts(template, FORMATTED) == [
        "4.2|'Ann'|  Oslo|Great|425%|02/01| 'Ann'|4.25",
        "1.0|'Bo'|  Lima|Cold |100%|04/03|  'Bo'|1.0",
    ]
    assert prompts("{item:06.2f} {item!r}", [1.5, 2]) == ["001.50 1.5", "002.00 2"]


def test_float_and_bool_keys_name_their_column_and_only_that_column() -> None:
    assert prompts("{item[1.5]} {item[True]}", FORMATTED) == ["f-a t-a", "f-b t-b"]
    ones = pd.DataFrame({1: ["one"]})  # True == 1 in Python; not the same column
    assert "{item[True]} does not resolve for item 0 (dict has no key True)" in refused(
        "{item[True]}", ones
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{item[review text]}",
            'template field {item[review text]}: quote the key: {item["review text"]}',
        ),
        ("{name[a][b]}", 'quote the keys: {name["a"]["b"]}'),
        ("{name!x}", "template field {name!x}: the conversion is !r, !s or !a"),
        ("{stars: 1}", "template field {stars: 1}: a space after ':'"),
        ("{name:.1f}", "template field {name:.1f} cannot be formatted for item 'r1' (ValueError"),
        ("{stars.__class__}", "{stars.__class__}: attributes starting with __ are not"),
        ("{stars.}", 'template field {stars.} is not a field ({x.attr}, {x["key"]}'),
        ("{review text[x]}", 'quote the key: {review text["x"]}'),
    ],
)
def test_near_misses_on_a_column_are_refused_with_the_fix(template: str, message: str) -> None:
    assert message in refused(f"Look: {template}", FORMATTED)


def test_code_braces_naming_a_column_stay_as_written_when_not_fields() -> None:
    template = (
        "Use `{name: n for n in x}` and ```\nf'{item[key]}' {city!= 1}\n``` "
        'with {"name": 1}, {name for n in x}, {city:>5} and {0:.1f}'
    )
    assert prompts(template, FORMATTED)[0] == template.replace("{city:>5}", " Oslo")


def test_a_template_without_item_reads_only_its_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    mixed = pd.DataFrame(
        {
            "n": [1, 2],
            "x": [0.5, None],
            "when": pd.to_datetime(["2024-01-02", None]),
            "tags": [["a"], ["b", "c"]],
            "k": pd.Categorical(["lo", "hi"]),
            "i": pd.array([3, None], dtype="Int64"),
            "unused": ["u", "v"],
        }
    )
    read: list[list[str]] = []
    to_dict = pd.DataFrame.to_dict

    def spied(frame: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        read.append([str(column) for column in frame.columns])
        return to_dict(frame, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_dict", spied)
    template = "{n} {x} {when} {tags[0]} {k} {i} {item['n']:03}"
    assert prompts(template, mixed) == [  # the values a whole row has
        "1 0.5 2024-01-02 00:00:00 a lo 3 001",
        "2 nan NaT b hi None 002",
    ]
    assert read == [["n", "x", "when", "tags", "k", "i"]]
    assert prompts("{unused}", mixed) == ["u", "v"]
    assert prompts("{n}:{item}", mixed)[0].startswith("1:{'n': 1, 'x': 0.5")
    assert read[1:] == [["unused"], ["n", "x", "when", "tags", "k", "i", "unused"]]


def test_a_wide_frame_renders_a_few_columns_fast() -> None:
    wide = pd.DataFrame({f"c{i}": range(100_000) for i in range(200)})
    started = time.perf_counter()
    out = prompts("{c1} {c199:>7} {item['c7']}", wide)
    assert time.perf_counter() - started < 2
    assert out[-1] == "99999   99999 99999"
