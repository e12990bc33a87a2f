"""The Message Batches API (``/v1/messages/batches``) over the emulator's simulated time.

Routes: create (``POST``), list (``GET``, newest first, ``limit``/``after_id``/``before_id``),
retrieve (``GET /{id}``), cancel (``POST /{id}/cancel``), delete (``DELETE /{id}``, only once
ended) and results (``GET /{id}/results``, JSONL in a seed-shuffled order, only once ended).

Ids: a batch's id is random (``msgbatch_01`` + 22 letters from ``secrets``), as the service's
are, so a fresh emulator (a restarted kernel's offline one) never hands out an id an earlier
one gave; every other id (``msg_``, ``req_``) stays seed-determined. The results' order is
seeded by the seed and the batch's number in this store (1, 2...), not by its id.

Time: a batch of ``n`` requests created at ``t0`` answers request ``i`` at
``t0 + duration * (i + 1) / n`` (``duration`` is ``Emulator(batch_seconds=...)``), with the same
responder, validation and prompt cache as ``/v1/messages`` at that simulated instant; it ends
when the last one is due. Requests still due after ``expires_at`` (``t0`` + 24 h) expire. A
cancel puts the batch in ``canceling`` for a tenth of its duration (requests in flight still
finish), then every request not yet answered is ``canceled``. Results are archived 29 days
after creation (``archived_at``; the results route then answers 404).

``request_counts`` follow the documented rule: requests stay in ``processing`` until the whole
batch has ended. ``Emulator(batch_progress=True)`` moves them as each request is answered
instead (an emulator option for showing progress; the service does not promise it).

Memory: a store keeps at most ``MAX_BATCHES`` batches and ``MAX_KEPT_REQUESTS`` requests;
creating more drops the oldest batches (their ids then answer 404). A request's params are
dropped once it is answered.
"""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from claude_nb.emulator._batch_create import parse_batch_body
from claude_nb.emulator._wire import (
    JSON_CONTENT_TYPE,
    ApiError,
    EmulatorResponse,
    error_body,
    invalid,
    json_bytes,
)

__all__ = ["BATCHES_PATH", "BatchStore", "batch_operation", "new_batch_id", "results_base"]

BATCHES_PATH = "/v1/messages/batches"
MAX_BATCH_BYTES = 256 * 1024 * 1024
EXPIRY_SECONDS = 24 * 3600.0
ARCHIVE_SECONDS = 29 * 86400.0
CANCEL_GRACE = 0.1
"""The ``canceling`` phase lasts this fraction of the batch's duration."""
MAX_BATCHES = 100
MAX_KEPT_REQUESTS = 1_000_000
RESULTS_CONTENT_TYPE = "application/binary"
"""What the SDK asks for (``Accept: application/binary``); the body is JSONL."""
_ID_LETTERS = string.digits + string.ascii_uppercase + string.ascii_lowercase

Run = Callable[[dict[str, Any], str, str, float], dict[str, Any]]
"""``run(params, version, namespace, now) -> message``; raises ``ApiError`` as /v1/messages."""


def batch_operation(method: str, path: str) -> tuple[str, str | None]:
    """Which batch operation ``method path`` asks for: ``(operation, batch_id)``.

    Raises:
        ApiError: 404 for an unknown path, 405 for a method the path does not take.
    """
    rest = path.removeprefix(BATCHES_PATH).strip("/")
    parts = rest.split("/") if rest else []
    if not parts:
        wanted = {"POST": "create", "GET": "list"}
    elif len(parts) == 1:
        wanted = {"GET": "retrieve", "DELETE": "delete"}
    elif len(parts) == 2 and parts[1] == "cancel":
        wanted = {"POST": "cancel"}
    elif len(parts) == 2 and parts[1] == "results":
        wanted = {"GET": "results"}
    else:
        raise ApiError(404, "not_found_error", f"Not found: {method} {path}")
    if method not in wanted:
        raise ApiError(405, "invalid_request_error", f"Method {method} not allowed")
    return wanted[method], parts[0] if parts else None


def new_batch_id() -> str:
    """A random batch id, ``msgbatch_01`` + 22 letters (unique across processes)."""
    return "msgbatch_01" + "".join(secrets.choice(_ID_LETTERS) for _ in range(22))


