"""``H11Pool``, the map's lean HTTP/1.1 pool, against real sockets on 127.0.0.1.

A raw server (a thread per connection, bytes written by hand) plays what a server or a
proxy in between may do: keep-alive, closing an idle connection, ``connection: close``,
chunked bodies, gzip, a slow answer, a refused port, a base URL with a path, TLS with a
certificate of a test CA. The same answers read through ``httpx.AsyncClient`` are the
oracle. ``make_bulk_pools`` chooses this pool only without a proxy or a transport.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from claude_nb import APIConnectionError, APITimeoutError, ConfigurationError, Session
from claude_nb._config import Settings
from claude_nb._wire.bulk import PacedMessagesClient, make_bulk_pools
from claude_nb._wire.h11_pool import H11Pool, supports
from claude_nb._wire.transport import make_timeout
from claude_nb.emulator import Emulator
from claude_nb.emulator._server import running_server
from claude_nb.testing import canary_key

KEY = canary_key("H11-POOL-CANARY-0123456789abcdef")
MODEL = "claude-sonnet-5-5"
BODY = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}


@dataclass
class Seen:
    """What the raw server received: one (connection number, head, body) per request."""

    requests: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    connections: int = 0


Answer = Callable[[int, bytes, bytes], tuple[bytes, bool]]
"""(request number, head, body) -> (raw response bytes, close the connection after)."""


def plain(status: int = 200, body: bytes = b'{"ok": true}', extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


@pytest.fixture
def raw_server() -> Iterator[Callable[[Answer], tuple[str, Seen]]]:
    servers: list[socketserver.ThreadingTCPServer] = []

    def start(answer: Answer, tls: ssl.SSLContext | None = None) -> tuple[str, Seen]:
        seen = Seen()
        lock = threading.Lock()

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock = tls.wrap_socket(self.request, server_side=True) if tls else self.request
                try:
                    self.serve(sock)
                finally:
                    sock.close()

            def serve(self, sock: socket.socket) -> None:
                with lock:
                    seen.connections += 1
                    number = seen.connections
                reader = sock.makefile("rb")
                while True:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            return
                        head += line
                    length = 0
                    for line in head.split(b"\r\n"):
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    body = reader.read(length)
                    with lock:
                        seen.requests.append((number, head, body))
                        index = len(seen.requests)
                    data, close = answer(index, head, body)
                    if isinstance(data, tuple):  # (the answer, what follows 0.1 s later)
                        sock.sendall(data[0])
                        threading.Event().wait(0.1)
                        data = data[1]
                    sock.sendall(data)
                    if close:
                        sock.close()
                        return

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{server.server_address[1]}", seen

    yield start  # type: ignore[misc]
    for server in servers:
        server.shutdown()
        server.server_close()


def settings(base_url: str, **more: Any) -> Settings:
    return Settings(api_key=KEY, base_url=base_url, **more)


def pool(base_url: str, connections: int = 4, **more: Any) -> H11Pool:
    return H11Pool(base_url, make_timeout(settings(base_url, **more)), connections)


async def post(target: H11Pool, n: int = 1) -> list[Any]:
    payload = json.dumps(BODY).encode()
    headers = {"content-type": "application/json", "x-api-key": KEY}
    return [
        await target.request("POST", "/v1/messages", content=payload, headers=headers)
        for _ in range(n)
    ]


def test_the_wire_bytes_are_a_plain_http_11_request_to_the_base_urls_path(raw_server) -> None:
    base, seen = raw_server(lambda n, head, body: (plain(), False))
    target = pool(base + "/prefix/")
    (response,) = asyncio.run(post(target))
    assert (response.status_code, json.loads(response.content)) == (200, {"ok": True})
    head, body = seen.requests[0][1], seen.requests[0][2]
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /prefix/v1/messages HTTP/1.1"
    fields = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
    assert fields["host"] == base.split("://")[1]
    assert fields["content-length"] == str(len(body))
    assert json.loads(body) == BODY


def test_keep_alive_reuses_one_connection_and_survives_an_idle_close(raw_server) -> None:
    # the server answers, then closes after the 2nd answer without saying so (an idle
    # timeout): the 3rd request goes on a fresh connection, and nothing is lost
    base, seen = raw_server(lambda n, head, body: (plain(), n == 2))
    target = pool(base)
    responses = asyncio.run(post(target, 4))
    assert [r.status_code for r in responses] == [200] * 4
    assert [number for number, _, _ in seen.requests] == [1, 1, 2, 2]
    assert target.opened == 2


def test_connection_close_is_honoured(raw_server) -> None:
    base, seen = raw_server(lambda n, head, body: (plain(extra="connection: close\r\n"), True))
    target = pool(base)
    asyncio.run(post(target, 3))
    assert seen.connections == 3 and target.opened == 3


def test_a_request_the_server_received_is_never_sent_twice(raw_server) -> None:
    # the 2nd request arrives on the kept connection; the server reads it, then drops the
    # connection unanswered: that is an error for the map's counted retries, not a silent
    # second POST (the server may have done the work: the user would pay twice)
    def answer(n: int, head: bytes, body: bytes) -> tuple[bytes, bool]:
        return (b"", True) if n == 2 else (plain(), False)

    base, seen = raw_server(answer)
    target = pool(base)

    async def run() -> tuple[Any, Any]:
        (first,) = await post(target)
        return first, await PacedMessagesClient(settings(base), [target]).attempt(BODY)

    first, attempted = asyncio.run(run())
    assert first.status_code == 200 and len(seen.requests) == 2
    assert isinstance(attempted.error, APIConnectionError) and attempted.retryable


@pytest.mark.parametrize("later", [False, True])
def test_a_kept_connection_with_a_last_word_from_the_server_is_not_reused(
    raw_server, later: bool
) -> None:
    # some servers write a 408 on an idle keep-alive connection (with the answer, or while
    # it idles) before closing it: that answer must not be read as the next call's
    def answer(n: int, head: bytes, body: bytes) -> tuple[Any, bool]:
        if n == 1:  # the 408 waits on the open connection (the close may come later)
            last = plain(408, b"", "connection: close\r\n")
            return ((plain(), last) if later else plain() + last), False
        return plain(), False

    base, seen = raw_server(answer)

    async def run() -> list[int]:
        target = pool(base)
        first = await post(target)
        await asyncio.sleep(0.3)  # the 408 arrives before the next call
        return [r.status_code for r in first + await post(target)]

    assert asyncio.run(run()) == [200, 200] and seen.connections == 2


def test_an_empty_body_labelled_gzip_keeps_its_status_and_retry_after(raw_server) -> None:
    data = plain(429, b"", "content-encoding: gzip\r\nretry-after: 7\r\n")
    base, _ = raw_server(lambda n, head, body: (data, False))
    attempted = asyncio.run(PacedMessagesClient(settings(base), [pool(base)]).attempt(BODY))
    assert getattr(attempted.error, "status_code", None) == 429 and attempted.wait == 7


def test_the_read_timeout_is_between_bytes_as_httpx_has_it(raw_server) -> None:
    text = b'{"ok": true, "pad": "' + b"x" * 50 + b'"}'

    def trickle(n: int, head: bytes, body: bytes) -> tuple[bytes, bool]:
        return b"", False  # replaced below: the handler writes in pieces itself

    base, _ = raw_server(trickle)
    del base  # a server that writes slowly needs its own handler

    class Slow(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            reader = self.request.makefile("rb")
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += reader.readline()
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            reader.read(length)
            data = plain(200, text)
            for start in range(0, len(data), 20):  # 0.3 s between pieces, 1.5 s in all
                self.request.sendall(data[start : start + 20])
                threading.Event().wait(0.3)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        slow = f"http://127.0.0.1:{server.server_address[1]}"
        (response,) = asyncio.run(post(pool(slow, read_timeout=1.0)))
        assert response.content == text
    finally:
        server.shutdown()
        server.server_close()


def test_chunked_and_gzip_bodies_read_as_httpx_reads_them(raw_server) -> None:
    text = json.dumps({"content": "ü" * 3000}).encode()
    packed = gzip.compress(text)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (packed[:100], packed[100:]))
    data = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
        b"transfer-encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    )
    base, _ = raw_server(lambda n, head, body: (data, False))
    (ours,) = asyncio.run(post(pool(base)))

    async def oracle() -> bytes:
        async with httpx.AsyncClient(base_url=base) as client:
            return (await client.post("/v1/messages", json=BODY)).content

    assert ours.content == asyncio.run(oracle()) == text
    assert ours.headers["content-encoding"] == "gzip"


def test_an_unknown_content_encoding_is_a_connection_error_not_garbage(raw_server) -> None:
    base, _ = raw_server(lambda n, head, body: (plain(extra="content-encoding: zz\r\n"), False))
    client = PacedMessagesClient(settings(base), [pool(base)])
    attempted = asyncio.run(client.attempt(BODY))
    assert isinstance(attempted.error, APIConnectionError)
    assert "DecodingError" in str(attempted.error)  # messages name the kind only (transport.py)


def test_a_slow_answer_is_a_timeout_and_a_refused_port_a_connection_error(raw_server) -> None:
    def slow(n: int, head: bytes, body: bytes) -> tuple[bytes, bool]:
        threading.Event().wait(1.0)
        return plain(), False

    base, _ = raw_server(slow)
    client = PacedMessagesClient(settings(base, read_timeout=0.2), [pool(base, read_timeout=0.2)])
    attempted = asyncio.run(client.attempt(BODY))
    assert isinstance(attempted.error, APITimeoutError) and attempted.retryable
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    closed = f"http://127.0.0.1:{port}"
    attempted = asyncio.run(PacedMessagesClient(settings(closed), [pool(closed)]).attempt(BODY))
    assert isinstance(attempted.error, APIConnectionError) and attempted.retryable
    assert KEY not in str(attempted.error)


def test_no_more_connections_than_asked_and_a_cancel_frees_its_slot(raw_server) -> None:
    base, seen = raw_server(lambda n, head, body: (plain(), False))
    target = pool(base, connections=2)

    async def run() -> None:
        await asyncio.gather(*(post(target, 3) for _ in range(5)))
        stuck = asyncio.ensure_future(post(target))
        await asyncio.sleep(0)
        stuck.cancel()
        await asyncio.gather(stuck, return_exceptions=True)
        await post(target, 2)  # the canceled call gave its slot back
        await target.aclose()

    asyncio.run(run())
    assert seen.connections <= 3  # two in use at once; a canceled one is replaced
    assert len(seen.requests) >= 17


def test_a_redirect_is_answered_not_followed(raw_server) -> None:
    base, seen = raw_server(
        lambda n, head, body: (plain(307, b"", "location: http://elsewhere.test/\r\n"), False)
    )
    attempted = asyncio.run(PacedMessagesClient(settings(base), [pool(base)]).attempt(BODY))
    assert isinstance(attempted.error, ConfigurationError)
    assert "elsewhere.test" in str(attempted.error) and len(seen.requests) == 1


def test_tls_verifies_the_certificate_and_the_name(raw_server) -> None:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    base, seen = raw_server(lambda n, head, body: (plain(), False), server_tls)
    timeout = make_timeout(settings(base))
    unknown = H11Pool(base, timeout, 2)  # httpx's default trust: the test CA is unknown
    attempted = asyncio.run(PacedMessagesClient(settings(base), [unknown]).attempt(BODY))
    assert isinstance(attempted.error, APIConnectionError)
    assert seen.requests == []  # nothing, so never the key, went to an unverified server
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    (response,) = asyncio.run(post(H11Pool(base, timeout, 2, verify=trusted)))
    assert response.status_code == 200 and len(seen.requests) == 1


def test_make_bulk_pools_takes_httpx_for_a_proxy_a_transport_or_an_odd_url(monkeypatch) -> None:
    base = "http://127.0.0.1:9"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    (lean,) = make_bulk_pools(settings(base), None, 300)
    assert isinstance(lean, H11Pool) and lean.max_connections == 300
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
    pools = make_bulk_pools(settings(base), None, 300)
    assert all(isinstance(pool, httpx.AsyncClient) for pool in pools) and len(pools) == 19
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # not weighed: httpx decides when unsure
    assert isinstance(make_bulk_pools(settings(base), None, 8)[0], httpx.AsyncClient)
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.setenv("all_proxy", "http://proxy.test:3128")
    assert isinstance(make_bulk_pools(settings(base), None, 8)[0], httpx.AsyncClient)
    monkeypatch.delenv("all_proxy")
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    assert isinstance(make_bulk_pools(settings(base), transport, 8)[0], httpx.AsyncClient)
    for odd in (
        "http://user:secret@127.0.0.1:9",  # a gateway's basic auth: httpx sends it
        "http://bücher.example:9",  # an international name: httpx encodes it
        "http://127.0.0.1:9/my path",  # a path that needs quoting
        "http://127.0.0.1:99999",  # a bad port: httpx reports it
        "api.anthropic.com",  # no scheme
    ):
        assert not supports(odd), odd
        assert isinstance(make_bulk_pools(settings(odd), None, 8)[0], httpx.AsyncClient)
    assert supports("https://api.anthropic.com") and supports("http://[::1]:8080/v1-proxy/")


def test_a_map_reports_a_bad_base_url_as_ask_does() -> None:
    for base in ("api.anthropic.com", "http://127.0.0.1:99999", "http://127.0.0.1:1/my path"):
        session = Session(api_key=KEY, base_url=base, environ={}, max_retries=0)
        with pytest.raises(Exception) as caught:
            session.ask("hi", max_tokens=8)
        result = session.map("Say {n}", [{"n": 1}], progress=False)
        assert type(result.errors[0]) is type(caught.value), base


def test_tls_connections_say_goodbye_when_the_map_ends(raw_server, recwarn) -> None:
    gc.collect()  # earlier tests' unclosed pools are theirs, not this one's
    recwarn.clear()
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    base, _ = raw_server(lambda n, head, body: (plain(), False), server_tls)
    trusted = ssl.create_default_context()
    authority.configure_trust(trusted)
    target = H11Pool(base, make_timeout(settings(base)), 4, verify=trusted)
    loop = asyncio.new_event_loop()

    async def four(pool: H11Pool) -> None:
        await asyncio.gather(*(post(pool) for _ in range(4)))

    loop.run_until_complete(four(target))
    loop.run_until_complete(target.aclose())  # as run_concurrent does, then the loop ends
    loop.close()
    del target, loop
    gc.collect()
    assert not [str(w.message) for w in recwarn if issubclass(w.category, ResourceWarning)]


def test_a_map_over_the_emulator_reads_the_same_through_either_pool() -> None:
    emulator = Emulator(require_key=False, seed=1)
    items = [{"n": n} for n in range(40)]
    with running_server(emulator.handle, "127.0.0.1", 0) as base:
        with Session(api_key=KEY, base_url=base, model=MODEL, environ={}) as session:
            lean = session.map("Name the number {n} in one word", items, progress=False)
        http = httpx.AsyncClient(base_url=base)
        with Session(
            api_key=KEY, base_url=base, model=MODEL, environ={}, async_http_client=http
        ) as session:
            oracle = session.map("Name the number {n} in one word", items, progress=False)
    assert lean.errors == {} == oracle.errors
    assert lean.texts == oracle.texts and all(lean.texts)
