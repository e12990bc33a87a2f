"""What ``Session.map`` sends: items read, the template checked, one prompt per item.

    to_items(items)            DataFrame rows (by column), a Series or sequence of scalars
                               (``{item}``; a named Series' name too), dicts (by key), a dict
                               (its values, its keys as labels), or any iterable of those
    render(prompt, items, ..)  one prompt per item: the template's fields filled from the
                               item, or the callable's return (text, blocks, figures)

A ``{...}`` is a field when its inside begins with ``item`` (the item; a row as a dict) or a
column's (key's) string name, then ``.attr`` and ``[literal]`` steps (quoted text, a number,
True/False/None, a tuple), then maybe ``!r``/``!s``/``!a`` and ``:spec``: ``{review text}``,
``{item[7]}``, ``{tags[0]}`` (the list's element), ``{stars:.1f}``, ``{name!r:>10}``. Nothing
is evaluated: steps are ``getattr``/``[]`` on the real value, a spec goes to ``format(value,
spec)``. A column named ``item`` wins over the item. As written: JSON, ``{ }``, ``{}``,
``{0}``, set comprehensions, ``{{...}}``, and, in a backtick span or a fenced block, braces
that are not a well-formed field of a known name (code: ``{x: y for x in z}``).

Every field must resolve for every item: one that does not (no such column, a key missing
from one item, ``{stars.nope}``, ``{item[9]}``, a spec the value refuses) is a one-line
``ContentError`` naming the field and the first item it fails for, as are, outside code, a
reference naming nothing, a malformed field of a known name ("quote the key:
{item["review text"]}"), an empty input and more than ``MAX_ITEMS`` items, all before
anything is sent. Rendering is O(items x fields) and reads of a DataFrame only the columns
the fields name, unless one needs the whole row (``{item}``) or the prompt is a callable.
Nothing here imports pandas (a DataFrame has ``columns``, ``index``, ``to_dict``, ``iloc``).
"""

from __future__ import annotations

import ast
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
from claude_nb._content.interpolate import CODE_SPANS, ContentBuilder, interpolate, parse_reference
from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = ["MAX_ITEMS", "Items", "render", "to_items"]

MAX_ITEMS = 100_000
"""Items one ``map`` takes (the Message Batches limit per batch)."""

_BRACED = re.compile(r"\{\{.*?\}\}|\{([^{}\n]*)\}", re.DOTALL)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY = r"""\[(?:[^\]"']|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')*\]"""
_STEP = re.compile(rf"\.([^.\[!:]*)|({_KEY})")
_SHAPE = re.compile(rf"((?:\.[^.\[!:]*|{_KEY})*)(?:!([^:]*))?(?::(.*))?", re.DOTALL)
_MISSING = object()
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {"r": repr, "s": str, "a": ascii}

PromptFunction = Callable[[Any], Any]
MapPrompt = str | PromptFunction
Step = tuple[str, Any]


@dataclass
class Items:
    """The items of one map, read once (a DataFrame's rows only if ``values`` is read).

    Attributes:
        labels: Each item's label: a DataFrame's or Series' index, a dict's keys, else 0, 1..
        kind: ``"rows"``, ``"dicts"`` or ``"scalars"``.
        columns: The names fields may use besides ``item`` (as strings): the columns, the
            keys of any item, a named Series' name.
        source: The DataFrame or Series the items came from, or None.
        keys: For rows, each column's string name to the column itself (``7`` for "7").
        loaded: What ``values`` gives (None until a DataFrame's rows are read).
    """

    labels: list[Any]
    kind: str
    columns: list[str] = field(default_factory=list)
    source: Any = None
    keys: dict[str, Any] = field(default_factory=dict)
    loaded: list[Any] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def values(self) -> list[Any]:
        """Each item as the template sees it (a row or a dict as a dict; a scalar)."""
        if self.loaded is None:  # a DataFrame's rows, read on first use
            self.loaded = self.source.to_dict("records")
        return self.loaded


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
        keys = {str(column): column for column in source.columns}
        return Items(list(source.index), "rows", list(keys), source, keys)
    if _is_series(source):
        _check_size(len(source), "items")
        name = getattr(source, "name", None)
        named = [name] if isinstance(name, str) and name and name != "item" else []
        return Items(list(source.index), "scalars", named, source, loaded=source.to_list())
    if isinstance(items, Mapping):  # its values, labelled by its keys
        labels, values = list(items.keys()), list(items.values())
    else:
        values = list(items)
        labels = list(range(len(values)))
    _check_size(len(values), "items")
    if all(isinstance(value, Mapping) for value in values):
        names = sorted({str(key) for value in values for key in value})
        return Items(labels, "dicts", names, loaded=values)
    return Items(labels, "scalars", loaded=values)


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
    head: str
    steps: list[Step]
    conversion: str = ""
    spec: str | None = None