def results_base(headers: Mapping[str, str]) -> str:
    """``scheme://host`` the client reached the emulator at (for ``results_url``).

    The host is the request's ``Host``; the scheme is ``x-forwarded-proto`` when given, else
    ``http`` for a host with an explicit port other than 443 (the HTTP front end) and
    ``https`` otherwise (in process, as ``https://api.anthropic.com``).
    """
    host = headers.get("host") or "api.anthropic.com"
    scheme = headers.get("x-forwarded-proto", "")
    if scheme not in ("http", "https"):
        _, colon, port = host.rpartition(":")
        scheme = "http" if colon and port.isdigit() and port != "443" else "https"
    return f"{scheme}://{host}"


def _timestamp(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Batch:
    id: str
    created: float
    custom_ids: list[str]
    params: list[dict[str, Any] | None]
    version: str
    namespace: str
    duration: float
    number: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    cancel_at: float | None = None
    ended: float | None = None
    order: list[int] = field(default_factory=list)

    def due(self, index: int) -> float:
        return self.created + self.duration * (index + 1) / len(self.custom_ids)

    def end(self) -> tuple[float, str]:
        """When processing ends and what becomes of requests not answered by then."""
        ends = [(self.due(len(self.custom_ids) - 1), "done")]
        ends.append((self.created + EXPIRY_SECONDS, "expired"))
        if self.cancel_at is not None:
            ends.append((self.cancel_at + self.duration * CANCEL_GRACE, "canceled"))
        return min(ends, key=lambda pair: pair[0])


class BatchStore:
    """The batches of one emulator (call under the emulator's lock).

    Args:
        run: Answers one request's params as ``/v1/messages`` would (non-streamed).
        new_id: The emulator's id maker (``req_`` of an errored request; batch ids are random).
        seed: Seeds the order of each results file (with the batch's number).
        duration: Seconds a batch takes to process, simulated.
        progress: Move ``request_counts`` as requests are answered (not only at the end).
    """

    def __init__(
        self,
        run: Run,
        new_id: Callable[[str], str],
        *,
        seed: int = 0,
        duration: float = 3.0,
        progress: bool = False,
    ) -> None:
        if not duration >= 0:  # also refuses NaN
            raise ValueError(f"batch duration must be >= 0, not {duration}")
        self._run = run
        self._new_id = new_id
        self._seed = seed
        self.duration = duration
        self.progress = progress
        self._batches: dict[str, _Batch] = {}
        self._created = 0

    def __len__(self) -> int:
        return len(self._batches)

    def answer(
        self,
        operation: str,
        batch_id: str | None,
        *,
        query: str,
        raw: bytes,
        version: str,
        namespace: str,
        now: float,
        base_url: str,
    ) -> EmulatorResponse:
        """Carry out one batch operation (from ``batch_operation``) at simulated time ``now``."""
        if operation == "create":
            batch = self._create(raw, version, namespace, now)
            return _json(self._object(batch, now, base_url))
        if operation == "list":
            return _json(self._list(query, now, base_url))
        batch = self._get(batch_id or "")
        self._advance(batch, now)
        if operation == "retrieve":
            return _json(self._object(batch, now, base_url))
        if operation == "cancel":
            if batch.ended is not None:
                raise invalid(
                    f"Message Batch {batch.id} has already ended and can no longer be canceled."
                )
            if batch.cancel_at is None:
                batch.cancel_at = now
                self._advance(batch, now)
            return _json(self._object(batch, now, base_url))
        if operation == "delete":
            if batch.ended is None:
                raise invalid(
                    f"Message Batch {batch.id} is still processing; a batch can be deleted "
                    "only once it has ended. To delete it now, cancel it first."
                )
            del self._batches[batch.id]
            return _json({"id": batch.id, "type": "message_batch_deleted"})
        return self._results(batch, now)

    def _create(self, raw: bytes, version: str, namespace: str, now: float) -> _Batch:
        pairs = parse_batch_body(raw, MAX_BATCH_BYTES)
        self._created += 1
        batch = _Batch(
            id=new_batch_id(),
            created=now,
            custom_ids=[custom_id for custom_id, _ in pairs],
            params=[params for _, params in pairs],
            version=version,
            namespace=namespace,
            duration=self.duration,
            number=self._created,
        )
        self._batches[batch.id] = batch
        kept = sum(len(item.custom_ids) for item in self._batches.values())
        while len(self._batches) > 1 and (
            len(self._batches) > MAX_BATCHES or kept > MAX_KEPT_REQUESTS
        ):
            oldest = next(iter(self._batches))
            kept -= len(self._batches.pop(oldest).custom_ids)
        return batch  # answered ``in_progress``, as the service does, even if due at once

    def _get(self, batch_id: str) -> _Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise ApiError(404, "not_found_error", f"message_batch: {batch_id}")
        return batch

    def _advance(self, batch: _Batch, now: float) -> None:
        """Answer every request due by ``now``; end the batch once its end is reached."""
        if batch.ended is not None:
            return
        end, fate = batch.end()
        horizon = min(now, end)
        total = len(batch.custom_ids)
        while len(batch.results) < total and batch.due(len(batch.results)) <= horizon:
            batch.results.append(self._process(batch, len(batch.results)))
        if now < end:
            return
        batch.results.extend({"type": fate} for _ in range(total - len(batch.results)))
        batch.params = []
        batch.ended = end
        batch.order = list(range(total))
        random.Random(f"{self._seed}:{batch.number}").shuffle(batch.order)

    def _process(self, batch: _Batch, index: int) -> dict[str, Any]:
        params = batch.params[index]
        batch.params[index] = None
        try:
            message = self._run(params or {}, batch.version, batch.namespace, batch.due(index))
        except ApiError as error:
            envelope = error_body(error.error_type, error.message, self._new_id("req_"))
            return {"type": "errored", "error": envelope}
        return {"type": "succeeded", "message": message}

    def _counts(self, batch: _Batch) -> dict[str, int]:
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if batch.ended is None and not self.progress:
            counts["processing"] = len(batch.custom_ids)
            return counts
        for result in batch.results:
            counts[result["type"]] += 1
        counts["processing"] = len(batch.custom_ids) - len(batch.results)
        return counts

    def _object(self, batch: _Batch, now: float, base_url: str) -> dict[str, Any]:
        if batch.ended is not None:
            status = "ended"
        elif batch.cancel_at is not None:
            status = "canceling"
        else:
            status = "in_progress"
        archive = batch.created + ARCHIVE_SECONDS
        results_url = f"{base_url}{BATCHES_PATH}/{batch.id}/results"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": self._counts(batch),
            "ended_at": _timestamp(batch.ended),
            "created_at": _timestamp(batch.created),
            "expires_at": _timestamp(batch.created + EXPIRY_SECONDS),
            "cancel_initiated_at": _timestamp(batch.cancel_at),
            "archived_at": _timestamp(archive if now >= archive else None),
            "results_url": results_url if batch.ended is not None else None,
        }

    def _list(self, query: str, now: float, base_url: str) -> dict[str, Any]:
        params = {key: values[-1] for key, values in parse_qs(query).items()}
        try:
            limit = int(params.get("limit", "20"))
        except ValueError:
            raise invalid("limit: Input should be a valid integer") from None
        if not 1 <= limit <= 1000:
            raise invalid("limit: Input should be between 1 and 1000")
        ids = list(reversed(self._batches))  # newest first
        if "after_id" in params:
            start = ids.index(self._get(params["after_id"]).id) + 1
            page, has_more = ids[start : start + limit], start + limit < len(ids)
        elif "before_id" in params:
            stop = ids.index(self._get(params["before_id"]).id)
            page, has_more = ids[max(0, stop - limit) : stop], stop - limit > 0
        else:
            page, has_more = ids[:limit], limit < len(ids)
        data = []
        for batch_id in page:
            batch = self._batches[batch_id]
            self._advance(batch, now)
            data.append(self._object(batch, now, base_url))
        return {
            "data": data,
            "has_more": has_more,
            "first_id": page[0] if page else None,
            "last_id": page[-1] if page else None,
        }

    def _results(self, batch: _Batch, now: float) -> EmulatorResponse:
        if batch.ended is None:
            raise invalid(
                f"Message Batch {batch.id} has not finished processing; its results are "
                "available once processing_status is 'ended'."
            )
        if now >= batch.created + ARCHIVE_SECONDS:
            raise ApiError(
                404,
                "not_found_error",
                f"The results of Message Batch {batch.id} were archived and are no longer "
                "available.",
            )
        lines = [
            json_bytes({"custom_id": batch.custom_ids[index], "result": batch.results[index]})
            for index in batch.order
        ]
        body = b"\n".join(lines) + b"\n"
        return EmulatorResponse(200, [("content-type", RESULTS_CONTENT_TYPE)], body)


def _json(payload: Any) -> EmulatorResponse:
    return EmulatorResponse(200, [("content-type", JSON_CONTENT_TYPE)], json_bytes(payload))
