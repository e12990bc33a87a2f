"""The Message Batches API in the emulator, over HTTP (``Emulator().serve()``) with a fake clock.

Shapes and rules: API.md §7.2, the SDK's ``types/messages/*`` and ``resources/messages/batches.py``
(https://docs.anthropic.com/en/docs/build-with-claude/batch-processing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from claude_nb.emulator import Emulator, ScriptedResponder, _batches

BATCHES = "/v1/messages/batches"
HEADERS = {"anthropic-version": "2023-06-01", "x-api-key": "sk-test"}
COUNTS = ("processing", "succeeded", "errored", "canceled", "expired")
FIELDS = {
    "id",
    "type",
    "processing_status",
    "request_counts",
    "ended_at",
    "created_at",
    "expires_at",
    "cancel_initiated_at",
    "archived_at",
    "results_url",
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def params(prompt: str = "Say hi", **extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-opus-5",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": prompt}],
        **extra,
    }


def requests(count: int, prefix: str = "r") -> list[dict[str, Any]]:
    return [
        {"custom_id": f"{prefix}{index}", "params": params(f"item {index}")}
        for index in range(count)
    ]


def parse_time(value: str) -> datetime:
    assert RFC3339.match(value), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> Emulator:
    return Emulator(clock=clock, batch_seconds=10.0)


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as client:
        yield client


def create(http: httpx.Client, items: list[dict[str, Any]]) -> dict[str, Any]:
    response = http.post(BATCHES, json={"requests": items})
    assert response.status_code == 200, response.text
    batch: dict[str, Any] = response.json()
    return batch


def retrieve(http: httpx.Client, batch_id: str) -> dict[str, Any]:
    response = http.get(f"{BATCHES}/{batch_id}")
    assert response.status_code == 200, response.text
    batch: dict[str, Any] = response.json()
    return batch


def results(http: httpx.Client, batch_id: str) -> list[dict[str, Any]]:
    response = http.get(f"{BATCHES}/{batch_id}/results")
    assert response.status_code == 200, response.text
    assert response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


def error_of(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["type"] == "error" and payload["error"]["type"] == error_type
    message: str = payload["error"]["message"]
    return message


def test_create_returns_an_in_progress_batch_with_every_field(http: httpx.Client) -> None:
    batch = create(http, requests(3))
    assert set(batch) == FIELDS
    assert re.match(r"^msgbatch_01[0-9A-Za-z]{22}$", batch["id"])
    assert batch["type"] == "message_batch"
    assert batch["processing_status"] == "in_progress"
    assert batch["request_counts"] == {name: 3 if name == "processing" else 0 for name in COUNTS}
    created = parse_time(batch["created_at"])
    assert parse_time(batch["expires_at"]) - created == timedelta(hours=24)
    assert created.timestamp() == 1_750_000_000.0
    for name in ("ended_at", "cancel_initiated_at", "archived_at", "results_url"):
        assert batch[name] is None


def test_batch_ends_after_the_simulated_duration_and_results_are_jsonl(
    http: httpx.Client, clock: Clock
) -> None:
    batch = create(http, requests(5))
    clock.now += 9.9
    middle = retrieve(http, batch["id"])
    assert middle["processing_status"] == "in_progress"
    # As documented: counts leave `processing` only once the whole batch has ended.
    assert middle["request_counts"]["processing"] == 5
    assert http.get(f"{BATCHES}/{batch['id']}/results").status_code == 400
    clock.now += 0.1
    ended = retrieve(http, batch["id"])
    assert ended["processing_status"] == "ended"
    assert ended["request_counts"] == {**dict.fromkeys(COUNTS, 0), "succeeded": 5}
    assert parse_time(ended["ended_at"]).timestamp() == 1_750_000_010.0
    base_url = str(http.base_url).rstrip("/")
    assert ended["results_url"] == f"{base_url}{BATCHES}/{batch['id']}/results"
    lines = results(http, batch["id"])
    assert sorted(line["custom_id"] for line in lines) == sorted(f"r{i}" for i in range(5))
    for line in lines:
        assert set(line) == {"custom_id", "result"}
        assert line["result"]["type"] == "succeeded"
        message = line["result"]["message"]
        assert message["type"] == "message" and message["id"].startswith("msg_")
        assert message["usage"]["input_tokens"] > 0 and message["usage"]["output_tokens"] > 0
        assert message["usage"]["service_tier"] == "batch"
        assert message["content"][0]["type"] == "text" and message["content"][0]["text"]


def test_results_come_in_a_seeded_shuffled_order(clock: Clock) -> None:
    orders = []
    for _ in range(2):
        emulator = Emulator(clock=clock, batch_seconds=0.0, seed=7)
        with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as http:
            batch = create(http, requests(20))
            assert batch["processing_status"] == "in_progress"  # a create always answers so
            assert retrieve(http, batch["id"])["processing_status"] == "ended"
            orders.append([line["custom_id"] for line in results(http, batch["id"])])
    assert orders[0] == orders[1]  # deterministic by seed
    assert orders[0] != [f"r{i}" for i in range(20)]  # ...but not the request order
    assert sorted(orders[0]) == sorted(f"r{i}" for i in range(20))


def test_progressive_counts_move_over_time(clock: Clock) -> None:
    emulator = Emulator(clock=clock, batch_seconds=10.0, batch_progress=True)
    with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as http:
        batch = create(http, requests(10))
        seen = []
        for _ in range(11):
            counts = retrieve(http, batch["id"])["request_counts"]
            assert sum(counts.values()) == 10
            seen.append(counts["succeeded"])
            clock.now += 1.0
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 10
    assert len(set(seen)) > 5


def test_invalid_params_become_errored_results_not_a_failed_create(
    http: httpx.Client, clock: Clock
) -> None:
    items = [
        {"custom_id": "good", "params": params()},
        {
            "custom_id": "no-max",
            "params": {"model": "claude-opus-5", "messages": params()["messages"]},
        },
        {"custom_id": "bad-model", "params": params(model="claude-nope-1")},
        {"custom_id": "bad-role", "params": params(messages=[{"role": "bot", "content": "x"}])},
    ]
    batch = create(http, items)
    clock.now += 10
    ended = retrieve(http, batch["id"])
    assert ended["request_counts"]["succeeded"] == 1
    assert ended["request_counts"]["errored"] == 3
    by_id = {line["custom_id"]: line["result"] for line in results(http, batch["id"])}
    assert by_id["good"]["type"] == "succeeded"
    for name in ("no-max", "bad-model", "bad-role"):
        result = by_id[name]
        assert result["type"] == "errored"
        envelope = result["error"]
        assert envelope["type"] == "error" and envelope["request_id"].startswith("req_")
        assert envelope["error"]["type"] in ("invalid_request_error", "not_found_error")
        assert envelope["error"]["message"]
    assert "max_tokens" in by_id["no-max"]["error"]["error"]["message"]


@pytest.mark.parametrize(
    ("items", "needle"),
    [
        ([], "requests"),
        ([{"custom_id": "a b", "params": params()}], "custom_id"),
        ([{"custom_id": "x" * 65, "params": params()}], "custom_id"),
        ([{"custom_id": "", "params": params()}], "custom_id"),
        ([{"custom_id": "abc\n", "params": params()}], "custom_id"),
        ([{"custom_id": "caf\u00e9", "params": params()}], "custom_id"),
        ([{"custom_id": 5, "params": params()}], "custom_id"),
        ([{"custom_id": "dup", "params": params()}] * 2, "dup"),
        ([{"custom_id": "s", "params": params(stream=True)}], "stream"),
        ([{"custom_id": "s", "params": params(speed="fast")}], "speed"),
        ([{"custom_id": "s", "params": params(max_tokens=0)}], "max_tokens"),
        ([{"custom_id": "s"}], "params"),
        ([{"custom_id": "s", "params": "text"}], "params"),
        ([{"custom_id": "s", "params": params(), "extra": 1}], "extra"),
        (["not an object"], "requests.0"),
    ],
)
def test_create_refuses_what_the_service_refuses(
    http: httpx.Client, items: list[Any], needle: str
) -> None:
    message = error_of(http.post(BATCHES, json={"requests": items}), 400, "invalid_request_error")
    assert needle in message


def test_create_refuses_a_bad_body(http: httpx.Client) -> None:
    assert "requests" in error_of(http.post(BATCHES, json={}), 400, "invalid_request_error")
    error_of(http.post(BATCHES, json={"requests": "x"}), 400, "invalid_request_error")
    error_of(http.post(BATCHES, json={"requests": [], "x": 1}), 400, "invalid_request_error")
    error_of(http.post(BATCHES, content=b"{nope"), 400, "invalid_request_error")


def test_too_many_requests_are_refused(http: httpx.Client) -> None:
    items = [{"custom_id": f"c{i}", "params": {}} for i in range(100_001)]
    message = error_of(http.post(BATCHES, json={"requests": items}), 400, "invalid_request_error")
    assert "100000" in message or "100,000" in message


def test_body_limit_is_256_mb_not_the_messages_32_mb(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 33 MB batch is accepted (over /v1/messages' 32 MB)...
    big = "x" * (33 * 1024 * 1024)
    body = json.dumps({"requests": [{"custom_id": "big", "params": params(big)}]}).encode()
    answer = emulator.handle("POST", BATCHES, HEADERS, body)
    assert answer.status == 200, answer.body[:300]
    # ...and one over the batch limit is a 413 request_too_large.
    monkeypatch.setattr(_batches, "MAX_BATCH_BYTES", 1000)
    small = json.dumps({"requests": requests(30)}).encode()
    answer = emulator.handle("POST", BATCHES, HEADERS, small)
    assert answer.status == 413
    assert json.loads(answer.body)["error"]["type"] == "request_too_large"


def test_list_pages_newest_first(http: httpx.Client, clock: Clock) -> None:
    ids = []
    for index in range(5):
        ids.append(create(http, requests(1, prefix=f"b{index}"))["id"])
        clock.now += 1
    newest_first = ids[::-1]
    page = http.get(BATCHES, params={"limit": 2}).json()
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    assert [batch["id"] for batch in page["data"]] == newest_first[:2]
    assert page["has_more"] is True
    assert page["first_id"] == newest_first[0] and page["last_id"] == newest_first[1]
    for batch in page["data"]:
        assert set(batch) == FIELDS
    after = http.get(BATCHES, params={"limit": 2, "after_id": page["last_id"]}).json()
    assert [batch["id"] for batch in after["data"]] == newest_first[2:4]
    last = http.get(BATCHES, params={"limit": 2, "after_id": after["last_id"]}).json()
    assert [batch["id"] for batch in last["data"]] == newest_first[4:]
    assert last["has_more"] is False
    before = http.get(BATCHES, params={"limit": 2, "before_id": newest_first[3]}).json()
    assert [batch["id"] for batch in before["data"]] == newest_first[1:3]
    assert before["has_more"] is True
    everything = http.get(BATCHES).json()
    assert [batch["id"] for batch in everything["data"]] == newest_first
    assert everything["has_more"] is False
    error_of(http.get(BATCHES, params={"limit": 0}), 400, "invalid_request_error")
    error_of(http.get(BATCHES, params={"limit": "x"}), 400, "invalid_request_error")


def test_cancel_goes_through_canceling_and_ends_with_a_mix(clock: Clock) -> None:
    calls: list[Any] = []

    def responder(body: dict[str, Any]) -> str:
        calls.append(body)
        return "ok"

    emulator = Emulator(clock=clock, batch_seconds=10.0, responder=responder)
    with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as http:
        batch = create(http, requests(10))
        clock.now += 5.0
        response = http.post(f"{BATCHES}/{batch['id']}/cancel")
        assert response.status_code == 200, response.text
        canceling = response.json()
        assert canceling["processing_status"] == "canceling"
        assert parse_time(canceling["cancel_initiated_at"]).timestamp() == clock.now
        assert canceling["ended_at"] is None and canceling["results_url"] is None
        assert retrieve(http, batch["id"])["processing_status"] == "canceling"
        clock.now += 1.0  # the grace is a tenth of the batch's duration
        ended = retrieve(http, batch["id"])
        assert ended["processing_status"] == "ended"
        counts = ended["request_counts"]
        assert counts["processing"] == 0
        assert counts["succeeded"] > 0 and counts["canceled"] > 0
        assert counts["succeeded"] + counts["canceled"] == 10
        lines = results(http, batch["id"])
        kinds = [line["result"]["type"] for line in lines]
        assert kinds.count("canceled") == counts["canceled"]
        assert all(
            line["result"] == {"type": "canceled"}
            for line in lines
            if line["result"]["type"] == "canceled"
        )
        assert len(calls) == counts["succeeded"]  # a canceled request never reaches the model
        # An ended batch cannot be canceled again.
        error_of(http.post(f"{BATCHES}/{batch['id']}/cancel"), 400, "invalid_request_error")


def test_delete_only_once_ended(http: httpx.Client, clock: Clock) -> None:
    batch = create(http, requests(2))
    message = error_of(http.delete(f"{BATCHES}/{batch['id']}"), 400, "invalid_request_error")
    assert "cancel" in message
    clock.now += 10
    response = http.delete(f"{BATCHES}/{batch['id']}")
    assert response.status_code == 200, response.text
    assert response.json() == {"id": batch["id"], "type": "message_batch_deleted"}
    error_of(http.get(f"{BATCHES}/{batch['id']}"), 404, "not_found_error")
    assert batch["id"] not in [item["id"] for item in http.get(BATCHES).json()["data"]]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("DELETE", ""), ("POST", "/cancel"), ("GET", "/results")],
)
def test_unknown_batch_is_404(http: httpx.Client, method: str, suffix: str) -> None:
    response = http.request(method, f"{BATCHES}/msgbatch_01nope{suffix}")
    error_of(response, 404, "not_found_error")


def test_wrong_method_and_unknown_subpath(http: httpx.Client) -> None:
    error_of(http.put(BATCHES), 405, "invalid_request_error")
    batch = create(http, requests(1))
    error_of(http.post(f"{BATCHES}/{batch['id']}"), 405, "invalid_request_error")
    error_of(http.get(f"{BATCHES}/{batch['id']}/cancel"), 405, "invalid_request_error")
    error_of(http.get(f"{BATCHES}/{batch['id']}/other"), 404, "not_found_error")


def test_headers_are_checked_as_on_other_routes(emulator: Emulator) -> None:
    with emulator.serve() as base_url:
        no_key = httpx.get(f"{base_url}{BATCHES}", headers={"anthropic-version": "2023-06-01"})
        error_of(no_key, 401, "authentication_error")
        no_version = httpx.get(f"{base_url}{BATCHES}", headers={"x-api-key": "k"})
        error_of(no_version, 400, "invalid_request_error")
        bearer = httpx.get(
            f"{base_url}{BATCHES}",
            headers={"anthropic-version": "2023-06-01", "authorization": "Bearer k"},
        )
        assert bearer.status_code == 200
    assert all(
        request.headers.get("x-api-key") in (None, "[redacted]") for request in emulator.requests
    )


def test_injected_faults_apply_to_batch_routes(http: httpx.Client, emulator: Emulator) -> None:
    batch = create(http, requests(1))
    emulator.inject("529")
    error_of(http.get(f"{BATCHES}/{batch['id']}"), 529, "overloaded_error")
    assert retrieve(http, batch["id"])["id"] == batch["id"]
    response = http.get(BATCHES, headers={"x-emulator-fault": "500"})
    assert response.status_code == 500


def test_a_batch_still_pending_at_24_hours_expires(clock: Clock) -> None:
    emulator = Emulator(clock=clock, batch_seconds=48 * 3600.0)
    with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as http:
        batch = create(http, requests(4))
        clock.now += 24 * 3600.0
        ended = retrieve(http, batch["id"])
        assert ended["processing_status"] == "ended"
        assert ended["ended_at"] == batch["expires_at"]
        # requests 0 and 1 were due at 12 h and 24 h, 2 and 3 were not: they expire
        assert ended["request_counts"] == {**dict.fromkeys(COUNTS, 0), "succeeded": 2, "expired": 2}
        by_id = {line["custom_id"]: line["result"] for line in results(http, batch["id"])}
        assert by_id["r3"] == {"type": "expired"} and by_id["r0"]["type"] == "succeeded"


def test_results_are_archived_after_29_days(http: httpx.Client, clock: Clock) -> None:
    batch = create(http, requests(1))
    clock.now += 29 * 86400.0
    archived = retrieve(http, batch["id"])
    assert archived["processing_status"] == "ended"
    assert parse_time(archived["archived_at"]) - parse_time(archived["created_at"]) == timedelta(
        days=29
    )
    error_of(http.get(f"{BATCHES}/{batch['id']}/results"), 404, "not_found_error")


def test_batches_kept_in_memory_are_bounded(
    emulator: Emulator, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_batches, "MAX_BATCHES", 3)
    ids = [create(http, requests(1, prefix=f"k{index}"))["id"] for index in range(5)]
    listed = [item["id"] for item in http.get(BATCHES).json()["data"]]
    assert listed == ids[:1:-1]  # the two oldest were dropped
    error_of(http.get(f"{BATCHES}/{ids[0]}"), 404, "not_found_error")


def test_results_are_answered_by_the_same_responder(clock: Clock) -> None:
    emulator = Emulator(clock=clock, batch_seconds=0.0, responder=ScriptedResponder(["one", "two"]))
    with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as http:
        batch = create(http, requests(2))
        texts = sorted(
            line["result"]["message"]["content"][0]["text"] for line in results(http, batch["id"])
        )
    assert texts == ["one", "two"]


def test_in_process_results_url_is_https(emulator: Emulator, clock: Clock) -> None:
    from claude_nb.testing import HandlerTransport

    with httpx.Client(
        transport=HandlerTransport(emulator.handle),
        base_url="https://api.anthropic.com",
        headers=HEADERS,
    ) as client:
        batch = create(client, requests(1))
        clock.now += 10
        ended = retrieve(client, batch["id"])
        assert ended["results_url"] == f"https://api.anthropic.com{BATCHES}/{batch['id']}/results"
        assert len(results(client, ended["id"])) == 1


def test_cli_options_for_batches() -> None:
    from claude_nb.emulator.__main__ import build_parser

    options = build_parser().parse_args(["--batch-seconds", "2.5", "--batch-progress"])
    assert (options.batch_seconds, options.batch_progress) == (2.5, True)
    defaults = build_parser().parse_args([])
    assert (defaults.batch_seconds, defaults.batch_progress) == (3.0, False)
    for bad in ("-1", "nan", "soon"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["--batch-seconds", bad])
    with pytest.raises(ValueError):
        Emulator(batch_seconds=float("nan"))


def test_stream_false_is_allowed_and_threads_share_one_store(
    emulator: Emulator, http: httpx.Client, clock: Clock
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def make(index: int) -> str:
        items = [{"custom_id": f"t{index}", "params": params(stream=False)}]
        return str(create(http, items)["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(make, range(16)))
    assert len(set(ids)) == 16
    clock.now += 10
    with ThreadPoolExecutor(8) as pool:
        ended = list(pool.map(lambda batch_id: retrieve(http, batch_id), ids))
    assert all(batch["request_counts"]["succeeded"] == 1 for batch in ended)
    assert len(http.get(BATCHES, params={"limit": 100}).json()["data"]) == 16


def test_batch_ids_are_random_but_message_ids_stay_seeded(clock: Clock) -> None:
    # a fresh emulator (a restarted kernel's) must not hand out an earlier one's batch ids
    ids, message_ids = [], []
    for _ in range(2):
        emulator = Emulator(clock=clock, batch_seconds=0.0, seed=3)
        with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as http:
            ids.append(create(http, requests(2))["id"])
            clock.now += 1
            rows = results(http, ids[-1])
        message_ids.append(sorted(row["result"]["message"]["id"] for row in rows))
    assert ids[0] != ids[1]
    assert all(re.match(r"^msgbatch_01[0-9A-Za-z]{22}$", batch_id) for batch_id in ids)
    assert message_ids[0] == message_ids[1]  # everything else is still seed-determined
