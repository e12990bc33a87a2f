"""The only module of the client that imports httpx.

It builds the httpx clients (base URL, timeouts, an injectable transport), turns an HTTP
error response into the right ``APIStatusError`` subclass, and translates httpx's
exceptions into claude_nb's in ONE place, ``map_httpx_errors``::

    httpx.TimeoutException (connect/read/write/pool)   -> APITimeoutError
    httpx.TransportError (network, protocol, proxy)    -> APIConnectionError
    httpx.DecodingError, TooManyRedirects, StreamError -> APIConnectionError
    httpx.InvalidURL, UnsupportedProtocol              -> ConfigurationError
    httpx.HTTPStatusError                              -> APIStatusError (by status)
    any other httpx.HTTPError / CookieConflict         -> APIConnectionError

Messages are built from the kind of failure and the timeouts only (never from headers), so
an API key cannot leak into them.

Redirects are never followed, to another origin or the same one: a followed redirect would
resend ``x-api-key`` wherever ``Location`` points (httpx strips only ``Authorization`` across
origins). The clients are made with ``follow_redirects=False`` and every request says so too
(a user's ``http_client=`` may follow them); a 3xx answer is a ``ConfigurationError`` from
``redirect_error`` naming the status and the target's origin (never its path or query, never
the key) and pointing at ``ANTHROPIC_BASE_URL``. The API itself never redirects.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import httpx

from claude_nb._api.lifecycle import retirement_hint
from claude_nb._api.redact import redact, redact_value, secrets_of
from claude_nb._config import Settings
from claude_nb._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClaudeNBError,
    ConfigurationError,
    status_error_class,
)

__all__ = [
    "AsyncHTTPClient",
    "HTTPClient",
    "make_async_client",
    "make_client",
    "make_timeout",
    "map_httpx_errors",
    "redirect_error",
    "status_error",
]


HTTPClient: TypeAlias = httpx.Client
"""The sync HTTP client type a ``Session`` accepts (``http_client=``)."""
AsyncHTTPClient: TypeAlias = httpx.AsyncClient
"""The async HTTP client type (``async_http_client=``)."""


def make_timeout(settings: Settings) -> httpx.Timeout:
    """Connect timeout from the settings (5 s by default); read/write/pool = read timeout."""
    return httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)


def make_client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A sync httpx client for the settings' base URL (``transport`` for emulator/tests)."""
    return httpx.Client(
        base_url=settings.base_url,
        timeout=make_timeout(settings),
        transport=transport,
        follow_redirects=False,  # never resend the key elsewhere (module docstring)
    )


def make_async_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The async twin of ``make_client``."""
    return httpx.AsyncClient(
        base_url=settings.base_url,
        timeout=make_timeout(settings),
        transport=transport,
        follow_redirects=False,  # never resend the key elsewhere (module docstring)
    )


def _timeout_message(error: httpx.TimeoutException, settings: Settings) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"could not connect within {settings.connect_timeout:g} s"
    if isinstance(error, httpx.PoolTimeout):
        return "no free connection in the pool within the timeout"
    if isinstance(error, httpx.WriteTimeout):
        return f"could not send the request within {settings.read_timeout:g} s"
    return (
        f"read timeout: the server sent nothing for {settings.read_timeout:g} s "
        "(raise read_timeout for long requests)"
    )


def _translate(error: Exception, settings: Settings) -> ClaudeNBError:
    """The claude_nb error for one httpx exception (see the module docstring)."""
    kind = type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(_timeout_message(error, settings))
    if isinstance(error, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return ConfigurationError(f"invalid base URL {settings.base_url!r} ({kind})")
    if isinstance(error, httpx.HTTPStatusError):
        response = error.response
        return status_error(
            response.status_code, response.headers, response.content, secrets_of(settings.api_key)
        )
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return APIConnectionError(f"the connection was dropped ({kind})")
    if isinstance(error, httpx.ConnectError):
        return APIConnectionError(f"could not connect to {settings.base_url} ({kind})")
    return APIConnectionError(f"connection failed ({kind})")


@contextlib.contextmanager
def map_httpx_errors(settings: Settings) -> Iterator[None]:
    """Translate every httpx exception raised inside the block (``raise ... from``).

    The httpx exception stays as the cause unless it (or one it came from) names a secret.
    """
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError) as error:
        translated = _translate(error, settings)
        if _names_a_secret(error, secrets_of(settings.api_key)):
            raise translated from None  # a traceback prints the whole chain
        raise translated from error


def _names_a_secret(error: BaseException, secrets: tuple[str, ...]) -> bool:
    """Whether an exception or one it came from mentions the key or a key-shaped string.

    httpx and h11 name a header value they refuse (``Illegal header value b'sk-ant-...'``).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if redact(f"{current}{current.args!r}", secrets)[1]:
            return True
        current = current.__cause__ or current.__context__
    return False


def _origin(location: str, base: str) -> str:
    """``scheme://host[:port]`` of a Location (relative ones against ``base``), or ``?``."""
    try:
        url = httpx.URL(base).join(location)
    except (httpx.InvalidURL, ValueError, TypeError):
        return "?"
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}" if url.host else "?"


def redirect_error(status_code: int, headers: Mapping[str, str], base_url: str) -> ClaudeNBError:
    """The error for a 3xx answer: claude_nb does not follow it, so the key stays put."""
    location = headers.get("location")
    target = _origin(location, base_url) if location else None
    where = f" to {target}" if target else ""
    same = " (the same origin)" if target == _origin(base_url, base_url) else ""
    return ConfigurationError(
        f"the API at {base_url} answered HTTP {status_code}, a redirect{where}{same}; "
        "claude_nb follows no redirect, so your API key is never sent anywhere else. "
        "If the API really lives there, set ANTHROPIC_BASE_URL (or base_url=) to that address"
    )


def _error_body(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def status_error(
    status_code: int, headers: Mapping[str, str], content: bytes, secrets: Iterable[str] = ()
) -> APIStatusError:
    """The ``APIStatusError`` for an HTTP error response (class from status and error type).

    A server (or a proxy) may echo what it got: the message and ``body`` have ``secrets``
    (the configured key) and anything key-shaped redacted (``_api.redact``).
    """
    body, _ = redact_value(_error_body(content), secrets)
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    error_type = error.get("type") if isinstance(error.get("type"), str) else None
    message = error.get("message")
    if not isinstance(message, str) or not message:
        # Not the raw body: a proxy's error page is not ours to echo.
        kind = "JSON" if body is not None else "non-JSON"
        message = f"HTTP {status_code} with a {kind} body of {len(content)} bytes"
    request_id = headers.get("request-id") or (
        body.get("request_id") if isinstance(body, dict) else None
    )
    error_class = status_error_class(status_code, error_type)
    if status_code == 404 and message.startswith("model: "):
        hint = retirement_hint(message.removeprefix("model: ").strip())
        message += f" ({hint})" if hint else ""
    return error_class(
        redact(message, secrets)[0],
        status_code=status_code,
        error_type=error_type,
        request_id=request_id if isinstance(request_id, str) else None,
        body=body,
    )
