"""The wire side of bulk work: single paced attempts, rate-limit headers, Message Batches.

``Session.map`` (``_session.map_run``) paces many one-shot calls itself, so it needs each
attempt's outcome *with its response headers* and no private retry loop:
``PacedMessagesClient.attempt`` sends one non-streamed messages body once and returns an
``Attempted`` (the result or the error, the headers, whether a retry may help and the
server's ``retry-after``). ``RateLimits.from_headers`` (``_wire.rate_limits``) reads the
``anthropic-ratelimit-*`` headers.

``BatchesClient`` is ``MessagesClient`` plus the Message Batches endpoints (create,
retrieve, list, cancel, results as JSONL), with the same headers, retries and error mapping.
Results are always fetched from ``/v1/messages/batches/{id}/results`` on the session's own
base URL, never from the ``results_url`` the batch names, so the key goes to one origin only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claude_nb._config import Settings
from claude_nb._exceptions import (
    APIConnectionError,
    APIError,
    ClaudeNBError,
    MalformedStreamError,
)
from claude_nb._wire.calls import Attempt, CallResult
from claude_nb._wire.client import AsyncMessagesClient, MessagesClient
from claude_nb._wire.rate_limits import RateLimits
from claude_nb._wire.request import MESSAGES_PATH, encode_body
from claude_nb._wire.retry import is_retryable, retry_after
from claude_nb._wire.transport import make_timeout, map_httpx_errors

if TYPE_CHECKING:
    import httpx

    from claude_nb._wire.h11_pool import H11Pool

    BulkPool = httpx.AsyncClient | H11Pool
    """Where a map's calls go: httpx's client or the lean pool (same ``request`` call)."""

__all__ = [
    "BATCHES_PATH",
    "Attempted",
    "BatchesClient",
    "PacedMessagesClient",
    "RateLimits",
    "decode_jsonl",
    "make_bulk_pools",
]

BATCHES_PATH = "/v1/messages/batches"


@dataclass
class Attempted:
    """One attempt of ``PacedMessagesClient.attempt``.

    Attributes:
        result: The call's result, or None when it failed.
        error: The error (an ``APIError``; a ``ContentError`` for a body that cannot be
            encoded), or None.
        headers: The response headers (lower-case names; ``{}`` when no response came).
        retryable: The error is one a retry may cure (429, 529, 5xx, a dropped connection).
        wait: Seconds the server asked to wait (``retry-after``), or None.
    """

    result: CallResult[dict[str, Any]] | None
    error: ClaudeNBError | None
    headers: Mapping[str, str]
    retryable: bool = False
    wait: float | None = None


class PacedMessagesClient(AsyncMessagesClient):
    """An async messages client whose ``attempt`` sends once and reports the headers.

    Args:
        settings: Key, version and timeouts.
        pools: httpx clients to spread the calls over (each attempt takes the least busy):
            one pool of hundreds of connections spends its time looking for a free one.
    """

    def __init__(self, settings: Settings, pools: Sequence[BulkPool]) -> None:
        super().__init__(settings, pools[0])  # type: ignore[arg-type]  # attempt() uses pools
        self.pools = list(pools)
        self._busy = [0] * len(self.pools)

    async def attempt(self, body: Mapping[str, Any]) -> Attempted:
        """Send a non-streamed messages body once (no retries: the caller paces them)."""
        attempt = Attempt()
        shard = self._busy.index(min(self._busy))
        self._busy[shard] += 1
        try:
            payload = encode_body(body, self._secrets)
            with map_httpx_errors(self.settings):
                response = await self.pools[shard].request(
                    "POST",
                    MESSAGES_PATH,
                    content=payload,
                    headers=self._headers(stream=False),
                    follow_redirects=False,  # a user's client may follow them (transport.py)
                )
            status, content = response.status_code, response.content
            self._check_response(attempt, status, response.headers, content)
            value = self._json_value(content)
        except ClaudeNBError as error:  # an APIError; a ConfigurationError for a redirect
            headers = attempt.headers or {}
            retryable = isinstance(error, APIError) and is_retryable(error, headers)
            return Attempted(None, error, headers, retryable, retry_after(headers))
        except Exception as error:  # one item fails, not the map
            # named by its kind only: a library's message may quote a header (the key)
            failed = APIConnectionError(f"the request failed ({type(error).__name__})")
            return Attempted(None, failed, attempt.headers or {})
        finally:
            self._busy[shard] -= 1
        result = attempt.result(value, 0)
        return Attempted(result, None, attempt.headers or {})


POOL_SIZE = 16
"""Connections per httpx pool of a map (``make_bulk_pools``)."""


def _proxied(url: str) -> bool:
    """A proxy is configured for ``url``'s scheme (environment or system settings).

    ``NO_PROXY`` is not weighed here: its rules differ between libraries, and sending
    through httpx when unsure costs only speed.
    """
    from urllib.parse import urlsplit
    from urllib.request import getproxies

    proxies = {name.lower(): value for name, value in getproxies().items() if value}
    return bool(proxies.get(urlsplit(url).scheme) or proxies.get("all"))


def make_bulk_pools(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, connections: int
) -> list[BulkPool]:
    """Fresh connection pools holding ``connections`` in all, to ``aclose`` after the map.

    With no transport of the caller's, no proxy and a plain base URL: one ``H11Pool`` (a
    quarter of httpx's CPU per call, ``_wire.h11_pool``). Else httpx's own clients,
    ``POOL_SIZE`` connections each (one httpx pool of hundreds spends its time looking for a
    free connection).
    """
    import httpx  # with the first map, not with ``import claude_nb``

    common: dict[str, Any] = {
        "base_url": settings.base_url,
        "timeout": make_timeout(settings),
        "follow_redirects": False,  # the key never follows a redirect (transport.py)
    }
    from claude_nb._wire.h11_pool import H11Pool, supports

    url = settings.base_url
    if transport is None and sys.version_info >= (3, 11) and supports(url) and not _proxied(url):
        return [H11Pool(url, common["timeout"], connections)]
    count = max(1, -(-connections // POOL_SIZE))
    size = -(-connections // count)
    verify = httpx.create_ssl_context()  # once: loading the CA store takes ~60 ms
    return [
        httpx.AsyncClient(
            verify=verify,
            transport=transport,
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            **common,
        )
        for _ in range(count)
    ]


def decode_jsonl(content: bytes) -> list[dict[str, Any]]:
    """The objects of a JSONL body (blank lines skipped)."""
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as error:
            raise MalformedStreamError(f"batch results line {number} is not JSON") from error
        if isinstance(row, dict):
            rows.append(row)
    return rows


class BatchesClient(MessagesClient):
    """``MessagesClient`` plus the Message Batches endpoints (sync; each call retried)."""

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        value = self._with_retries(
            lambda attempt: self._json_once(attempt, method, path, body=body, params=params)
        ).value
        if not isinstance(value, dict):
            raise MalformedStreamError(f"{method} {path} did not answer with a JSON object")
        return value

    def create_batch(self, requests: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """``POST /v1/messages/batches``: ``requests`` are ``{"custom_id", "params"}``."""
        return self._call("POST", BATCHES_PATH, body={"requests": list(requests)})

    def retrieve_batch(self, batch_id: str) -> dict[str, Any]:
        """``GET /v1/messages/batches/{id}``: the batch object (poll it)."""
        return self._call("GET", f"{BATCHES_PATH}/{batch_id}")

    def cancel_batch(self, batch_id: str) -> dict[str, Any]:
        """``POST /v1/messages/batches/{id}/cancel``: the batch, now ``canceling``."""
        return self._call("POST", f"{BATCHES_PATH}/{batch_id}/cancel")

    def list_batches(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest batches of the workspace (one page)."""
        return list(self._call("GET", BATCHES_PATH, params={"limit": limit}).get("data") or [])

    def batch_results(self, batch_id: str) -> list[dict[str, Any]]:
        """``GET /v1/messages/batches/{id}/results``: one ``{"custom_id", "result"}`` per row."""
        path = f"{BATCHES_PATH}/{batch_id}/results"

        def once(attempt: Attempt) -> bytes:
            headers = {**self._headers(stream=False), "accept": "application/binary"}
            with map_httpx_errors(self.settings):
                response = self.http.request("GET", path, headers=headers, follow_redirects=False)
            self._check_response(attempt, response.status_code, response.headers, response.content)
            return response.content

        return decode_jsonl(self._with_retries(once).value)
