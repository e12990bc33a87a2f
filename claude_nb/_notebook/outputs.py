"""What a ``%%claude`` cell returns for each ``--format``, and the offline notice.

* ``markdown`` (default), ``text``: the ``Reply`` itself (``_`` holds it).
* ``code``: the reply's code (fenced blocks joined, or the whole text when there is no
  fence) goes into the next cell with ``set_next_input``; the value is the ``Reply``.
* ``json``: the reply parsed as JSON (a fenced ```` ```json ```` block is unwrapped).

``code`` and ``json`` also ask for the format: one sentence appended to the system prompt
(``claude_nb._api.formats``, applied by ``args.request_params``). The code is ``Reply.code``.
``--curl`` prints the request as a curl command; the value is that ``str`` (not shown again).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from claude_nb._api.formats import extract_code, fenced_blocks
from claude_nb._api.language import is_korean
from claude_nb._display.render import reply_markdown, reply_plain
from claude_nb._exceptions import ReplyFormatError
from claude_nb._notebook.code_diff import CodeBase, show_diff

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._display.render import StreamRenderer
    from claude_nb._session.dry_run import DryRun
    from claude_nb._session.reply import Reply
    from claude_nb._session.session import Session

__all__ = ["OFFLINE_NOTICE", "OFFLINE_NOTICE_KO", "CurlCommand", "extract_code",
           "finish_partial", "format_value",
           "offline_notice", "parse_json", "print_curl"]

OFFLINE_NOTICE = (  # two short lines: notebook outputs wrap long ones mid-word
    "claude_nb: no ANTHROPIC_API_KEY, so replies come from the offline emulator.\n"
    "For real answers set ANTHROPIC_API_KEY and restart the kernel "
    "(CLAUDE_NB_OFFLINE=1 keeps the emulator)."
)
OFFLINE_NOTICE_KO = (
    "claude_nb: ANTHROPIC_API_KEY가 없어 오프라인 에뮬레이터(offline emulator)가 답합니다.\n"
    "실제 모델의 답을 받으려면 ANTHROPIC_API_KEY를 설정하고 커널을 다시 시작하세요 "
    "(CLAUDE_NB_OFFLINE=1이면 계속 에뮬레이터를 씁니다)."
)


def offline_notice(prompt: str) -> str:
    """The first-offline-call notice, in Korean when ``prompt`` is Korean (one shared rule)."""
    return OFFLINE_NOTICE_KO if is_korean(prompt) else OFFLINE_NOTICE



def parse_json(text: str) -> Any:
    """Parse a reply as JSON, unwrapping a fenced block when there is one.

    Raises:
        ReplyFormatError: The text is not JSON.
    """
    blocks = fenced_blocks(text)
    candidate = blocks[0] if blocks else text
    try:
        return json.loads(candidate)
    except json.JSONDecodeError as error:
        raise ReplyFormatError(
            f"the reply is not valid JSON ({error.msg} at line {error.lineno}); "
            "the Reply is in claude_nb.get_session().last_reply"
        ) from None


def format_value(
    reply: Reply, output_format: str, shell: InteractiveShell | None, base: CodeBase | None = None
) -> Any:
    """The cell's value for ``--format`` (see the module docstring).

    Args:
        reply: The finished ``Reply``.
        output_format: ``markdown``, ``text``, ``code`` or ``json``.
        shell: The IPython shell (for ``set_next_input``).
        base: The cell whose code the prompt carried: ``code`` shows the diff against it.
    """
    if output_format == "code" and shell is not None:
        if base is not None:
            show_diff(base, reply.code)
        shell.set_next_input(reply.code, replace=False)
    elif output_format == "json":
        return parse_json(reply.text)
    return reply


class CurlCommand(str):
    """``--curl``'s cell value: the command as a ``str``, already printed, not shown again."""

    __slots__ = ()

    def _ipython_display_(self) -> None:
        """Nothing: the command was printed as plain text (copy-pasteable as is)."""


def finish_partial(renderer: StreamRenderer, session: Session, status: str) -> None:
    """Repaint what arrived before an interrupt or error, marked as partial (``status``)."""
    reply = session.last_reply
    if reply is not None and (reply.text or renderer.repaints):
        renderer.finish(reply_markdown(reply, status), reply_plain(reply, status))


def print_curl(dry: DryRun) -> CurlCommand:
    """Print ``dry.curl()`` (stdout, no markup) and return it as the cell's value."""
    command = CurlCommand(dry.curl())
    print(command, end="")
    return command
