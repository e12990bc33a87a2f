"""A session's HTTP clients: made on the first request, closed with the session.

``import claude_nb`` and ``Session()`` stay free of httpx: ``sync()`` and ``asynchronous()``
import it when the first request needs a client. Offline, the clients talk to an in-process
``claude_nb.emulator.Emulator`` (a fresh one unless the session was given one). With a
cassette (``settings.cassette``), every client made here goes through one shared ``Cassette``
(``claude_nb._wire.cassette_transport``). Clients passed in (tests, proxies) are used as they
are and never closed here (nor recorded: give the session a cassette or a client, not both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from claude_nb._config import Settings

if TYPE_CHECKING:
    from claude_nb._wire.bulk import BatchesClient, BulkPool, PacedMessagesClient
    from claude_nb._wire.cassette import Cassette
    from claude_nb._wire.client import AsyncMessagesClient, MessagesClient
    from claude_nb._wire.transport import AsyncHTTPClient, HTTPClient
    from claude_nb.emulator import Emulator, Pacing

__all__ = ["SessionClients"]


class SessionClients:
    """The ``MessagesClient`` and ``AsyncMessagesClient`` of one session, made lazily.

    Args:
        settings: The session's settings (URL, key, timeouts, offline).
        emulator: The emulator to use offline (None: a fresh one when first needed).
        http_client: An ``httpx.Client`` to use instead of a new one.
        async_http_client: An ``httpx.AsyncClient`` to use instead of a new one.
    """

    def __init__(
        self,
        settings: Settings,
        emulator: Emulator | None = None,
        http_client: HTTPClient | None = None,
        async_http_client: AsyncHTTPClient | None = None,
    ) -> None:
        self.settings = settings
        self.emulator = emulator
        self._http_client = http_client
        self._async_http_client = async_http_client
        self._owned: list[HTTPClient | AsyncHTTPClient] = []
        self._client: MessagesClient | None = None
        self._async_client: AsyncMessagesClient | None = None
        self._cassette: Cassette | None = None
        self.learned_pace: int | None = None
        """Calls in flight the last adaptive ``map`` ended at (the next one starts there)."""

    def cassette(self) -> Cassette | None:
        """The session's cassette (made on first use), or None without one."""
        if self._cassette is None and self.settings.cassette:
            from pathlib import Path

            from claude_nb._api.redact import secrets_of
            from claude_nb._wire.cassette import Cassette

            self._cassette = Cassette(
                Path(self.settings.cassette), self.settings.cassette_mode,
                self.settings.cassette_speed, secrets_of(self.settings.api_key),
            )
        return self._cassette

    def keep_emulator(self, old: SessionClients) -> None:
        """Offline both: take over ``old``'s emulator, at this session's pace.

        Its batches and its prompt cache go on, so a settings change that rebuilds the
        kernel's session loses neither.
        """
        if not (self.settings.offline and old.settings.offline and old.emulator is not None):
            return
        if self.emulator is None and self._client is None and self._async_client is None:
            self.emulator = old.emulator
            self.emulator.pacing = _pacing(self.settings.offline_speed)

    def _offline_transport(self, asynchronous: bool) -> Any:
        if self.emulator is None:
            from claude_nb.emulator import Emulator

            # offline mode stands in for the real API: a beta newer than the emulator's list
            # must not fail here
            pacing = _pacing(self.settings.offline_speed)
            self.emulator = Emulator(require_key=False, pacing=pacing, accept_any_beta=True)
        from claude_nb._wire.handler_transport import AsyncHandlerTransport, HandlerTransport

        return (AsyncHandlerTransport if asynchronous else HandlerTransport)(self.emulator.handle)

    @overload
    def _http(self, given: HTTPClient | None, asynchronous: Literal[False]) -> HTTPClient: ...

    @overload
    def _http(
        self, given: AsyncHTTPClient | None, asynchronous: Literal[True]
    ) -> AsyncHTTPClient: ...

    def _http(
        self, given: HTTPClient | AsyncHTTPClient | None, asynchronous: bool
    ) -> HTTPClient | AsyncHTTPClient:
        """The injected httpx client, or a new one this object owns (and closes)."""
        if given is not None:
            return given
        from claude_nb._wire.transport import make_async_client, make_client

        cassette = self.cassette()
        if cassette is not None:
            from claude_nb._wire.cassette_transport import cassette_client

            http = cassette_client(self.settings, cassette, asynchronous)
            self._owned.append(http)
            return http
        transport = self._offline_transport(asynchronous) if self.settings.offline else None
        http = (make_async_client if asynchronous else make_client)(self.settings, transport)
        self._owned.append(http)
        return http

    def sync(self) -> MessagesClient:
        """The sync client (made on first use)."""
        if self._client is None:
            from claude_nb._wire.client import MessagesClient

            self._client = MessagesClient(self.settings, self._http(self._http_client, False))
        return self._client

    def asynchronous(self) -> AsyncMessagesClient:
        """The async client (made on first use)."""
        if self._async_client is None:
            from claude_nb._wire.client import AsyncMessagesClient

            http = self._http(self._async_http_client, True)
            self._async_client = AsyncMessagesClient(self.settings, http)
        return self._async_client

    def paced(self, connections: int) -> tuple[PacedMessagesClient, list[BulkPool]]:
        """A client for one map on fresh pools of ``connections``, and the pools to ``aclose``.

        An injected async client is used as it is (then there is no pool to close here).
        """
        from claude_nb._wire.bulk import PacedMessagesClient, make_bulk_pools

        if self._async_http_client is not None:
            return PacedMessagesClient(self.settings, [self._async_http_client]), []
        if self.cassette() is not None:  # one pool through the cassette, replayed in order
            replay = self._http(None, True)
            self._owned.remove(replay)  # the caller closes it
            return PacedMessagesClient(self.settings, [replay]), [replay]
        transport = self._offline_transport(True) if self.settings.offline else None
        made = make_bulk_pools(self.settings, transport, connections)
        return PacedMessagesClient(self.settings, made), made

    def batches(self) -> BatchesClient:
        """A Message Batches client over the sync client's connection pool."""
        from claude_nb._wire.bulk import BatchesClient

        return BatchesClient(self.settings, self.sync().http)

    def close(self) -> None:
        """Close the sync clients made here (an async one needs ``aclose``)."""
        for http in self._owned:
            if hasattr(http, "close"):
                http.close()
        self._owned = [http for http in self._owned if not hasattr(http, "close")]
        self._client = None

    async def aclose(self) -> None:
        """Close every client made here, the async one included."""
        for http in self._owned:
            if hasattr(http, "aclose"):
                await http.aclose()
            else:
                http.close()
        self._owned = []
        self._client = self._async_client = None


def _pacing(speed: float | None) -> Pacing | None:
    """The offline emulator's pace for ``offline_speed`` (None: no delays)."""
    from claude_nb.emulator import Pacing

    return Pacing(tokens_per_second=speed, time_to_first_token=0.3) if speed else None
