"""The official SDK's ``client.messages.batches`` against ``python -m claude_nb.emulator``.

Every answer must parse into the SDK's own types (``MessageBatch``, ``DeletedMessageBatch``,
``MessageBatchIndividualResponse`` and its four result kinds), over real HTTP to a subprocess
emulator whose batches take ``--batch-seconds`` of wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from anthropic.types.messages import (
    DeletedMessageBatch,
    MessageBatch,
    MessageBatchCanceledResult,
    MessageBatchErroredResult,
    MessageBatchIndividualResponse,
    MessageBatchSucceededResult,
)

from claude_nb.testing import emulator_process

MODEL = "claude-opus-5"
SECONDS = 1.0


@pytest.fixture(scope="module")
def batch_server() -> Iterator[str]:
    with emulator_process("--batch-seconds", str(SECONDS)) as base_url:
        yield base_url


@pytest.fixture
def client(batch_server: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="sk-test-key", base_url=batch_server) as sdk:
        yield sdk


def request(custom_id: str, prompt: str, **params: Any) -> Any:
    return {
        "custom_id": custom_id,
        "params": {
            "model": MODEL,
            "max_tokens": 64,
            "messages": [{"role": "user", "content": prompt}],
            **params,
        },
    }


def wait_until_ended(client: anthropic.Anthropic, batch_id: str) -> list[MessageBatch]:
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        batch = client.messages.batches.retrieve(batch_id)
        assert isinstance(batch, MessageBatch)
        seen.append(batch)
        if batch.processing_status == "ended":
            return seen
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} did not end: {seen[-1]}")


def test_create_retrieve_results_delete(client: anthropic.Anthropic) -> None:
    created = client.messages.batches.create(
        requests=[
            request("capital-fr", "What is the capital of France?"),
            request("words", "Give me 3 words"),
            request("bad", "hello", max_tokens=-5),
        ]
    )
    assert isinstance(created, MessageBatch)
    assert created.id.startswith("msgbatch_")
    assert created.processing_status == "in_progress"
    assert created.request_counts.processing == 3
    assert created.results_url is None and created.ended_at is None
    assert (created.expires_at - created.created_at).total_seconds() == 24 * 3600
    with pytest.raises(anthropic.AnthropicError, match="results_url"):
        client.messages.batches.results(created.id)  # the SDK itself refuses before it ends

    seen = wait_until_ended(client, created.id)
    assert seen[0].processing_status == "in_progress"
    ended = seen[-1]
    assert ended.ended_at is not None and ended.results_url is not None
    assert ended.results_url.endswith(f"/v1/messages/batches/{created.id}/results")
    counts = ended.request_counts
    assert (counts.processing, counts.succeeded, counts.errored) == (0, 2, 1)

    lines = list(client.messages.batches.results(created.id))
    assert all(isinstance(line, MessageBatchIndividualResponse) for line in lines)
    by_id = {line.custom_id: line.result for line in lines}
    assert set(by_id) == {"capital-fr", "words", "bad"}
    for name in ("capital-fr", "words"):
        result = by_id[name]
        assert isinstance(result, MessageBatchSucceededResult)
        assert result.message.content[0].type == "text"
        assert result.message.usage.output_tokens > 0
        assert result.message.usage.service_tier == "batch"
    answer = by_id["capital-fr"].message.content[0].text  # type: ignore[union-attr]
    assert "What is the capital of France?" in answer  # the offline responder answered it
    errored = by_id["bad"]
    assert isinstance(errored, MessageBatchErroredResult)
    assert errored.error.error.type == "invalid_request_error"
    assert "max_tokens" in errored.error.error.message

    deleted = client.messages.batches.delete(created.id)
    assert isinstance(deleted, DeletedMessageBatch)
    assert deleted.id == created.id and deleted.type == "message_batch_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve(created.id)


def test_cancel_ends_with_succeeded_and_canceled(client: anthropic.Anthropic) -> None:
    created = client.messages.batches.create(
        requests=[request(f"item-{index}", f"item {index}") for index in range(20)]
    )
    time.sleep(SECONDS / 2)
    canceling = client.messages.batches.cancel(created.id)
    assert isinstance(canceling, MessageBatch)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    with pytest.raises(anthropic.BadRequestError):
        client.messages.batches.delete(created.id)  # not ended yet
    ended = wait_until_ended(client, created.id)[-1]
    counts = ended.request_counts
    assert counts.canceled > 0 and counts.succeeded > 0
    assert counts.succeeded + counts.canceled == 20
    lines = list(client.messages.batches.results(created.id))
    canceled = [line for line in lines if isinstance(line.result, MessageBatchCanceledResult)]
    assert len(canceled) == counts.canceled
    assert len(lines) == 20


def test_list_pages_newest_first(client: anthropic.Anthropic) -> None:
    ids = [
        client.messages.batches.create(requests=[request(f"list-{index}", "hi")]).id
        for index in range(3)
    ]
    page = client.messages.batches.list(limit=2)
    assert [batch.id for batch in page.data] == ids[::-1][:2]
    assert page.has_more is True and page.last_id == ids[1]
    everything = [batch.id for batch in client.messages.batches.list(limit=2)]  # auto-pages
    assert everything[:3] == ids[::-1]
    assert all(isinstance(batch, MessageBatch) for batch in page.data)


def test_refusals_are_sdk_errors(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="custom_id"):
        client.messages.batches.create(requests=[request("not valid!", "hi")])
    with pytest.raises(anthropic.BadRequestError, match="stream"):
        client.messages.batches.create(requests=[request("s", "hi", stream=True)])
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.cancel("msgbatch_01missing")
