"""``BatchJob``: a ``Session.map(..., batch=True)`` running as a Message Batch (half price).

    create(session, bodies, labels) -> POST /v1/messages/batches (custom_id item-<n>)
        -> saved in the history store (``_store.batch_jobs``) -> BatchJob, returned at once
    job.status() / job.wait(timeout) -> GET the batch, polled with back-off; progress bar
    job.results() -> GET .../results (JSONL, any order) matched by custom_id -> MapResult:
        succeeded rows are Replies priced at the batch rate (``batch=True``), recorded in the
        ledger and the store once; errored, canceled and expired rows are errors, not billed
    job.cancel()

After a kernel restart the store still has the job: ``session.batches()`` lists them and
``BatchJob.resume(id)`` (the kernel's session; or ``session.resume_batch(id)``) picks one up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from claude_nb._accounting.money import format_usd
from claude_nb._exceptions import APIError, ConfigurationError, status_error_class
from claude_nb._session.map_result import MapResult
from claude_nb._session.map_run import TextProgress
from claude_nb._session.reply import Reply
from claude_nb._store.batch_jobs import StoredJob, list_jobs, load_job, save_job
from claude_nb._store.store import Store

if TYPE_CHECKING:
    from claude_nb._session.map_run import MapProgress

Session = Any
"""A ``claude_nb.Session`` (not imported here: ``session.py`` imports this module)."""

__all__ = ["BatchJob", "BatchList", "custom_id", "list_batches"]

POLL_FIRST, POLL_MAX = 1.0, 60.0
"""Seconds between polls: from the first, growing by half each time, up to the last."""


def custom_id(position: int) -> str:
    """The ``custom_id`` of the item at ``position``."""
    return f"item-{position}"


class BatchJob:
    """A Message Batch made by ``map``: poll it, wait for it, fetch its results, cancel it.

    Attributes:
        id: The batch id (``msgbatch_...``).
        batch: The batch object as last retrieved (``processing_status``,
            ``request_counts``...).
        labels: The items' labels in order.
    """

    def __init__(self, session: Session, stored: StoredJob, batch: Mapping[str, Any]) -> None:
        self.session = session
        self._stored = stored
        self.id = stored.id
        self.batch: dict[str, Any] = dict(batch)
        self.labels = stored.labels
        self._result: MapResult | None = None

    # -- making and finding ------------------------------------------------------------

    @classmethod
    def create(
        cls,
        session: Session,
        bodies: Sequence[dict[str, Any]],
        labels: list[Any],
        notebook_path: str | None = None,
    ) -> BatchJob:
        """Send the bodies as one batch and save the job (nothing is sent on a bad body)."""
        requests: list[dict[str, Any]] = []
        for position, body in enumerate(bodies):
            params = {key: value for key, value in body.items() if key != "stream"}
            for check in session.before_send:  # a refusal (a budget) before anything is sent
                check(params)
            requests.append({"custom_id": custom_id(position), "params": params})
        batch = session._clients.batches().create_batch(requests)
        stored = StoredJob(
            id=str(batch["id"]),
            model=str(bodies[0].get("model")),
            base_url=session.settings.base_url,
            notebook_path=notebook_path,
            status=str(batch.get("processing_status", "in_progress")),
            counts=dict(batch.get("request_counts") or {}),
            labels=list(labels),
        )
        job = cls(session, stored, batch)
        job._save()
        return job

    default_session: ClassVar[Callable[[], Session] | None] = None
    """Where ``resume`` finds a session when given none: ``claude_nb.get_session`` (the
    kernel's), set by the package when ``claude_nb.BatchJob`` is first read (this layer
    cannot import the notebook's)."""

    @classmethod
    def resume(cls, batch_id: str, session: Session | None = None) -> BatchJob:
        """The stored job with this id (or unique prefix), status refreshed.

        ``session`` defaults to the kernel's (``claude_nb.get_session()``), so after a restart
        ``claude_nb.BatchJob.resume(id)`` picks the job up and its results go into the
        kernel's ledger. ``session.resume_batch(id)`` is the same on a given session.
        """
        if session is None:
            if cls.default_session is None:
                raise ConfigurationError(
                    "BatchJob.resume(id) needs a session here: pass one, or use "
                    "session.resume_batch(id)"
                )
            session = cls.default_session()
        stored = _with_store(session, lambda store: load_job(store, batch_id))
        job = cls(session, stored, {"id": stored.id, "processing_status": stored.status})
        job.status()
        return job

    def _save(self) -> None:
        self._stored.status = str(self.batch.get("processing_status", self._stored.status))
        self._stored.counts = dict(self.batch.get("request_counts") or self._stored.counts)
        _with_store(self.session, lambda store: save_job(store, self._stored), quiet=True)

    # -- state -------------------------------------------------------------------------

    def status(self) -> str:
        """Retrieve the batch: ``in_progress``, ``canceling`` or ``ended``."""
        self.batch = self.session._clients.batches().retrieve_batch(self.id)
        self._save()
        return str(self.batch.get("processing_status"))

    @property
    def counts(self) -> dict[str, int]:
        """``request_counts`` as last retrieved (processing, succeeded, errored...)."""
        return dict(self.batch.get("request_counts") or self._stored.counts)

    def wait(
        self, timeout: float | None = None, progress: MapProgress | bool | None = None
    ) -> BatchJob:
        """Poll (1 s, then 1.5x longer each time, at most 60 s) until it ended; self.

        Raises:
            TimeoutError: Not ended within ``timeout`` seconds (the job goes on).
        """
        if progress is None or progress is True:
            factory = self.session.map_progress
            progress = (factory() if factory is not None else None) or TextProgress()
        progress = progress or None
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = POLL_FIRST
        while self.status() != "ended":
            if progress is not None:
                counts = self.counts
                done = counts.get("succeeded", 0)
                failed = sum(counts.get(name, 0) for name in ("errored", "canceled", "expired"))
                progress.update(done, failed, len(self.labels), None)
            if deadline is not None and time.monotonic() + pause > deadline:
                status = self.batch.get("processing_status")
                raise TimeoutError(f"batch {self.id} has not ended ({status})")
            time.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX)
        if progress is not None:
            progress.close(f"batch {self.id} ended")
        return self

    def cancel(self) -> str:
        """Ask the API to cancel; the status (``canceling``)."""
        self.batch = self.session._clients.batches().cancel_batch(self.id)
        self._save()
        return str(self.batch.get("processing_status"))

    # -- results -----------------------------------------------------------------------

    def results(self) -> MapResult:
        """The results as a ``MapResult`` (the batch must have ended)."""
        if self._result is not None:
            return self._result
        rows = self.session._clients.batches().batch_results(self.id)
        replies: list[Reply | None] = [None] * len(self.labels)
        failures: dict[int, BaseException] = {}
        for row in rows:
            position = _position(row.get("custom_id"), len(self.labels))
            if position is None:
                continue
            result = row.get("result") or {}
            if result.get("type") == "succeeded":
                replies[position] = self._reply(result.get("message") or {})
            else:
                failures[position] = _row_error(result)
        if not self._stored.recorded:
            for reply in replies:
                if reply is not None:
                    self.session._record(reply)
            self.session._commit([])  # the history is unchanged (the store keeps that too)
            self._stored.recorded = True
        created = self._stored.created
        self._result = MapResult(
            self.labels, replies, failures, batch=True, elapsed=time.time() - created
        )
        self._stored.cost = self._result.cost
        self._save()
        return self._result

    def _reply(self, message: dict[str, Any]) -> Reply:
        return Reply(
            message=message,
            model=str(message.get("model") or self._stored.model),
            request={},
            offline=self.session.offline,
            request_id=message.get("id"),
            prices=self.session.ledger.prices,
            batch=True,
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{name} {value}" for name, value in self.counts.items() if value)
        status = self.batch.get("processing_status", self._stored.status)
        counts = f", {counts}" if counts else ""
        return f"BatchJob({self.id}, {status}, {len(self.labels)} items{counts})"


class BatchList(list[StoredJob]):
    """Stored batch jobs, newest first; a table in a notebook."""

    def rows(self) -> list[list[str]]:
        """id, created, status, items, counts, cost."""
        table = []
        for job in self:
            counts = ", ".join(f"{name} {value}" for name, value in job.counts.items() if value)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created))
            cost = "" if job.cost is None else format_usd(job.cost)
            table.append([job.id, when, job.status, str(len(job.labels)), counts, cost])
        return table

    def _repr_markdown_(self) -> str:
        if not self:
            return "No stored batch jobs."
        lines = ["| id | created | status | items | requests | cost |", "|---" * 6 + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        if not self:
            return "No stored batch jobs."
        return "\n".join("  ".join(row) for row in self.rows())


def list_batches(session: Session, limit: int = 20) -> BatchList:
    """The stored batch jobs, newest first (``Session.batches``)."""
    return BatchList(_with_store(session, lambda store: list_jobs(store, limit)))


def _position(value: Any, count: int) -> int | None:
    text = str(value or "")
    if not text.startswith("item-") or not text[5:].isdigit():
        return None
    position = int(text[5:])
    return position if position < count else None


_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "overloaded_error": 529,
}
"""The HTTP status each error type comes with (an errored batch row has no status)."""


def _row_error(result: Mapping[str, Any]) -> APIError:
    kind = str(result.get("type") or "errored")
    if kind != "errored":
        return APIError(f"the request was {kind} (not billed)")
    body = result.get("error") or {}
    inner = body.get("error") or {}
    error_type = inner.get("type")
    code = _TYPE_STATUS.get(str(error_type), 500)
    return status_error_class(code, error_type)(
        str(inner.get("message") or "errored"),
        status_code=code,
        error_type=error_type,
        request_id=body.get("request_id"),
        body=body,
    )


def _with_store(session: Session, action: Callable[[Store], Any], quiet: bool = False) -> Any:
    try:
        store = Store(environ=session._environ)
    except Exception:
        if quiet:
            return None
        raise
    try:
        return action(store)
    except Exception:
        if quiet:
            return None
        raise
    finally:
        store.close()
