"""How executed cells and a fix request are written into a prompt (pure): tags and modes.

One format, shared by the client (``claude_nb._content.cell_context`` writes it) and the
offline emulator (``claude_nb.emulator._fix`` reads it), so the model always knows what is
code and what is output::

    <cell n="3">
    <code>
    a = 6 * 7
    print(a)
    </code>
    <stdout>
    42
    </stdout>
    </cell>

A fix request ends with ``<fix_request mode="fix|hint|explain" language="en|ko">`` and the
instruction of its mode, after the failing cell (``<failing_cell n="5">`` with ``<code>``
and ``<error>``) and ``<variables>`` (types and shapes, never whole values).
"""

from __future__ import annotations

import functools
import re

__all__ = [
    "FIX_MODES",
    "FIX_REQUEST",
    "OUTPUT_KINDS",
    "cell_label",
    "fix_instruction",
    "read_fix_request",
    "section",
]

FIX_MODES = ("fix", "hint", "explain")
"""``fix`` proposes the corrected cell; ``hint`` points at the problem without code (for
teaching); ``explain`` explains only."""

OUTPUT_KINDS = ("stdout", "stderr", "result", "display", "error")
FIX_REQUEST = "fix_request"

_INSTRUCTIONS = {
    "fix": (
        "The user ran the failing cell above and got this error. Explain briefly what caused "
        "it (name the line), then give the whole corrected cell in one ```python block. The "
        "block goes into a new cell for the user to review, so keep the rest of their code "
        "as it is."
    ),
    "hint": (
        "The user is learning and ran the failing cell above. Give a short hint that points "
        "at the problem (which line, what kind of mistake, what to check) so they can fix it "
        "themselves. Do not write the corrected code and do not use code blocks."
    ),
    "explain": (
        "The user ran the failing cell above. Explain what the error means and why it "
        "happened here (name the line). Do not write corrected code."
    ),
}
_KOREAN = " Answer in Korean (한국어로 답하세요)."


def cell_label(execution_count: int | None) -> str:
    """``In[3]``, or ``In[ ]`` for a cell without an execution count."""
    return f"In[{execution_count}]" if execution_count is not None else "In[ ]"


def section(tag: str, text: str, **attributes: object) -> str:
    """``<tag a="1">``, the text on its own lines, ``</tag>`` (attributes in the order given)."""
    attrs = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return f"<{tag}{attrs}>\n{text.rstrip(chr(10))}\n</{tag}>"


def fix_instruction(mode: str, korean: bool = False) -> str:
    """The closing ``<fix_request>`` section of a fix request in ``mode``."""
    text = _INSTRUCTIONS[mode] + (_KOREAN if korean else "")
    return section(FIX_REQUEST, text, mode=mode, language="ko" if korean else "en")


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The request, failing cell, variables and code patterns (compiled on first use)."""
    return (
        re.compile(rf'<{FIX_REQUEST} mode="(\w+)" language="(\w+)">'),
        re.compile(
            r'<failing_cell n="([^"]*)">\s*<code>\n(.*?)\n</code>\s*<error>\n(.*?)\n</error>',
            re.DOTALL,
        ),
        re.compile(r"<variables>\n(.*?)\n</variables>", re.DOTALL),
        re.compile(r"<code>\n(.*?)\n</code>", re.DOTALL),
    )


def read_fix_request(text: str) -> dict[str, object] | None:
    """The parts of a fix request written by ``claude_nb._content.cell_context``, or None.

    Returns:
        ``mode``, ``korean``, ``code`` (the failing cell), ``error`` (its trimmed traceback),
        ``variables`` (one line each) and ``codes`` (every cell's code, the failing one last).
    """
    if f"<{FIX_REQUEST} " not in text:
        return None
    request_pattern, failing_pattern, variables_pattern, code_pattern = _patterns()
    request = request_pattern.search(text)
    failing = failing_pattern.search(text)
    if request is None or failing is None:
        return None
    variables = variables_pattern.search(text)
    return {
        "mode": request.group(1) if request.group(1) in FIX_MODES else "fix",
        "korean": request.group(2) == "ko",
        "code": failing.group(2),
        "error": failing.group(3),
        "variables": variables.group(1).splitlines() if variables else [],
        "codes": code_pattern.findall(text),
    }
