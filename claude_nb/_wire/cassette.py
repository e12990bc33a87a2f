"""A cassette: API exchanges recorded once with a key, replayed later without one.

The file is JSON lines, one exchange each, keys sorted (diff-friendly)::

    {"request":{"body":{...},"headers":{"anthropic-version":"2023-06-01"},"method":"POST",
                "path":"/v1/messages"},
     "response":{"elapsed":0.84,"events":[[0.312,{"type":"message_start",...}],...],
                 "headers":{"content-type":"text/event-stream","request-id":"req_..."},
                 "status":200}}

The request is *normalised*: no key, no auth or volatile headers (only ``anthropic-version``
and ``anthropic-beta`` are kept, as they change the answer), the body parsed, and every base64
image or document replaced by ``{"sha256", "bytes", "media_type"}`` (the bytes themselves are
not needed to match, so they are never stored). The response keeps the status, the headers
worth keeping (request id, rate limits, content type) and either the SSE events with the
seconds since the request was sent, or the JSON body. Key-shaped strings and the configured key
are redacted from every line before it is written (``_api.redact``).

Matching is by the normalised request. The same request made twice replays its recordings in
recorded order (the last one again once they run out: a re-run cell still answers). A miss is a
``CassetteError`` naming the cassette and the first field that differs from the nearest
recorded request. Transient failures (429, 5xx, overloaded streams) are never recorded: the
retry that followed them is. The I/O (httpx transports) is ``_wire.cassette_transport``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from claude_nb._api.redact import redact, redact_value
from claude_nb._exceptions import CassetteError
from claude_nb._wire.retry import RETRYABLE_STATUSES, TRANSIENT_STREAM_ERRORS

__all__ = ["REPLAYED_HEADER", "Cassette", "Exchange", "normalise_request"]

REPLAYED_HEADER = "x-claude-nb-replayed"
"""Added to a replayed response: the cassette's file name (the footer and ledger read it)."""

MATCHED_HEADERS = ("anthropic-version", "anthropic-beta")
KEPT_RESPONSE_HEADERS = ("content-type", "request-id", "retry-after")
KEPT_PREFIXES = ("anthropic-ratelimit-",)


