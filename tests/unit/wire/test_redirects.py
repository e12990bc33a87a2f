"""A redirect never carries the API key to another origin (audit item: key on redirect).

Two real HTTP servers on 127.0.0.1 (two ports: two origins). The first answers every request
with a redirect to the second, an emulator that would answer properly. The client must not
follow: the second server never receives a request (so never ``x-api-key``), and the call
fails with a ``ConfigurationError`` naming the status and the target origin, never the key.
Sync and async, streamed and not, ``count_tokens`` and ``list_models``; with claude_nb's own
httpx client and with a user's ``http_client=`` that follows redirects itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from claude_nb import ConfigurationError, Session
from claude_nb.emulator import Emulator
from claude_nb.emulator._server import running_server
from claude_nb.emulator._wire import EmulatorResponse
from claude_nb.testing import canary_key

KEY = canary_key("REDIRECT-CANARY-0123456789abcdef")


class Origins:
    """The redirecting server (``first``) and the other origin (``second``) with its log."""

    def __init__(self, first: str, second: str, seen: list[Mapping[str, str]]) -> None:
        self.first, self.second, self.seen = first, second, seen


def _servers(status: int) -> Iterator[Origins]:
    seen: list[Mapping[str, str]] = []
    emulator = Emulator(require_key=False)

    def other(method: str, target: str, headers: Mapping[str, str], body: bytes) -> Any:
        seen.append(dict(headers))
        return emulator.handle(method, target, headers, body)

    with running_server(other, "127.0.0.1", 0) as second:

        def redirect(method: str, target: str, headers: Mapping[str, str], body: bytes) -> Any:
            return EmulatorResponse(status, [("location", second + target)], b"")

        with running_server(redirect, "127.0.0.1", 0) as first:
            yield Origins(first, second, seen)


@pytest.fixture(params=[307, 308, 302, 301])
def origins(request: pytest.FixtureRequest) -> Iterator[Origins]:
    yield from _servers(request.param)


def _assert_refused(error: BaseException, origins: Origins) -> None:
    message = str(error)
    assert isinstance(error, ConfigurationError), repr(error)
    assert origins.second in message  # the target origin is named
    assert "ANTHROPIC_BASE_URL" in message
    assert KEY not in message and KEY not in repr(error)
    assert origins.seen == []  # the other origin never got a request, so never the key


CALLS = {
    "ask-stream": lambda s: s.ask("hi", max_tokens=8),
    "ask-json": lambda s: s.ask("hi", stream=False, max_tokens=8),
    "count_tokens": lambda s: s.count_tokens("hi"),
    "list_models": lambda s: s.list_models(),
    "stream": lambda s: s.stream("hi", max_tokens=8).__enter__().text,
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_sync_calls_never_follow_a_redirect(origins: Origins, call: str) -> None:
    with (
        Session(api_key=KEY, base_url=origins.first) as session,
        pytest.raises(Exception) as caught,
    ):
        CALLS[call](session)
    _assert_refused(caught.value, origins)


@pytest.mark.parametrize("stream", [True, False])
def test_async_calls_never_follow_a_redirect(origins: Origins, stream: bool) -> None:
    async def main() -> None:
        session = Session(api_key=KEY, base_url=origins.first)
        try:
            await session.ask_async("hi", stream=stream, max_tokens=8)
        finally:
            await session.aclose()

    with pytest.raises(Exception) as caught:
        asyncio.run(main())
    _assert_refused(caught.value, origins)


def test_a_user_client_that_follows_redirects_does_not_follow_them_for_the_api(
    origins: Origins,
) -> None:
    http = httpx.Client(base_url=origins.first, follow_redirects=True)
    async_http = httpx.AsyncClient(base_url=origins.first, follow_redirects=True)
    session = Session(
        api_key=KEY, base_url=origins.first, http_client=http, async_http_client=async_http
    )
    for call in CALLS.values():
        with pytest.raises(Exception) as caught:
            call(session)
        _assert_refused(caught.value, origins)
    with pytest.raises(Exception) as caught:
        asyncio.run(session.ask_async("hi", max_tokens=8))
    _assert_refused(caught.value, origins)
    http.close()
    asyncio.run(async_http.aclose())


def test_a_same_origin_redirect_is_not_followed_either() -> None:
    seen: list[str] = []

    def same(method: str, target: str, headers: Mapping[str, str], body: bytes) -> Any:
        seen.append(target)
        return EmulatorResponse(307, [("location", "/v1/elsewhere")], b"")

    with running_server(same, "127.0.0.1", 0) as base:
        session = Session(api_key=KEY, base_url=base)
        with session, pytest.raises(ConfigurationError, match="307") as caught:
            session.ask("hi", max_tokens=8)
    assert seen == ["/v1/messages"]
    assert base in str(caught.value)  # same origin: named too


def _map_refused(session: Session, origins: Origins) -> None:
    result = session.map("Say {n}", [{"n": n} for n in range(3)], progress=False)
    assert result.texts == [None, None, None]
    for error in result.errors.values():
        _assert_refused(error, origins)


def test_a_map_never_follows_a_redirect(origins: Origins) -> None:
    with Session(api_key=KEY, base_url=origins.first, environ={}) as session:
        _map_refused(session, origins)


def test_a_map_over_a_user_client_that_follows_redirects_does_not_follow(
    origins: Origins,
) -> None:
    async_http = httpx.AsyncClient(base_url=origins.first, follow_redirects=True)
    with Session(
        api_key=KEY, base_url=origins.first, environ={}, async_http_client=async_http
    ) as session:
        _map_refused(session, origins)  # (its connections stay with the map's own loop)
