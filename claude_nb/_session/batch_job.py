"""``BatchJob``: a ``Session.map(..., batch=True)`` running as a Message Batch (half price).

    create(session, bodies, labels, output=, source=) -> POST /v1/messages/batches
        (custom_id item-<n>) -> saved in the history store (``_store.batch_jobs``) -> BatchJob
    job.status() / job.wait(timeout) -> GET the batch, polled with back-off; progress bar
    job.results() -> GET .../results (JSONL, any order) by custom_id -> MapResult on the
        mapped DataFrame (``source``, this session only): succeeded rows are Replies at the
        batch rate, parsed by ``output=``; errored, canceled, expired and missing rows are
        errors, not billed. The replies are recorded once per batch: per session
        (``session._batches_recorded``) and across kernels (the store's ``recorded``).
    job.cancel()

After a kernel restart ``session.batches()`` lists the stored jobs and ``BatchJob.resume(id)``
(the kernel's session; or ``session.resume_batch(id)``) picks one up, labels typed as they
were, answers parsed by the stored schema (dicts; ``results(output=Model)`` for the type). A
job resumes only where it lives: one sent to another base URL says so in one line; an offline
one lives in its process's emulator, so after a restart it is ``lost`` (a one-line error).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from claude_nb._exceptions import APIError, ConfigurationError, NotFoundError, status_error_class
from claude_nb._session.features import parse_map
from claude_nb._session.map_result import MapResult
from claude_nb._session.map_run import progress_bar
from claude_nb._session.reply import Reply
from claude_nb._store.batch_jobs import (
    PROCESS,
    BatchList,
    StoredJob,
    claim_recording,
    held_earlier,
    held_offline,
    list_jobs,
    load_job,
    save_job,
)
from claude_nb._store.store import Store
from claude_nb._tools.output_schema import OutputSpec, output_spec

if TYPE_CHECKING:
    from claude_nb._session.map_run import MapProgress

Session = Any
"""A ``claude_nb.Session`` (not imported here: ``session.py`` imports this module)."""

__all__ = ["BatchJob", "BatchList", "custom_id", "list_batches"]

POLL_FIRST, POLL_MAX = 1.0, 60.0
"""Seconds between polls: from the first, growing by half each time, up to the last."""

LOST_EARLIER = (
    "batch {id} was held by the offline emulator of an earlier kernel: its results are gone "
    "(nothing was billed); run the map again"
)
LOST_DROPPED = (
    "batch {id} is gone from the offline emulator (it keeps the newest 100 batches): its "
    "results are gone (nothing was billed); run the map again"
)


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

    def __init__(
        self, session: Session, stored: StoredJob, batch: Mapping[str, Any], *,
        output: OutputSpec | None = None, source: Any = None,
    ) -> None:
        self.session = session
        self._stored = stored
        self.id = stored.id
        self.batch: dict[str, Any] = dict(batch)
        self.labels = stored.labels
        self.source = source
        """The DataFrame or Series mapped over (this session only), for ``results().join()``."""
        saved = stored.output
        self._output = output or (OutputSpec(saved["name"], saved["schema"]) if saved else None)
        self._rows: tuple[list[Reply | None], dict[int, BaseException]] | None = None
        self._result: MapResult | None = None

    # -- making and finding ------------------------------------------------------------

    @classmethod
    def create(
        cls, session: Session, bodies: Sequence[dict[str, Any]], labels: list[Any],
        notebook_path: str | None = None, *, output: Any = None, source: Any = None,
    ) -> BatchJob:
        """Send the bodies as one batch and save the job (nothing is sent on a bad body).

        ``output``: ``map``'s ``output=`` (else the schema in the bodies' ``output_config``);
        ``source``: the DataFrame or Series mapped over (kept in memory for ``join``).
        """
        spec = output_spec(output) if output is not None else _spec_in(bodies[0])
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
            output=None if spec is None else {"name": spec.name, "schema": spec.schema},
            emulator=_emulator_of(session),
        )
        job = cls(session, stored, batch, output=spec, source=source)
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
        base_url = session.settings.base_url
        try:
            stored = _with_store(session, lambda store: load_job(store, batch_id, base_url))
        except KeyError as error:
            raise ConfigurationError(
                f"{error.args[0]}: session.batches() lists the stored batch jobs"
            ) from None
        job = cls(session, stored, {"id": stored.id, "processing_status": stored.status})
        job._check_reachable()
        job.status()
        return job

    def _check_reachable(self) -> None:
        """Raise (one line) when this session cannot reach the job; a lost one is marked so."""
        stored, session = self._stored, self.session
        wanted, used = str(stored.base_url).rstrip("/"), session.settings.base_url.rstrip("/")
        if held_earlier(stored):
            self._lose(LOST_EARLIER)
        if held_offline(stored) and stored.emulator != _emulator_of(session):
            problem = "is held by the emulator of another offline session in this kernel"
            raise ConfigurationError(f"batch {self.id} {problem}: use its resume_batch(id)")
        if not held_offline(stored) and stored.base_url and (session.offline or wanted != used):
            used = "the offline emulator" if session.offline else used
            raise ConfigurationError(
                f"batch {self.id} was sent to {wanted}, not {used} (this session's): resume "
                f"it on a Session(base_url={wanted!r}) with a key for that server"
            )

    def _lose(self, reason: str) -> NoReturn:
        """Mark the job lost (unless its results were recorded) and raise the reason."""
        message = reason.format(id=self.id)
        if self._stored.recorded:  # fetched before it was lost: in that ledger and the store
            message = message.split(":")[0] + ": its results were fetched and recorded then"
        elif self._stored.status != "lost":
            self._stored.status, self._stored.reason = "lost", message
            self.batch["processing_status"] = "lost"
            _with_store(self.session, lambda store: save_job(store, self._stored), quiet=True)
        raise ConfigurationError(message)

    def _api(self, action: Callable[[Any], Any]) -> Any:
        """``action(batches client)``; a 404 for an offline job: it is lost (one line)."""
        if self._stored.status == "lost":
            raise ConfigurationError(self._stored.reason or LOST_EARLIER.format(id=self.id))
        try:
            return action(self.session._clients.batches())
        except NotFoundError:
            if not held_offline(self._stored):
                raise
            self._lose(LOST_DROPPED)

    def _save(self) -> None:
        if self._stored.status == "lost":
            return
        self._stored.status = str(self.batch.get("processing_status", self._stored.status))
        self._stored.counts = dict(self.batch.get("request_counts") or self._stored.counts)
        _with_store(self.session, lambda store: save_job(store, self._stored), quiet=True)

    # -- state -------------------------------------------------------------------------

    def status(self) -> str:
        """Retrieve the batch: ``in_progress``, ``canceling`` or ``ended``."""
        self.batch = self._api(lambda client: client.retrieve_batch(self.id))
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
        if self.status() == "ended":  # nothing to wait for: no bar
            return self
        bar = progress_bar(self.session.map_progress, progress)
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = POLL_FIRST
        try:
            while self.batch.get("processing_status") != "ended":
                if bar is not None:
                    counts = self.counts
                    failed = sum(counts.get(name, 0) for name in ("errored", "canceled", "expired"))
                    bar.update(counts.get("succeeded", 0), failed, len(self.labels), None)
                if deadline is not None and time.monotonic() + pause > deadline:
                    status = self.batch.get("processing_status")
                    raise TimeoutError(f"batch {self.id} has not ended ({status})")
                time.sleep(pause)
                pause = min(pause * 1.5, POLL_MAX)
                self.status()
        except BaseException:  # Ctrl-C, a timeout, a failed poll: the bar says so, not hangs
            if bar is not None:
                bar.close(f"stopped waiting: batch {self.id} goes on (job.wait() again)")
            raise
        if bar is not None:
            bar.close(f"batch {self.id} ended")
        return self

    def cancel(self) -> str:
        """Ask the API to cancel; the status (``canceling``)."""
        self.batch = self._api(lambda client: client.cancel_batch(self.id))
        self._save()
        return str(self.batch.get("processing_status"))

    # -- results -----------------------------------------------------------------------

    def results(self, output: Any = None) -> MapResult:
        """The results as a ``MapResult`` (the batch must have ended).

        ``output``: parse the answers as this type (a resumed job otherwise parses them by
        the stored schema, as dicts); the results are fetched and billed once either way.
        """
        if output is not None:
            self._output, self._result = output_spec(output), None
        if self._result is not None:
            return self._result
        if self._rows is None:
            self._rows = self._fetch()
            if self._claim():
                for reply in self._rows[0]:
                    if reply is not None:
                        self.session._record(reply)
                self.session._commit([])  # the history is unchanged (the store keeps that too)
        replies, failures = self._rows
        elapsed = time.time() - self._stored.created
        result = MapResult(self.labels, list(replies), dict(failures), source=self.source,
                           batch=True, elapsed=elapsed)
        self._result = parse_map(result, self._output)
        self._stored.cost = result.cost
        self._save()
        return result

    def _fetch(self) -> tuple[list[Reply | None], dict[int, BaseException]]:
        rows = self._api(lambda client: client.batch_results(self.id))
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
        for position, reply in enumerate(replies):
            if reply is None and position not in failures:
                what = f"no result came back for {custom_id(position)} (not billed)"
                failures[position] = APIError(what)
        return replies, failures

    def _claim(self) -> bool:
        """True for the one object that records this batch's replies (per session, per store)."""
        claimed: set[tuple[str, float]] = getattr(self.session, "_batches_recorded", set())
        self.session._batches_recorded = claimed  # an attribute of this session, not a global
        key = (self.id, self._stored.created)
        if key in claimed or self._stored.recorded:
            return False
        claimed.add(key)
        self._stored.recorded = True
        stored = _with_store(self.session, lambda s: claim_recording(s, self._stored), quiet=True)
        return stored is not False  # False: another object, session or kernel recorded it

    def _reply(self, message: dict[str, Any]) -> Reply:
        model, session = str(message.get("model") or self._stored.model), self.session
        return Reply(message=message, model=model, request={}, offline=session.offline,
                     request_id=message.get("id"), prices=session.ledger.prices, batch=True)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name} {value}" for name, value in self.counts.items() if value)
        status = self.batch.get("processing_status", self._stored.status)
        counts = f", {counts}" if counts else ""
        return f"BatchJob({self.id}, {status}, {len(self.labels)} items{counts})"


