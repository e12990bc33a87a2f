"""Raw SSE bytes served over real HTTP on 127.0.0.1, for the SDK-as-oracle contract tests.

``fixture_server`` (a module-scoped fixture) yields ``(base_url, handler)``; set
``handler.body`` to the bytes to stream. Writes come in 97-byte pieces so events straddle
reads. ``drop_none`` removes the None defaults the SDK fills into its models.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "wire" / "fixtures"
"""The wire tests' recorded streams."""


class FixtureHandler(http.server.BaseHTTPRequestHandler):
    """Answers every POST with ``body`` as ``text/event-stream``."""

    protocol_version = "HTTP/1.1"
    body = b""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        payload = type(self).body
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("request-id", "req_fixture")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        for start in range(0, len(payload), 97):  # events straddle reads
            self.wfile.write(payload[start : start + 97])
            self.wfile.flush()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[tuple[str, type[FixtureHandler]]]:
    handler = type("Handler", (FixtureHandler,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def drop_none(value: Any) -> Any:
    """Remove keys whose value is None (the SDK adds optional fields as None)."""
    if isinstance(value, dict):
        return {key: drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_none(item) for item in value]
    return value
