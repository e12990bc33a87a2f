"""A key that a library refuses never reaches the user through the error or its chain.

A key read from a file keeps its newline (``api_key=open("key.txt").read()``); h11 refuses
the header and names its value, key included, in its exception. The key is stripped when
the settings are read; a key with whitespace inside is one ``ConfigurationError`` that does
not show it; and an error translated from httpx drops a cause that names a secret, so a
notebook's traceback (which prints the whole chain) cannot show it either.
"""

from __future__ import annotations

import asyncio
import traceback

import pytest

from claude_nb import ConfigurationError, Session
from claude_nb._config import Settings
from claude_nb._wire.bulk import PacedMessagesClient, make_bulk_pools
from claude_nb._wire.client import MessagesClient
from claude_nb._wire.transport import make_client
from claude_nb.emulator import Emulator
from claude_nb.emulator._server import running_server
from claude_nb.testing import canary_key

KEY = canary_key("NEWLINE-CANARY-0123456789abcdef")


def _everything(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def test_a_key_with_a_trailing_newline_works_for_ask_and_map() -> None:
    emulator = Emulator(require_key=True)
    with (
        running_server(emulator.handle, "127.0.0.1", 0) as base,
        Session(api_key=KEY + "\n", base_url=base, environ={}) as session,
    ):
        assert session.ask("hi", max_tokens=8).text
        result = session.map("Say {n}", [{"n": n} for n in range(3)], progress=False)
        assert result.errors == {} and all(result.texts)


def test_a_key_with_whitespace_inside_is_refused_without_showing_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Session(api_key=KEY[:12] + " \n" + KEY[12:], base_url="http://127.0.0.1:9", environ={})
    assert KEY[12:] not in _everything(caught.value) and KEY[:12] not in str(caught.value)


@pytest.mark.parametrize("pool", ["httpx", "h11"])
def test_a_refused_header_never_shows_the_key_in_the_error_chain(pool: str) -> None:
    # Settings made directly skip the stripping: the wire itself must not leak the key
    emulator = Emulator(require_key=False)
    body = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": "hi"}],
    }
    with running_server(emulator.handle, "127.0.0.1", 0) as base:
        settings = Settings(api_key=KEY + "\n", base_url=base, max_retries=0)
        if pool == "httpx":
            with pytest.raises(Exception) as caught:
                MessagesClient(settings, make_client(settings)).create(body)
            error: BaseException = caught.value
        else:
            (lean,) = make_bulk_pools(settings, None, 4)
            attempted = asyncio.run(PacedMessagesClient(settings, [lean]).attempt(body))
            assert attempted.error is not None
            error = attempted.error
    assert KEY not in _everything(error) and KEY not in repr(error)
    assert "LocalProtocolError" in str(error)  # the kind is still named