def list_batches(session: Session, limit: int = 20) -> BatchList:
    """The stored jobs, newest first (``Session.batches``); an earlier kernel's offline: lost."""
    return BatchList(_with_store(session, lambda store: list_jobs(store, limit, LOST_EARLIER)))


def _emulator_of(session: Session) -> str | None:
    """Where an offline session's batches live (this process, its emulator); None online."""
    if not session.offline:
        return None
    return f"{PROCESS}/{id(session._emulator):x}"


def _spec_in(body: Mapping[str, Any]) -> OutputSpec | None:
    """The ``output=`` schema a body asks for (``output_config.format``), or None."""
    form = (body.get("output_config") or {}).get("format") or {}
    schema = form.get("schema")
    if form.get("type") != "json_schema" or not isinstance(schema, Mapping):
        return None
    return OutputSpec(str(schema.get("title") or "the schema"), dict(schema))


def _position(value: Any, count: int) -> int | None:
    text = str(value or "")
    if not text.startswith("item-") or not text[5:].isdigit():
        return None
    position = int(text[5:])
    return position if position < count else None


_TYPE_STATUS = {
    "invalid_request_error": 400, "authentication_error": 401, "permission_error": 403,
    "not_found_error": 404, "request_too_large": 413, "rate_limit_error": 429,
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
    """``action(store)`` on the session's history store; ``quiet``: None when that fails."""
    try:
        store = Store(environ=session._environ)
        try:
            return action(store)
        finally:
            store.close()
    except Exception:
        if quiet:
            return None
        raise
