"""Tool results and tool inputs that JSON cannot carry never break the cell.

A real Session over the offline emulator: the tool's value goes back to the model as an
``is_error`` tool_result naming why, the cell's ask returns, and the next request (which
holds the whole exchange) is strict JSON (``allow_nan=False``, valid UTF-8).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from claude_nb import Session
from claude_nb._tools.batch import format_result


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for you")

    __repr__ = __str__


def circular() -> Any:
    value: dict[str, Any] = {"name": "loop"}
    value["self"] = value
    return value


def circular_list() -> Any:
    value: list[Any] = [1]
    value.append(value)
    return value


def deep() -> Any:
    value: list[Any] = []
    for _ in range(5_000):
        value = [value]
    return value


CASES: dict[str, tuple[Any, str]] = {
    "circular dict": (circular, "circular reference"),
    "circular list": (circular_list, "circular reference"),
    "nan": (lambda: {"mean": math.nan}, "NaN"),
    "inf top level": (lambda: math.inf, "Infinity"),
    "-inf in a list": (lambda: [1.0, -math.inf], "-Infinity"),
    "huge int": (lambda: 10**5000, "too long"),
    "huge int nested": (lambda: {"n": 10**5000}, "too long"),
    "unprintable object": (Unprintable, "RuntimeError"),
    "unprintable nested": (lambda: {"x": Unprintable()}, "RuntimeError"),
    "tuple keys": (lambda: {(1, 2): "pair"}, "key of type tuple"),
    "deep": (deep, "too deep to write as JSON"),
}


def strict(value: Any) -> bytes:
    return json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")


def tool_results(session: Session) -> list[dict[str, Any]]:
    return [
        block
        for turn in session.history
        if isinstance(turn["content"], list)
        for block in turn["content"]
        if block.get("type") == "tool_result"
    ]


@pytest.mark.parametrize("case", list(CASES))
def test_an_unencodable_result_is_an_error_result_and_the_cell_survives(case: str) -> None:
    make, why = CASES[case]

    def probe(n: int) -> Any:
        """Return something awkward."""
        return make()

    session = Session(offline=True, environ={})
    reply = session.ask("Use probe with n=3", tools=[probe])
    (result,) = tool_results(session)
    assert result.get("is_error") is True, result
    assert why in result["content"] and "probe" in result["content"]
    assert reply.text  # the model answered after the error result
    strict(session.history)
    session.ask("And again?", tools=[probe])  # the next request is encodable
    strict(session.last_reply.request)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({1, 2}, "[1, 2]"),
        ({"tags": {"b", "a"}}, '{"tags": ["a", "b"]}'),
        ("bad \ud800 surrogate", "bad \ufffd surrogate"),
        ({"s": "x\udc80"}, '{"s": "x\ufffd"}'),
    ],
)
def test_values_json_lacks_a_type_for_still_become_valid_text(value: Any, expected: str) -> None:
    content = format_result(value)
    assert content == expected
    strict(content)


def test_an_object_whose_repr_raises_names_why() -> None:
    def probe() -> Any:
        """Return something awkward."""
        return Unprintable()

    session = Session(offline=True, environ={})
    session.ask("Use probe", tools=[probe])
    (result,) = tool_results(session)
    assert result["is_error"] is True and "no text for you" in result["content"]
