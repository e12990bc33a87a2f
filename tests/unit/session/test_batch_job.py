"""``BatchJob`` through the offline emulator and the emulator served over HTTP, with a real store.

Each test has its own ``CLAUDE_NB_HOME``. A kernel restart is a real second process: a child
Python makes an offline batch in the same store and exits, taking its emulator with it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from claude_nb import BatchJob, ConfigurationError, Session
from claude_nb._store.batch_jobs import StoredJob, list_jobs, load_job, save_job
from claude_nb._store.store import Store
from claude_nb.emulator import Emulator
from claude_nb.emulator._server import running_server
from claude_nb.emulator._wire import EmulatorResponse
from claude_nb.testing import canary_key

MODEL = "claude-sonnet-5-5"


@dataclasses.dataclass
class City:
    name: str
    population: int


def environ(tmp_path: Path) -> dict[str, str]:
    return {"CLAUDE_NB_HOME": str(tmp_path / "home")}


def offline(tmp_path: Path, emulator: Emulator | None = None) -> Session:
    emulator = emulator or Emulator(require_key=False, batch_seconds=0.1)
    return Session(offline=True, emulator=emulator, model=MODEL, environ=environ(tmp_path))


def one_line(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text, text
    return text


EARLIER_KERNEL = """
import json, sys
from claude_nb import Session
session = Session(offline=True, model=sys.argv[1], environ={"CLAUDE_NB_HOME": sys.argv[2]})
job = session.map("Say {item}", ["old-a", "old-b"], batch=True)
print(json.dumps(job.id))
"""


def batch_in_an_earlier_kernel(tmp_path: Path) -> str:
    """An offline batch made by another process that has since exited (a restarted kernel)."""
    done = subprocess.run(
        [sys.executable, "-c", EARLIER_KERNEL, MODEL, environ(tmp_path)["CLAUDE_NB_HOME"]],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    batch_id: str = json.loads(done.stdout.strip().splitlines()[-1])
    return batch_id


def test_an_unknown_batch_id_is_one_line_naming_it_and_batches(tmp_path: Path) -> None:
    session = offline(tmp_path)
    with pytest.raises(ConfigurationError) as caught:
        session.resume_batch("msgbatch_nope")
    text = one_line(caught.value)
    assert "msgbatch_nope" in text and "batches()" in text


def test_offline_batch_of_an_earlier_kernel_is_lost_and_never_overwritten(
    tmp_path: Path,
) -> None:
    old_id = batch_in_an_earlier_kernel(tmp_path)
    session = offline(tmp_path, Emulator(require_key=False, batch_seconds=0.1))  # fresh process
    new = session.map("Say {item}", ["new-a", "new-b", "new-c"], batch=True)
    assert new.id != old_id  # the emulator's batch ids are random, as the service's
    listed = {job.id: job for job in session.batches()}
    assert set(listed) == {old_id, new.id}
    assert listed[old_id].labels == [0, 1]  # the earlier job is kept as it was
    assert listed[old_id].status == "lost" and listed[new.id].status == "in_progress"
    for resume in (session.resume_batch, lambda batch_id: BatchJob.resume(batch_id, session)):
        with pytest.raises(ConfigurationError) as caught:
            resume(old_id)
        text = one_line(caught.value)
        assert old_id in text and "earlier kernel" in text and "nothing was billed" in text
    assert new.wait(timeout=30, progress=False).results().done == 3


def test_save_job_keeps_two_different_jobs_that_share_an_id(tmp_path: Path) -> None:
    with Store(environ=environ(tmp_path)) as store:
        first = StoredJob(id="msgbatch_same", base_url="http://a", labels=["x"], created=1.0)
        second = StoredJob(id="msgbatch_same", base_url="http://b", labels=["y", "z"], created=2.0)
        save_job(store, first)
        save_job(store, second)
        first.status = "ended"
        save_job(store, first)  # an update of the first, not a third job
        jobs = list_jobs(store)
        assert [(job.base_url, job.labels, job.status) for job in jobs] == [
            ("http://b", ["y", "z"], "in_progress"),
            ("http://a", ["x"], "ended"),
        ]
        assert load_job(store, "msgbatch_same", base_url="http://a").labels == ["x"]
        assert load_job(store, "msgbatch_same").labels == ["y", "z"]  # the newest


@contextmanager
def served(emulator: Emulator, drop: str | None = None) -> Iterator[str]:
    """The emulator over HTTP; ``drop``: leave that custom_id out of every results file."""

    def handle(method: str, target: str, headers: Mapping[str, str], body: bytes) -> Any:
        answer = emulator.handle(method, target, headers, body)
        if drop is None or not target.split("?")[0].endswith("/results"):
            return answer
        lines = [line for line in answer.body.splitlines() if f'"{drop}"' not in line.decode()]
        return EmulatorResponse(answer.status, answer.headers, b"\n".join(lines) + b"\n")

    with running_server(handle, "127.0.0.1", 0) as base_url:
        yield base_url


def online(tmp_path: Path, base_url: str) -> Session:
    key = canary_key("batchjob")
    return Session(api_key=key, base_url=base_url, model=MODEL, environ=environ(tmp_path))


def test_resume_against_another_base_url_says_so_in_one_line(tmp_path: Path) -> None:
    first, second = Emulator(batch_seconds=0.1), Emulator(batch_seconds=0.1)
    with served(first) as first_url, served(second) as second_url:
        job = online(tmp_path, first_url).map("Say {item}", ["a"], batch=True)
        asked = len(second.requests)
        with pytest.raises(ConfigurationError) as caught:
            online(tmp_path, second_url).resume_batch(job.id)
        text = one_line(caught.value)
        assert first_url in text and second_url in text and job.id in text
        assert len(second.requests) == asked  # the wrong server was not asked


def test_output_is_parsed_in_the_session_and_after_a_resume(tmp_path: Path) -> None:
    session = offline(tmp_path)
    frame = pd.DataFrame({"city": ["Lima", "Oslo"]}, index=[7, 8])
    job = session.map("Describe {city}", frame, batch=True, output=City)
    result = job.wait(timeout=30, progress=False).results()
    assert None not in result.parsed and result.failures == {}
    table = result.to_dataframe()
    assert list(table.columns) == ["name", "population"] and list(table.index) == [7, 8]
    resumed = session.resume_batch(job.id).results()  # the schema came from the store
    assert [set(value) for value in resumed.parsed] == [{"name", "population"}] * 2
    typed = session.resume_batch(job.id).results(output=City)
    assert all(isinstance(value, City) for value in typed.parsed)
    assert len(session.ledger) == 2


def bodies_for(session: Session, prompts: list[str], **params: Any) -> list[dict[str, Any]]:
    return [
        session.prepare_request(prompt, history=False, stream=False, cache=False, **params).body
        for prompt in prompts
    ]


def test_the_model_and_the_frame_stay_with_the_job_in_the_session(tmp_path: Path) -> None:
    session = offline(tmp_path)
    frame = pd.DataFrame({"city": ["Lima", "Oslo"]}, index=["a", "b"])
    bodies = bodies_for(session, ["Describe Lima", "Describe Oslo"], output=City)
    job = BatchJob.create(session, bodies, ["a", "b"], output=City, source=frame)
    result = job.wait(timeout=30, progress=False).results()
    assert all(isinstance(value, City) for value in result.parsed)
    joined = result.join()
    assert list(joined.columns) == ["city", "text"] and list(joined.index) == ["a", "b"]


LABELS: list[Any] = [
    3,
    2.5,
    "x",
    True,
    None,
    (1, "a"),
    pd.Timestamp("2024-01-01 12:00"),
    pd.Timestamp("2024-03-01", tz="UTC"),
    datetime.date(2024, 1, 2),
    datetime.datetime(2024, 1, 3, 4, 5, 6),
    ("nested", (1, 2)),
]


def test_labels_keep_their_types_in_the_store(tmp_path: Path) -> None:
    with Store(environ=environ(tmp_path)) as store:
        save_job(store, StoredJob(id="msgbatch_labels", labels=list(LABELS)))
        back = load_job(store, "msgbatch_labels").labels
    assert back == LABELS
    # the store does not import pandas: a Timestamp comes back as an equal datetime
    kinds = [datetime.datetime if isinstance(x, pd.Timestamp) else type(x) for x in LABELS]
    assert [type(label) for label in back] == kinds
    assert back[7].tzinfo is not None and str(back[7].tzinfo) == "UTC"


def test_a_resumed_job_joins_back_on_a_datetime_and_a_multi_index(tmp_path: Path) -> None:
    emulator = Emulator(batch_seconds=0.1)
    dates = pd.Series(["a", "b"], index=pd.date_range("2024-01-01", periods=2), name="word")
    pairs = pd.Series(["c", "d"], index=pd.MultiIndex.from_tuples([(1, "x"), (2, "y")]))
    with served(emulator, drop="item-1") as url:
        session = online(tmp_path, url)
        for series in (dates, pairs):
            job = session.map("Say {item}", series, batch=True)
            result = session.resume_batch(job.id).wait(timeout=30, progress=False).results()
            assert list(result.to_series().index) == list(series.index)
            missing = series.index[1]
            assert result.texts[1] is None and "no result came back" in str(result.errors[missing])
            assert result.done == 1 and set(result.failures) == {1}


def test_a_batch_is_billed_once_per_session_across_objects(tmp_path: Path) -> None:
    session = offline(tmp_path)
    job = session.map("Say {item}", ["a", "b", "c"], batch=True)
    job.wait(timeout=30, progress=False)
    assert session.resume_batch(job.id).results().done == 3
    assert len(session.ledger) == 3
    assert job.results().done == 3
    assert len(session.ledger) == 3


def test_without_a_store_a_batch_is_still_billed_once(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    emulator = Emulator(require_key=False, batch_seconds=0.1)
    session = Session(
        offline=True, emulator=emulator, model=MODEL, environ={"CLAUDE_NB_HOME": str(blocked)}
    )
    job = session.map("Say {item}", ["a", "b"], batch=True)
    job.wait(timeout=30, progress=False)
    again = BatchJob(session, dataclasses.replace(job._stored), job.batch)
    assert job.results().done == 2 and again.results().done == 2
    assert len(session.ledger) == 2


def test_a_lost_job_created_here_and_dropped_by_the_emulator_is_one_line(
    tmp_path: Path,
) -> None:
    emulator = Emulator(require_key=False, batch_seconds=0.1)
    session = offline(tmp_path, emulator)
    job = session.map("Say {item}", ["a"], batch=True)
    emulator._batches._batches.clear()  # what MAX_BATCHES does to the oldest
    time.sleep(0.2)
    for call in (job.status, job.results):
        with pytest.raises(ConfigurationError) as caught:
            call()
        assert job.id in one_line(caught.value) and "gone" in str(caught.value)
    assert [stored.status for stored in session.batches()] == ["lost"]


def test_a_job_stored_before_m006_reads_back_with_tuples(tmp_path: Path) -> None:
    import sqlite3

    from claude_nb._store.schema import _MIGRATIONS, migrate

    path = tmp_path / "history.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, [step for step in _MIGRATIONS if step.__name__ < "m006"])
    db.execute(
        "INSERT INTO batch_jobs (id, created, base_url, status, labels, recorded) "
        "VALUES ('msgbatch_old', 1.0, 'http://emulator.invalid', 'in_progress', ?, 0)",
        (json.dumps([[1, "a"], [2, "b"]]),),
    )
    db.close()
    with Store(path) as store:
        old = load_job(store, "msgbatch_old")
        assert old.labels == [(1, "a"), (2, "b")] and old.emulator is None
        jobs = list_jobs(store, lost="{id} is lost")
        assert [(job.id, job.status, job.reason) for job in jobs] == [
            ("msgbatch_old", "lost", "msgbatch_old is lost")
        ]


def test_an_earlier_kernels_offline_job_that_was_fetched_there_stays_ended(
    tmp_path: Path,
) -> None:
    with Store(environ=environ(tmp_path)) as store:
        save_job(
            store,
            StoredJob(
                id="msgbatch_fetched",
                base_url="http://emulator.invalid",
                status="ended",
                labels=["a"],
                recorded=True,
                emulator="1-earlier/7f",
            ),
        )
    session = offline(tmp_path)
    assert [job.status for job in session.batches()] == ["ended"]
    with pytest.raises(ConfigurationError) as caught:
        session.resume_batch("msgbatch_fetched")
    assert "earlier kernel" in one_line(caught.value) and "fetched and recorded" in str(
        caught.value
    )


def test_a_missing_date_label_reads_back_and_one_bad_row_never_breaks_the_list(
    tmp_path: Path,
) -> None:
    labels = [pd.Timestamp("2024-01-01"), pd.NaT, float("nan"), None]
    with Store(environ=environ(tmp_path)) as store:
        save_job(store, StoredJob(id="msgbatch_missing", labels=labels))
        back = load_job(store, "msgbatch_missing").labels
        assert back[0] == datetime.datetime(2024, 1, 1) and back[1] is None and back[3] is None
        assert back[2] != back[2]  # NaN stays NaN
        # a row written by some other version that this one cannot read: listed, not fatal
        store._db.execute(
            "UPDATE batch_jobs SET labels = ? WHERE id = ?",
            (json.dumps([{"$date": "NaT"}, {"$datetime": "not a time"}, 3]), "msgbatch_missing"),
        )
        save_job(store, StoredJob(id="msgbatch_fine", labels=[1, 2]))
        listed = {job.id: job for job in list_jobs(store)}
        assert set(listed) == {"msgbatch_missing", "msgbatch_fine"}
        unreadable = listed["msgbatch_missing"].labels
        assert unreadable[2] == 3 and len(unreadable) == 3


def test_wait_says_so_when_stopped_and_draws_no_bar_for_an_ended_job(tmp_path: Path) -> None:
    class Bar:
        def __init__(self, stop: bool) -> None:
            self.stop, self.updates, self.closed = stop, 0, ""

        def update(self, done: int, failed: int, total: int, cost: float | None) -> None:
            self.updates += 1
            if self.stop:
                raise KeyboardInterrupt  # Ctrl-C while the bar shows

        def close(self, summary: str) -> None:
            self.closed = summary

    session = offline(tmp_path, Emulator(require_key=False, batch_seconds=5.0))
    job = session.map("Say {item}", ["a", "b"], batch=True)
    stopped = Bar(stop=True)
    with pytest.raises(KeyboardInterrupt):
        job.wait(progress=stopped)
    assert "stopped waiting" in stopped.closed and "goes on" in stopped.closed
    quick = offline(tmp_path, Emulator(require_key=False, batch_seconds=0.1))
    ended = quick.map("Say {item}", ["a"], batch=True).wait(timeout=30, progress=False)
    again = Bar(stop=False)
    ended.wait(progress=again)
    assert again.updates == 0 and again.closed == ""  # nothing to wait for: no bar
