"""The client loops over httpx.MockTransport: headers, status errors, retries, error mapping."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from claude_nb import _exceptions as errors
from claude_nb._config import resolve_settings
from claude_nb._wire.client import MessagesClient
from claude_nb._wire.transport import make_client, map_httpx_errors, status_error
from claude_nb.testing import canary_key

FIXTURES = Path(__file__).parent / "fixtures"
KEY = canary_key("transport-secret")
BODY = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 10,
    "messages": [{"role": "user", "content": "hi"}],
}

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, sleeps: list[float] | None = None, **settings: Any) -> MessagesClient:
    resolved = resolve_settings(
        {"api_key": KEY, "base_url": "https://api.test", **settings}, environ={}
    )
    http = make_client(resolved, httpx.MockTransport(handler))
    record = sleeps if sleeps is not None else []
    return MessagesClient(resolved, http, sleep=record.append, random_value=lambda: 0.0)


def _sse(name: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream", "request-id": "req_ok", **headers},
        content=(FIXTURES / f"{name}.sse").read_bytes(),
    )


def _error(status: int, error_type: str, **headers: str) -> httpx.Response:
    body = {
        "type": "error",
        "error": {"type": error_type, "message": f"{error_type}!"},
        "request_id": "req_body",
    }
    return httpx.Response(status, headers=headers, json=body)


def _sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def test_stream_request_headers_and_body() -> None:
    handler, seen = _sequence(_sse("text"))
    result = _client(handler).create({**BODY, "stream": True})
    request = seen[0]
    assert request.url == "https://api.test/v1/messages"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content) == {**BODY, "stream": True}
    assert result.request_id == "req_ok" and result.retries == 0
    assert result.value["content"][0]["text"] == "Hello, world! Café ☕ 😀"


def test_non_streaming_message() -> None:
    message = json.loads((FIXTURES / "message.json").read_text())
    handler, seen = _sequence(httpx.Response(200, json=message, headers={"request-id": "r1"}))
    result = _client(handler).create(BODY)
    assert result.value == message and result.request_id == "r1"
    assert seen[0].headers["accept"] == "application/json"


@pytest.mark.parametrize(
    ("status", "error_type", "expected", "attempts"),
    [
        (400, "invalid_request_error", errors.BadRequestError, 1),
        (401, "authentication_error", errors.AuthenticationError, 1),
        (403, "permission_error", errors.PermissionDeniedError, 1),
        (404, "not_found_error", errors.NotFoundError, 1),
        (413, "request_too_large", errors.RequestTooLargeError, 1),
        (429, "rate_limit_error", errors.RateLimitError, 3),
        (500, "api_error", errors.InternalServerError, 3),
        (529, "overloaded_error", errors.OverloadedError, 3),
    ],
)
def test_status_errors_class_fields_and_retry_count(
    status: int, error_type: str, expected: type[Exception], attempts: int
) -> None:
    handler, seen = _sequence(*[_error(status, error_type, **{"request-id": "req_h"})] * 3)
    sleeps: list[float] = []
    with pytest.raises(expected) as caught:
        _client(handler, sleeps).create({**BODY, "stream": True})
    error = caught.value
    assert isinstance(error, errors.APIStatusError)
    assert (error.status_code, error.error_type, error.request_id) == (status, error_type, "req_h")
    assert error.api_message == f"{error_type}!"
    assert len(seen) == attempts and error.retries == attempts - 1
    assert sleeps == [0.5, 1.0][: attempts - 1]


def test_request_id_from_body_when_no_header() -> None:
    handler, _ = _sequence(_error(400, "invalid_request_error"))
    with pytest.raises(errors.BadRequestError) as caught:
        _client(handler).create(BODY)
    assert caught.value.request_id == "req_body"


def test_retry_after_headers_and_should_retry_false() -> None:
    handler, seen = _sequence(
        _error(429, "rate_limit_error", **{"retry-after": "2"}),
        _error(529, "overloaded_error", **{"retry-after-ms": "120"}),
        _sse("text"),
    )
    sleeps: list[float] = []
    result = _client(handler, sleeps).create({**BODY, "stream": True})
    assert sleeps == [2.0, 0.12] and result.retries == 2 and len(seen) == 3

    handler, seen = _sequence(_error(529, "overloaded_error", **{"x-should-retry": "false"}))
    with pytest.raises(errors.OverloadedError):
        _client(handler).create(BODY)
    assert len(seen) == 1


def test_non_json_413_from_a_proxy() -> None:
    handler, _ = _sequence(httpx.Response(413, content=b"<html>Too large</html>"))
    with pytest.raises(errors.RequestTooLargeError) as caught:
        _client(handler).create(BODY)
    assert caught.value.error_type is None and "non-JSON" in str(caught.value)


def test_connection_errors_are_retried_then_raised() -> None:
    drop = httpx.ConnectError("refused")
    handler, seen = _sequence(drop, drop, drop)
    with pytest.raises(errors.APIConnectionError) as caught:
        _client(handler).create(BODY)
    assert len(seen) == 3 and caught.value.retries == 2
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_read_timeout_is_api_timeout_error_with_clear_message() -> None:
    handler, _ = _sequence(httpx.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeoutError, match="sent nothing for 3 s"):
        _client(handler, max_retries=0, read_timeout=3.0).create(BODY)


def test_stream_error_before_content_is_retried_after_content_is_not() -> None:
    handler, seen = _sequence(_sse("error_before_content"), _sse("text"))
    result = _client(handler).create({**BODY, "stream": True})
    assert result.retries == 1 and len(seen) == 2

    handler, seen = _sequence(_sse("error_after_content"), _sse("text"))
    with pytest.raises(errors.StreamEventError) as caught:
        _client(handler).create({**BODY, "stream": True})
    assert len(seen) == 1 and caught.value.retries == 0
    assert caught.value.partial_text == "Partial answer"
    assert caught.value.partial is not None and caught.value.partial["usage"]["input_tokens"] == 20


def test_truncated_stream_is_incomplete_with_partial() -> None:
    handler, seen = _sequence(*[_sse("truncated")] * 3)
    with pytest.raises(errors.IncompleteStreamError) as caught:
        _client(handler).create({**BODY, "stream": True})
    assert len(seen) == 1  # content had arrived: not retried
    assert caught.value.partial_text == "Cut sh"


def test_wrong_content_type_for_a_stream() -> None:
    handler, _ = _sequence(httpx.Response(200, json={"not": "a stream"}))
    with pytest.raises(errors.MalformedStreamError, match="content-type"):
        _client(handler).create({**BODY, "stream": True})


def test_response_is_closed_when_the_consumer_interrupts() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self):
            yield (FIXTURES / "text.sse").read_bytes()

        def close(self) -> None:
            closed.append(True)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Body())

    def stop(snapshot: Any) -> None:
        if snapshot.started:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _client(handler).create({**BODY, "stream": True}, on_event=stop)
    assert closed == [True]


def test_count_tokens_and_model_paging() -> None:
    pages = {
        None: {"data": [{"id": "m1"}, {"id": "m2"}], "has_more": True, "last_id": "m2"},
        "m2": {"data": [{"id": "m3"}], "has_more": False, "last_id": "m3"},
    }
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/messages/count_tokens":
            return httpx.Response(200, json={"input_tokens": 42})
        return httpx.Response(200, json=pages[request.url.params.get("after_id")])

    client = _client(handler)
    assert client.count_tokens({"model": "m", "messages": []}).value == {"input_tokens": 42}
    assert [model["id"] for model in client.list_models()] == ["m1", "m2", "m3"]
    assert [r.method for r in seen] == ["POST", "GET", "GET"]


def _httpx_exception_classes() -> list[type[Exception]]:
    return [
        value
        for value in vars(httpx).values()
        if inspect.isclass(value)
        and issubclass(value, Exception)
        and value.__module__.startswith("httpx")
    ]


def _instance(exception_class: type[Exception]) -> Exception:
    request = httpx.Request("POST", "https://api.test/v1/messages")
    if issubclass(exception_class, httpx.HTTPStatusError):
        response = httpx.Response(503, request=request, json={"error": {"type": "api_error"}})
        return exception_class("bad", request=request, response=response)
    if issubclass(exception_class, httpx.RequestError):
        return exception_class("failed", request=request)
    if issubclass(exception_class, httpx.StreamError):
        return (
            exception_class() if exception_class is not httpx.StreamError else exception_class("x")
        )
    return exception_class("failed")


@pytest.mark.parametrize("exception_class", _httpx_exception_classes(), ids=lambda c: c.__name__)
def test_every_httpx_exception_is_mapped(exception_class: type[Exception]) -> None:
    settings = resolve_settings({"api_key": KEY, "base_url": "https://api.test"}, environ={})
    with pytest.raises(errors.ClaudeNBError) as caught, map_httpx_errors(settings):
        raise _instance(exception_class)
    assert isinstance(caught.value.__cause__, exception_class)
    if issubclass(exception_class, httpx.TimeoutException):
        assert isinstance(caught.value, errors.APITimeoutError)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)


def test_httpx_exception_base_classes_are_all_covered() -> None:
    names = {cls.__name__ for cls in _httpx_exception_classes()}
    assert {
        "HTTPError",
        "RequestError",
        "TransportError",
        "TimeoutException",
        "NetworkError",
        "ProtocolError",
        "DecodingError",
        "TooManyRedirects",
        "HTTPStatusError",
        "InvalidURL",
        "CookieConflict",
        "StreamError",
    } <= names


API_ERROR_TYPES = {
    "invalid_request_error": (400, errors.BadRequestError),
    "authentication_error": (401, errors.AuthenticationError),
    "billing_error": (402, errors.APIStatusError),
    "permission_error": (403, errors.PermissionDeniedError),
    "not_found_error": (404, errors.NotFoundError),
    "conflict_error": (409, errors.APIStatusError),
    "request_too_large": (413, errors.RequestTooLargeError),
    "rate_limit_error": (429, errors.RateLimitError),
    "api_error": (500, errors.InternalServerError),
    "timeout_error": (504, errors.InternalServerError),
    "overloaded_error": (529, errors.OverloadedError),
}


@pytest.mark.parametrize("error_type", sorted(API_ERROR_TYPES))
def test_every_api_error_type_is_mapped(error_type: str) -> None:
    status, expected = API_ERROR_TYPES[error_type]
    body = json.dumps({"type": "error", "error": {"type": error_type, "message": "m"}}).encode()
    error = status_error(status, {"request-id": "req_1"}, body)
    assert type(error) is expected
    assert (error.status_code, error.error_type, error.request_id) == (status, error_type, "req_1")
