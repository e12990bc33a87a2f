"""What the emulator core hands to its two front ends (httpx transport and HTTP server).

The core never does I/O: it returns an ``EmulatorResponse`` whose streamed body is an
iterator of ``Chunk(delay, data)``; the front end sleeps ``delay`` seconds (or awaits it)
and then writes ``data``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiError", "Chunk", "EmulatorResponse", "Handler", "error_body", "json_bytes"]

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed body: wait ``delay`` seconds, then send ``data``."""

    delay: float
    data: bytes


@dataclass
class EmulatorResponse:
    """One answer of the emulator core, independent of how it is served.

    Attributes:
        status: HTTP status code.
        headers: Response headers (name, value), lower-case names.
        body: The whole body for non-streamed answers.
        chunks: The streamed body (SSE) when not None; ``body`` is then unused.
        first_byte_delay: Seconds to wait before sending the status line and headers.
        drop: Close the connection without any answer (a fault).
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chunks: Iterator[Chunk] | None = None
    first_byte_delay: float = 0.0
    drop: bool = False


Handler = Callable[[str, str, Mapping[str, str], bytes], EmulatorResponse]
"""``handler(method, target, headers, body) -> EmulatorResponse``: ``Emulator.handle``, which
the HTTP server and ``claude_nb._wire.handler_transport`` serve without knowing the emulator."""


class ApiError(Exception):
    """An error answer of the emulated API (becomes the standard JSON error body).

    Args:
        status: HTTP status code.
        error_type: The API's ``error.type`` string, e.g. ``invalid_request_error``.
        message: The API's ``error.message``.
        headers: Extra response headers (e.g. ``retry-after``).
    """

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.headers = headers or []


def invalid(message: str) -> ApiError:
    """A 400 ``invalid_request_error`` with ``message``."""
    return ApiError(400, "invalid_request_error", message)


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def error_body(error_type: str, message: str, request_id: str) -> dict[str, Any]:
    """The API's error envelope."""
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }
