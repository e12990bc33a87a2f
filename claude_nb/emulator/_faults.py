"""Fault injection: parse fault specs and describe what each does to a response.

A spec is ``kind[:argument][;option=value...]``; several are joined with commas. Kinds:
``429``, ``529``, ``500``, ``413``, ``401`` (error answers), ``drop-before-headers`` (close
without an answer), ``error-after:N`` (an ``error`` event after N events, after HTTP 200),
``truncate-after:N`` (the stream stops after N events, no ``message_stop``),
``malformed-after:N`` (invalid JSON data after N events), ``slow-first-byte:S`` (wait S
seconds before the headers). Options: ``retry-after=S``, ``retry-after-ms=MS``,
``should-retry=true|false`` (the ``x-should-retry`` header).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claude_nb.emulator._wire import ApiError

__all__ = ["STATUS_FAULTS", "STREAM_FAULTS", "Fault", "parse_faults"]

STATUS_FAULTS: dict[str, tuple[int, str, str]] = {
    "429": (429, "rate_limit_error", "Number of request tokens has exceeded your rate limit."),
    "529": (529, "overloaded_error", "Overloaded"),
    "500": (500, "api_error", "Internal server error"),
    "413": (413, "request_too_large", "Request exceeds the maximum allowed size."),
    "401": (401, "authentication_error", "invalid x-api-key"),
}
STREAM_FAULTS = ("error-after", "truncate-after", "malformed-after")
OTHER_FAULTS = ("drop-before-headers", "slow-first-byte")
OPTION_HEADERS = {
    "retry-after": "retry-after",
    "retry-after-ms": "retry-after-ms",
    "should-retry": "x-should-retry",
    "x-should-retry": "x-should-retry",
}


@dataclass(frozen=True)
class Fault:
    """One parsed fault.

    Attributes:
        kind: ``"429"``, ``"error-after"``, ``"slow-first-byte"``...
        argument: The number after the colon (events or seconds), 0 when absent.
        headers: Extra response headers from the options.
    """

    kind: str
    argument: float = 0.0
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def status_error(self) -> ApiError:
        """The error answer of a status fault."""
        status, error_type, message = STATUS_FAULTS[self.kind]
        headers = list(self.headers)
        if self.kind == "429" and not any(name == "retry-after" for name, _ in headers):
            headers.append(("retry-after", "1"))
        return ApiError(status, error_type, message, headers)


def _parse_one(spec: str) -> Fault:
    head, *options = [part.strip() for part in spec.split(";")]
    kind, _, argument = head.partition(":")
    kind = kind.strip().lower()
    if kind not in STATUS_FAULTS and kind not in STREAM_FAULTS and kind not in OTHER_FAULTS:
        raise ValueError(f"unknown emulator fault {kind!r}")
    try:
        number = float(argument) if argument else 0.0
    except ValueError:
        raise ValueError(f"bad argument in emulator fault {spec!r}") from None
    headers: list[tuple[str, str]] = []
    for option in options:
        name, _, value = option.partition("=")
        header = OPTION_HEADERS.get(name.strip().lower())
        if header is None or not value:
            raise ValueError(f"unknown option in emulator fault {spec!r}")
        headers.append((header, value.strip()))
    return Fault(kind, number, tuple(headers))


def parse_faults(text: str) -> list[Fault]:
    """Parse a comma-separated list of fault specs.

    Raises:
        ValueError: An unknown kind, argument or option.
    """
    return [_parse_one(spec) for spec in text.split(",") if spec.strip()]
