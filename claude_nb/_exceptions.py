"""The one error hierarchy of claude_nb.

Every error the package raises on purpose is a ``ClaudeNBError``::

    ClaudeNBError
    ├── ConfigurationError          no key, bad setting: names what to set
    │   └── CassetteError           a request a cassette cannot answer (nothing was sent)
    ├── ContentError                an object that cannot become a content block
    ├── ToolError                   a tool that cannot be registered or run
    ├── BudgetExceededError         a call that would pass the session's budget
    ├── ReplyFormatError            a reply that cannot be read as the asked format (JSON)
    │   └── StructuredOutputError   a reply that does not match ``output=``'s schema (``.text``)
    └── APIError                    anything that went wrong talking to the API
        ├── TransportError          no HTTP answer at all
        │   ├── APIConnectionError  could not connect, connection dropped
        │   └── APITimeoutError     connect or read timeout
        ├── APIStatusError          an HTTP error response (status_code, error_type, request_id)
        │   ├── BadRequestError         400
        │   ├── AuthenticationError     401
        │   ├── PermissionDeniedError   403
        │   ├── NotFoundError           404
        │   ├── RequestTooLargeError    413
        │   ├── RateLimitError          429
        │   ├── InternalServerError     500 and any other >= 500
        │   └── OverloadedError         529
        └── StreamError             the stream broke after HTTP 200
            ├── StreamEventError        an ``error`` event inside the stream
            ├── IncompleteStreamError   the stream ended without ``message_stop``
            └── MalformedStreamError    bad JSON, bad event order, bad tool input JSON

Every ``APIError`` carries ``partial``: the message accumulated before the failure (a dict in
the API's shape, with its content and usage) or ``None`` when nothing arrived, and ``retries``:
how many retries were made before giving up. No message or repr ever holds an API key: the
messages are built here from the status, the error type and the server's message only, and
anything shaped like a key (``KEY_SHAPE``, the pattern ``claude_nb._api.redact`` uses) in any
message becomes ``REDACTED`` (a path, a URL or a value an error names may be a pasted key).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "KEY_SHAPE",
    "REDACTED",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "CassetteError",
    "ClaudeNBError",
    "ConfigurationError",
    "ContentError",
    "IncompleteStreamError",
    "InternalServerError",
    "MalformedStreamError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReplyFormatError",
    "RequestTooLargeError",
    "StreamError",
    "StreamEventError",
    "StructuredOutputError",
    "ToolError",
    "TransportError",
    "is_interrupt",
    "status_error_class",
]


KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_-]{10,}")
"""Anything shaped like an Anthropic API key (``_api.redact`` applies it to every text)."""

REDACTED = "sk-ant-...REDACTED"
"""What a redacted key becomes (not key-shaped itself)."""


class ClaudeNBError(Exception):
    """Base of every error claude_nb raises on purpose; no message holds a key-shaped string."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(KEY_SHAPE.sub(REDACTED, a) if isinstance(a, str) else a for a in args))


class ConfigurationError(ClaudeNBError):
    """A setting is missing or invalid; the message names what to set."""


class CassetteError(ConfigurationError):
    """A cassette cannot answer: the request was not recorded, or the file is missing or bad."""


class ContentError(ClaudeNBError):
    """An object cannot become a content block (unsupported type, empty, corrupt, too big)."""


class ToolError(ClaudeNBError):
    """A function cannot be registered as a tool, or a tool call cannot be made."""


class BudgetExceededError(ClaudeNBError):
    """Sending the request could take the session past its budget."""


class ReplyFormatError(ClaudeNBError, ValueError):
    """A reply cannot be read in the requested format (``%%claude --format json``: not JSON).

    Also a ``ValueError``, as ``json.JSONDecodeError`` is. The reply itself is kept (the
    session's ``last_reply``); only reading it failed.
    """


class StructuredOutputError(ReplyFormatError):
    """A reply to ``ask(..., output=Model)`` is not JSON of the schema, or not a ``Model``.

    Attributes:
        text: The reply's text, as it arrived.
        problems: One line per mismatch (a path and what is wrong).
        reply: The ``Reply`` (also the session's ``last_reply``), or None.
    """

    def __init__(
        self, message: str, *, text: str = "", problems: list[str] | None = None,
        reply: Any = None,
    ) -> None:
        super().__init__(message)
        self.text = text
        self.problems = list(problems or [])
        self.reply = reply


