"""Reply formats, pure: what ``-f json`` / ``-f code`` ask for, and the code of a reply.

``%%claude -f json`` and ``-f code`` ask the model for the format with one short sentence
appended to the request's system prompt (the cell's ``-s`` or the session's; never
replacing it), so ``--dry-run`` shows exactly what is asked::

    system = with_format_instruction(session.system, "json")   # str, blocks or None
    extract_code(reply.text)     # the fenced blocks joined (Reply.code), else the whole text

The emulator may import these sentences (``claude_nb._api`` is shared data) to recognise
them in a system prompt.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "CODE_INSTRUCTION",
    "FORMAT_INSTRUCTIONS",
    "JSON_INSTRUCTION",
    "extract_code",
    "fenced_blocks",
    "with_format_instruction",
]

JSON_INSTRUCTION = "Reply with only a JSON value: no prose and no code fence."
"""What ``-f json`` appends to the system prompt."""

CODE_INSTRUCTION = "Reply with one fenced code block and nothing else."
"""What ``-f code`` appends to the system prompt."""

FORMAT_INSTRUCTIONS = {"json": JSON_INSTRUCTION, "code": CODE_INSTRUCTION}
"""The output formats that ask for themselves, and their sentence."""

_FENCE = re.compile(r"^```[^\n`]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def fenced_blocks(text: str) -> list[str]:
    """The contents of the text's fenced code blocks (```` ``` ```` lines), in order."""
    return [block.rstrip("\n") for block in _FENCE.findall(text)]


def extract_code(text: str) -> str:
    """The code of a reply: its fenced blocks joined by a blank line, else the whole text."""
    blocks = fenced_blocks(text)
    return "\n\n".join(blocks) if blocks else text.strip()


def with_format_instruction(system: Any, output_format: str | None) -> Any:
    """``system`` with the format's instruction appended (a copy; None: just the sentence).

    Args:
        system: A system prompt: a string, a list of content blocks, or None.
        output_format: ``json`` or ``code`` add their sentence; other formats add nothing.

    Returns:
        A string (the sentence after a blank line), or the blocks plus one text block at the
        end (cache breakpoints on the earlier blocks keep their prefix).
    """
    instruction = FORMAT_INSTRUCTIONS.get(output_format or "")
    if instruction is None:
        return system
    if system is None or system == "" or system == []:
        return instruction
    if isinstance(system, str):
        return system if instruction in system else f"{system.rstrip()}\n\n{instruction}"
    blocks = [dict(block) for block in system]
    if any(block.get("text") == instruction for block in blocks):
        return blocks
    return [*blocks, {"type": "text", "text": instruction}]
