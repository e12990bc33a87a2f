"""What ``Session.map`` sends: items read, the template checked, one prompt per item.

    to_items(items)            DataFrame rows (by column), a Series or sequence of scalars
                               (``{item}``; a named Series' name too), dicts (by key), a dict
                               (its values, its keys as labels), or any iterable of those
    render(prompt, items, ..)  one prompt per item: the template's fields filled from the
                               item, or the callable's return (text, blocks, figures)

A template is read once, with the cell rules (``_content.interpolate``): a ``{...}`` is a
field when its inside is a plain reference (``NAME``, ``.attr``, ``[literal]``; nothing is
evaluated) or exactly a column's (or key's) string name, so ``{review text}`` fills the
column "review text"; ``{item}`` is the item itself (the row as a dict), so
``{item["review text"]}`` and ``{item[7]}`` name any column, and indexing and attributes
apply to the real value (``{tags[0]}`` is a list's first element, not the first character
of its text). A column named ``item`` wins over the item. Everything else stays as written:
JSON, ``{ }``, ``{}``, ``{0}``, set comprehensions, ``{{...}}``, and, inside a backtick span
or a fenced block, a reference whose first name is neither ``item`` nor a column (code).

Every field must resolve for every item: one that does not (no such column, a key missing
from one item, ``{stars.nope}``, ``{item[9]}``) is a one-line ``ContentError`` naming the
field and the first item it fails for, as are an empty input and more than ``MAX_ITEMS``
items, all before anything is sent. Reading is O(items x fields).

Nothing here imports pandas: a DataFrame is recognised by its ``columns``, ``index`` and
``to_dict``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_nb._content.convert import (
    ContentOptions,
    ConvertedContent,
    can_convert,
    to_content_blocks,
)
from claude_nb._content.interpolate import interpolate, parse_reference
from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = ["MAX_ITEMS", "Items", "render", "to_items"]

MAX_ITEMS = 100_000
"""Items one ``map`` takes (the Message Batches limit per batch)."""

_BRACED = re.compile(r"\{\{.*?\}\}|\{([^{}\n]*)\}", re.DOTALL)
_MISSING = object()

PromptFunction = Callable[[Any], Any]
MapPrompt = str | PromptFunction
Step = tuple[str, Any]


@dataclass
class Items:
    """The items of one map, read once.

    Attributes:
        values: Each item as the template sees it (a row or a dict as a dict; a scalar).
        labels: Each item's label: the DataFrame's or Series' index, a dict's keys, else
            the position.
        kind: ``"rows"``, ``"dicts"`` or ``"scalars"``.
        columns: The names fields may use besides ``item``: the columns (rows), the keys
            of any item (dicts), a named Series' name (scalars); as strings.
        source: The DataFrame or Series the items came from, or None.
        keys: For rows, each column's string name to the column itself (``7`` for "7").
    """

    values: list[Any]
    labels: list[Any]
    kind: str
    columns: list[str] = field(default_factory=list)
    source: Any = None
    keys: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.values)

    def lookup(self, position: int, name: str) -> Any:
        """The value a field's first name has for one item (``_MISSING`` when none)."""
        value = self.values[position]
        if self.kind == "scalars":
            return value if name == "item" or name in self.columns else _MISSING
        key = self.keys.get(name, name)
        if key in value:
            return value[key]
        return value if name == "item" else _MISSING


def _is_frame(items: Any) -> bool:
    return all(hasattr(items, name) for name in ("columns", "index", "to_dict", "iloc"))


def _is_series(items: Any) -> bool:
    return not _is_frame(items) and all(
        hasattr(items, name) for name in ("index", "to_list", "iloc", "dtype")
    )


def to_items(items: Any) -> Items:
    """Read ``items`` once; one-line ``ContentError`` for what cannot be mapped."""
    source: Any = items
    if isinstance(items, (str, bytes)) or not hasattr(source, "__iter__"):
        raise ContentError(
            f"map takes a DataFrame, a Series, a list or a dict of items, "
            f"not {type(items).__name__}"
        )
    if _is_frame(source):
        _check_size(len(source.index), "rows")
        if len(source.columns) == 0:
            raise ContentError("the DataFrame has no columns")
        records = source.to_dict("records")
        keys = {str(column): column for column in source.columns}
        return Items(records, list(source.index), "rows", list(keys), source, keys)
    if _is_series(source):
        _check_size(len(source), "items")
        name = getattr(source, "name", None)
        named = [name] if isinstance(name, str) and name and name != "item" else []
        return Items(source.to_list(), list(source.index), "scalars", named, source)
    if isinstance(items, Mapping):  # its values, labelled by its keys
        labels, values = list(items.keys()), list(items.values())
    else:
        values = list(items)
        labels = list(range(len(values)))
    _check_size(len(values), "items")
    if all(isinstance(value, Mapping) for value in values):
        names = sorted({str(key) for value in values for key in value})
        return Items(values, labels, "dicts", names)
    return Items(values, labels, "scalars")


def _check_size(count: int, what: str) -> None:
    if count == 0:
        raise ContentError(f"nothing to map: the input has no {what}")
    if count > MAX_ITEMS:
        raise ContentError(
            f"{count:,} {what} is over the limit of {MAX_ITEMS:,} per map (split the input)"
        )


@dataclass(frozen=True)
class _Field:
    text: str
    steps: list[Step]


def _exact_names(items: Items) -> set[str]:
    """String column / key names a field may give as written (``{review text}``)."""
    if items.kind == "rows":
        names = [str(key) for key in items.keys.values() if isinstance(key, str)]
    elif items.kind == "dicts":
        names = list({key for value in items.values for key in value if isinstance(key, str)})
    else:
        names = list(items.columns)
    return {name for name in names if name and name.strip() == name}


