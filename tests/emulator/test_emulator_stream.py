"""Streams, pacing, faults, the async twin, the threaded server and the models endpoints."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from claude_nb.emulator import Emulator, Pacing, ScriptedResponder
from claude_nb.testing import AsyncHandlerTransport, HandlerTransport, sse_events

PAYLOAD = {
    "model": "claude-opus-5",
    "max_tokens": 1000,
    "stream": True,
    "messages": [{"role": "user", "content": "Hi"}],
}
HEADERS = {"anthropic-version": "2023-06-01"}
TURN = {
    "content": [
        {"type": "thinking", "thinking": "let me think about it"},
        {"type": "text", "text": "one two three four five"},
        {"type": "tool_use", "name": "add", "input": {"a": 1, "b": [1, 2, 3], "c": "x" * 40}},
    ]
}


def client_for(emulator: Emulator) -> httpx.Client:
    transport = HandlerTransport(emulator.handle)
    return httpx.Client(transport=transport, base_url="https://x", headers=HEADERS)


def stream(emulator: Emulator, **headers: str) -> tuple[httpx.Response, list[tuple[str, Any]]]:
    with client_for(emulator) as client:
        payload = {**PAYLOAD, "max_tokens": 30000}
        response = client.post("/v1/messages", json=payload, headers=headers)
    is_sse = response.headers["content-type"].startswith("text/event-stream")
    return response, sse_events(response.text) if is_sse else []


def test_full_event_sequence() -> None:
    emulator = Emulator(require_key=False, responder=ScriptedResponder([TURN]))
    response, events = stream(emulator)
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names[2] == "ping"  # right after the first content_block_start
    assert all(name == data["type"] for name, data in events)
    start = events[0][1]["message"]
    assert start["content"] == [] and start["stop_reason"] is None
    assert {"input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"} <= set(
        start["usage"]
    )
    deltas = [data["delta"] for name, data in events if name == "content_block_delta"]
    kinds = [delta["type"] for delta in deltas]
    assert kinds.count("signature_delta") == 1
    assert kinds.index("signature_delta") == kinds.count("thinking_delta")
    assert kinds.count("text_delta") == 5
    fragments = [d["partial_json"] for d in deltas if d["type"] == "input_json_delta"]
    assert fragments[0] == "" and len(fragments) > 3
    assert json.loads("".join(fragments)) == TURN["content"][2]["input"]
    final = events[-2][1]
    assert final["delta"]["stop_reason"] == "tool_use"
    assert final["usage"]["output_tokens"] > 1
    assert final["usage"]["input_tokens"] == start["usage"]["input_tokens"]


def test_benchmark_stream_of_20000_deltas() -> None:
    _, events = stream(Emulator(require_key=False), **{"x-emulator-deltas": "20000"})
    deltas = [data for name, data in events if name == "content_block_delta"]
    assert len(deltas) == 20000
    assert sum(1 for name, _ in events if name == "ping") >= 20000 // 200


def test_pacing_time_to_first_token() -> None:
    emulator = Emulator(
        require_key=False,
        responder=ScriptedResponder(["a b c d e f g h"]),
        pacing=Pacing(tokens_per_second=200, time_to_first_token=0.3),
    )
    started = time.perf_counter()
    arrivals: list[float] = []
    with client_for(emulator) as client, client.stream("POST", "/v1/messages", json=PAYLOAD) as r:
        for line in r.iter_lines():
            if '"text_delta"' in line:
                arrivals.append(time.perf_counter() - started)
    assert arrivals[0] >= 0.3
    assert arrivals[-1] - arrivals[0] >= 7 / 200 * 0.9  # 8 one-token deltas at 200 tokens/s
    assert arrivals[-1] < 2.0


@pytest.mark.parametrize("code", ["429", "529", "500", "413", "401"])
def test_status_faults(code: str) -> None:
    emulator = Emulator(require_key=False)
    emulator.inject(f"{code};retry-after=0.01;should-retry=false")
    response, _ = stream(emulator)
    assert response.status_code == int(code)
    assert response.json()["type"] == "error"
    assert response.headers["retry-after"] == "0.01"
    assert response.headers["x-should-retry"] == "false"
    assert stream(emulator)[0].status_code == 200  # injected faults are used once


def test_rate_limit_fault_defaults_and_headers() -> None:
    emulator = Emulator(require_key=False)
    emulator.inject("429")
    response, _ = stream(emulator)
    assert response.json()["error"]["type"] == "rate_limit_error"
    assert response.headers["retry-after"] == "1"
    assert response.headers["anthropic-ratelimit-requests-remaining"] == "0"


def test_injected_faults_are_fifo() -> None:
    emulator = Emulator(require_key=False)
    emulator.inject("529", times=2)
    emulator.inject("500")
    codes = [stream(emulator)[0].status_code for _ in range(4)]
    assert codes == [529, 529, 500, 200]
    assert len(emulator.requests) == 4


def test_header_fault_applies_to_every_request() -> None:
    emulator = Emulator(require_key=False)
    for _ in range(2):
        assert stream(emulator, **{"x-emulator-fault": "529"})[0].status_code == 529
    assert stream(emulator, **{"x-emulator-fault": "nonsense"})[0].status_code == 400


def test_drop_before_headers() -> None:
    emulator = Emulator(require_key=False)
    emulator.inject("drop-before-headers")
    with pytest.raises(httpx.RemoteProtocolError):
        stream(emulator)


@pytest.mark.parametrize(
    ("fault", "last"),
    [("error-after:3", "error"), ("truncate-after:3", "ping"), ("malformed-after:3", None)],
)
def test_stream_faults(fault: str, last: str | None) -> None:
    response, events = stream(Emulator(require_key=False), **{"x-emulator-fault": fault})
    assert response.status_code == 200
    names = [name for name, _ in events]
    assert "message_stop" not in names
    if last == "error":
        assert len(events) == 4
        assert events[-1][1]["error"]["type"] == "overloaded_error"
    elif last is None:
        assert len(events) == 4
        assert isinstance(events[-1][1], str)  # invalid JSON kept raw
    else:
        assert len(events) == 3


def test_slow_first_byte() -> None:
    emulator = Emulator(require_key=False)
    emulator.inject("slow-first-byte:0.25")
    started = time.perf_counter()
    assert stream(emulator)[0].status_code == 200
    assert time.perf_counter() - started >= 0.25


def test_non_streaming_headers(emulator_client: httpx.Client) -> None:
    response = emulator_client.post("/v1/messages", json={**PAYLOAD, "stream": False})
    assert response.headers["request-id"].startswith("req_")
    assert response.json()["id"].startswith("msg_")
    for family in ("requests", "tokens", "input-tokens", "output-tokens"):
        for part in ("limit", "remaining"):
            assert int(response.headers[f"anthropic-ratelimit-{family}-{part}"]) >= 0
        assert response.headers[f"anthropic-ratelimit-{family}-reset"].endswith("Z")


def test_async_transport_matches_sync() -> None:
    async def run() -> str:
        emulator = Emulator(require_key=False, responder=ScriptedResponder([TURN]))
        async with httpx.AsyncClient(
            transport=AsyncHandlerTransport(emulator.handle), base_url="https://x", headers=HEADERS
        ) as client:
            response = await client.post("/v1/messages", json=PAYLOAD)
            return response.text

    sync_text = stream(Emulator(require_key=False, responder=ScriptedResponder([TURN])))[0].text
    assert asyncio.run(run()) == sync_text


def test_threaded_server_streams_and_keeps_alive() -> None:
    emulator = Emulator(require_key=False, responder=ScriptedResponder([TURN], repeat_last=True))
    with emulator.serve() as base_url, httpx.Client(base_url=base_url, headers=HEADERS) as client:
        assert base_url.startswith("http://127.0.0.1:")
        texts = [client.post("/v1/messages", json=PAYLOAD).text for _ in range(3)]
        assert all(sse_events(text)[-1][0] == "message_stop" for text in texts)
        models = client.get("/v1/models", params={"limit": 3}).json()
        assert len(models["data"]) == 3
        emulator.inject("drop-before-headers")
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/v1/messages", json=PAYLOAD)
        assert client.post("/v1/messages", json=PAYLOAD).status_code == 200


def test_models_paging_and_retrieve(emulator_client: httpx.Client) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = emulator_client.get("/v1/models", params=params).json()
        seen += [model["id"] for model in page["data"]]
        assert page["first_id"] == page["data"][0]["id"]
        assert page["last_id"] == page["data"][-1]["id"]
        if not page["has_more"]:
            break
        params = {"limit": 4, "after_id": page["last_id"]}
    from claude_nb._api.models import model_ids

    assert seen == model_ids()
    back = emulator_client.get("/v1/models", params={"limit": 2, "before_id": seen[3]}).json()
    assert [model["id"] for model in back["data"]] == seen[1:3]
    alias = emulator_client.get("/v1/models/claude-haiku-4-5-20251001").json()
    assert alias["id"] == "claude-haiku-4-5" and alias["type"] == "model"
    missing = emulator_client.get("/v1/models/claude-nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found_error"
