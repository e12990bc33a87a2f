"""The emulator for tests and benches: as a subprocess, one request in process, request builders.

``emulator_process`` starts ``python -m claude_nb.emulator`` as a real server; ``post`` sends
one request to an in-process emulator; ``body``, ``user``, ``assistant``, ``text``,
``thinking`` and ``pdf`` build Messages API request bodies; ``sse_events`` reads a streamed
body back. Standard library only at import time: httpx and the emulator load when ``post``
or ``thinking`` runs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from claude_nb.testing.kernel import kernel_environment

if TYPE_CHECKING:
    import httpx

    from claude_nb.emulator import Emulator

__all__ = [
    "assistant",
    "body",
    "emulator_process",
    "pdf",
    "post",
    "sse_events",
    "text",
    "thinking",
    "tool_use",
    "user",
]


@contextlib.contextmanager
def emulator_process(*options: str) -> Iterator[str]:
    """``python -m claude_nb.emulator`` as a subprocess on 127.0.0.1 (scrubbed environment).

    The server requires a key (any non-empty key works) and is stopped on exit.

    Args:
        *options: More command-line options, e.g. ``"--batch-seconds", "1"``.

    Yields:
        Its base URL, ``http://127.0.0.1:<port>``.

    Raises:
        RuntimeError: The server did not print its URL (the message has its stderr).
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claude_nb.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kernel_environment({}),
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            process.kill()
            _, errors = process.communicate(timeout=10)
            raise RuntimeError(f"emulator did not start: {base_url!r} {errors}")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def post(
    path: str, headers: dict[str, str], payload: dict[str, Any], emulator: Emulator | None = None
) -> httpx.Response:
    """POST ``payload`` as JSON to ``path`` of an in-process emulator.

    Args:
        path: The endpoint, e.g. ``/v1/messages`` or ``/v1/messages/count_tokens``.
        headers: The request's headers (``anthropic-version``, betas, ...).
        payload: The request body.
        emulator: The emulator to ask; a fresh open one (no key needed) by default.

    Returns:
        The emulator's answer, read in full.
    """
    import httpx

    from claude_nb._wire.handler_transport import HandlerTransport
    from claude_nb.emulator import Emulator

    emulator = emulator or Emulator(require_key=False)
    with httpx.Client(
        transport=HandlerTransport(emulator.handle), base_url="https://api.anthropic.com"
    ) as client:
        return client.post(path, json=payload, headers=headers)


def body(model: str = "claude-opus-5", *messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A Messages API request body: ``max_tokens`` 100, one "Hi" turn unless ``messages``.

    Args:
        model: The model id.
        *messages: The turns (``user(...)``, ``assistant(...)``).
        **extra: More top-level fields (``system``, ``tools``, ``thinking``, ...).
    """
    turns = list(messages) or [{"role": "user", "content": "Hi"}]
    return {"model": model, "max_tokens": 100, "messages": turns, **extra}


def user(*content: Any) -> dict[str, Any]:
    """A user turn whose content is the given blocks."""
    return {"role": "user", "content": list(content)}


def assistant(*content: Any) -> dict[str, Any]:
    """An assistant turn whose content is the given blocks."""
    return {"role": "assistant", "content": list(content)}


def tool_use(tool_use_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    """A ``tool_use`` block calling ``name`` with ``arguments``."""
    return {"type": "tool_use", "id": tool_use_id, "name": name, "input": arguments}


def text(value: str, **extra: Any) -> dict[str, Any]:
    """A text block (``extra`` adds fields such as ``cache_control`` or ``citations``)."""
    return {"type": "text", "text": value, **extra}


def thinking(value: str, signature: str | None = None) -> dict[str, Any]:
    """A thinking block, signed as the emulator signs ``value`` unless ``signature`` is given."""
    from claude_nb.emulator._responders import signature_for

    return {
        "type": "thinking",
        "thinking": value,
        "signature": signature_for(value) if signature is None else signature,
    }


def pdf(pages: int) -> dict[str, Any]:
    """A base64 PDF document block with ``pages`` page objects (and one /Pages tree)."""
    raw = b"%PDF-1.7\n1 0 obj << /Type /Pages /Count " + str(pages).encode() + b" >> endobj\n"
    raw += b"<< /Type /Page /Parent 1 0 R >>\n" * pages + b"<< /Type /PageLabel >>\n%%EOF"
    data = base64.b64encode(raw).decode()
    return {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": data},
    }


def sse_events(stream: str) -> list[tuple[str, Any]]:
    """The (event name, parsed data) pairs of an SSE body; data is kept raw if it is not JSON."""
    events: list[tuple[str, Any]] = []
    for frame in stream.split("\n\n"):
        if not frame.strip():
            continue
        fields = dict(line.split(": ", 1) for line in frame.splitlines())
        try:
            data = json.loads(fields["data"])
        except json.JSONDecodeError:
            data = fields["data"]
        events.append((fields["event"], data))
    return events
