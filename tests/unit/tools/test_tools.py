"""The @tool decorator, the registry (fixed and by-name entries) and its notebook listing."""

from __future__ import annotations

from typing import Any

import pytest

from claude_nb._exceptions import ToolError
from claude_nb._tools.registry import TOOL_ATTRIBUTE, Tool, ToolRegistry, tool


@tool
def forecast(city: str, days: int = 1) -> str:
    """Forecast the weather.

    Args:
        city: Where.
        days: How many days.
    """
    return f"{city}:{days}"


@tool(name="lookup_v2", description="Look things up.")
def lookup(key: str) -> str:
    return key.upper()


def test_decorator_bare_keeps_the_function_callable_and_attaches_the_tool() -> None:
    assert forecast("Oslo", 2) == "Oslo:2"
    attached = getattr(forecast, TOOL_ATTRIBUTE)
    assert isinstance(attached, Tool)
    assert attached.spec() == {
        "name": "forecast",
        "description": "Forecast the weather.",
        "input_schema": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "Where."},
                "days": {"type": "integer", "description": "How many days.", "default": 1},
            },
            "required": ["city"],
            "additionalProperties": False,
        },
    }


def test_decorator_with_options_and_registry_keeps_them() -> None:
    registry = ToolRegistry([lookup])
    assert registry.names() == ["lookup_v2"]
    assert registry["lookup_v2"].description == "Look things up."
    assert registry["lookup_v2"].call({"key": "ab"}) == "AB"
    overridden = registry.register(lookup, name="lookup3")
    assert overridden.description == "Look things up."
    assert registry.names() == ["lookup_v2", "lookup3"]


def test_decorator_refuses_bad_signatures_where_they_are_written() -> None:
    with pytest.raises(ToolError, match=r"parameter '\*rest' collects variable arguments"):

        @tool
        def bad(*rest: int) -> None: ...

    with pytest.raises(ToolError, match="invalid tool name 'has space'"):
        tool(name="has space")(forecast)


def test_registry_register_remove_clear_list_specs() -> None:
    registry = ToolRegistry()
    registry.register(forecast)
    registry.tool(lambda_free := _double)
    assert lambda_free(2) == 4
    assert registry.names() == ["forecast", "_double"]
    assert "forecast" in registry
    assert len(registry) == 2
    assert [item.name for item in registry.list()] == ["forecast", "_double"]
    assert [spec["name"] for spec in registry.specs()] == ["forecast", "_double"]
    assert registry.get("missing") is None
    with pytest.raises(KeyError):
        registry["missing"]
    registry.remove("_double")
    with pytest.raises(ToolError, match="no tool named 'x'; known tools: forecast"):
        registry.remove("x")
    registry.clear()
    assert registry.specs() == []
    assert repr(registry) == "ToolRegistry([])"


def _double(x: int) -> int:
    return 2 * x


def test_register_names_resolves_at_call_time() -> None:
    namespace: dict[str, Any] = {}
    exec("def area(w: int, h: int) -> int:\n    'Area.'\n    return w * h", namespace)
    registry = ToolRegistry()
    (registered,) = registry.register_names(["area"], namespace)
    assert registered.by_name == "area"
    assert registry["area"].call({"w": 2, "h": 3}) == 6

    exec(
        "def area(w: int, h: int, d: int = 1) -> int:\n    'Volume.'\n    return w * h * d",
        namespace,
    )
    assert registry["area"].call({"w": 2, "h": 3, "d": 4}) == 24
    assert registry.specs()[0]["description"] == "Volume."
    assert "d" in registry.specs()[0]["input_schema"]["properties"]

    del namespace["area"]
    with pytest.raises(ToolError, match="'area' is no longer defined"):
        registry.specs()
    assert "unavailable" in registry._repr_markdown_()


def test_register_names_checks_every_name_before_registering() -> None:
    registry = ToolRegistry()
    with pytest.raises(ToolError, match="'nope' is no longer defined"):
        registry.register_names(["forecast", "nope"], {"forecast": forecast})
    assert registry.names() == []


def test_discover_registers_marked_functions_by_name() -> None:
    namespace: dict[str, Any] = {"forecast": forecast, "lookup": lookup, "plain": _double, "x": 1}
    registry = ToolRegistry()
    found = registry.discover(namespace)
    assert [item.name for item in found] == ["forecast", "lookup"]
    assert registry["lookup"].description == "Look things up."
    assert registry.discover(namespace) == []


def test_listing_says_how_each_tool_resolves() -> None:
    registry = ToolRegistry([forecast])
    registry.register_names(["lookup"], {"lookup": lookup})
    markdown = registry._repr_markdown_()
    assert "**2 tools**" in markdown
    assert "*fixed function*" in markdown
    assert "by name: resolves `lookup` in the namespace at call time" in markdown
    assert "| city | string | yes | Where. |" in markdown
    assert "| days | integer | no | How many days. |" in markdown
    assert '"additionalProperties": false' in markdown
    page = registry._repr_html_()
    assert "<td>city</td><td>string</td><td>yes</td><td>Where.</td>" in page
    assert "resolves `lookup`" in page
    assert ToolRegistry()._repr_markdown_().startswith("**No tools registered.**")


def test_async_and_callable_objects() -> None:
    async def fetch(url: str) -> str:
        return url

    class Counter:
        def __call__(self, step: int) -> int:
            return step

    assert Tool.from_function(fetch).is_async
    counter = Tool.from_function(Counter(), name="counter")
    assert not counter.is_async
    assert counter.call({"step": 3}) == 3
    with pytest.raises(ToolError, match=r"invalid input for tool 'counter': input\.step"):
        counter.call({"step": "x"})
