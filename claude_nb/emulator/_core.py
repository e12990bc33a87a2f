"""The emulator: one sans-I/O core (``Emulator.handle``), a handler any front end can serve.

Two front ends serve it without the core knowing them: the stdlib HTTP server
(``Emulator.serve``, ``python -m claude_nb.emulator``) and, in process, the client's
``claude_nb._wire.handler_transport.HandlerTransport(emulator.handle)``.

``handle(method, target, headers, body)`` logs the request (key redacted; the last
``log_requests`` only, its body parsed when read), applies faults
(injected FIFO first, then the ``x-emulator-fault`` header), checks the headers, routes, and
returns an ``EmulatorResponse``. All state (cache, fault queue, log, id counter) lives on the
instance behind one lock, so one emulator can serve several threads.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from claude_nb.emulator._batches import BATCHES_PATH, BatchStore, batch_operation, results_base
from claude_nb.emulator._betas import check_betas
from claude_nb.emulator._cache import PromptCache
from claude_nb.emulator._diagnostics import DiagnosticsLog
from claude_nb.emulator._faults import STATUS_FAULTS, STREAM_FAULTS, Fault, parse_faults
from claude_nb.emulator._files import FILES_PATH, FileStore, files_operation
from claude_nb.emulator._messages import MessageContext, ResponderLike, count_tokens, create_message
from claude_nb.emulator._models_api import check_available, list_models, retrieve_model
from claude_nb.emulator._offline import OfflineResponder
from claude_nb.emulator._sse_writer import Pacing
from claude_nb.emulator._validate import parse_json_body, validate_headers
from claude_nb.emulator._validate_turns import ThinkingLedger
from claude_nb.emulator._wire import (
    JSON_CONTENT_TYPE,
    ApiError,
    EmulatorResponse,
    error_body,
    invalid,
    json_bytes,
)

__all__ = ["DEFAULT_LOG_REQUESTS", "Emulator", "RecordedRequest", "RequestLog"]

SECRET_HEADERS = frozenset({"x-api-key", "authorization"})
ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RATE_LIMITS = {"requests": 4000, "tokens": 2_000_000, "input-tokens": 2_000_000}
OUTPUT_TOKEN_LIMIT = 400_000
DEFAULT_LOG_REQUESTS = 32
"""Requests ``Emulator.requests`` keeps by default: a long conversation re-sends its whole
history every turn, so an unbounded log grows with the square of its length."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received (the API key is never kept).

    Attributes:
        method: HTTP method.
        path: Path with query string.
        headers: Lower-case header names; ``x-api-key`` and ``authorization`` redacted.
        raw: The body's bytes as received.
    """

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes = field(default=b"", repr=False)

    @property
    def body(self) -> Any:
        """The parsed JSON body (a fresh parse each read), or None when absent or not JSON."""
        if not self.raw:
            return None
        try:
            return parse_json_body(self.raw)
        except ApiError:
            return None


class RequestLog(list[RecordedRequest]):
    """The emulator's request log: a list that keeps only its last ``limit`` entries.

    Args:
        limit: How many to keep (None: all, for tests that count every request).
    """

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit

    def append(self, item: RecordedRequest) -> None:
        super().append(item)
        if self.limit is not None and len(self) > self.limit:
            del self[: len(self) - self.limit]


def _namespace(key: str) -> str:
    """The prompt cache's namespace for an API key (the key itself is never kept)."""
    return hashlib.sha256(b"emulator-cache:" + key.encode("utf-8")).hexdigest()[:16]


