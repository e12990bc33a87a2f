"""Message Batches in the history store: saved when created, updated as they are polled.

A row per batch (``m005_batch_jobs``): its id, model, the base URL it went to, status and
request counts, the items' labels in order (a result's ``custom_id`` is ``item-<position>``),
the cost of its results once fetched, and ``recorded``: the results are already in a ledger
and the store's turns (fetching them again after a restart does not bill twice).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from claude_nb._store.store import Store

__all__ = ["StoredJob", "list_jobs", "load_job", "save_job"]

_COLUMNS = "id, created, model, base_url, notebook_path, status, counts, labels, cost, recorded"


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


def _row(values: tuple[Any, ...]) -> StoredJob:
    created, status, counts, labels, cost, recorded = values[1], *values[5:]
    return StoredJob(
        id=values[0],
        model=values[2],
        base_url=values[3],
        notebook_path=values[4],
        status=status,
        counts=json.loads(counts or "{}"),
        labels=json.loads(labels),
        cost=cost,
        recorded=bool(recorded),
        created=created,
    )


def save_job(store: Store, job: StoredJob) -> None:
    """Insert or update the job's row."""
    store._write(
        f"INSERT OR REPLACE INTO batch_jobs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            job.id,
            job.created,
            job.model,
            job.base_url,
            job.notebook_path,
            job.status,
            json.dumps(job.counts),
            json.dumps(job.labels, default=str),
            job.cost,
            int(job.recorded),
        ),
    )


def load_job(store: Store, id_or_prefix: str) -> StoredJob:
    """The job with this id (or unique prefix); ``KeyError`` when none or several match."""
    with store._lock:
        rows = store._db.execute(
            f"SELECT {_COLUMNS} FROM batch_jobs WHERE id LIKE ? || '%' ORDER BY created",
            (id_or_prefix,),
        ).fetchall()
    if len(rows) != 1:
        what = "no stored batch" if not rows else f"{len(rows)} stored batches"
        raise KeyError(f"{what} with id {id_or_prefix!r}")
    return _row(rows[0])


def list_jobs(store: Store, limit: int = 20) -> list[StoredJob]:
    """The newest stored jobs first."""
    with store._lock:
        rows = store._db.execute(
            f"SELECT {_COLUMNS} FROM batch_jobs ORDER BY created DESC LIMIT ?", (limit,)
        ).fetchall()
    return [_row(row) for row in rows]
