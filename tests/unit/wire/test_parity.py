"""The same fixture bytes through the sync and the async loops give the same outcome."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from claude_nb._config import resolve_settings
from claude_nb._wire.client import AsyncMessagesClient, MessagesClient
from claude_nb._wire.transport import make_async_client, make_client

FIXTURES = Path(__file__).parent / "fixtures"
BODY = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 10,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}
SETTINGS = resolve_settings(
    {"api_key": "sk-ant-parity", "base_url": "https://api.test"}, environ={}
)


def _handler(payloads: list[bytes]) -> Any:
    queue = list(payloads)

    def handle(request: httpx.Request) -> httpx.Response:
        payload = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream", "request-id": "req_p"},
            content=payload,
        )

    return handle


def _outcome(call: Any) -> tuple[str, Any, int, list[str]]:
    """(kind, message or partial, retries, texts seen by on_event)."""
    texts: list[str] = []
    try:
        result = call(lambda snapshot: texts.append(snapshot.text))
    except Exception as error:  # the comparison covers failures too
        return type(error).__name__, getattr(error, "partial", None), error.retries, texts
    return "ok", result.value, result.retries, texts


def _sync(payloads: list[bytes]) -> tuple[str, Any, int, list[str]]:
    client = MessagesClient(
        SETTINGS,
        make_client(SETTINGS, httpx.MockTransport(_handler(payloads))),
        sleep=lambda seconds: None,
    )
    return _outcome(lambda on_event: client.create(BODY, on_event=on_event))


def _async(payloads: list[bytes]) -> tuple[str, Any, int, list[str]]:
    async def no_sleep(seconds: float) -> None:
        return None

    async def run(on_event: Any) -> Any:
        http = make_async_client(SETTINGS, httpx.MockTransport(_handler(payloads)))
        async with http:
            client = AsyncMessagesClient(SETTINGS, http, sleep=no_sleep)
            return await client.create(BODY, on_event=on_event)

    return _outcome(lambda on_event: asyncio.run(run(on_event)))


# case: (fixtures served in turn, the outcome both loops must reach, retries)
CASES = {
    name: ([name], "ok", 0)
    for name in ["text", "tool_use", "thinking", "citations", "unknown_events", "cache_usage"]
}
CASES["error_after_content"] = (["error_after_content"], "StreamEventError", 0)
CASES["truncated"] = (["truncated"], "IncompleteStreamError", 0)
CASES["bad_tool_json"] = (["bad_tool_json"], "MalformedStreamError", 0)
CASES["retried_then_ok"] = (["error_before_content", "text"], "ok", 1)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sync_and_async_agree(case: str) -> None:
    names, kind, retries = CASES[case]
    payloads = [(FIXTURES / f"{name}.sse").read_bytes() for name in names]
    sync_outcome, async_outcome = _sync(payloads), _async(payloads)
    assert sync_outcome == async_outcome
    assert sync_outcome[0] == kind and sync_outcome[2] == retries
    assert sync_outcome[3], "on_event was called"


def test_async_count_tokens_and_models_agree() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("count_tokens"):
            return httpx.Response(200, json={"input_tokens": 7})
        after = request.url.params.get("after_id")
        page = {"data": [{"id": after or "first"}], "has_more": after is None, "last_id": "second"}
        return httpx.Response(200, json=page)

    sync_client = MessagesClient(SETTINGS, make_client(SETTINGS, httpx.MockTransport(handle)))

    async def run() -> tuple[Any, Any]:
        async with make_async_client(SETTINGS, httpx.MockTransport(handle)) as http:
            client = AsyncMessagesClient(SETTINGS, http)
            return (await client.count_tokens({})).value, await client.list_models()

    assert asyncio.run(run()) == (sync_client.count_tokens({}).value, sync_client.list_models())
