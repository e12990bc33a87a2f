"""What ``Session.map`` sends: items read, the template checked, one prompt per item.

    to_items(items)            DataFrame rows (by column), a Series or sequence of scalars
                               (``{item}``), dicts (by key), or any iterable of those
    check_template(t, items)   every plain ``{field}`` names a column / key (else one line)
    render(prompt, items, ..)  one prompt per item: the template through the cell rules
                               (``_content.interpolate``: code braces and JSON stay as
                               written) or the callable's return (text, blocks, figures)

Nothing here imports pandas: a DataFrame is recognised by its ``columns``, ``index`` and
``to_dict``. All checks run before anything is sent: an empty input, a missing column, a
field no item has, more than ``MAX_ITEMS`` items are ``ContentError``s of one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_nb._content.attach import cell_content
from claude_nb._content.convert import (
    ContentOptions,
    ConvertedContent,
    can_convert,
    to_content_blocks,
)
from claude_nb._content.interpolate import parse_reference
from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = ["MAX_ITEMS", "Items", "check_template", "render", "template_fields", "to_items"]

MAX_ITEMS = 100_000
"""Items one ``map`` takes (the Message Batches limit per batch)."""

_BRACED = re.compile(r"\{\{.*?\}\}|\{([^{}\n]*)\}", re.DOTALL)

PromptFunction = Callable[[Any], Any]
MapPrompt = str | PromptFunction


@dataclass
class Items:
    """The items of one map, read once.

    Attributes:
        values: Each item as the template sees it (a row or a dict as a dict; a scalar).
        labels: Each item's label: the DataFrame's or Series' index, else its position.
        kind: ``"rows"``, ``"dicts"`` or ``"scalars"``.
        columns: The column or key names fields may use (rows and dicts).
        source: The DataFrame or Series the items came from, or None.
    """

    values: list[Any]
    labels: list[Any]
    kind: str
    columns: list[str] = field(default_factory=list)
    source: Any = None

    def __len__(self) -> int:
        return len(self.values)

    def namespace(self, position: int) -> dict[str, Any]:
        """The names a template may use for one item (``item`` is always there)."""
        value = self.values[position]
        if self.kind == "scalars":
            return {"item": value}
        names = {str(key): item for key, item in value.items()}
        names.setdefault("item", value)
        return names


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
            f"map takes a DataFrame, a Series or a list of items, not {type(items).__name__}"
        )
    if _is_frame(source):
        _check_size(len(source.index), "rows")
        if len(source.columns) == 0:
            raise ContentError("the DataFrame has no columns")
        records = source.to_dict("records")
        columns = [str(column) for column in source.columns]
        return Items(records, list(source.index), "rows", columns, source)
    if _is_series(source):
        _check_size(len(source), "items")
        return Items(source.to_list(), list(source.index), "scalars", [], source)
    values = list(items)
    _check_size(len(values), "items")
    if all(isinstance(value, Mapping) for value in values):
        keys = sorted({str(key) for value in values for key in value})
        return Items(values, list(range(len(values))), "dicts", keys)
    return Items(values, list(range(len(values))), "scalars")


def _check_size(count: int, what: str) -> None:
    if count == 0:
        raise ContentError(f"nothing to map: the input has no {what}")
    if count > MAX_ITEMS:
        raise ContentError(
            f"{count:,} {what} is over the limit of {MAX_ITEMS:,} per map (split the input)"
        )


def template_fields(template: str) -> list[str]:
    """The names of the plain ``{field}`` references in ``template``, in order (no repeats)."""
    names: list[str] = []
    for match in _BRACED.finditer(template):
        inside = match.group(1)
        steps = parse_reference(inside) if inside is not None else None
        if steps and steps[0][1] not in names:
            names.append(str(steps[0][1]))
    return names


def check_template(template: str, items: Items) -> None:
    """Every field names a column (rows), a key of every item (dicts) or is ``{item}``."""
    for name in template_fields(template):
        if name == "item":
            continue
        if items.kind == "scalars":
            raise ContentError(
                f"template field {{{name}}}: the items are single values, use {{item}}"
            )
        if items.kind == "rows" and name not in items.columns:
            raise ContentError(
                f"template field {{{name}}} matches no column (columns: "
                f"{', '.join(items.columns[:12])})"
            )
        if items.kind == "dicts":
            for position, value in enumerate(items.values):
                if name not in {str(key) for key in value}:
                    raise ContentError(f"template field {{{name}}} is not a key of item {position}")


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


def _joined(blocks: list[ContentBlock]) -> str | list[ContentBlock]:
    """Plain text blocks as one string (so the shared prefix can be found), else the blocks."""
    if all(block.get("type") == "text" and set(block) == {"type", "text"} for block in blocks):
        return "".join(str(block["text"]) for block in blocks)
    return list(blocks)


def render(
    prompt: MapPrompt, items: Items, options: ContentOptions
) -> list[str | list[ContentBlock]]:
    """One prompt per item, in order (``ContentError`` names the item that failed)."""
    if not callable(prompt):
        if not isinstance(prompt, str) or not prompt.strip():
            raise ContentError("the map prompt is empty")
        check_template(prompt, items)
    prompts: list[str | list[ContentBlock]] = []
    for position in range(len(items)):
        try:
            if callable(prompt):
                prompts.append(_from_callable(prompt(items.values[position]), options))
                continue
            names = {key: _plain(value) for key, value in items.namespace(position).items()}
            content = cell_content(prompt, names, options=options)
            prompts.append(content if isinstance(content, str) else _joined(content.blocks))
        except ContentError as error:
            raise ContentError(f"item {items.labels[position]!r}: {error}") from None
    return prompts
