r"""A request as a copy-pasteable ``curl`` command (pure: builds a string, runs nothing).

The shape, for any body (quotes, ``$``, backslashes, newlines, any language)::

    # comment lines (where it goes, what the body carries)
    curl https://api.anthropic.com/v1/messages \
      -H "x-api-key: $ANTHROPIC_API_KEY" \
      -H 'anthropic-version: 2023-06-01' \
      -H 'content-type: application/json' \
      --data-binary @- <<'JSON'
    {...the JSON body...}
    JSON

* The key is never in the command: ``$ANTHROPIC_API_KEY`` is expanded by the shell that runs it.
* The body is a quoted here-document (``<<'JSON'``): the shell expands nothing in it, so
  quotes, ``$``, backticks and backslashes arrive as written. ``json.dumps`` escapes every
  newline and control character inside strings, so every body line is JSON syntax and no line
  can be the bare terminator (a different one is picked should it ever be).
* ``--data-binary`` sends the bytes unchanged (``-d`` would strip newlines); curl makes it a
  POST. A streamed request gets ``-N`` (no buffering), so events print as they arrive.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["CURL_HEADERS", "KEY_VARIABLE", "curl_command"]

KEY_VARIABLE = "ANTHROPIC_API_KEY"
"""The shell variable the command reads the key from."""

CURL_HEADERS = ("anthropic-version", "anthropic-beta", "content-type")
"""The headers copied into the command besides the key (the others are curl's defaults)."""

_TERMINATOR = "JSON"


def _terminator(lines: list[str]) -> str:
    name = _TERMINATOR
    while name in lines:
        name = f"{name}_END"
    return name


def curl_command(
    url: str,
    headers: Mapping[str, str],
    body: Mapping[str, Any],
    *,
    comments: Iterable[str] = (),
) -> str:
    """The ``curl`` command that sends ``body`` to ``url`` with the API's headers.

    Args:
        url: The full endpoint, e.g. ``https://api.anthropic.com/v1/messages``.
        headers: The request's headers; only ``CURL_HEADERS`` are copied (the key, whatever
            its value here, is always ``$ANTHROPIC_API_KEY``).
        body: The JSON body, written with ``json.dumps(indent=2, ensure_ascii=False)``.
        comments: Lines to put first, each as a ``# `` shell comment.

    Returns:
        The command, ending with a newline; bash (or any POSIX shell) runs it as is.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    lines = [f"# {line}" for comment in comments for line in comment.splitlines() or [""]]
    parts = [f"curl {shlex.quote(url)}"]
    if body.get("stream"):
        parts.append("-N")
    parts.append(f'-H "x-api-key: ${KEY_VARIABLE}"')
    for name in CURL_HEADERS:
        if lowered.get(name):
            parts.append(f"-H {shlex.quote(f'{name}: {lowered[name]}')}")
    text = json.dumps(body, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: write every non-ASCII character escaped
        text = json.dumps(body, indent=2)
    payload = text.splitlines()
    end = _terminator(payload)
    parts.append(f"--data-binary @- <<'{end}'")
    lines.append(" \\\n  ".join(parts))
    return "\n".join([*lines, *payload, end]) + "\n"
