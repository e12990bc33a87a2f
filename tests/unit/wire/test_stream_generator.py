"""The clients' ``stream`` generators: the one streaming path, sync and async alike."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from claude_nb._config import resolve_settings
from claude_nb._wire.client import AsyncMessagesClient, MessagesClient, StreamProgress
from claude_nb._wire.sse import decode_all
from claude_nb._wire.transport import make_async_client, make_client

FIXTURES = Path(__file__).parent / "fixtures"
BODY = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 10,
    "stream": True,
    "messages": [{"role": "user", "content": "hi"}],
}
SETTINGS = resolve_settings({"api_key": "sk-ant-gen", "base_url": "https://api.test"}, environ={})


def _transport(names: list[str]) -> httpx.MockTransport:
    queue = [(FIXTURES / f"{name}.sse").read_bytes() for name in names]

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream", "request-id": "req_g"},
            content=queue.pop(0),
        )

    return httpx.MockTransport(handle)


def _sync(names: list[str]) -> tuple[list[tuple[int, Any, str]], StreamProgress]:
    """(attempt number, raw event, text so far) per yielded snapshot, and the progress."""
    client = MessagesClient(
        SETTINGS, make_client(SETTINGS, _transport(names)), sleep=lambda seconds: None
    )
    progress = StreamProgress()
    seen: list[tuple[int, Any, str]] = []
    snapshots: list[Any] = []
    for snapshot in client.stream(BODY, progress):
        if snapshot not in snapshots:
            snapshots.append(snapshot)
        seen.append((len(snapshots), snapshot.event, snapshot.text))
    return seen, progress


def _async(names: list[str]) -> tuple[list[tuple[int, Any, str]], StreamProgress]:
    async def no_sleep(seconds: float) -> None:
        return None

    async def run() -> tuple[list[tuple[int, Any, str]], StreamProgress]:
        async with make_async_client(SETTINGS, _transport(names)) as http:
            client = AsyncMessagesClient(SETTINGS, http, sleep=no_sleep)
            progress = StreamProgress()
            seen: list[tuple[int, Any, str]] = []
            snapshots: list[Any] = []
            async for snapshot in client.stream(BODY, progress):
                if snapshot not in snapshots:
                    snapshots.append(snapshot)
                seen.append((len(snapshots), snapshot.event, snapshot.text))
            return seen, progress

    return asyncio.run(run())


@pytest.mark.parametrize(
    "names", [["text"], ["tool_use"], ["unknown_events"], ["error_before_content", "text"]]
)
def test_sync_and_async_generators_yield_the_same_events(names: list[str]) -> None:
    sync_seen, sync_progress = _sync(names)
    async_seen, async_progress = _async(names)
    assert sync_seen == async_seen
    assert sync_progress == async_progress and sync_progress.result is not None
    assert sync_progress.retries == len(names) - 1
    # every raw event of the answering attempt, in order, ping and unknown types included
    answered = [
        json.loads(sse.data) for sse in decode_all((FIXTURES / f"{names[-1]}.sse").read_bytes())
    ]
    assert [event for attempt, event, _ in sync_seen if attempt == len(names)] == answered


def test_create_is_the_generator_driven_with_a_callback() -> None:
    seen, progress = _sync(["text"])
    client = MessagesClient(SETTINGS, make_client(SETTINGS, _transport(["text"])))
    texts: list[str] = []
    result = client.create(BODY, on_event=lambda snapshot: texts.append(snapshot.text))
    assert texts == [text for _, _, text in seen]
    assert progress.result is not None and result.value == progress.result.value
    assert result.request_id == "req_g" == progress.result.request_id


def test_closing_the_generator_closes_the_response() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield (FIXTURES / "text.sse").read_bytes()[:400]
            while True:
                yield b": keep-alive\n\n"

        def close(self) -> None:
            closed.append(True)

    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Body()
        )
    )
    client = MessagesClient(SETTINGS, make_client(SETTINGS, transport))
    snapshots = client.stream(BODY)
    first = next(snapshots)
    assert first.event["type"] == "message_start" and closed == []
    snapshots.close()
    assert closed == [True]