class APIError(ClaudeNBError):
    """Something went wrong talking to the Messages API.

    Attributes:
        partial: The message accumulated before the failure, or None.
        retries: How many retries were made before this error was raised.
    """

    def __init__(
        self, message: str, *, partial: dict[str, Any] | None = None, retries: int = 0
    ) -> None:
        super().__init__(message)
        self.message: str = self.args[0]  # redacted
        self.partial = partial
        self.retries = retries

    @property
    def partial_text(self) -> str:
        """The text of the partial message ("" when nothing arrived)."""
        if not self.partial:
            return ""
        return "".join(
            block.get("text", "")
            for block in self.partial.get("content", [])
            if block.get("type") == "text"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class TransportError(APIError):
    """No HTTP answer at all: connection refused or dropped, or a timeout."""


class APIConnectionError(TransportError):
    """The connection could not be made or was dropped."""


class APITimeoutError(TransportError):
    """The server did not answer within the timeout."""


class APIStatusError(APIError):
    """The API answered with an HTTP error status.

    Attributes:
        status_code: The HTTP status (200 for an error event inside a stream).
        error_type: The API's ``error.type`` (``overloaded_error``...) or None.
        request_id: The ``request-id`` header or the body's ``request_id``, or None.
        body: The decoded JSON error body, or None when it was not JSON.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        partial: dict[str, Any] | None = None,
        retries: int = 0,
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.request_id = request_id
        self.body = body
        text = f"{status_code} {error_type or 'error'}: {message}"
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text, partial=partial, retries=retries)
        self.api_message = message


class BadRequestError(APIStatusError):
    """400: the request is invalid."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such resource (a model name, a path)."""


class RequestTooLargeError(APIStatusError):
    """413: the request body is over the size limit."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens."""


class InternalServerError(APIStatusError):
    """500 and other server errors."""


class OverloadedError(APIStatusError):
    """529: the API is overloaded; try later."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: RequestTooLargeError,
    429: RateLimitError,
    529: OverloadedError,
}

_ERROR_TYPE_CLASSES: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "request_too_large": RequestTooLargeError,
    "rate_limit_error": RateLimitError,
    "api_error": InternalServerError,
    "overloaded_error": OverloadedError,
}


def status_error_class(status_code: int, error_type: str | None = None) -> type[APIStatusError]:
    """The error class for an HTTP status, refined by the API's error type for status 200.

    A mid-stream ``error`` event arrives with status 200, so its class comes from its type.
    """
    if status_code in _STATUS_CLASSES:
        return _STATUS_CLASSES[status_code]
    if status_code >= 500:
        return InternalServerError
    if error_type in _ERROR_TYPE_CLASSES:
        return _ERROR_TYPE_CLASSES[error_type]
    return APIStatusError


class StreamError(APIError):
    """The stream broke after the HTTP 200 answer; ``partial`` keeps what arrived."""


class StreamEventError(StreamError, APIStatusError):
    """An ``error`` event arrived inside the stream (e.g. ``overloaded_error``).

    It is both a ``StreamError`` (it carries the partial message) and an ``APIStatusError``
    (with ``status_code`` 200 and the event's ``error_type``).
    """

    def __init__(
        self,
        message: str,
        *,
        error_type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        partial: dict[str, Any] | None = None,
        retries: int = 0,
    ) -> None:
        APIStatusError.__init__(
            self,
            message,
            status_code=200,
            error_type=error_type,
            request_id=request_id,
            body=body,
            partial=partial,
            retries=retries,
        )


class IncompleteStreamError(StreamError):
    """The stream ended without ``message_stop``: never a silent success."""


class MalformedStreamError(StreamError):
    """An event could not be decoded, came out of order, or a tool input was not valid JSON."""


def is_interrupt(error: BaseException | None) -> bool:
    """Whether ``error`` stopped a call rather than failed it.

    A ``KeyboardInterrupt`` (Ctrl-C, a Stop button) or the ``CancelledError`` of a cancelled
    task: the partial reply is kept in the history, marked interrupted. Errors (``Exception``)
    are failures; None is neither.
    """
    return error is not None and not isinstance(error, Exception)
