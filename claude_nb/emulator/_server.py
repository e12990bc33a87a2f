"""The emulator as a real HTTP/1.1 server (stdlib, one thread per connection, keep-alive).

Streams use chunked transfer-encoding and are flushed chunk by chunk, so pacing is visible
to the client. ``drop-before-headers`` closes the socket without an answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from claude_nb.emulator._wire import Handler

__all__ = ["EmulatorServer", "running_server"]

_COALESCE_BYTES = 16384
"""Unpaced events due at once are written together, up to this size, as a real server's
socket buffer would send them; one write per event costs the server and the client a
system call and a chunk header each."""


class EmulatorServer(ThreadingHTTPServer):
    """A threaded HTTP server answering from one handler (``Emulator.handle``)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: Handler, host: str, port: int) -> None:
        self.handler = handler
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the bound socket."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorServer
    server_version = "claude-nb-emulator"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: requests are logged on ``emulator.requests`` instead."""

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name: value for name, value in self.headers.items()}
        answer = self.server.handler(self.command, self.path, headers, body)
        if answer.first_byte_delay > 0:
            time.sleep(answer.first_byte_delay)
        if answer.drop:
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.chunks is None:
            self.send_header("content-length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
            self.wfile.flush()
            return
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        pending: list[bytes] = []
        pending_size = 0

        def flush() -> None:
            nonlocal pending_size
            if pending:
                data = b"".join(pending)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                pending.clear()
                pending_size = 0
            self.wfile.flush()

        try:
            for chunk in answer.chunks:
                if chunk.delay > 0:
                    # Paced: what was due goes out before the pause, so timing stays visible.
                    flush()
                    time.sleep(chunk.delay)
                pending.append(chunk.data)
                pending_size += len(chunk.data)
                if chunk.delay > 0 or pending_size >= _COALESCE_BYTES:
                    flush()
            flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _answer
    do_POST = _answer
    do_PUT = _answer
    do_DELETE = _answer


@contextmanager
def running_server(handler: Handler, host: str, port: int) -> Iterator[str]:
    """Serve ``handler`` in a background thread until the block ends; yields the base URL."""
    server = EmulatorServer(handler, host, port)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="claude-nb-emulator", daemon=True
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
