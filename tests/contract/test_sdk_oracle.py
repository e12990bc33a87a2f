"""The official ``anthropic`` SDK (2.x) as an oracle: it must parse every emulator answer.

The SDK talks to ``python -m claude_nb.emulator`` run as a real subprocess (the
``emulator_server`` fixture). Retry counting uses an in-thread server so the request log can be
read. SDK 2.x sends ``anthropic-version: 2026-10-21`` and the key as a Bearer token.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import anthropic
import pytest

from claude_nb._api.models import model_ids
from claude_nb.emulator import Emulator

MODEL = "claude-opus-5"
WEATHER = {
    "name": "get_weather",
    "description": "Current weather",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city"],
    },
}


@pytest.fixture
def client(emulator_server: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="sk-test-key", base_url=emulator_server) as sdk:
        yield sdk


def test_create_plain_text(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL, max_tokens=300, messages=[{"role": "user", "content": "Hello there"}]
    )
    assert message.id.startswith("msg_")
    assert message.stop_reason == "end_turn"
    assert message.content[0].type == "text"
    assert "Hello there" in message.content[0].text
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message._request_id is not None and message._request_id.startswith("req_")


def test_stream_text(client: anthropic.Anthropic) -> None:
    with client.messages.stream(
        model=MODEL, max_tokens=4000, messages=[{"role": "user", "content": "write 300 words"}]
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 300
    assert "".join(pieces) == final.content[0].text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 300


def test_stream_tool_use_partial_json(client: anthropic.Anthropic) -> None:
    with client.messages.stream(
        model=MODEL,
        max_tokens=500,
        tools=[WEATHER],  # type: ignore[list-item]
        messages=[{"role": "user", "content": "Call get_weather for Lisbon in celsius"}],
    ) as stream:
        final = stream.get_final_message()
    calls = [block for block in final.content if block.type == "tool_use"]
    assert final.stop_reason == "tool_use"
    assert calls[0].name == "get_weather"
    assert calls[0].input == {"city": "Lisbon", "unit": "celsius"}


def test_stream_thinking(client: anthropic.Anthropic) -> None:
    with client.messages.stream(
        model=MODEL,
        max_tokens=500,
        thinking={"type": "adaptive"},
        messages=[{"role": "user", "content": "Think, then answer"}],
    ) as stream:
        final = stream.get_final_message()
    thinking = final.content[0]
    assert thinking.type == "thinking"
    assert thinking.thinking and thinking.signature
    assert final.content[1].type == "text"


def test_count_tokens(client: anthropic.Anthropic) -> None:
    counted = client.messages.count_tokens(
        model=MODEL, messages=[{"role": "user", "content": "Hello there"}]
    )
    message = client.messages.create(
        model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hello there"}]
    )
    assert counted.input_tokens == message.usage.input_tokens


def test_models_list_all_pages(client: anthropic.Anthropic) -> None:
    ids = [model.id for model in client.models.list(limit=3)]
    assert ids == model_ids()
    assert client.models.retrieve("claude-haiku-4-5-20251001").id == "claude-haiku-4-5"
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-nope")


def test_bad_request(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "assistant", "content": "x"}]
        )
    assert caught.value.status_code == 400
    assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")


def test_authentication_error(client: anthropic.Anthropic) -> None:
    no_key = {"Authorization": anthropic.omit, "X-Api-Key": anthropic.omit}
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client.messages.create(
            model=MODEL,
            max_tokens=10,
            messages=[{"role": "user", "content": "x"}],
            extra_headers=no_key,  # type: ignore[arg-type]
        )
    assert caught.value.status_code == 401
    assert "x-api-key header is required" in caught.value.message


@pytest.fixture
def sdk_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the SDK asks for between its retries: counted, not clocked."""
    import anthropic._base_client as base_client

    waits: list[float] = []
    real_sleep = time.sleep

    class RecordingTime:
        def __getattr__(self, name: str) -> object:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            waits.append(seconds)
            real_sleep(seconds)

    monkeypatch.setattr(base_client, "time", RecordingTime())
    return waits


def test_overloaded_after_sdk_retries(client: anthropic.Anthropic, sdk_waits: list[float]) -> None:
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(
            model=MODEL,
            max_tokens=10,
            messages=[{"role": "user", "content": "x"}],
            extra_headers={"x-emulator-fault": "529;retry-after=0.01"},
        )
    assert sdk_waits and all(wait == pytest.approx(0.01) for wait in sdk_waits)  # honoured


def test_sdk_retries_honour_retry_after(sdk_waits: list[float]) -> None:
    emulator = Emulator(require_key=True)
    emulator.inject("429;retry-after=0.05", times=2)
    with emulator.serve() as base_url, anthropic.Anthropic(api_key="k", base_url=base_url) as sdk:
        message = sdk.messages.create(
            model=MODEL, max_tokens=20, messages=[{"role": "user", "content": "x"}]
        )
        first_waits = list(sdk_waits)
        assert message.stop_reason in ("end_turn", "max_tokens")
        emulator.inject("429;retry-after=0.01", times=5)
        with pytest.raises(anthropic.RateLimitError):
            sdk.with_options(max_retries=1).messages.create(
                model=MODEL, max_tokens=20, messages=[{"role": "user", "content": "x"}]
            )
    counts = [request.headers.get("x-stainless-retry-count") for request in emulator.requests]
    assert counts == ["0", "1", "2", "0", "1"]
    # Two waits of 0.05 s, as the header said; the SDK's own backoff would be 0.375 s and more.
    assert first_waits == [pytest.approx(0.05), pytest.approx(0.05)]
    assert all(request.headers["authorization"] == "[redacted]" for request in emulator.requests)
    assert all(
        request.headers["anthropic-version"] == "2026-10-21" for request in emulator.requests
    )


def test_betas_and_system_messages_through_the_sdk(client: anthropic.Anthropic) -> None:
    user = {"role": "user", "content": "x"}
    reply = client.beta.messages.create(
        model=MODEL,
        max_tokens=20,
        betas=["files-api-2025-04-14", "interleaved-thinking-2025-05-14"],
        messages=[user],
    )
    assert reply.content
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.messages.create(
            model=MODEL,
            max_tokens=20,
            betas=["files-api-2025-04-14", "no-such-beta"],
            messages=[user],
        )
    assert "Unexpected value(s) `no-such-beta` for the `anthropic-beta` header." in str(
        caught.value.message
    )
    system_turn = {"role": "system", "content": "Be brief."}
    assert client.messages.create(
        model=MODEL,
        max_tokens=20,
        messages=[user, system_turn],  # type: ignore[list-item]
    ).content
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(
            model="claude-sonnet-5",
            max_tokens=20,
            messages=[user, system_turn],  # type: ignore[list-item]
        )