class Emulator:
    """An offline stand-in for the Claude Messages API.

    Args:
        require_key: Reject requests without an API key (any non-empty key is accepted).
        responder: What the model says: an object with ``respond(body)``, a callable
            ``(body) -> turn``, or None for ``OfflineResponder``.
        clock: Seconds since the epoch (prompt-cache TTLs and rate-limit resets).
        pacing: Simulated model speed for streams, or None for no delays.
        seed: Seeds ids and where tool JSON is split, for reproducible streams.
        accept_any_beta: Accept every ``anthropic-beta`` name, not only ``KNOWN_BETAS``.
        batch_seconds: Simulated seconds a Message Batch takes to process (on ``clock``).
        batch_progress: Move a batch's ``request_counts`` as each request is answered; the
            service documents them as moving only once the whole batch has ended (default).
        log_requests: How many of the latest requests ``requests`` keeps (None: all).

    Attributes:
        requests: The latest requests (a ``RequestLog``, oldest first; at most
            ``log_requests``).
        requests_seen: How many requests were handled in all.
    """

    def __init__(
        self,
        require_key: bool = True,
        responder: ResponderLike | None = None,
        clock: Callable[[], float] = time.time,
        pacing: Pacing | None = None,
        seed: int = 0,
        accept_any_beta: bool = False,
        batch_seconds: float = 3.0,
        batch_progress: bool = False,
        log_requests: int | None = DEFAULT_LOG_REQUESTS,
    ) -> None:
        self.require_key = require_key
        self.responder: ResponderLike = responder if responder is not None else OfflineResponder()
        self.clock = clock
        self.pacing = pacing
        self.seed = seed
        self.accept_any_beta = accept_any_beta
        self.requests = RequestLog(log_requests)
        self.requests_seen = 0
        self._faults: deque[list[Fault]] = deque()
        self._cache = PromptCache()
        self._thinking = ThinkingLedger()
        self._diagnostics = DiagnosticsLog()
        self._counter = itertools.count(1)
        self._lock = threading.RLock()
        self._files = FileStore(self.new_id)
        self._batches = BatchStore(
            self._batched_message,
            self.new_id,
            seed=seed,
            duration=batch_seconds,
            progress=batch_progress,
        )

    def __repr__(self) -> str:
        return (
            f"Emulator(require_key={self.require_key}, responder={self.responder!r}, "
            f"requests={len(self.requests)})"
        )

    def inject(self, fault: str, times: int = 1) -> None:
        """Apply ``fault`` to each of the next ``times`` requests (after earlier injections).

        Args:
            fault: A fault spec such as ``"529"``, ``"429;retry-after=0.01"``,
                ``"error-after:3"`` or several joined with commas.
            times: How many requests it applies to.

        Raises:
            ValueError: An unknown fault spec.
        """
        parsed = parse_faults(fault)
        with self._lock:
            self._faults.extend([parsed] * times)

    def new_id(self, prefix: str) -> str:
        """A fresh, seed-determined id such as ``msg_01...``."""
        with self._lock:
            number = next(self._counter)
        digest = hashlib.sha256(f"{self.seed}:{prefix}:{number}".encode()).digest()
        value = int.from_bytes(digest[:16], "big")
        letters = []
        for _ in range(22):
            value, remainder = divmod(value, len(ID_ALPHABET))
            letters.append(ID_ALPHABET[remainder])
        return prefix + "01" + "".join(letters)

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> EmulatorResponse:
        """Answer one HTTP request (sans I/O).

        Args:
            method: HTTP method.
            target: Path and optional query (``/v1/models?limit=2``).
            headers: Request headers (any case).
            body: Raw request body.
        """
        lowered = {name.lower(): value for name, value in headers.items()}
        request_id = self.new_id("req_")
        logged = {
            name: ("[redacted]" if name in SECRET_HEADERS else value)
            for name, value in lowered.items()
        }
        with self._lock:
            self.requests.append(RecordedRequest(method.upper(), target, logged, bytes(body)))
            self.requests_seen += 1
            faults = self._faults.popleft() if self._faults else []
        delay = 0.0
        try:
            try:
                faults = faults + parse_faults(lowered.get("x-emulator-fault", ""))
            except ValueError as error:
                raise invalid(f"x-emulator-fault: {error}") from None
            for fault in faults:
                if fault.kind == "drop-before-headers":
                    return EmulatorResponse(0, drop=True)
                if fault.kind == "slow-first-byte":
                    delay += fault.argument
            for fault in faults:
                if fault.kind in STATUS_FAULTS:
                    raise fault.status_error()
            response = self._route(method.upper(), target, lowered, body, faults)
        except ApiError as error:
            response = self._error_response(error, request_id)
        response.headers.append(("request-id", request_id))
        response.first_byte_delay += delay
        return response

    def _error_response(self, error: ApiError, request_id: str) -> EmulatorResponse:
        payload = error_body(error.error_type, error.message, request_id)
        headers = [("content-type", JSON_CONTENT_TYPE), *error.headers]
        if error.status == 429:
            headers += self.rate_headers(0, 0, exhausted=True)
        return EmulatorResponse(error.status, headers, json_bytes(payload))

    def _route(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        raw: bytes,
        faults: list[Fault],
    ) -> EmulatorResponse:
        path, _, query = target.partition("?")
        path = path.rstrip("/")
        if path == BATCHES_PATH or path.startswith(BATCHES_PATH + "/"):
            return self._batch_route(method, path, query, headers, raw)
        if path == FILES_PATH or path.startswith(FILES_PATH + "/"):
            return self._files_route(method, path, query, headers, raw)
        known = path in ("/v1/messages", "/v1/messages/count_tokens", "/v1/models")
        if not known and not path.startswith("/v1/models/"):
            raise ApiError(404, "not_found_error", f"Not found: {method} {path}")
        wanted = "GET" if path.startswith("/v1/models") else "POST"
        if method != wanted:
            raise ApiError(405, "invalid_request_error", f"Method {method} not allowed")
        version, key = validate_headers(headers, require_key=self.require_key)
        check_betas(headers.get("anthropic-beta"), accept_any=self.accept_any_beta)
        if path == "/v1/models":
            return self._json(list_models(query))
        if path.startswith("/v1/models/"):
            return self._json(retrieve_model(path.removeprefix("/v1/models/")))
        namespace = _namespace(key)
        del key  # never kept beyond this point
        with self._lock:
            body = self._files.resolve_file_sources(parse_json_body(raw), namespace)
        check_available(body, self.clock())
        if path == "/v1/messages/count_tokens":
            return self._json(count_tokens(body, version, self._thinking))
        stream_faults = [fault for fault in faults if fault.kind in STREAM_FAULTS]
        context = self._message_context(namespace, self.clock(), stream_faults)
        with self._lock:
            return create_message(body, version, headers, context=context)

    def _message_context(
        self, namespace: str, now: float, stream_faults: list[Fault]
    ) -> MessageContext:
        return MessageContext(
            responder=self.responder,
            cache=self._cache,
            thinking=self._thinking,
            diagnostics=self._diagnostics,
            namespace=namespace,
            now=now,
            pacing=self.pacing,
            seed=self.seed,
            stream_faults=stream_faults,
            new_id=self.new_id,
            rate_headers=self.rate_headers,
        )

    def _batch_route(
        self, method: str, path: str, query: str, headers: dict[str, str], raw: bytes
    ) -> EmulatorResponse:
        operation, batch_id = batch_operation(method, path)
        version, key = validate_headers(headers, require_key=self.require_key)
        check_betas(headers.get("anthropic-beta"), accept_any=self.accept_any_beta)
        namespace = _namespace(key)
        del key  # never kept beyond this point
        with self._lock:
            return self._batches.answer(
                operation,
                batch_id,
                query=query,
                raw=raw,
                version=version,
                namespace=namespace,
                now=self.clock(),
                base_url=results_base(headers),
            )

    def _files_route(
        self, method: str, path: str, query: str, headers: dict[str, str], raw: bytes
    ) -> EmulatorResponse:
        operation, file_id = files_operation(method, path)
        _, key = validate_headers(headers, require_key=self.require_key)
        check_betas(headers.get("anthropic-beta"), accept_any=self.accept_any_beta)
        namespace = _namespace(key)
        del key  # never kept beyond this point
        with self._lock:
            payload, content_type = self._files.answer(
                operation, file_id, headers=headers, query=query, raw=raw,
                namespace=namespace, now=self.clock(),
            )
        if isinstance(payload, bytes):
            return EmulatorResponse(200, [("content-type", content_type)], payload)
        return self._json(payload)

    def _batched_message(
        self, params: dict[str, Any], version: str, namespace: str, now: float
    ) -> dict[str, Any]:
        """One request of a batch, answered as ``/v1/messages`` would at simulated ``now``."""
        check_available(params, now)
        context = self._message_context(namespace, now, [])
        with self._lock:
            response = create_message(params, version, {}, context=context)
        message: dict[str, Any] = json.loads(response.body)
        message["usage"]["service_tier"] = "batch"
        return message

    @staticmethod
    def _json(payload: Any) -> EmulatorResponse:
        return EmulatorResponse(200, [("content-type", JSON_CONTENT_TYPE)], json_bytes(payload))

    def rate_headers(
        self, input_tokens: int, output_tokens: int, *, exhausted: bool = False
    ) -> list[tuple[str, str]]:
        """Realistic ``anthropic-ratelimit-*`` headers (a fresh minute per request)."""
        reset = datetime.fromtimestamp(self.clock() + 60, tz=timezone.utc)
        reset_text = reset.strftime("%Y-%m-%dT%H:%M:%SZ")
        used = {
            "requests": 1,
            "tokens": input_tokens + output_tokens,
            "input-tokens": input_tokens,
            "output-tokens": output_tokens,
        }
        limits = {**RATE_LIMITS, "output-tokens": OUTPUT_TOKEN_LIMIT}
        headers: list[tuple[str, str]] = []
        for name, limit in limits.items():
            remaining = 0 if exhausted else max(0, limit - used[name])
            if name != "requests":
                remaining = round(remaining, -3)
            headers += [
                (f"anthropic-ratelimit-{name}-limit", str(limit)),
                (f"anthropic-ratelimit-{name}-remaining", str(remaining)),
                (f"anthropic-ratelimit-{name}-reset", reset_text),
            ]
        return headers

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Run a real HTTP/1.1 server in a background thread; yields its base URL.

        Args:
            host: Interface to bind.
            port: Port (0 picks a free one).
        """
        from claude_nb.emulator._server import running_server

        with running_server(self.handle, host, port) as base_url:
            yield base_url
