"""A lean HTTP/1.1 pool for ``Session.map``: h11 straight over asyncio streams.

``Session.map`` keeps up to 256 one-shot calls in flight, and then the client's CPU, not the
network, sets the pace. Through ``httpx.AsyncClient`` (its models, httpcore, anyio) a call
costs about 1 ms of CPU on a small machine: 200 calls answered after 0.2 s take 0.43 s;
over this pool, 0.23 s (``bench/bulk.py`` prints both floors). The bytes on the wire are the
same HTTP/1.1 that httpx sends, framed by h11 (httpx's own HTTP/1.1 library).

    H11Pool(base_url, timeout).request("POST", "/v1/messages", content=..., headers=...)
      -> a slot (at most ``max_connections`` connections; ``PoolTimeout`` after ``pool``)
      -> an idle keep-alive connection the server has not closed, else a new one
         (TLS with ``httpx.create_ssl_context``, made once, when the base URL is https)
      -> h11: the request out, the whole response in (the map's calls are JSON, not streams)
      -> ``H11Response`` (status, lower-case headers, the decoded body); the connection goes
         back to the idle list when h11 says it can be reused, else it is closed

It talks to the base URL's origin only: the path is joined to the base URL's, and a 3xx is
returned like any answer (the caller refuses it: redirects are never followed). A reused
connection the server closed before answering is retried once on a fresh one (the server
never saw the request). Failures are raised as the httpx exceptions httpx itself raises
(``ConnectError``, ``ReadTimeout``...), so ``map_httpx_errors`` reports them the same way.
``make_bulk_pools`` uses httpx's own clients instead when the environment names a proxy
or the session has a transport of its own (offline, a cassette, a test's handler).
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import ssl
import sys
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import h11
import httpx

__all__ = ["H11Pool", "H11Response", "supports"]

READ_SIZE = 65_536


@dataclass
class H11Response:
    """What ``PacedMessagesClient.attempt`` reads of an answer (httpx.Response's names)."""

    status_code: int
    headers: dict[str, str]
    content: bytes


class _Stale(Exception):
    """A kept connection broke while the request was written: try once on a new one."""


@contextlib.asynccontextmanager
async def _limit(seconds: float | None, error: type[httpx.TimeoutException]) -> AsyncIterator[None]:
    """Raise ``error`` when the block runs past ``seconds`` (``asyncio.timeout``: no task)."""
    if seconds is None or sys.version_info < (3, 11):  # make_bulk_pools needs 3.11 for us
        yield
        return
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as timeout:
        raise error(f"timed out after {seconds:g} s") from timeout


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    state: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))

    def usable(self) -> bool:
        """Idle, open and silent.

        A server may close an idle connection at any time, or write a last answer (a 408)
        before it does; either way the connection must not carry another call.
        """
        if self.reader.at_eof() or self.writer.is_closing():
            return False
        if getattr(self.reader, "_buffer", b""):  # bytes nobody asked for
            return False
        sock = self.writer.get_extra_info("socket")
        if sock is None:  # pragma: no cover  # asyncio streams always have one
            return True
        try:
            return not select.select([sock], [], [], 0)[0]
        except (OSError, ValueError):
            return False

    def close(self) -> None:
        """Drop the connection at once (mid-exchange or unusable: nothing to say to it)."""
        with contextlib.suppress(Exception):
            self.writer.transport.abort()


def _decode(headers: Mapping[str, str], body: bytes) -> bytes:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity") or not body:  # an empty body is empty in any encoding
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise httpx.DecodingError(f"unsupported content-encoding {encoding!r}")
    tries = [zlib.MAX_WBITS | 16] if "gzip" in encoding else [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    for wbits in tries:  # deflate: zlib-wrapped, or raw as some servers send it (httpx too)
        try:
            inflater = zlib.decompressobj(wbits)
            return inflater.decompress(body) + inflater.flush()
        except zlib.error:
            continue
    raise httpx.DecodingError(f"the {encoding} body could not be decoded")


def supports(base_url: str) -> bool:
    """Whether ``H11Pool`` can talk to ``base_url`` exactly as httpx would.

    Plain ``http``/``https`` URLs with an ASCII host and path and no user info; anything
    else (a gateway's basic auth in the URL, an international domain name, a path that
    needs quoting, a bad port) goes through httpx's clients, which handle or report it.
    """
    if not base_url.isascii() or any(character.isspace() for character in base_url):
        return False
    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError:
        return False
    del port
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "@" not in parts.netloc
        and parts.path == quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
        and not parts.query
        and not parts.fragment
    )


