"""How tools look in a notebook: the registry listing and one folded block per tool call.

Pure string building (Markdown and HTML); nothing here displays anything. The renderer
(``claude_nb._display.render``) decides when to show a ``ToolCallEvent``; a cell's last expression
shows itself through ``_repr_markdown_``.

A call renders as a closed ``<details>`` block whose summary line says the tool, a short
form of its arguments, the duration and whether it failed; opening it shows the arguments as
JSON and the result summary or the error. This is the one tool-call renderer, for every
state of a call and both forms (Markdown for cells, HTML for the chat widget):

* requested: the model's ``tool_use`` block, while it streams or when it never runs
  (``render_tool_use_markdown`` / ``_html``; no status, the arguments only);
* running and ended: a ``ToolCallEvent`` (``render_tool_call_markdown`` / ``_html``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    "ToolCallEvent",
    "call_preview",
    "render_registry_html",
    "render_registry_markdown",
    "render_registry_text",
    "render_tool_call_html",
    "render_tool_call_markdown",
    "render_tool_use_html",
    "render_tool_use_markdown",
    "type_summary",
]

ToolCallEventTypes = Literal["start", "end"]


class ListedTool(Protocol):
    """What the listing shows of a tool (``Tool`` has both)."""

    @property
    def description(self) -> str: ...

    @property
    def input_schema(self) -> Mapping[str, Any]: ...


ListingRow = tuple[str, "ListedTool | None", str]
"""(tool name, the resolved tool or None when it is unavailable, a note on its origin)."""

_COLUMNS = ("parameter", "type", "required", "description")
_PREVIEW_CHARS = 80


@dataclass(frozen=True)
class ToolCallEvent:
    """One step of one tool call, for ``on_tool_event`` callbacks and renderers.

    Attributes:
        kind: ``"start"`` before the function runs, ``"end"`` when its result is known.
            A call refused before running (unknown tool, invalid input, denied) has only
            an ``"end"`` event.
        tool_use_id: The ``tool_use`` block's id.
        name: The tool name the model called.
        arguments: The input the model sent.
        index: The call's position among the turn's tool_use blocks.
        result_summary: The start of the result text (``"end"`` only).
        duration: Seconds the function ran, or None when it did not run.
        error: The error text when the result is an error, else None.
    """

    kind: ToolCallEventTypes
    tool_use_id: str
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    index: int = 0
    result_summary: str = ""
    duration: float | None = None
    error: str | None = None

    def _repr_markdown_(self) -> str:
        return render_tool_call_markdown(self)

    def _repr_html_(self) -> str:
        return render_tool_call_html(self)


def call_preview(name: str, arguments: Mapping[str, Any], limit: int = _PREVIEW_CHARS) -> str:
    """``weather(city="Paris", days=3)``, the arguments cut to ``limit`` characters."""
    inner = ", ".join(
        f"{key}={json.dumps(value, default=str, ensure_ascii=False)}"
        for key, value in arguments.items()
    )
    if len(inner) > limit:
        inner = inner[: limit - 1] + "…"
    return f"{name}({inner})"


def _status(event: ToolCallEvent) -> str:
    """``running…``, ``0.12 s``, or ``error`` with the duration when it ran."""
    if event.kind == "start":
        return "running…"
    took = f"{event.duration:.2f} s" if event.duration is not None else ""
    if event.error is not None:
        return f"error {took}".strip()
    return took or "done"


def _fence(text: str) -> str:
    """A Markdown code fence longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


Section = tuple[str, str, str]
"""(title, text, code language) of one part shown when a call's block is opened."""


def _summary_line(mark: str, name: str, arguments: Mapping[str, Any], status: str) -> str:
    """The ``<summary>`` element (HTML, shared by both forms and every state)."""
    preview = html.escape(call_preview(name, arguments))
    tail = f" · {html.escape(status)}" if status else ""
    return f"<summary>{mark} <code>{preview}</code>{tail}</summary>"


def _arguments(arguments: Mapping[str, Any]) -> Section:
    return "arguments", json.dumps(arguments, indent=2, default=str, ensure_ascii=False), "json"


def _event_parts(event: ToolCallEvent) -> tuple[str, list[Section]]:
    """The summary line and the sections (arguments, then the result or error) of an event."""
    mark = "✗" if event.error is not None else "🔧"
    sections = [_arguments(event.arguments)]
    if event.kind == "end":
        failed = event.error is not None
        text = (event.error if failed else event.result_summary) or ""
        sections.append(("error" if failed else "result", text, ""))
    return _summary_line(mark, event.name, event.arguments, _status(event)), sections


def _requested_parts(block: Mapping[str, Any]) -> tuple[str, list[Section]]:
    """The summary line (no status yet) and the arguments of a ``tool_use`` block."""
    arguments = block.get("input")
    arguments = arguments if isinstance(arguments, Mapping) else {}
    summary = _summary_line("🔧", str(block.get("name") or "?"), arguments, "")
    return summary, [_arguments(arguments)]


def _markdown(summary: str, sections: Sequence[Section]) -> str:
    parts = [f"<details>{summary}\n"]
    for title, text, language in sections:
        fence = _fence(text)
        parts.append(f"**{title}**\n\n{fence}{language}\n{text}\n{fence}\n")
    parts.append("</details>")
    return "\n".join(parts)


