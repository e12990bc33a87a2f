"""Pure ``{name}`` interpolation of a prompt from the user namespace.

A ``{...}`` in a prompt is replaced only when its inside is a *plain reference* that resolves
in the namespace; everything else stays exactly as written, so code braces, JSON, format
strings and set literals pass through untouched. Nothing is evaluated: a reference is parsed
by a small grammar and resolved with ``getattr`` / ``[]`` on literal keys only::

    reference := NAME ( "." NAME | "[" LITERAL "]" )*
    LITERAL   := an integer (maybe negative) or a quoted string

which covers ``{df}``, ``{result.text}``, ``{data["key"]}``, ``{items[-1]}``, ``{In[3]}`` and
``{Out[5]}``. Dunder attributes are never followed. ``{{...}}`` is left as written.

A reference that resolves to nothing is sent as written too, but it was most likely meant
as a variable, so it is listed in ``unresolved`` (the cell notes "not interpolated:
{nosuchvar}" under the reply and in ``--dry-run``); braces in code (a backtick span or a
fenced block) and anything that is not a plain reference (JSON, sets, ``{ x }``) are not.

Values become content at their place: a ``str`` goes in as text, an object the ``convert``
function takes becomes content blocks (in a cell, ``_content.attach.cell_content`` passes the
``_content`` conversion: figures, images, DataFrames), anything else goes in as a bounded
``repr``.

Example:
    >>> interpolate("Sum {numbers} in {{code}}", {"numbers": [1, 2]}).content
    'Sum [1, 2] in {{code}}'
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_nb._types import ContentBlock

__all__ = [
    "CODE_SPANS",
    "DEFAULT_REPR_LIMIT",
    "ContentBuilder",
    "Interpolation",
    "interpolate",
    "is_resolved",
    "parse_reference",
    "resolve_reference",
]

DEFAULT_REPR_LIMIT = 4000
"""Characters of ``repr`` kept for an object that is neither text nor convertible content."""

_BRACED = re.compile(r"\{\{.*?\}\}|\{([^{}\n]*)\}", re.DOTALL)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"-?[0-9]+")
_QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")
CODE_SPANS = re.compile(  # a fenced block or a backtick span: braces there are code
    r"^(`{3,}|~{3,})[^\n]*\n.*?^\1|(`+)[^`].*?(?<!`)\2(?!`)", re.MULTILINE | re.DOTALL
)
_MISSING = object()

Step = tuple[str, Any]
"""One step of a reference: ``("name", str)``, ``("attribute", str)`` or ``("item", key)``."""

Converter = Callable[[Any], "list[ContentBlock] | None"]
"""Turns an object into content blocks, or returns None when it cannot."""


@dataclass
class Interpolation:
    """The result of interpolating a prompt.

    Attributes:
        content: The prompt as the API takes it: a ``str`` when only text was inserted,
            else a list of content blocks in order.
        replaced: The references that were replaced, in order of appearance.
        kept: The ``{...}`` spans that were left as written (not references, or unresolved).
        unresolved: The kept spans that are plain references outside code but name nothing
            (``{nosuchvar}``): sent as written, worth a note.
    """

    content: str | list[ContentBlock]
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def parse_reference(text: str) -> list[Step] | None:
    """Parse a plain reference into steps, or return None when it is not one.

    Args:
        text: What stood between the braces (no surrounding spaces allowed).

    Returns:
        The steps, starting with ``("name", NAME)``; None for anything else.
    """
    match = _NAME.match(text)
    if match is None:
        return None
    steps: list[Step] = [("name", match.group())]
    position = match.end()
    while position < len(text):
        if text[position] == "." and (name := _NAME.match(text, position + 1)):
            if name.group().startswith("__"):
                return None
            steps.append(("attribute", name.group()))
            position = name.end()
        elif text[position] == "[":
            literal = _INTEGER.match(text, position + 1) or _QUOTED.match(text, position + 1)
            if literal is None or not text.startswith("]", literal.end()):
                return None
            steps.append(("item", ast.literal_eval(literal.group())))
            position = literal.end() + 1
        else:
            return None
    return steps


def resolve_reference(steps: list[Step], namespace: Mapping[str, Any]) -> Any:
    """Follow parsed steps in a namespace without evaluating anything.

    Args:
        steps: Steps from ``parse_reference``.
        namespace: Where the first name is looked up (the user namespace).

    Returns:
        The value, or a private sentinel when any step fails (check with ``is_resolved``).
    """
    value: Any = namespace.get(steps[0][1], _MISSING)
    for kind, key in steps[1:]:
        if value is _MISSING:
            break
        try:
            value = getattr(value, key) if kind == "attribute" else value[key]
        except Exception:  # a failed lookup means "not a reference here": keep the text
            return _MISSING
    return value


def is_resolved(value: Any) -> bool:
    """Whether a value from ``resolve_reference`` was found."""
    return value is not _MISSING


def _bounded_repr(value: Any, limit: int) -> str:
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ must not break the prompt
        text = f"<{type(value).__name__} (repr failed: {type(error).__name__})>"
    if len(text) > limit:
        text = f"{text[:limit]}… [{len(text) - limit} more characters]"
    return text


class ContentBuilder:
    """Collects text and blocks, merging neighbouring text."""

    def __init__(self) -> None:
        self.blocks: list[ContentBlock] = []
        self.text: list[str] = []

    def add_text(self, text: str) -> None:
        self.text.append(text)

    def add_blocks(self, blocks: list[ContentBlock]) -> None:
        for block in blocks:
            if block.get("type") == "text" and set(block) == {"type", "text"}:
                self.add_text(str(block["text"]))
            else:
                self._flush()
                self.blocks.append(block)

    def _flush(self) -> None:
        joined = "".join(self.text)
        self.text = []
        if joined:
            self.blocks.append({"type": "text", "text": joined})

    def result(self) -> str | list[ContentBlock]:
        if not self.blocks:
            return "".join(self.text)
        self._flush()
        return self.blocks


def interpolate(
    prompt: str,
    namespace: Mapping[str, Any],
    *,
    convert: Converter | None = None,
    repr_limit: int = DEFAULT_REPR_LIMIT,
) -> Interpolation:
    """Replace plain ``{references}`` that resolve in ``namespace``; keep everything else.

    Args:
        prompt: The prompt text.
        namespace: The user namespace (``In`` and ``Out`` included in IPython).
        convert: Turns an object into content blocks or returns None (the notebook
            passes ``_content.convert``'s, see ``_content.attach.cell_content``); without one every
            non-string value goes in as a bounded ``repr`` (this module stays pure).
        repr_limit: Characters kept of the ``repr`` of other objects.

    Returns:
        The content and which spans were replaced or kept.
    """
    builder = ContentBuilder()
    result = Interpolation(content="")
    position = 0
    code = [span.span() for span in CODE_SPANS.finditer(prompt)]
    for match in _BRACED.finditer(prompt):
        inside = match.group(1)
        steps = parse_reference(inside) if inside is not None else None
        value = resolve_reference(steps, namespace) if steps else _MISSING
        if value is _MISSING:
            if inside is not None:
                result.kept.append(match.group())
                if steps and not any(start <= match.start() < end for start, end in code):
                    result.unresolved.append(match.group())
            continue
        builder.add_text(prompt[position : match.start()])
        position = match.end()
        result.replaced.append(inside)
        if isinstance(value, str):
            builder.add_text(value)
            continue
        blocks = convert(value) if convert is not None else None
        if blocks is not None:
            builder.add_blocks(blocks)
        else:
            builder.add_text(_bounded_repr(value, repr_limit))
    builder.add_text(prompt[position:])
    result.content = builder.result()
    return result