def _exact_names(items: Items) -> set[str]:
    """String column / key names a field may give as written (``{review text}``)."""
    names: Any = items.columns if items.kind == "scalars" else items.keys.values()
    if items.kind == "dicts":
        names = {key for value in items.values for key in value}
    return {name for name in names if isinstance(name, str) and name and name.strip() == name}


def _head(inside: str, known: set[str], exact: set[str]) -> str | None:
    """The longest column name (or ``item``) the inside begins with, then ``[.:!`` or end."""
    ends = [index for index, char in enumerate(inside) if char in "[.:!"] + [len(inside)]
    heads = [inside[:end] for end in reversed(ends)]
    fit = [head for head in heads if head in exact or (head in known and _NAME.fullmatch(head))]
    return fit[0] if fit else None


def _key(text: str) -> Any:
    """A ``[literal]`` key: text, a number, True/False/None or a tuple; else _MISSING."""
    try:
        key = ast.literal_eval(text) if text.strip() else _MISSING
    except Exception:  # not a literal (an unquoted name, an expression)
        return _MISSING
    simple = (str, bytes, int, float, type(None))
    parts = key if isinstance(key, tuple) else (key,)
    return key if all(isinstance(part, simple) for part in parts) else _MISSING


def _field(text: str, inside: str, head: str) -> _Field | str:
    """A field beginning with a column (or ``item``), or why it is not well formed."""
    shape = _SHAPE.fullmatch(inside, len(head))
    hide = "to send it as written, put it in backticks"
    usage = f'template field {text} is not a field ({{x.attr}}, {{x["key"]}}, !r, :spec); {hide}'
    steps: list[Step] = []
    fixed, unquoted = head, 0  # the field with its keys quoted
    for step in _STEP.finditer(shape.group(1) if shape else ""):
        attribute, inner = step.group(1), (step.group(2) or "[]")[1:-1]
        if (attribute or "").startswith("__"):
            return f"template field {text}: attributes starting with __ are not followed"
        key = _key(inner) if attribute is None else attribute
        quoted = not inner.strip() or "'" in inner or '"' in inner
        if (key is _MISSING and quoted) or (attribute is not None and not _NAME.fullmatch(key)):
            return usage
        unquoted += key is _MISSING
        steps.append(("item" if attribute is None else "attribute", key))
        fixed += step.group() if key is not _MISSING else f'["{inner}"]'
    if shape is None:
        return usage
    conversion, spec = shape.group(2), shape.group(3)
    if unquoted:
        tail = inside[shape.end(1) :]
        return f"template field {text}: quote the key{'s' * (unquoted > 1)}: {{{fixed}{tail}}}"
    if conversion is not None and conversion not in _CONVERSIONS:
        return f"template field {text}: the conversion is !r, !s or !a (then :spec)"
    if spec and spec[0].isspace():  # {x: y for x in z}
        return f"template field {text}: a space after ':' reads as code, not a spec; {hide}"
    return _Field(text, head, steps, conversion or "", spec)


def _parse(template: str, items: Items) -> list[str | _Field]:
    """The template as text and fields, each field checked against the columns."""
    outside = set(interpolate(template, {}).unresolved)  # plain references not in code
    code = [span.span() for span in CODE_SPANS.finditer(template)]
    known = {"item", *items.columns}
    exact = _exact_names(items)
    parts: list[str | _Field] = []
    position = 0
    for match in _BRACED.finditer(template):
        inside = match.group(1)
        head = _head(inside, known, exact) if inside is not None else None
        if head is None:  # not a column: a reference naming nothing outside code is refused
            if inside is not None and parse_reference(inside) and match.group() in outside:
                raise ContentError(_unknown(match.group(), items))
            continue
        parsed = _field(match.group(), inside, head)
        if isinstance(parsed, str):
            if any(start <= match.start() < end for start, end in code):
                continue  # code that is not a field: as written
            raise ContentError(parsed)
        parts += [template[position : match.start()], parsed]
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