def _html(summary: str, sections: Sequence[Section]) -> str:
    body = "".join(f"<b>{title}</b><pre>{html.escape(text)}</pre>" for title, text, _ in sections)
    return f"<details>{summary}{body}</details>"


def render_tool_call_markdown(event: ToolCallEvent) -> str:
    """A folded ``<details>`` block in Markdown for one tool-call event."""
    return _markdown(*_event_parts(event))


def render_tool_call_html(event: ToolCallEvent) -> str:
    """The same folded ``<details>`` block as HTML."""
    return _html(*_event_parts(event))


def render_tool_use_markdown(block: Mapping[str, Any]) -> str:
    """The folded block of a call the model asked for that has no event (yet), in Markdown.

    A ``tool_use`` (or ``server_tool_use``) block while it streams, or one that never runs
    (no tool loop, or the loop's step cap): the tool and its arguments, no status.
    """
    return _markdown(*_requested_parts(block))


def render_tool_use_html(block: Mapping[str, Any]) -> str:
    """The same block of a requested call as HTML (the chat, before the call has ended)."""
    return _html(*_requested_parts(block))


def _plural(count: int) -> str:
    return f"**{count} tool{'s' if count != 1 else ''}**"


def render_registry_markdown(rows: Sequence[ListingRow]) -> str:
    """The registry listing in Markdown: per tool, its origin, description and parameters."""
    if not rows:
        return "**No tools registered.** Use `%claude_tools f g` or `@claude_nb.tool`."
    parts = [_plural(len(rows))]
    for name, item, note in rows:
        parts.append(f"\n#### `{name}`\n\n*{note}*")
        if item is None:
            continue
        if item.description:
            parts.append(f"\n{item.description}")
        parts.append("\n| " + " | ".join(_COLUMNS) + " |\n|---|---|---|---|")
        for row in _parameter_rows(item.input_schema):
            cells = (cell.replace("|", "\\|").replace("\n", " ") for cell in row)
            parts.append("| " + " | ".join(cells) + " |")
        schema_text = json.dumps(item.input_schema, indent=2, ensure_ascii=False)
        parts.append(
            "\n<details><summary>input_schema</summary>\n\n"
            f"```json\n{schema_text}\n```\n\n</details>"
        )
    return "\n".join(parts)


def render_registry_html(rows: Sequence[ListingRow]) -> str:
    """The registry listing in HTML (same content as the Markdown form)."""
    if not rows:
        return "<p><b>No tools registered.</b> Use <code>%claude_tools f g</code>.</p>"
    parts = [f"<p><b>{_plural(len(rows)).strip('*')}</b></p>"]
    for name, item, note in rows:
        parts.append(f"<h4><code>{html.escape(name)}</code></h4><p><i>{html.escape(note)}</i></p>")
        if item is None:
            continue
        if item.description:
            parts.append(f"<p>{html.escape(item.description)}</p>")
        head = "".join(f"<th>{title}</th>" for title in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in _parameter_rows(item.input_schema)
        )
        schema_text = html.escape(json.dumps(item.input_schema, indent=2, ensure_ascii=False))
        parts.append(
            f"<table><tr>{head}</tr>{body}</table>"
            f"<details><summary>input_schema</summary><pre>{schema_text}</pre></details>"
        )
    return "".join(parts)


def render_registry_text(rows: Sequence[ListingRow]) -> str:
    """The registry listing as plain text (terminal IPython): the same content, no markup."""
    if not rows:
        return "No tools registered. Use %claude_tools f g or @claude_nb.tool."
    parts = [_plural(len(rows)).strip("*")]
    for name, item, note in rows:
        parts.append(f"\n{name}  ({note})")
        if item is None:
            continue
        if item.description:
            parts.append(f"  {item.description}")
        for parameter, kind, required, description in _parameter_rows(item.input_schema):
            optional = "" if required == "yes" else ", optional"
            said = f": {description}" if description else ""
            parts.append(f"  - {parameter} ({kind}{optional}){said}")
        schema_text = json.dumps(item.input_schema, indent=2, ensure_ascii=False)
        parts.append("  input_schema:")
        parts.extend(f"    {line}" for line in schema_text.splitlines())
    return "\n".join(parts)


def _parameter_rows(schema: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(name, type summary, required, description) for each property of an input schema."""
    required = set(schema.get("required", []))
    return [
        (name, type_summary(part), "yes" if name in required else "no", part.get("description", ""))
        for name, part in schema.get("properties", {}).items()
    ]


def type_summary(schema: Mapping[str, Any]) -> str:
    """A short reading of a schema: ``array of integer``, ``"a" | "b"``, ``string | null``."""
    if "enum" in schema:
        return " | ".join(json.dumps(value, ensure_ascii=False) for value in schema["enum"])
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return " | ".join(type_summary(branch) for branch in schema[keyword])
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kind = schema.get("type")
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        return f"array of {type_summary(schema['items'])}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), Mapping):
        return f"object of {type_summary(schema['additionalProperties'])}"
    if isinstance(kind, list):
        return " | ".join(kind)
    return str(kind) if kind else "any"
