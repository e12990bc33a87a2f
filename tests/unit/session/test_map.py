"""``Session.map``: templates, bad input, order, errors kept, interrupts, pacing, the ledger.

The server is an async ``httpx.MockTransport`` handler (answers in any order, fails chosen
items) or the emulator; every check that refuses input asserts that nothing was sent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import time
from typing import Any

import httpx
import pandas as pd
import pytest

from claude_nb import BadRequestError, ContentError, MapResult, RateLimitError, Session
from claude_nb._session.map_run import START, Pacer
from claude_nb._wire.rate_limits import RateLimits
from claude_nb.emulator import Emulator

MODEL = "claude-sonnet-5-5"


def message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }


class Server:
    """Echoes the prompt after a random delay; ``fail`` maps a prompt substring to a status."""

    def __init__(self, fail: dict[str, int] | None = None, delay: float = 0.02) -> None:
        self.fail = fail or {}
        self.delay = delay
        self.bodies: list[dict[str, Any]] = []
        self.attempts: dict[str, int] = {}
        self.in_flight = self.peak = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        prompt = json.dumps(body["messages"][-1]["content"])
        self.attempts[prompt] = self.attempts.get(prompt, 0) + 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(random.uniform(0, self.delay))
        finally:
            self.in_flight -= 1
        for part, status in self.fail.items():
            if part in prompt:
                if status == 429 and self.attempts[prompt] > 1:
                    break  # rate limited once, then fine
                kind = {400: "invalid_request_error", 429: "rate_limit_error"}[status]
                error = {"type": "error", "error": {"type": kind, "message": f"no {part}"}}
                return httpx.Response(status, json=error, headers={"retry-after": "0.05"})
        text = body["messages"][-1]["content"]
        text = text if isinstance(text, str) else " ".join(b.get("text", "") for b in text)
        return httpx.Response(200, json=message(f"echo {text}"))


def session_on(server: Server) -> Session:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server), base_url="http://api.test")
    return Session(
        "sk-ant-test",
        "http://api.test",
        model=MODEL,
        environ={},
        async_http_client=http,
        cache=False,
    )


def test_rows_by_column_dicts_by_key_scalars_as_item_in_input_order() -> None:
    server = Server(delay=0.05)
    session = session_on(server)
    frame = pd.DataFrame({"city": list("ABCDEFGHIJ"), "n": range(10)}, index=range(100, 110))
    result = session.map("City {city} #{n}; keep {json: 1} and {{x}}", frame, progress=False)
    assert result.texts == [
        f"echo City {c} #{n}; keep {{json: 1}} and {{{{x}}}}" for n, c in enumerate("ABCDEFGHIJ")
    ]
    assert list(result.to_series().index) == list(range(100, 110))
    assert list(result.join(column="answer")["answer"]) == result.texts
    dicts = session.map("Hi {name}", [{"name": "Ann"}, {"name": "Bo"}], progress=False)
    assert dicts.texts == ["echo Hi Ann", "echo Hi Bo"]
    scalars = session.map("Square {item}", pd.Series([1.5, 2.0], index=["a", "b"]), progress=False)
    assert scalars.texts == ["echo Square 1.5", "echo Square 2.0"]  # not np.float64(1.5)
    assert list(scalars.to_series().index) == ["a", "b"]
    assert session.history == []  # one-shot calls
    assert all(body.get("tools") is None and len(body["messages"]) == 1 for body in server.bodies)


def test_a_function_prompt_may_return_blocks_and_images() -> None:
    from PIL import Image

    server = Server()
    session = session_on(server)
    image = Image.new("RGB", (8, 8), "red")
    result = session.map(lambda n: [f"Pic {n}", image], [1, 2], progress=False)
    assert result.errors == {}
    kinds = [[block["type"] for block in body["messages"][0]["content"]] for body in server.bodies]
    assert kinds == [["text", "image"], ["text", "image"]]


@pytest.mark.parametrize(
    ("items", "template", "message"),
    [
        (pd.DataFrame({"a": []}), "{a}", "nothing to map: the input has no rows"),
        (pd.DataFrame({"a": [1]}), "{b} and {a}", "template field {b} matches no column"),
        ([{"a": 1}, {"b": 2}], "{a}", "template field {a} is not a key of item 1"),
        ([1, 2], "{value}", "use {item}"),
        (pd.DataFrame({"a": range(100_001)}), "{a}", "100,001 rows is over the limit"),
        ([], "{item}", "nothing to map"),
        ("text", "{item}", "not str"),
    ],
)
def test_bad_input_is_one_line_before_anything_is_sent(
    items: Any, template: str, message: str
) -> None:
    server = Server()
    with pytest.raises(ContentError, match=message.replace("{", r"\{").replace("}", r"\}")) as info:
        session_on(server).map(template, items, progress=False)
    assert "\n" not in str(info.value)
    assert server.bodies == []


def test_failed_items_are_kept_as_typed_errors_and_the_rest_answered() -> None:
    server = Server(fail={"bad": 400})
    session = session_on(server)
    result = session.map("Check {item}", ["ok1", "bad", "ok2"], progress=False)
    assert result.texts == ["echo Check ok1", None, "echo Check ok2"]
    assert list(result.errors) == [1] and isinstance(result.errors[1], BadRequestError)
    assert "1 failed" in result.summary() and "✗" in result._repr_html_()
    assert len(session.ledger) == 2  # the refused call was not billed


def test_rate_limited_items_wait_together_and_are_retried() -> None:
    server = Server(fail={"slow": 429})
    session = session_on(server)
    result = session.map("Do {item}", ["fast", "slow one", "slow two", "fast2"], progress=False)
    assert result.errors == {} and result.done == 4
    assert server.attempts['"Do slow one"'] == 2


def test_concurrency_is_capped_and_the_default_starts_modest() -> None:
    server = Server(delay=0.05)
    result = session_on(server).map("N {item}", list(range(40)), concurrency=5, progress=False)
    assert result.done == 40 and server.peak <= 5 and result.peak_concurrency == 5
    server = Server(delay=0.05)
    session_on(server).map("N {item}", list(range(3)), progress=False)
    assert server.peak <= START


def test_a_second_map_starts_at_the_pace_the_first_one_learned() -> None:
    # the server allows 30 in flight (rate-limit headers); a cold map sends START before
    # the first answer, the next map on the same session sends 30 without waiting for one
    server = Server(delay=0.05)
    wave = {"sent": 0, "answered": 0, "before_first_answer": 0}

    async def with_headers(request: httpx.Request) -> httpx.Response:
        wave["sent"] += 1
        if not wave["answered"]:
            wave["before_first_answer"] = wave["sent"]
        response = await server(request)
        wave["answered"] += 1
        response.headers["anthropic-ratelimit-requests-remaining"] = "60"
        return response

    http = httpx.AsyncClient(transport=httpx.MockTransport(with_headers), base_url="http://x")
    session = Session("sk-ant-test", "http://x", model=MODEL, environ={}, async_http_client=http)
    assert session.map("N {item}", list(range(40)), progress=False).done == 40
    assert wave["before_first_answer"] == START
    wave.update(sent=0, answered=0, before_first_answer=0)
    assert session.map("N {item}", list(range(40)), progress=False).done == 40
    assert wave["before_first_answer"] >= 25


def test_pacer_follows_the_rate_limit_headers_and_halves_on_429() -> None:
    reset = {"anthropic-ratelimit-requests-reset": "2099-01-01T00:00:00Z"}
    minute_before = 4070908800.0 - 60
    few = RateLimits.from_headers(
        {"anthropic-ratelimit-requests-remaining": "40", **reset}, now=minute_before
    )
    assert few.requests_remaining == 40 and few.concurrency(1.0, 10) == 20  # half of the rest
    refill = RateLimits.from_headers(
        {"anthropic-ratelimit-requests-remaining": "6000", **reset}, now=minute_before
    )
    assert refill.concurrency(1200.0, 10) == 120_000  # 100 a second at 1,200 s a call
    tokens = RateLimits.from_headers(
        {
            "anthropic-ratelimit-requests-remaining": "6000",
            "anthropic-ratelimit-input-tokens-remaining": "20000",
        }
    )
    assert tokens.concurrency(1.0, 1000) == 10  # input tokens are the tighter allowance
    pacer = Pacer()
    pacer.succeeded({"anthropic-ratelimit-requests-remaining": "100"}, 1.0)
    assert pacer.limit == 50
    pacer.overloaded(2.0, 0)
    assert pacer.limit == 25 and pacer.paused_until > 0
    pacer.succeeded({}, 1.0)
    assert pacer.limit == 26  # without headers: grow by one


def test_an_interrupt_stops_the_map_and_keeps_what_finished() -> None:
    server = Server(delay=0.3)

    class StopAfterTwo:
        def update(self, done: int, failed: int, total: int, cost: float | None) -> None:
            if done == 2:
                raise KeyboardInterrupt

        def close(self, summary: str) -> None:
            self.summary = summary

    session = session_on(server)
    progress = StopAfterTwo()
    result = session.map("N {item}", list(range(50)), concurrency=4, progress=progress)
    assert result.interrupted and result.done >= 2 and result.pending
    assert "not run (interrupted)" in progress.summary
    assert len(session.ledger) == result.done  # every finished call is in the ledger


def test_every_call_is_a_ledger_row_and_batches_are_priced_at_half() -> None:
    emulator = Emulator(require_key=False, batch_seconds=0.2)
    session = Session(offline=True, emulator=emulator, model=MODEL, environ={})
    concurrent = session.map("Say {item}", ["a", "b"], progress=False)
    assert len(session.ledger) == 2 and not any(record.batch for record in session.ledger)
    job = session.map("Say {item}", ["a", "b"], batch=True)
    batch = job.wait(timeout=30, progress=False).results()
    assert isinstance(batch, MapResult) and batch.batch and batch.errors == {}
    records = list(session.ledger)[2:]
    assert len(records) == 2 and all(record.batch for record in records)
    assert batch.cost == pytest.approx(concurrent.cost / 2)
    assert job.results() is batch and len(session.ledger) == 4  # fetched once, billed once


def test_shared_prefix_is_cached_once_and_the_rest_is_not_marked() -> None:
    server = Server()
    long_prefix = "You grade answers carefully. " * 400
    session = session_on(server)
    session.cache = True
    session.map(long_prefix + "Grade: {item}", ["x", "y"], progress=False)
    for body in server.bodies:
        first, rest = body["messages"][0]["content"]
        assert first["text"] == long_prefix + "Grade: " and "cache_control" in first
        assert "cache_control" not in rest


def test_a_canceled_batch_keeps_its_rows_as_errors_not_billed() -> None:
    emulator = Emulator(require_key=False, batch_seconds=30)
    session = Session(offline=True, emulator=emulator, model=MODEL, environ={})
    job = session.map("Say {item}", ["a", "b", "c"], batch=True)
    assert job.cancel() == "canceling"
    later = time.time() + 3600
    emulator.clock = lambda: later  # the emulator's simulated time: an hour after the cancel
    result = job.wait(timeout=10, progress=False).results()
    assert result.done == 0 and len(result.errors) == 3 and result.texts == [None] * 3
    assert "canceled" in str(result.errors[0]) and len(session.ledger) == 0


def test_duplicate_labels_keep_every_item_and_a_parse_failure_is_one_failure() -> None:
    # a DataFrame index with repeats: each row still has its own answer or error
    server = Server(fail={"bad": 400})
    frame = pd.DataFrame({"word": ["ok", "bad", "fine", "bad too"]}, index=[1, 1, 2, 2])
    result = session_on(server).map("Say {word}", frame, progress=False)
    assert result.texts[0] == "echo Say ok" and result.texts[2] == "echo Say fine"
    assert result.texts[1] is None and result.texts[3] is None
    assert sorted(result.failures) == [1, 3] and result.done == 2
    assert "2 done · 2 failed" in result.summary()
    assert list(result.to_series().index) == [1, 1, 2, 2]

    @dataclasses.dataclass
    class Word:
        word: str

    # the echo is not JSON: every answer fails to parse, so every item is one failure
    parsed = session_on(Server()).map("Say {word}", frame, output=Word, progress=False)
    assert parsed.done == 0 and len(parsed.failures) == 4 and parsed.texts == [None] * 4
    assert "0 done · 4 failed" in parsed.summary() and "✓" not in parsed._repr_html_()
    assert all(reply is not None for reply in parsed.replies)  # billed: kept for the cost


def _always(status: int, kind: str, headers: dict[str, str], details: Any = None) -> Any:
    attempts: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        prompt = json.loads(request.content)["messages"][-1]["content"]
        attempts[prompt] = attempts.get(prompt, 0) + 1
        if "stuck" not in prompt:
            return httpx.Response(200, json=message(f"echo {prompt}"))
        error = {"type": kind, "message": "no", **({"details": details} if details else {})}
        return httpx.Response(status, json={"type": "error", "error": error}, headers=headers)

    return handler, attempts


def _map_on(handler: Any, items: list[str]) -> MapResult:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://x")
    session = Session(
        "sk-ant-test", "http://x", model=MODEL, environ={}, async_http_client=http, max_retries=2
    )
    return session.map("{item}", items, progress=False)  # type: ignore[return-value]


def test_a_spend_limit_429_is_not_retried_and_a_lasting_529_stops_at_max_retries() -> None:
    # the spend cap's 429 carries no retry-after and an error_code: waiting cannot cure it
    spend = {"error_code": "enforced_spend_limit_reached"}
    handler, attempts = _always(429, "rate_limit_error", {}, spend)
    started = time.monotonic()
    result = _map_on(handler, ["ok", "stuck one", "stuck two"])
    assert result.done == 1 and sorted(result.failures) == [1, 2]
    assert attempts["stuck one"] == attempts["stuck two"] == 1
    assert time.monotonic() - started < 5
    # an overload with no retry-after: the session's max_retries, not ten paced waits
    handler, attempts = _always(529, "overloaded_error", {})
    result = _map_on(handler, ["ok", "stuck"])
    assert result.done == 1 and attempts["stuck"] == 3  # one try and max_retries=2 more
    # a 429 that names its wait is retried, paced together (cheap: the server said when)
    handler, attempts = _always(429, "rate_limit_error", {"retry-after": "0.01"})
    result = _map_on(handler, ["stuck"])
    assert attempts["stuck"] == 11 and isinstance(result.failures[0], RateLimitError)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"stream": True}, "stream="),
        ({"history": True}, "history="),
        ({"batch": True, "stream": True}, "stream="),
    ],
)
def test_arguments_that_do_not_apply_to_a_map_are_one_line(
    params: dict[str, Any], message: str
) -> None:
    server = Server()
    with pytest.raises(ContentError, match=message) as info:
        session_on(server).map("N {item}", [1, 2], progress=False, **params)
    assert "\n" not in str(info.value) and server.bodies == []


def test_function_tools_are_refused_since_a_map_runs_no_tool_loop() -> None:
    def weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    server = Server()
    session = session_on(server)
    with pytest.raises(ContentError, match="weather") as info:
        session.map("Weather in {item}?", ["Oslo"], tools=[weather], progress=False)
    assert "\n" not in str(info.value) and server.bodies == []
    # a tool given as a plain spec is sent (its tool_use input is the answer's data)
    spec = {"name": "record", "description": "Record it", "input_schema": {"type": "object"}}
    result = session.map("Weather in {item}?", ["Oslo"], tools=[spec], progress=False)
    assert result.done == 1 and server.bodies[-1]["tools"] == [spec]


def test_a_ctrl_c_before_anything_is_sent_returns_an_interrupted_result() -> None:
    # the first map in a notebook makes its widget bar (ipywidgets loads): Ctrl-C lands there
    server = Server()
    session = session_on(server)

    def loading_widgets() -> Any:
        raise KeyboardInterrupt

    session.map_progress = loading_widgets
    result = session.map("N {item}", [1, 2, 3])
    assert result.interrupted and result.pending == [0, 1, 2] and server.bodies == []
    assert "3 not run (interrupted)" in result.summary()
