"""Python functions as Claude tools: the ``Tool`` value, the ``@tool`` decorator, the registry.

``@claude_nb.tool`` compiles a function at once (so a bad signature fails where it is written),
attaches the ``Tool`` to the function as ``__claude_tool__`` and returns the function
unchanged, still callable as before. It holds no global state: a ``ToolRegistry`` (one per
kernel, on ``ClaudeMagics``) decides which tools a request offers::

    registry = ToolRegistry()
    registry.register(weather)                    # a fixed function
    registry.register_names(["f", "g"], user_ns)  # %claude_tools f g: resolved at call time
    registry.discover(user_ns)                    # every @tool function in the namespace
    request_body["tools"] = registry.specs()

Entries registered by name keep a reference to the namespace and resolve the name when the
tool is listed, described or called, so redefining ``f`` in a later cell takes effect
without registering it again; the listing says so.

One name, one tool. Registering a name again replaces the entry when it is the same tool
(the same object, or the same module and qualified name: what re-running the cell that
defines it makes; ``claude_nb._tools.identity``). A different function under a name already
taken is a ``ToolError`` naming both: ``remove`` the old one or pick another ``name=``. A
tool whose spec JSON cannot carry, or nested past ``MAX_NESTING`` (64) levels, is refused.
"""

from __future__ import annotations

import builtins
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from claude_nb._exceptions import ToolError
from claude_nb._tools import render
from claude_nb._tools.identity import check_tool_spec, clash_error, same_tool
from claude_nb._tools.schema import FunctionSchema, function_schema
from claude_nb._types import ToolSpec

__all__ = ["TOOL_ATTRIBUTE", "Tool", "ToolRegistry", "tool"]

TOOL_ATTRIBUTE = "__claude_tool__"
"""The attribute ``@tool`` sets on a function: its compiled ``Tool``."""

_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
FunctionT = TypeVar("FunctionT", bound=Callable[..., Any])


@dataclass(frozen=True)
class Tool:
    """A Python callable described as a Claude tool.

    Attributes:
        name: The tool name the model calls (``^[a-zA-Z0-9_-]{1,64}$``).
        description: What the tool does (the docstring's first paragraph by default).
        function: The callable to run.
        schema: The compiled signature: input schema, validation, argument binding.
        by_name: For entries of ``register_names``: the variable name the tool resolves
            in its namespace at call time; None for a fixed function.
    """

    name: str
    description: str
    function: Callable[..., Any] = field(repr=False)
    schema: FunctionSchema = field(repr=False)
    by_name: str | None = None

    @classmethod
    def from_function(
        cls,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        by_name: str | None = None,
    ) -> Tool:
        """Compile a callable into a tool.

        Args:
            function: The callable (function, method, partial, callable object).
            name: The tool name; default the function's ``__name__``.
            description: The description; default the docstring's first paragraph.
            by_name: Set by the registry for namespace entries.

        Raises:
            ToolError: The name is invalid or the signature is unsupported (the message
                names the parameter).
        """
        if not callable(function):
            raise ToolError(f"cannot use {function!r} as a tool: it is not callable")
        tool_name = str(name or getattr(function, "__name__", ""))
        if not _NAME_PATTERN.match(tool_name):
            raise ToolError(
                f"invalid tool name {tool_name!r}: use 1 to 64 letters, digits, '_' or '-'"
            )
        schema = function_schema(function)
        text = schema.description if description is None else description
        return cls(tool_name, text, function, schema, by_name)

    @property
    def input_schema(self) -> dict[str, Any]:
        """The JSON schema of the tool's input."""
        return self.schema.input_schema

    @property
    def is_async(self) -> bool:
        """Whether calling the function returns a coroutine to await."""
        target = self.function
        call = getattr(target, "__call__", None)  # noqa: B004 - an async __call__ counts
        return inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(call)

    def spec(self) -> ToolSpec:
        """The tool as the API's ``tools`` list takes it."""
        spec: ToolSpec = {"name": self.name, "input_schema": self.input_schema}
        if self.description:
            spec["description"] = self.description
        return spec

    def call(self, arguments: Mapping[str, Any]) -> Any:
        """Validate JSON input, convert it and call the function (awaitable if async).

        Raises:
            ToolError: The input does not match the schema (every problem is listed).
        """
        problems = self.schema.validate(arguments)
        if problems:
            raise ToolError(f"invalid input for tool {self.name!r}: " + "; ".join(problems))
        try:
            positional, keywords = self.schema.bind(arguments)
        except (ValueError, TypeError) as exc:
            raise ToolError(f"invalid input for tool {self.name!r}: {exc}") from exc
        return self.function(*positional, **keywords)


