"""Readable error blocks for errors raised in a ``%%claude`` cell.

An API or network error in a cell shows a short block instead of a long traceback::

    OverloadedError: the API is overloaded (529 overloaded_error)
      message:    Overloaded
      request id: req_011CX...
      retried:    2 times
      what to do: wait a minute and run the cell again.

IPython shows the lines of an exception's ``_render_traceback_`` instead of a traceback, so
``attach_readable_traceback`` sets one on the instance: the cell is still marked as failed
(so "Run all" stops and ``sys.last_value`` holds the real error), but reads like a message.
Anything that looks like an API key is masked in every line, whatever the server echoed.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from claude_nb._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClaudeNBError,
    IncompleteStreamError,
    InternalServerError,
    MalformedStreamError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    StreamEventError,
)

__all__ = ["attach_readable_traceback", "error_lines", "mask_secrets"]

_SECRET = re.compile(r"sk-ant-[A-Za-z0-9_\-]+|(?i:x-api-key)\s*[:=]\s*\S+")
_RED = "\x1b[1;31m"
_RESET = "\x1b[0m"

_HINTS: tuple[tuple[type[ClaudeNBError], str], ...] = (
    (AuthenticationError, "the API key was rejected: check ANTHROPIC_API_KEY "
     "(or unset it to use the offline emulator)."),
    (PermissionDeniedError, "this key may not use this model or feature."),
    (NotFoundError, "check the model name (-m) against Session().list_models()."),
    (RequestTooLargeError, "the request is too big: shorten the prompt, drop images, "
     "or start a fresh conversation with --new."),
    (RateLimitError, "rate limited: wait a little and run the cell again."),
    (OverloadedError, "the API is overloaded: wait a minute and run the cell again."),
    (InternalServerError, "a server error: run the cell again in a moment."),
    (BadRequestError, "the API rejected the request: --dry-run shows exactly what was sent."),
    (IncompleteStreamError, "the connection ended before the reply finished; "
     "run the cell again."),
    (MalformedStreamError, "the stream could not be read; run the cell again."),
    (APITimeoutError, "no answer in time: check the network, or raise "
     "%config ClaudeMagics.read_timeout."),
    (APIConnectionError, "could not reach the API: check the network and ANTHROPIC_BASE_URL."),
)


def mask_secrets(text: str) -> str:
    """Replace anything that looks like an API key with ``[redacted]``."""
    return _SECRET.sub("[redacted]", text)


def _hint(error: BaseException) -> str | None:
    if isinstance(error, StreamEventError) and error.error_type == "overloaded_error":
        return "the API became overloaded mid-reply: wait a minute and run the cell again."
    for error_class, hint in _HINTS:
        if isinstance(error, error_class):
            return hint
    return None


def _headline(error: BaseException) -> str:
    name = type(error).__name__
    if isinstance(error, APIStatusError):
        where = "in the stream" if isinstance(error, StreamEventError) else str(error.status_code)
        return f"{name}: {error.api_message} ({where} {error.error_type or 'error'})"
    if isinstance(error, APIError):
        return f"{name}: {error.message}"
    return f"{name}: {error}"


def error_lines(error: BaseException, *, color: bool = True) -> list[str]:
    """The readable block for an error, one string per line, secrets masked.

    Args:
        error: The error raised by the session (or any ``ClaudeNBError``).
        color: Put the headline in bold red (ANSI), as tracebacks are.

    Returns:
        The lines (a headline, then indented details).
    """
    headline = mask_secrets(_headline(error))
    lines = [f"{_RED}{headline}{_RESET}" if color else headline]
    details: list[tuple[str, Any]] = []
    if isinstance(error, APIStatusError):
        details.append(("request id", error.request_id))
    if isinstance(error, APIError):
        if error.retries:
            plural = "time" if error.retries == 1 else "times"
            details.append(("retried", f"{error.retries} {plural}"))
        if error.partial_text:
            details.append(("partial", f"{len(error.partial_text)} characters kept above"))
    details.append(("what to do", _hint(error)))
    lines.extend(
        f"  {label + ':':<11} {mask_secrets(str(value))}" for label, value in details if value
    )
    return lines


def attach_readable_traceback(error: BaseException) -> BaseException:
    """Make IPython show ``error_lines(error)`` instead of a traceback for this error.

    Args:
        error: The error about to be re-raised from the magic.

    Returns:
        The same error (for ``raise attach_readable_traceback(error)``).
    """
    colored, plain = error_lines(error), error_lines(error, color=False)
    error.__traceback__ = None
    error.__cause__ = None
    error.__context__ = None
    error.__suppress_context__ = True
    lines = lambda: colored if _wants_color() else plain  # noqa: E731
    setattr(error, "_render_traceback_", lines)  # noqa: B010 (instance, not class)
    return error


def _wants_color() -> bool:
    """ANSI colour only where it renders.

    Under a kernel (its frontend draws it), else on a terminal (stdout a tty); never when the
    shell's colours are off (``--colors=nocolor``).
    """
    from IPython import get_ipython

    shell = get_ipython()  # type: ignore[no-untyped-call]
    if str(getattr(shell, "colors", "")).lower() == "nocolor":
        return False
    if getattr(shell, "kernel", None) is not None:
        return True
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())