def _hash_media(value: Any) -> Any:
    """``value`` with every base64 source's ``data`` replaced by its hash and size."""
    if isinstance(value, list):
        return [_hash_media(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("type") == "base64" and isinstance(value.get("data"), str):
        data = value["data"].encode("ascii", "replace")
        digest = hashlib.sha256(data).hexdigest()
        rest = {k: v for k, v in value.items() if k != "data"}
        return {**rest, "bytes": len(data), "sha256": digest}
    return {key: _hash_media(item) for key, item in value.items()}


def normalise_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """What a request is matched by, and how it is written: no key, no volatile header."""
    request: dict[str, Any] = {"method": method.upper(), "path": path}
    if query:
        request["query"] = dict(sorted(parse_qsl(query)))
    lowered = {name.lower(): value for name, value in headers.items()}
    kept = {name: lowered[name] for name in MATCHED_HEADERS if name in lowered}
    if kept:
        request["headers"] = kept
    if body:
        try:
            value: Any = json.loads(body)
        except ValueError:
            value = {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        request["body"], _ = redact_value(_hash_media(value), secrets)
    return request


def request_key(request: Mapping[str, Any]) -> str:
    """The canonical text two equal requests share."""
    return json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Exchange:
    """One recorded request and its response.

    Attributes:
        request: The normalised request.
        status: The HTTP status.
        headers: The kept response headers.
        events: ``(seconds since the request, event data, event name)`` of a streamed answer.
        body: The JSON body of an answer that was not streamed.
        elapsed: Seconds from the request to the end of the answer.
    """

    request: dict[str, Any]
    status: int
    headers: dict[str, str]
    events: list[tuple[float, Any, str]] | None = None
    body: Any = None
    elapsed: float = 0.0

    def to_line(self, secrets: Iterable[str] = ()) -> str:
        """The exchange as one JSON line (key-shaped strings redacted)."""
        response: dict[str, Any] = {
            "elapsed": round(self.elapsed, 3),
            "headers": self.headers,
            "status": self.status,
        }
        if self.events is not None:
            response["events"] = [
                [round(t, 3), data]
                if isinstance(data, dict) and data.get("type") == name
                else [round(t, 3), data, name]
                for t, data, name in self.events
            ]
        else:
            response["body"] = self.body
        line = {"request": self.request, "response": response}
        text = json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return redact(text, secrets)[0]

    @classmethod
    def from_line(cls, line: str) -> Exchange:
        """Parse one line of a cassette."""
        data = json.loads(line)
        response = data["response"]
        events = response.get("events")
        return cls(
            request=data["request"],
            status=int(response["status"]),
            headers=dict(response.get("headers") or {}),
            events=None
            if events is None
            else [
                (float(item[0]), item[1], str(item[2]) if len(item) > 2 else item[1]["type"])
                for item in events
            ],
            body=response.get("body"),
            elapsed=float(response.get("elapsed") or 0.0),
        )

    @property
    def transient(self) -> bool:
        """A failure a retry may fix: never recorded (the retry is)."""
        if self.status in RETRYABLE_STATUSES or self.status >= 500:
            return True
        for _, data, _name in self.events or ():
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict) and error.get("type") in TRANSIENT_STREAM_ERRORS:
                return True
        return False


def keep_response_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The response headers a cassette keeps, names lower-cased and sorted."""
    kept = {
        name.lower(): value
        for name, value in headers
        if name.lower() in KEPT_RESPONSE_HEADERS or name.lower().startswith(KEPT_PREFIXES)
    }
    return dict(sorted(kept.items()))


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key in value:
            found.update(_leaves(value[key], f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(value, list) and value:
        found = {}
        for index, item in enumerate(value):
            found.update(_leaves(item, f"{path}[{index}]"))
        return found
    return {path: value}


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not _MISSING else "nothing"
    return text if len(text) <= 60 else text[:57] + "..."


_MISSING = object()


def first_difference(recorded: Mapping[str, Any], request: Mapping[str, Any]) -> str:
    """``field: X recorded, Y now`` for the first leaf (in the request's order) that differs."""
    old, new = _leaves(recorded), _leaves(request)
    for path in [*new, *(p for p in old if p not in new)]:
        if old.get(path, _MISSING) != new.get(path, _MISSING):
            recorded_value, now = old.get(path, _MISSING), new.get(path, _MISSING)
            return (
                f"{path or 'the request'} differs ({_short(recorded_value)} recorded, "
                f"{_short(now)} now)"
            )
    return "nothing differs"


def _last_prompt(request: Mapping[str, Any]) -> str:
    """`` for "the prompt"``: the last message's first text, shortened ("" if none)."""
    body = request.get("body")
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return ""
    content = messages[-1].get("content")
    texts = (
        [content]
        if isinstance(content, str)
        else [
            block.get("text") or block.get("content")
            for block in content or []
            if isinstance(block, dict)
        ]
    )
    text = next((t for t in texts if isinstance(t, str) and t.strip()), None)
    return f" for {_short(' '.join(text.split()))}" if text else ""


@dataclass
class Cassette:
    """The exchanges of one file, matched in recorded order; appended to as they are recorded.

    Shared by a session's sync and async transports (a lock guards it).

    Args:
        path: The ``.jsonl`` file.
        mode: ``record``, ``replay`` or ``auto``.
        speed: How fast streams replay: 1 at the recorded pace, 2 twice as fast, 0 at once.
        secrets: The configured key(s), redacted from every line.
    """

    path: Path
    mode: str = "auto"
    speed: float = 1.0
    secrets: tuple[str, ...] = ()
    replayed_thinking: set[str] = field(default_factory=set)
    _by_key: dict[str, list[Exchange]] | None = field(default=None, repr=False)
    _used: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        """The file name the footer shows."""
        return self.path.name

    def _load(self) -> dict[str, list[Exchange]]:
        if self._by_key is None:
            self._by_key = {}
            if self.mode == "replay" and not self.path.is_file():
                raise CassetteError(
                    f"cassette {self.path} not found: record it first with a key "
                    "(cassette_mode='record' or 'auto')"
                )
            lines = self.path.read_text("utf-8").splitlines() if self.path.is_file() else []
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    exchange = Exchange.from_line(line)
                except (ValueError, KeyError, TypeError, IndexError) as error:
                    raise CassetteError(
                        f"cassette {self.path}, line {number}, is not an exchange ({error})"
                    ) from error
                self._by_key.setdefault(request_key(exchange.request), []).append(exchange)
        return self._by_key

    def find(self, request: dict[str, Any]) -> Exchange | None:
        """The next recording of ``request`` (its last one again when they ran out), or None."""
        if self.mode == "record":
            return None
        key = request_key(request)
        with self._lock:
            found = self._load().get(key)
            if not found:
                return None
            index = self._used.get(key, 0)
            self._used[key] = index + 1
            exchange = found[min(index, len(found) - 1)]
        self._note_thinking(exchange)
        return exchange

    def _note_thinking(self, exchange: Exchange) -> None:
        """Remember replayed thinking signatures: they belong to the recording account."""
        blocks = (
            list((exchange.body or {}).get("content") or [])
            if isinstance(exchange.body, dict)
            else []
        )
        for _, data, _name in exchange.events or ():
            if isinstance(data, dict):
                blocks += [data.get("content_block") or {}, data.get("delta") or {}]
        for block in blocks:
            for name in ("signature", "data"):
                if block.get("type") in (
                    "thinking",
                    "redacted_thinking",
                    "signature_delta",
                ) and isinstance(block.get(name), str):
                    self.replayed_thinking.add(block[name])

    def record(self, exchange: Exchange) -> None:
        """Append ``exchange`` to the file (and to what later requests match), unless transient."""
        if exchange.transient:
            return
        line = exchange.to_line(self.secrets)
        with self._lock:
            if self._by_key is not None:
                key = request_key(exchange.request)
                self._by_key.setdefault(key, []).append(exchange)
                self._used[key] = self._used.get(key, 0) + 1  # answered: not to be replayed
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def miss(self, request: dict[str, Any]) -> CassetteError:
        """The one-line error for a request the cassette cannot answer."""
        with self._lock:
            recorded = [
                exchange.request
                for exchanges in self._load().values()
                for exchange in exchanges[:1]
                if exchange.request.get("path") == request.get("path")
                and exchange.request.get("method") == request.get("method")
            ]
        where = f"{request.get('method')} {request.get('path')}"
        why = self._nearest(recorded, request) if recorded else f"no {where} was recorded"
        return CassetteError(
            f"{where}{_last_prompt(request)} is not in the cassette {self.name} "
            f"(cassette_mode={self.mode!r}, nothing was sent): {why}; re-record it with a key "
            "(cassette_mode='record' or 'auto')"
        )

    @staticmethod
    def _nearest(recorded: list[dict[str, Any]], request: dict[str, Any]) -> str:
        now = _leaves(request)

        def distance(candidate: dict[str, Any]) -> int:
            old = _leaves(candidate)
            return sum(old.get(p, _MISSING) != now.get(p, _MISSING) for p in {*old, *now})

        nearest = min(reversed(recorded), key=distance)  # ties: the latest recorded
        return first_difference(nearest, request) + " against the nearest recorded request"