@overload
def tool(function: FunctionT, /) -> FunctionT: ...


@overload
def tool(
    *, name: str | None = None, description: str | None = None
) -> Callable[[FunctionT], FunctionT]: ...


def tool(
    function: FunctionT | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
) -> FunctionT | Callable[[FunctionT], FunctionT]:
    """Mark a function as a Claude tool: ``@tool`` or ``@tool(name=..., description=...)``.

    The function is compiled now (a bad signature raises here) and returned unchanged, with
    its ``Tool`` in ``__claude_tool__``. ``ToolRegistry.discover`` (run by the magics on
    the user namespace) and ``ToolRegistry.register`` pick it up.

    Args:
        function: The function, when used bare.
        name: The tool name; default the function's name.
        description: The description; default the docstring's first paragraph.

    Returns:
        The function itself, or a decorator when called with options only.

    Raises:
        ToolError: The signature or name cannot become a tool.
    """

    def decorate(target: FunctionT) -> FunctionT:
        compiled = Tool.from_function(target, name=name, description=description)
        try:
            setattr(target, TOOL_ATTRIBUTE, compiled)
        except (AttributeError, TypeError) as exc:
            raise ToolError(f"cannot mark {target!r} as a tool: {exc}") from exc
        return target

    return decorate if function is None else decorate(function)


@dataclass
class _NamespaceEntry:
    """A tool registered by variable name; resolved in its namespace on every use."""

    namespace: Mapping[str, Any]
    variable: str
    cached: Tool | None = None

    def resolve(self) -> Tool:
        try:
            current = self.namespace[self.variable]
        except KeyError:
            raise ToolError(
                f"tool {self.variable!r} was registered by name, but {self.variable!r} is no "
                "longer defined; define it again or remove the tool"
            ) from None
        if self.cached is None or self.cached.function is not current:
            marked = getattr(current, TOOL_ATTRIBUTE, None)
            description = marked.description if isinstance(marked, Tool) else None
            self.cached = Tool.from_function(
                current, name=self.variable, description=description, by_name=self.variable
            )
        return self.cached


