"""Message Batches in the history store: saved when created, updated as they are polled.

A row per job (``m005_batch_jobs``, rebuilt by ``m006`` in ``_store.schema``), keyed by
its id and creation time: two jobs that share an id (an earlier kernel's offline emulator
gave it out too) are two rows, and saving one never replaces the other. A row holds the
model, the base URL it went to, status and request counts, the items' labels in order (a
result's ``custom_id`` is ``item-<position>``), the cost once fetched, the ``output=`` spec,
for an offline job the emulator holding it, why it is ``lost``, and ``recorded``: its
results are already in a ledger and the store's turns (set once, by ``claim_recording``, and
never unset by a later save, so fetching them again elsewhere does not bill twice).

An offline job lives in the emulator of the process that made it: ``emulator`` names both
(``<PROCESS>/<emulator>``). Once that process is gone (a restarted kernel) so are the
job's results: ``list_jobs(..., lost=reason)`` marks such a job ``lost`` unless its results
were recorded. ``BatchList`` shows stored jobs as a table.

Labels keep their types (``encode_label``): JSON numbers, strings, booleans and null as
themselves, and tagged objects for the rest: ``{"$tuple": [...]}`` (a MultiIndex label),
``{"$datetime": iso, "tz": name}``, ``{"$date": iso}``, ``{"$time": iso}``,
``{"$timedelta": [days, seconds, µs]}``, ``{"$float": "nan"}``. NumPy scalars become their
Python values; anything else is kept as its ``str``. This layer does not import pandas: a
``Timestamp`` comes back as an equal ``datetime`` (to the microsecond; its time zone by name),
which pandas turns back into the same ``DatetimeIndex`` values (a ``Timedelta`` likewise as a
``timedelta``). A row stored before the tags (a tuple as a list, a date as its ``str``) reads
back with lists as tuples.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import secrets
import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from claude_nb._accounting.money import format_usd
from claude_nb._config import OFFLINE_BASE_URL
from claude_nb._store.store import Store

__all__ = [
    "PROCESS",
    "BatchList",
    "StoredJob",
    "claim_recording",
    "decode_label",
    "encode_label",
    "held_earlier",
    "held_offline",
    "list_jobs",
    "load_job",
    "save_job",
]

PROCESS = f"{os.getpid()}-{secrets.token_hex(4)}"
"""This process among those sharing the store (an offline job's ``emulator`` starts with it)."""

_NUMPY_TIMES = ("datetime64", "timedelta64")
"""NumPy scalars whose ``item()`` is not their value (nanoseconds as an int): kept as ``str``."""

_COLUMNS = (
    "id, created, model, base_url, notebook_path, status, counts, labels, cost, recorded, "
    "output, emulator, reason"
)


@dataclass
class StoredJob:
    """One stored batch (see the module docstring for the fields)."""

    id: str
    model: str | None = None
    base_url: str | None = None
    notebook_path: str | None = None
    status: str = "in_progress"
    counts: dict[str, int] = field(default_factory=dict)
    labels: list[Any] = field(default_factory=list)
    cost: float | None = None
    recorded: bool = False
    created: float = field(default_factory=time.time)
    output: dict[str, Any] | None = None
    emulator: str | None = None
    reason: str | None = None


def encode_label(value: Any) -> Any:
    """``value`` as JSON that ``decode_label`` turns back into an equal value (module doc)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"$float": str(value)}
    if isinstance(value, (datetime.date, datetime.timedelta)) and value != value:
        return None  # pandas' NaT (a date that is not equal to itself): a missing label
    if isinstance(value, tuple):
        return {"$tuple": [encode_label(item) for item in value]}
    if isinstance(value, datetime.datetime) and value == value:  # a Timestamp too, not NaT
        zone = None if value.tzinfo is None else str(value.tzinfo)
        return {"$datetime": value.isoformat(), "tz": zone}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$time": value.isoformat()}
    if isinstance(value, datetime.timedelta):  # a pandas Timedelta too
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if type(value).__module__ == "numpy" and type(value).__name__ not in _NUMPY_TIMES:
        return encode_label(value.item())  # np.int64 -> int, np.bool_ -> bool ...
    return str(value)


def decode_label(value: Any) -> Any:
    """A label ``encode_label`` wrote (or an older row's plain JSON: lists become tuples)."""
    if isinstance(value, list):
        return tuple(decode_label(item) for item in value)
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(decode_label(item) for item in value["$tuple"])
    if "$datetime" in value:
        moment = datetime.datetime.fromisoformat(value["$datetime"])
        try:
            return moment.astimezone(zoneinfo.ZoneInfo(value["tz"])) if value.get("tz") else moment
        except (ValueError, KeyError):  # no such zone ("UTC+01:00"): the offset stays
            return moment
    if "$date" in value:
        return datetime.date.fromisoformat(value["$date"])
    if "$time" in value:
        return datetime.time.fromisoformat(value["$time"])
    if "$timedelta" in value:
        days, seconds, microseconds = value["$timedelta"]
        return datetime.timedelta(days=days, seconds=seconds, microseconds=microseconds)
    if "$float" in value:
        return float(value["$float"])
    return value


def _readable(value: Any) -> Any:
    """``decode_label``; a label it cannot read (another version wrote it) as its text."""
    try:
        return decode_label(value)
    except (ValueError, TypeError, KeyError, OverflowError):
        return json.dumps(value)


def _row(values: tuple[Any, ...]) -> StoredJob:
    created, status, counts, labels, cost, recorded, output = values[1], *values[5:11]
    return StoredJob(
        id=values[0],
        model=values[2],
        base_url=values[3],
        notebook_path=values[4],
        status=status,
        counts=json.loads(counts or "{}"),
        labels=[_readable(label) for label in json.loads(labels)],
        cost=cost,
        recorded=bool(recorded),
        created=created,
        output=json.loads(output) if output else None,
        emulator=values[11],
        reason=values[12],
    )


def save_job(store: Store, job: StoredJob) -> None:
    """Insert the job, or update its own row (same id and created); ``recorded`` stays set."""
    store._write(
        f"INSERT INTO batch_jobs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id, created) DO UPDATE SET model = excluded.model, "
        "base_url = excluded.base_url, notebook_path = excluded.notebook_path, "
        "status = excluded.status, counts = excluded.counts, labels = excluded.labels, "
        "cost = COALESCE(excluded.cost, cost), recorded = MAX(recorded, excluded.recorded), "
        "output = excluded.output, emulator = excluded.emulator, reason = excluded.reason",
        (
            job.id,
            job.created,
            job.model,
            job.base_url,
            job.notebook_path,
            job.status,
            json.dumps(job.counts),
            json.dumps([encode_label(label) for label in job.labels]),
            job.cost,
            int(job.recorded),
            None if job.output is None else json.dumps(job.output),
            job.emulator,
            job.reason,
        ),
    )


def claim_recording(store: Store, job: StoredJob) -> bool | None:
    """Set the job's ``recorded``.

    Returns:
        True when this call set it, False when it already was set (another object, session
        or kernel recorded the results), None when the job is not stored.
    """
    with store._lock:
        changed = store._db.execute(
            "UPDATE batch_jobs SET recorded = 1 WHERE id = ? AND created = ? AND recorded = 0",
            (job.id, job.created),
        ).rowcount
        if changed:
            return True
        found = store._db.execute(
            "SELECT 1 FROM batch_jobs WHERE id = ? AND created = ?", (job.id, job.created)
        ).fetchone()
    return False if found else None


def load_job(store: Store, id_or_prefix: str, base_url: str | None = None) -> StoredJob:
    """The job with this id (or unique prefix).

    Of several jobs with the same id, the newest, preferring one sent to ``base_url``.

    Raises:
        KeyError: No job, or a prefix of several ids (the message says which).
    """
    with store._lock:
        rows = store._db.execute(
            f"SELECT {_COLUMNS} FROM batch_jobs WHERE substr(id, 1, ?) = ? ORDER BY created",
            (len(id_or_prefix), id_or_prefix),
        ).fetchall()
    rows = [row for row in rows if row[0] == id_or_prefix] or rows
    ids = {row[0] for row in rows}
    if len(ids) != 1:
        what = "no stored batch" if not rows else f"{len(ids)} stored batches"
        raise KeyError(f"{what} with id {id_or_prefix!r}")
    rows = [row for row in rows if row[3] == base_url] or rows
    return _row(rows[-1])


def held_offline(job: StoredJob) -> bool:
    """The job went to an offline emulator (an older row: to the offline base URL)."""
    return job.emulator is not None or job.base_url == OFFLINE_BASE_URL


def held_earlier(job: StoredJob) -> bool:
    """The job went to the offline emulator of another process (gone, or not reachable)."""
    return held_offline(job) and not str(job.emulator or "").startswith(f"{PROCESS}/")


def list_jobs(store: Store, limit: int = 20, lost: str | None = None) -> list[StoredJob]:
    """The newest stored jobs first.

    ``lost``: mark (and save) each job ``held_earlier`` whose results were not recorded as
    ``lost``, with this reason (``{id}`` is the job's id).
    """
    with store._lock:
        rows = store._db.execute(
            f"SELECT {_COLUMNS} FROM batch_jobs ORDER BY created DESC LIMIT ?", (limit,)
        ).fetchall()
    jobs = [_row(row) for row in rows]
    for job in jobs:
        if lost and held_earlier(job) and not job.recorded and job.status != "lost":
            job.status, job.reason = "lost", lost.format(id=job.id)
            save_job(store, job)
    return jobs


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
