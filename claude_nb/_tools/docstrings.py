"""Read a tool's description and parameter descriptions from its docstring.

Three docstring styles are understood, and may even be mixed::

    Google                  NumPy                   reST
    ------                  -----                   ----
    Look up the weather.    Look up the weather.    Look up the weather.

    Args:                   Parameters              :param city: The city.
        city: The city.     ----------              :param str unit: Units.
        unit (str): Units.  city : str
                                The city.

The description is the docstring's first paragraph (its lines joined with spaces). Pure: no
I/O, no imports beyond the standard library.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["ParsedDocstring", "parse_docstring"]

_GOOGLE_SECTIONS = frozenset(
    {
        "args",
        "arguments",
        "parameters",
        "params",
        "keyword args",
        "keyword arguments",
        "other parameters",
        "attributes",
    }
)
_NUMPY_SECTIONS = frozenset({"parameters", "other parameters", "attributes"})
_REST_FIELD = re.compile(r"^:(?:param|parameter|arg|argument|key|keyword|ivar|var)\s+([^:]+):(.*)$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}([\w, ]+?)\s*(?::.*)?$")
_DASHES = re.compile(r"^\s*-{3,}\s*$")


@dataclass(frozen=True)
class ParsedDocstring:
    """What a docstring says about a function.

    Attributes:
        description: The first paragraph, on one line ("" when there is no docstring).
        parameters: Parameter (or attribute) name to its description, on one line.
    """

    description: str = ""
    parameters: dict[str, str] = field(default_factory=dict)


def parse_docstring(docstring: str | None) -> ParsedDocstring:
    """Parse a Google, NumPy or reST docstring.

    Args:
        docstring: The raw docstring (``func.__doc__``) or None.

    Returns:
        The first paragraph and the descriptions of the documented parameters.
    """
    if not docstring:
        return ParsedDocstring()
    lines = inspect.cleandoc(docstring).splitlines()
    parameters: dict[str, str] = {}
    parameters.update(_parse_google(lines))
    parameters.update(_parse_numpy(lines))
    parameters.update(_parse_rest(lines))
    return ParsedDocstring(description=_first_paragraph(lines), parameters=parameters)


def _first_paragraph(lines: list[str]) -> str:
    """The lines before the first blank line, section header or reST field."""
    paragraph: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        is_header = _is_google_header(stripped) or (stripped and _DASHES.match(next_line))
        if not stripped or is_header or stripped.startswith(":"):
            break
        paragraph.append(stripped)
    return " ".join(paragraph)


def _indent(line: str) -> int:
    """The number of leading spaces of a line."""
    return len(line) - len(line.lstrip())


def _is_google_header(stripped: str) -> bool:
    """Whether a stripped line opens a Google parameter section (``Args:``)."""
    return stripped.endswith(":") and stripped[:-1].strip().lower() in _GOOGLE_SECTIONS


def _parse_google(lines: list[str]) -> dict[str, str]:
    """Entries of every Google ``Args:``-like section."""
    found: dict[str, list[str]] = {}
    section_indent: int | None = None
    entry_indent: int | None = None
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        if _is_google_header(stripped):
            section_indent, entry_indent, current = _indent(line), None, None
            continue
        if section_indent is None or not stripped:
            continue
        indent = _indent(line)
        if indent <= section_indent:
            section_indent = current = None
            continue
        if entry_indent is None:
            entry_indent = indent
        match = _GOOGLE_ENTRY.match(stripped)
        if indent == entry_indent and match:
            current = match.group(1)
            found[current] = [match.group(2).strip()]
        elif current is not None and indent > entry_indent:
            found[current].append(stripped)
    return _joined(found)


def _parse_numpy(lines: list[str]) -> dict[str, str]:
    """Entries of every NumPy ``Parameters`` section (a header underlined with dashes)."""
    found: dict[str, list[str]] = {}
    in_section = False
    current: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        if stripped and _DASHES.match(next_line):
            in_section = stripped.lower() in _NUMPY_SECTIONS
            current = []
            continue
        if not in_section or not stripped or _DASHES.match(line):
            continue
        match = _NUMPY_ENTRY.match(stripped)
        if _indent(line) == 0 and match:
            current = [name.strip().lstrip("*") for name in match.group(1).split(",")]
            for name in current:
                found[name] = []
        else:
            for name in current:
                found[name].append(stripped)
    return _joined(found)


def _parse_rest(lines: list[str]) -> dict[str, str]:
    """``:param name:`` and ``:param type name:`` fields, with indented continuations."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        match = _REST_FIELD.match(stripped)
        if match:
            current = match.group(1).split()[-1].lstrip("*")
            found[current] = [match.group(2).strip()]
        elif current is not None and stripped and _indent(line) > 0:
            found[current].append(stripped)
        else:
            current = None
    return _joined(found)


def _joined(found: dict[str, list[str]]) -> dict[str, str]:
    """Join each entry's lines with spaces, dropping empty entries."""
    joined = {name: " ".join(part for part in parts if part) for name, parts in found.items()}
    return {name: text for name, text in joined.items() if text}
