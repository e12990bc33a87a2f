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
import ssl
import sys
import zlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import h11
import httpx

__all__ = ["H11Pool", "H11Response"]

READ_SIZE = 65_536


@dataclass
class H11Response:
    """What ``PacedMessagesClient.attempt`` reads of an answer (httpx.Response's names)."""

    status_code: int
    headers: dict[str, str]
    content: bytes


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    state: h11.Connection = field(default_factory=lambda: h11.Connection(h11.CLIENT))

    def usable(self) -> bool:
        """Still open (the server may close an idle keep-alive connection at any time)."""
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class _Stale(Exception):
    """A reused connection ended before any byte of the answer: try once on a new one."""


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


def _decode(headers: Mapping[str, str], body: bytes) -> bytes:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip", "deflate"):
        try:
            return zlib.decompress(body, zlib.MAX_WBITS | (16 if "gzip" in encoding else 0))
        except zlib.error:
            if encoding == "deflate":  # some servers send raw deflate, as httpx allows
                with contextlib.suppress(zlib.error):
                    return zlib.decompress(body, -zlib.MAX_WBITS)
            raise httpx.DecodingError(f"the {encoding} body could not be decoded") from None
    raise httpx.DecodingError(f"unsupported content-encoding {encoding!r}")


class H11Pool:
    """HTTP/1.1 keep-alive connections to one origin, over asyncio streams.

    Args:
        base_url: The API's base URL (``http`` or ``https``); request paths join its path.
        timeout: connect, read, write and pool timeouts (``make_timeout``).
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
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise httpx.UnsupportedProtocol(f"cannot connect to {base_url!r}")
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        default = 443 if self.tls else 80
        self._authority = parts.netloc.rpartition("@")[2]  # never userinfo in Host
        if parts.port == default:
            self._authority = self._authority.rsplit(":", 1)[0]
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
        head = h11.Request(method=method, target=self._prefix + path, headers=wire)
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
                except _Stale:
                    break
            connection = await self._open()
            try:
                return await self._exchange(connection, head, content, reused=False)
            except _Stale as error:  # pragma: no cover  # only a reused connection is stale
                raise httpx.RemoteProtocolError("the server closed the connection") from error
        finally:
            self._slots.release()

    async def _exchange(
        self, connection: _Connection, head: h11.Request, content: bytes, *, reused: bool
    ) -> H11Response:
        state, answered = connection.state, False
        try:
            async with _limit(self.timeout.write, httpx.WriteTimeout):
                connection.writer.write(
                    state.send(head)
                    + (state.send(h11.Data(data=content)) if content else b"")
                    + state.send(h11.EndOfMessage())
                )
                await connection.writer.drain()
            response: h11.Response | None = None
            chunks: list[bytes] = []
            async with _limit(self.timeout.read, httpx.ReadTimeout):
                while True:
                    event = state.next_event()
                    if event is h11.NEED_DATA:
                        data = await connection.reader.read(READ_SIZE)
                        if not data and not answered and reused:
                            raise _Stale
                        answered = answered or bool(data)
                        state.receive_data(data)
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
        except h11.LocalProtocolError as error:
            connection.close()
            raise httpx.LocalProtocolError(str(error)) from error
        except (OSError, ssl.SSLError) as error:
            connection.close()
            if reused and not answered:
                raise _Stale from error
            kind = httpx.ReadError if answered else httpx.WriteError
            raise kind(str(error) or type(error).__name__) from error
        except BaseException:  # stale, a timeout, a cancel: the connection is mid-exchange
            connection.close()
            raise
        assert response is not None  # h11 gives EndOfMessage only after the Response
        if state.our_state is h11.DONE and state.their_state is h11.DONE:
            state.start_next_cycle()
            self._idle.append(connection)
        else:
            connection.close()
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in response.headers
        }  # h11 gives the names in lower case
        return H11Response(response.status_code, headers, _decode(headers, b"".join(chunks)))

    async def aclose(self) -> None:
        """Close the idle connections (those in use close when their call ends)."""
        for connection in self._idle:
            connection.close()
        self._idle.clear()