def _records(fields: list[_Field], items: Items) -> list[Any]:
    """The items the fields read: of a DataFrame, only the columns they name."""
    if items.kind != "rows" or items.loaded is not None:
        return items.values
    columns = list(items.source.columns)
    where = {column: index for index, column in enumerate(columns)}  # the last of a name
    wanted = set()
    for each in fields:
        kind, key = each.steps[0] if each.steps else ("", None)
        if each.head in items.keys:
            wanted.add(where[items.keys[each.head]])
        elif kind != "item":
            return items.values  # the whole row: {item}, {item.attr}
        elif key in where and isinstance(columns[where[key]], bool) == isinstance(key, bool):
            wanted.add(where[key])  # {item[7]}, {item[True]}, not {item[1]} for True
        else:
            raise ContentError(
                f"template field {each.text} does not resolve for item {items.labels[0]!r} "
                f"(dict has no key {key!r})"
            )
    frame = items.source.iloc[:, sorted(wanted)]
    return list(frame.to_dict("records")) if wanted else [None] * len(items)


def _resolve(item: _Field, items: Items, values: list[Any], position: int) -> Any:
    """A field's value for one item; one-line ``ContentError`` when it has none."""
    value = values[position]
    label = items.labels[position]
    if items.kind != "scalars":
        key = items.keys.get(item.head, item.head)
        if key in value:
            value = value[key]
        elif item.head != "item":
            raise ContentError(f"template field {item.text} is not a key of item {label!r}")
    for kind, key in item.steps:
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


def _native(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()  # a numpy scalar: 3.5, not np.float64(3.5)
    return value


def _formatted(item: _Field, value: Any, items: Items, position: int) -> str:
    """``{name!r:spec}``: the conversion, then ``format`` with the spec, on the value only."""
    convert = _CONVERSIONS.get(item.conversion, _native)
    try:
        return format(convert(_native(value)), item.spec or "")
    except Exception as error:  # a spec this value does not take
        why = " ".join(f"{type(error).__name__}: {error}".split())
        tail = item.text[len(item.head) + 1 : -1]  # ":.1f" for {stars:.1f}
        example = f', e.g. df["{item.head}"].map("{{{tail}}}".format)'
        raise ContentError(
            f"template field {item.text} cannot be formatted for item "
            f"{items.labels[position]!r} ({why}): fix those values or format them first"
            + (example if item.head in items.keys and not item.steps else "")
        ) from None


def _plain(value: Any) -> Any:
    """A value as the template inserts it: convertible objects kept, the rest as ``str``."""
    value = _native(value)
    if isinstance(value, (str, Mapping, list, tuple)) or not can_convert(value):
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
    parts: list[str | _Field], items: Items, values: list[Any], at: int, options: ContentOptions
) -> str | list[ContentBlock]:
    """One item's prompt: text, or blocks when a field is an image, a figure, a frame."""
    built = ContentBuilder()
    for part in parts:
        if isinstance(part, str):
            built.add_text(part)
            continue
        value = _resolve(part, items, values, at)
        if part.conversion or part.spec:
            value = _formatted(part, value, items, at)
        value = _plain(value)
        if isinstance(value, str):
            built.add_text(value)
            continue
        try:
            built.add_blocks(to_content_blocks(value, options=options).blocks)
        except ContentError as error:
            raise ContentError(f"item {items.labels[at]!r}: {error}") from None
    return built.result()


def render(
    prompt: MapPrompt, items: Items, options: ContentOptions
) -> list[str | list[ContentBlock]]:
    """One prompt per item, in order (``ContentError`` names the item that failed)."""
    if not callable(prompt):
        if not isinstance(prompt, str) or not prompt.strip():
            raise ContentError("the map prompt is empty")
        parts = _parse(prompt, items)  # checked against the columns once
        values = _records([part for part in parts if isinstance(part, _Field)], items)
        return [_filled(parts, items, values, at, options) for at in range(len(items))]
    prompts: list[str | list[ContentBlock]] = []
    for position in range(len(items)):
        try:
            prompts.append(_from_callable(prompt(items.values[position]), options))
        except ContentError as error:
            raise ContentError(f"item {items.labels[position]!r}: {error}") from None
    return prompts
