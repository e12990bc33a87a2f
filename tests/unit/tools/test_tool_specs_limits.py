"""Tool specs: nesting is bounded (no RecursionError anywhere) and names are unique.

A spec nested past ``MAX_NESTING`` (64) objects and arrays is refused with a ``ToolError``
when it is registered or offered; the token estimate works on any depth. Two different
tools under one name are refused, naming the clash; registering the same function again
(re-running its cell) replaces it.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import pytest

from claude_nb import Session, ToolError
from claude_nb._api.estimate import estimate_input_tokens, segments
from claude_nb._api.json_safe import MAX_NESTING
from claude_nb._session.tool_loop import plan_tools
from claude_nb._tools.registry import Tool, ToolRegistry, tool
from claude_nb.emulator import Emulator


def nested_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    current = schema
    for _ in range(levels):
        inner: dict[str, Any] = {"type": "object"}
        current["properties"] = {"x": inner}
        current = inner
    return schema


def nested_list(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


def dataclass_chain(levels: int) -> type:
    cls = dataclasses.make_dataclass("Leaf", [("v", int)])
    for index in range(levels):
        cls = dataclasses.make_dataclass(f"Level{index}", [("x", cls)])
    return cls


@pytest.mark.parametrize("levels", [40, 5_000])
def test_a_raw_spec_nested_too_deep_is_a_tool_error_when_offered(levels: int) -> None:
    spec = {"name": "deep", "input_schema": nested_schema(levels)}
    session = Session(offline=True, environ={})
    with pytest.raises(ToolError, match=f"deeper than {MAX_NESTING} levels") as caught:
        session.ask("hi", tools=[spec])
    assert "deep" in str(caught.value)
    with pytest.raises(ToolError, match="deeper than"):
        plan_tools(ToolRegistry(), [spec])


def test_a_circular_or_unencodable_raw_spec_is_a_tool_error() -> None:
    looped: dict[str, Any] = {"type": "object"}
    looped["properties"] = {"again": looped}
    for spec in (
        {"name": "loop", "input_schema": looped},
        {"name": "nan", "input_schema": {"type": "number", "maximum": float("nan")}},
    ):
        with pytest.raises(ToolError, match=spec["name"]):
            plan_tools(ToolRegistry(), [spec])


@pytest.mark.parametrize("levels", [40, 3_000])
def test_a_function_whose_schema_nests_too_deep_is_refused_at_registration(levels: int) -> None:
    chain = dataclass_chain(levels)

    def walk(place: Any) -> int:
        """Walk the chain."""
        return 1

    walk.__annotations__ = {"place": chain, "return": int}

    with pytest.raises(ToolError, match="walk"):
        ToolRegistry().register(walk)
    with pytest.raises(ToolError, match="walk"):
        tool(walk)


def test_a_shallow_dataclass_chain_is_still_fine() -> None:
    chain = dataclass_chain(10)

    def walk(place: Any) -> int:
        """Walk the chain."""
        return 1

    walk.__annotations__ = {"place": chain, "return": int}

    assert ToolRegistry().register(walk).name == "walk"


@pytest.mark.parametrize(
    "body",
    [
        {"tools": [{"name": "d", "input_schema": nested_schema(5_000)}]},
        {
            "messages": [
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "t",
                            "name": "d",
                            "input": {"v": nested_list(5_000)},
                        }
                    ],
                }
            ]
        },
        {"messages": [{"role": "user", "content": [{"type": "mystery", "v": nested_list(9_000)}]}]},
    ],
)
def test_the_estimate_never_raises_recursion_error(body: dict[str, Any]) -> None:
    body = {"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": [], **body}
    assert estimate_input_tokens(body) > 0
    assert segments(body)


def test_the_emulator_refuses_a_body_nested_too_deep_with_a_400() -> None:
    text = "[" * 100_000 + "]" * 100_000
    raw = (
        '{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user",'
        f'"content":"hi"}}],"metadata":{{"x":{text}}}}}'
    ).encode()
    reply = Emulator(require_key=False).handle(
        "POST", "/v1/messages", {"anthropic-version": "2023-06-01"}, raw
    )
    assert reply.status == 400 and b"invalid_request_error" in reply.body


# -- names ------------------------------------------------------------------------------


def lookup(key: str) -> str:
    """Look a key up."""
    return key


def other_lookup(key: str) -> str:
    """Look a key up elsewhere."""
    return key.upper()


def test_two_different_functions_under_one_name_are_refused() -> None:
    registry = ToolRegistry([lookup])
    with pytest.raises(ToolError, match="'lookup'") as caught:
        registry.register(other_lookup, name="lookup")
    assert "other_lookup" in str(caught.value)
    assert registry["lookup"].function is lookup  # the first one is kept
    with pytest.raises(ToolError, match="'lookup'"):
        registry.register(Tool.from_function(other_lookup, name="lookup"))
    with pytest.raises(ToolError, match="'lookup'"):
        registry.tool(name="lookup")(other_lookup)


def test_re_registering_the_same_function_replaces_it() -> None:
    registry = ToolRegistry([lookup])
    registry.register(lookup)
    registry.register(lookup, description="Newer words.")
    assert registry["lookup"].description == "Newer words."
    assert len(registry) == 1


def test_re_running_the_defining_cell_replaces_it() -> None:
    """A cell re-run makes a new function object with the same module and qualname."""
    namespace: dict[str, Any] = {}
    source = 'def f(x: int) -> int:\n    """Version {}."""\n    return x\n'
    registry = ToolRegistry()
    for version in (1, 2):
        exec(source.format(version), namespace)  # a notebook cell, twice
        registry.register(namespace["f"])
    assert registry["f"].description == "Version 2." and len(registry) == 1
    registry.register_names(["f"], namespace)  # by name over the fixed one: the same f
    partial_a = functools.partial(lookup)
    partial_b = functools.partial(lookup)  # a re-run cell's partial of the same function
    registry.register(partial_a, name="p")
    registry.register(partial_b, name="p")
    assert registry["p"].function is partial_b


def test_by_name_entries_follow_the_same_rule() -> None:
    registry = ToolRegistry([lookup])
    with pytest.raises(ToolError, match="'lookup'"):
        registry.register_names(["lookup"], {"lookup": other_lookup})
    registry.register_names(["lookup"], {"lookup": lookup})
    registry.register_names(["lookup"], {"lookup": lookup})
    assert registry.names() == ["lookup"]


def test_tools_argument_with_a_clash_is_refused_before_sending() -> None:
    session = Session(offline=True, environ={})
    raw = {"name": "lookup", "description": "raw", "input_schema": {"type": "object"}}
    for tools in (
        [lookup, Tool.from_function(other_lookup, name="lookup")],
        [lookup, raw],
        [raw, {**raw, "description": "another raw"}],
    ):
        with pytest.raises(ToolError, match="'lookup'"):
            session.ask("hi", tools=tools)
    assert len(session.ledger) == 0  # nothing was sent
    assert len(plan_tools(ToolRegistry(), [lookup, lookup]).specs) == 1
    assert len(plan_tools(ToolRegistry(), [raw, dict(raw)]).specs) == 1
    session.tools.register(lookup)
    with pytest.raises(ToolError, match="'lookup'"):
        session.ask("hi", tools=["lookup", raw])