class H11Pool:
    """HTTP/1.1 keep-alive connections to one origin, over asyncio streams.

    Args:
        base_url: The API's base URL (``supports(base_url)``); request paths join its path.
        timeout: connect, read (each read), write and pool timeouts (``make_timeout``).
        max_connections: Connections open at once.
        verify: The TLS context for an https base URL (made on the first connection when
            not given, with ``httpx.create_ssl_context`` as httpx would).
    """

    def __init__(
        self,
        base_url: str,
        timeout: httpx.Timeout,
        max_connections: int,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        if not supports(base_url):
            raise httpx.UnsupportedProtocol("H11Pool cannot talk to this base URL")
        parts = urlsplit(base_url)
        self.tls = parts.scheme == "https"
        self.host = str(parts.hostname)
        self.port = parts.port or (443 if self.tls else 80)
        self._authority = parts.netloc
        if parts.port == (443 if self.tls else 80):
            self._authority = parts.netloc.rsplit(":", 1)[0]
        self._prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.max_connections = max(1, max_connections)
        self._verify = verify
        self._idle: list[_Connection] = []
        self._slots: asyncio.Semaphore | None = None
        self.opened = 0
        """Connections opened so far (tests read it to see keep-alive at work)."""

    def _ssl(self) -> ssl.SSLContext:
        if self._verify is None:
            self._verify = httpx.create_ssl_context()
            self._verify.set_alpn_protocols(["http/1.1"])
        return self._verify

    async def _open(self) -> _Connection:
        tls = self._ssl() if self.tls else None
        async with _limit(self.timeout.connect, httpx.ConnectTimeout):
            try:
                reader, writer = await asyncio.open_connection(
                    self.host,
                    self.port,
                    ssl=tls,
                    server_hostname=self.host if tls else None,
                    limit=READ_SIZE,
                )
            except (OSError, ssl.SSLError) as error:
                raise httpx.ConnectError(str(error) or type(error).__name__) from error
        self.opened += 1
        return _Connection(reader, writer)

    async def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes,
        headers: Mapping[str, str],
        follow_redirects: bool = False,
    ) -> H11Response:
        """Send one request on a pooled connection and read the whole answer.

        ``follow_redirects`` is httpx's argument, accepted so the caller can say it to
        either pool; this one never follows (a 3xx is returned as it is).
        """
        if follow_redirects:
            raise ValueError("H11Pool never follows redirects")
        wire = [
            ("host", self._authority),
            *headers.items(),
            ("content-length", str(len(content))),
            ("accept-encoding", "gzip, deflate"),
        ]
        try:
            head = h11.Request(method=method, target=self._prefix + path, headers=wire)
        except h11.LocalProtocolError:  # h11 names the refused value: it may be the key
            raise httpx.LocalProtocolError("a request header was refused") from None
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_connections)
        async with _limit(self.timeout.pool, httpx.PoolTimeout):
            await self._slots.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if not connection.usable():
                    connection.close()
                    continue
                try:
                    return await self._exchange(connection, head, content, reused=True)
                except _Stale:  # the write failed: the server saw nothing
                    break
            connection = await self._open()
            return await self._exchange(connection, head, content, reused=False)
        finally:
            self._slots.release()

    async def _read(self, connection: _Connection) -> bytes:
        async with _limit(self.timeout.read, httpx.ReadTimeout):  # each read, as httpx
            return await connection.reader.read(READ_SIZE)

    async def _exchange(
        self, connection: _Connection, head: h11.Request, content: bytes, *, reused: bool
    ) -> H11Response:
        state, sent = connection.state, False
        try:
            async with _limit(self.timeout.write, httpx.WriteTimeout):
                connection.writer.write(
                    state.send(head)
                    + (state.send(h11.Data(data=content)) if content else b"")
                    + state.send(h11.EndOfMessage())
                )
                await connection.writer.drain()
            sent = True
            response: h11.Response | None = None
            chunks: list[bytes] = []
            while True:
                event = state.next_event()
                if event is h11.NEED_DATA:
                    state.receive_data(await self._read(connection))
                elif isinstance(event, h11.Response):
                    response = event
                elif isinstance(event, h11.Data):
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise httpx.RemoteProtocolError(
                        "the server closed the connection before the answer ended"
                    )
        except h11.RemoteProtocolError as error:
            connection.close()
            raise httpx.RemoteProtocolError(str(error)) from error
        except h11.LocalProtocolError:
            connection.close()
            raise httpx.LocalProtocolError("the request could not be framed") from None
        except (OSError, ssl.SSLError) as error:
            connection.close()
            if reused and not sent:  # a kept connection that broke as we wrote: never seen
                raise _Stale from error
            kind = httpx.ReadError if sent else httpx.WriteError
            raise kind(str(error) or type(error).__name__) from error
        except BaseException:  # a timeout or a cancel: the connection is mid-exchange
            connection.close()
            raise
        assert response is not None  # h11 gives EndOfMessage only after the Response
        extra, _ = state.trailing_data  # bytes after the answer (a 408 to come): not reusable
        if state.our_state is h11.DONE and state.their_state is h11.DONE and not extra:
            state.start_next_cycle()
            self._idle.append(connection)
        else:
            connection.close()
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in response.headers
        }  # h11 gives the names in lower case
        return H11Response(response.status_code, headers, _decode(headers, b"".join(chunks)))

    async def aclose(self) -> None:
        """Close the idle connections, TLS ones with their goodbye (at most a second)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                connection.writer.close()
        if idle:
            closing = [asyncio.ensure_future(c.writer.wait_closed()) for c in idle]
            await asyncio.wait(closing, timeout=1.0)
            for connection, task in zip(idle, closing, strict=True):
                if not task.done():
                    task.cancel()
                    connection.close()
                elif not task.cancelled():
                    task.exception()  # retrieved: a reset at goodbye is no news
