"""What a ``%%claude`` cell returns for each ``--format``, and the offline notice.

* ``markdown`` (default), ``text``: the ``Reply`` itself (``_`` holds it).
* ``code``: the reply's code (fenced blocks joined, or the whole text when there is no
  fence) goes into the next cell with ``set_next_input``; the value is the ``Reply``.
* ``json``: the reply parsed as JSON (a fenced ```` ```json ```` block is unwrapped).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from claude_nb._exceptions import ReplyFormatError

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._session.reply import Reply

__all__ = ["OFFLINE_NOTICE", "extract_code", "format_value", "parse_json"]

OFFLINE_NOTICE = (  # two short lines: notebook outputs wrap long ones mid-word
    "claude_nb: no ANTHROPIC_API_KEY, so replies come from the offline emulator.\n"
    "For real answers set ANTHROPIC_API_KEY and restart the kernel "
    "(CLAUDE_NB_OFFLINE=1 keeps the emulator)."
)

_FENCE = re.compile(r"^```[^\n`]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def extract_code(text: str) -> str:
    """The code of a reply: its fenced blocks joined by a blank line, else the whole text."""
    blocks = [block.rstrip("\n") for block in _FENCE.findall(text)]
    return "\n\n".join(blocks) if blocks else text.strip()


def parse_json(text: str) -> Any:
    """Parse a reply as JSON, unwrapping a fenced block when there is one.

    Raises:
        ReplyFormatError: The text is not JSON.
    """
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    try:
        return json.loads(candidate)
    except json.JSONDecodeError as error:
        raise ReplyFormatError(
            f"the reply is not valid JSON ({error.msg} at line {error.lineno}); "
            "the Reply is in claude_nb.get_session().last_reply"
        ) from None


def format_value(reply: Reply, output_format: str, shell: InteractiveShell | None) -> Any:
    """The cell's value for ``--format`` (see the module docstring).

    Args:
        reply: The finished ``Reply``.
        output_format: ``markdown``, ``text``, ``code`` or ``json``.
        shell: The IPython shell (for ``set_next_input``).
    """
    if output_format == "code" and shell is not None:
        shell.set_next_input(extract_code(reply.text), replace=False)
    elif output_format == "json":
        return parse_json(reply.text)
    return reply