class ToolRegistry:
    """The tools offered to Claude: fixed functions and names resolved in a namespace.

    Registering the same tool again replaces its entry (re-running a cell is harmless); a
    different function under a name already taken is a ``ToolError`` (module docstring).
    It renders itself as the list of tools and their parameters (Markdown, HTML, or plain
    text in terminal IPython).
    """

    def __init__(self, tools: Iterable[Callable[..., Any] | Tool] = ()) -> None:
        self._entries: dict[str, Tool | _NamespaceEntry] = {}
        for item in tools:
            self.register(item)

    def register(
        self,
        function: Callable[..., Any] | Tool,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> Tool:
        """Register a fixed function (or a ready ``Tool``) and return its ``Tool``.

        A function marked with ``@tool`` keeps the name and description given there
        unless ``name`` or ``description`` is passed here.

        Raises:
            ToolError: The function cannot become a tool.
        """
        if isinstance(function, Tool):
            base: Tool | None = function
        else:
            marked = getattr(function, TOOL_ATTRIBUTE, None)
            base = marked if isinstance(marked, Tool) and marked.function is function else None
        if base is None:
            target = function.function if isinstance(function, Tool) else function
            compiled = Tool.from_function(target, name=name, description=description)
        elif name or description is not None:
            compiled = Tool.from_function(
                base.function,
                name=name or base.name,
                description=base.description if description is None else description,
            )
        else:
            compiled = base
        check_tool_spec(compiled.spec())
        self._claim(compiled.name, compiled.function)
        self._entries[compiled.name] = compiled
        return compiled

    def _claim(self, name: str, function: Any, entry: _NamespaceEntry | None = None) -> None:
        """Refuse ``name`` for ``function`` when a different tool already has it."""
        existing = self._entries.get(name)
        if existing is None:
            return
        if isinstance(existing, _NamespaceEntry):
            same_namespace = entry is not None and existing.namespace is entry.namespace
            if same_namespace and existing.variable == entry.variable:  # type: ignore[union-attr]
                return  # the same variable of the same namespace
            old = existing.namespace.get(existing.variable)
            if old is None:
                return  # its variable is gone: the entry is stale
        else:
            old = existing.function
        if not same_tool(old, function):
            raise clash_error(name, old, function)

    @overload
    def tool(self, function: FunctionT, /) -> FunctionT: ...

    @overload
    def tool(self, /, *, name: str | None = None) -> Callable[[FunctionT], FunctionT]: ...

    def tool(
        self, function: FunctionT | None = None, /, *, name: str | None = None
    ) -> FunctionT | Callable[[FunctionT], FunctionT]:
        """Decorator: register a function here and return it unchanged (bare or with name)."""

        def decorate(target: FunctionT) -> FunctionT:
            self.register(target, name=name)
            return target

        return decorate if function is None else decorate(function)

    def register_names(self, names: Iterable[str], namespace: Mapping[str, Any]) -> list[Tool]:
        """Register variables of a namespace by name (``%claude_tools f g h``).

        Each entry keeps the namespace and resolves its name at call time, so a later
        redefinition is used. All names are checked before any is registered.

        Raises:
            ToolError: A name is not defined or cannot become a tool.
        """
        entries = [_NamespaceEntry(namespace, variable) for variable in names]
        resolved = [entry.resolve() for entry in entries]
        for entry, compiled in zip(entries, resolved, strict=True):
            self._claim(compiled.name, compiled.function, entry)
        for entry, compiled in zip(entries, resolved, strict=True):
            self._entries[compiled.name] = entry
        return resolved

    def discover(self, namespace: Mapping[str, Any]) -> list[Tool]:
        """Register by name every ``@tool``-marked function of a namespace not yet here.

        Returns:
            The newly registered tools.
        """
        found = [
            variable
            for variable, value in list(namespace.items())
            if isinstance(getattr(value, TOOL_ATTRIBUTE, None), Tool)
            and getattr(value, TOOL_ATTRIBUTE).function is value
            and variable not in self._entries
            and not variable.startswith("_")
        ]
        return self.register_names(found, namespace)

    def remove(self, name: str) -> None:
        """Remove a tool by name.

        Raises:
            ToolError: No tool has that name (the message lists the known ones).
        """
        if name not in self._entries:
            known = ", ".join(self._entries) or "(none)"
            raise ToolError(f"no tool named {name!r}; known tools: {known}")
        del self._entries[name]

    def clear(self) -> None:
        """Remove every tool."""
        self._entries.clear()

    def names(self) -> builtins.list[str]:
        """The registered tool names, in registration order."""
        return builtins.list(self._entries)

    def get(self, name: str) -> Tool | None:
        """The tool called ``name`` (resolved now), or None when there is none.

        Raises:
            ToolError: A by-name entry whose variable is gone or no longer a valid tool.
        """
        entry = self._entries.get(name)
        if entry is None:
            return None
        return entry.resolve() if isinstance(entry, _NamespaceEntry) else entry

    def list(self) -> builtins.list[Tool]:
        """Every tool, resolved now, in registration order."""
        return [self[name] for name in self._entries]

    def specs(self) -> builtins.list[ToolSpec]:
        """The API ``tools`` list: one spec per registered tool."""
        return [item.spec() for item in self.list()]

    def __getitem__(self, name: str) -> Tool:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(builtins.list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"ToolRegistry({self.names()!r})"

    def _rows(self) -> builtins.list[render.ListingRow]:
        """(name, tool or None when it fails to resolve, note) for the listings."""
        rows: builtins.list[render.ListingRow] = []
        for name, entry in self._entries.items():
            if not isinstance(entry, _NamespaceEntry):
                rows.append((name, entry, "fixed function"))
                continue
            note = f"by name: resolves `{entry.variable}` in the namespace at call time"
            try:
                rows.append((name, entry.resolve(), note))
            except ToolError as exc:
                rows.append((name, None, f"{note}; unavailable: {exc}"))
        return rows

    def _repr_markdown_(self) -> str:
        return render.render_registry_markdown(self._rows())

    def _repr_html_(self) -> str:
        return render.render_registry_html(self._rows())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(render.render_registry_text(self._rows()))