def _parse(template: str, items: Items) -> list[str | _Field]:
    """The template as text and fields, each field checked against the columns."""
    outside = set(interpolate(template, {}).unresolved)  # plain references not in code
    known = {"item", *items.columns}
    exact = _exact_names(items)
    parts: list[str | _Field] = []
    position = 0
    for match in _BRACED.finditer(template):
        inside = match.group(1)
        if inside is None:
            continue
        steps = [("name", inside)] if inside in exact else parse_reference(inside)
        if not steps or (steps[0][1] not in known and match.group() not in outside):
            continue  # not a reference, or code that names no column: as written
        if steps[0][1] not in known:
            raise ContentError(_unknown(match.group(), items))
        parts += [template[position : match.start()], _Field(match.group(), steps)]
        position = match.end()
    parts.append(template[position:])
    return parts


def _unknown(text: str, items: Items) -> str:
    if items.kind == "scalars":
        alias = f" (or {{{items.columns[0]}}})" if items.columns else ""
        return f"template field {text}: the items are single values, use {{item}}{alias}"
    what = "column" if items.kind == "rows" else "key of any item"
    listed = ", ".join(items.columns[:12]) + (", ..." if len(items.columns) > 12 else "")
    return (
        f"template field {text} matches no {what} ({what.split()[0]}s: {listed}); any of "
        f'them: {{item["name"]}}; to send braces as written, put them in backticks'
    )


def _resolve(item: _Field, items: Items, position: int) -> Any:
    """A field's value for one item; one-line ``ContentError`` when it has none."""
    name = item.steps[0][1]
    value = items.lookup(position, name)
    label = items.labels[position]
    if value is _MISSING:
        raise ContentError(f"template field {item.text} is not a key of item {label!r}")
    for kind, key in item.steps[1:]:
        try:
            value = getattr(value, key) if kind == "attribute" else value[key]
        except Exception as error:  # any failed lookup: the field does not resolve
            raise ContentError(
                f"template field {item.text} does not resolve for item {label!r} "
                f"({_why(value, kind, key, error)})"
            ) from None
    return value


def _why(value: Any, kind: str, key: Any, error: Exception) -> str:
    what = type(value).__name__
    if kind == "attribute":
        return f"{what} has no attribute {key!r}"
    if isinstance(error, KeyError) or isinstance(value, Mapping):
        return f"{what} has no key {key!r}"
    if isinstance(error, IndexError):
        return f"{what} has no index {key!r}"
    return f"{what} cannot be indexed with {key!r}"


def _plain(value: Any) -> Any:
    """A value as the template inserts it: convertible objects kept, the rest as ``str``."""
    if isinstance(value, str):
        return value
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        value = item()  # a numpy scalar: 3.5, not np.float64(3.5)
    if isinstance(value, (Mapping, list, tuple)) or not can_convert(value):
        return str(value)
    return value


def _from_callable(value: Any, options: ContentOptions) -> str | list[ContentBlock]:
    """What a prompt function returned, as a prompt: text, blocks, or converted objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, ConvertedContent):
        return list(value.blocks)
    parts = list(value) if isinstance(value, (list, tuple)) else [value]
    if parts and all(isinstance(part, Mapping) and "type" in part for part in parts):
        return [dict(part) for part in parts]  # type: ignore[misc]
    blocks: list[ContentBlock] = []
    for part in parts:
        if isinstance(part, str):
            blocks.append({"type": "text", "text": part})
        elif isinstance(part, Mapping) and "type" in part:
            blocks.append(dict(part))  # type: ignore[arg-type]
        else:
            blocks.extend(to_content_blocks(part, options=options).blocks)
    if not blocks:
        raise ContentError("the prompt function returned no content")
    return blocks


def _filled(
    parts: list[str | _Field], items: Items, position: int, options: ContentOptions
) -> str | list[ContentBlock]:
    """One item's prompt: text, or blocks when a field is an image, a figure, a frame."""
    texts: list[str] = []
    blocks: list[ContentBlock] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
            continue
        value = _plain(_resolve(part, items, position))
        if isinstance(value, str):
            texts.append(value)
            continue
        try:
            converted = to_content_blocks(value, options=options).blocks
        except ContentError as error:
            raise ContentError(f"item {items.labels[position]!r}: {error}") from None
        for block in converted:
            if block.get("type") == "text" and set(block) == {"type", "text"}:
                texts.append(str(block["text"]))
            else:
                if "".join(texts):
                    blocks.append({"type": "text", "text": "".join(texts)})
                texts = []
                blocks.append(block)
    if not blocks:
        return "".join(texts)
    if "".join(texts):
        blocks.append({"type": "text", "text": "".join(texts)})
    return blocks


def render(
    prompt: MapPrompt, items: Items, options: ContentOptions
) -> list[str | list[ContentBlock]]:
    """One prompt per item, in order (``ContentError`` names the item that failed)."""
    if not callable(prompt):
        if not isinstance(prompt, str) or not prompt.strip():
            raise ContentError("the map prompt is empty")
        parts = _parse(prompt, items)  # checked against the columns once
        return [_filled(parts, items, position, options) for position in range(len(items))]
    prompts: list[str | list[ContentBlock]] = []
    for position in range(len(items)):
        try:
            prompts.append(_from_callable(prompt(items.values[position]), options))
        except ContentError as error:
            raise ContentError(f"item {items.labels[position]!r}: {error}") from None
    return prompts
