"""The emulator's request validation as a table: each rule just inside (200) and just
outside (the API's status, type and exact message), so a changed bound or message shows.

The expected answers live in fixtures/validation_answers.json (the messages were matched to
the service's when each rule was written; see docs/EMULATOR.md). After a deliberate change,
regenerate with ``CLAUDE_NB_REGENERATE=1 pytest tests/emulator/test_validation_table.py`` and
review the diff.
"""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claude_nb.emulator import Emulator

ANSWERS = Path(__file__).parent / "fixtures" / "validation_answers.json"
HEADERS = {
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    "x-api-key": "sk-ant-test",
}
GOOD: dict[str, Any] = {
    "model": "claude-haiku-4-5",
    "max_tokens": 16,
    "messages": [{"role": "user", "content": "hi"}],
}


def png(width: int, height: int) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def image(data: str, media_type: str = "image/png") -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def user(*blocks: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(blocks)}]


def use(tool_id: str) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": "f", "input": {}}


def result(tool_id: str) -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": "ok"}


TOOL = {"name": "f", "input_schema": {"type": "object"}}
Case = Callable[[], tuple[dict[str, str], Any]]


def body(**changes: Any) -> Case:
    def make() -> tuple[dict[str, str], Any]:
        made = {**GOOD, **changes}
        return HEADERS, {key: value for key, value in made.items() if value is not DROP}

    return make


DROP = object()


def headers(**changes: str | None) -> Case:
    def make() -> tuple[dict[str, str], Any]:
        made = {**HEADERS, **changes}
        return {k: v for k, v in made.items() if v is not None}, GOOD

    return make


CASES: dict[str, Case] = {
    "good": body(),
    "no key": headers(**{"x-api-key": None}),
    "bearer key": headers(**{"x-api-key": None, "authorization": "Bearer sk-ant-test"}),
    "no version": headers(**{"anthropic-version": None}),
    "old version": headers(**{"anthropic-version": "2022-01-01"}),
    "new version": headers(**{"anthropic-version": "2026-10-21"}),
    "not json": lambda: (HEADERS, b"{nope"),
    "a list": lambda: (HEADERS, b"[]"),
    "no model": body(model=DROP),
    "model not a string": body(model=3),
    "empty model": body(model=""),
    "unknown model": body(model="claude-nope"),
    "no max_tokens": body(max_tokens=DROP),
    "max_tokens a bool": body(max_tokens=True),
    "max_tokens a float": body(max_tokens=1.0),
    "max_tokens -1": body(max_tokens=-1),
    "max_tokens 0": body(max_tokens=0),
    "max_tokens at the model maximum": body(max_tokens=64000),
    "max_tokens one over": body(max_tokens=64001),
    "temperature 0": body(temperature=0),
    "temperature 1": body(temperature=1),
    "temperature 1.01": body(temperature=1.01),
    "temperature -0.01": body(temperature=-0.01),
    "temperature a string": body(temperature="1"),
    "top_p 1": body(top_p=1.0),
    "top_p 1.5": body(top_p=1.5),
    "top_k 0": body(top_k=0),
    "top_k -1": body(top_k=-1),
    "top_k 1.5": body(top_k=1.5),
    "temperature on a defaults-only model": body(model="claude-opus-5-5", temperature=0.5),
    "default temperature on it": body(model="claude-opus-5-5", temperature=1.0),
    "top_k on it": body(model="claude-opus-5-5", top_k=5),
    "tool_choice auto": body(tools=[TOOL], tool_choice={"type": "auto"}),
    "tool_choice bad": body(tools=[TOOL], tool_choice={"type": "some"}),
    "tool_choice not a dict": body(tools=[TOOL], tool_choice="auto"),
    "tool_choice tool without name": body(tools=[TOOL], tool_choice={"type": "tool"}),
    "forced tool on a model without it": body(
        model="claude-opus-5-5", tools=[TOOL], tool_choice={"type": "any"}
    ),
    "thinking not a dict": body(thinking="on"),
    "thinking enabled at 1024": body(
        max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1024}
    ),
    "thinking enabled at 1023": body(
        max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1023}
    ),
    "thinking budget equal to max_tokens": body(
        max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 2000}
    ),
    "thinking budget one under max_tokens": body(
        max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1999}
    ),
    "thinking budget missing": body(max_tokens=2000, thinking={"type": "enabled"}),
    "thinking budget a bool": body(
        max_tokens=2000, thinking={"type": "enabled", "budget_tokens": True}
    ),
    "thinking adaptive on haiku 4.5": body(thinking={"type": "adaptive"}),
    "thinking enabled on opus 4.7": body(
        model="claude-opus-4-7",
        max_tokens=2000,
        thinking={"type": "enabled", "budget_tokens": 1024},
    ),
    "thinking disabled on fable 5": body(model="claude-fable-5", thinking={"type": "disabled"}),
    "thinking odd type": body(model="claude-opus-5", thinking={"type": "sometimes"}),
    "system a number": body(system=3),
    "system blocks not text": body(system=[{"type": "image"}]),
    "system text blocks": body(system=[{"type": "text", "text": "be brief"}]),
    "stop_sequences not strings": body(stop_sequences=[1]),
    "stop_sequences a string": body(stop_sequences="END"),
    "stream not a bool": body(stream="yes"),
    "no messages": body(messages=DROP),
    "messages not a list": body(messages={}),
    "empty messages": body(messages=[]),
    "message not a dict": body(messages=["hi"]),
    "message without content": body(messages=[{"role": "user"}]),
    "bad role": body(messages=[{"role": "robot", "content": "hi"}]),
    "first assistant": body(
        messages=[{"role": "assistant", "content": "hi"}, {"role": "user", "content": "hi"}]
    ),
    "prefill on a model without it": body(
        model="claude-opus-5",
        messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Sure"}],
    ),
    "prefill on haiku 4.5": body(
        messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Sure"}]
    ),
    "system message on haiku 4.5": body(
        messages=[{"role": "system", "content": "x"}, {"role": "user", "content": "hi"}]
    ),
    "system message on fable 5": body(
        model="claude-fable-5",
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hi"},
        ],
    ),
    "content a number": body(messages=[{"role": "user", "content": 3}]),
    "content block not a dict": body(messages=user("x")),
    "text block without text": body(messages=user({"type": "text"})),
    "text block text not a string": body(messages=user({"type": "text", "text": 3})),
    "image without source": body(messages=user({"type": "image"})),
    "image bad media type": body(messages=user(image(png(2, 2), "image/bmp"))),
    "image no data": body(
        messages=user({"type": "image", "source": {"type": "base64", "media_type": "image/png"}})
    ),
    "image bad base64": body(messages=user(image("!!!!"))),
    "image not an image": body(messages=user(image(base64.b64encode(b"hello").decode()))),
    "image wrong media type": body(messages=user(image(png(2, 2), "image/jpeg"))),
    "image 8000 wide": body(messages=user(image(png(8000, 1)))),
    "image 8001 wide": body(messages=user(image(png(8001, 1)))),
    "image 8001 high": body(messages=user(image(png(1, 8001)))),
    "image by url": body(
        messages=user(
            {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
        )
    ),
    "21 images at 2000": body(messages=user(*[image(png(2000, 1))] * 21)),
    "21 images one at 2001": body(messages=user(*[image(png(2000, 1))] * 20, image(png(2001, 1)))),
    "20 images at 2001": body(messages=user(*[image(png(2001, 1))] * 20)),
    "tool_use input not a dict": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{**use("t1"), "input": []}]},
            {"role": "user", "content": [result("t1")]},
        ]
    ),
    "tool_use answered": body(
        tools=[TOOL],
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [use("t1")]},
            {"role": "user", "content": [result("t1")]},
        ],
    ),
    "tool_use unanswered": body(
        tools=[TOOL],
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [use("t1"), use("t2")]},
            {"role": "user", "content": [result("t1")]},
        ],
    ),
    "tool_result without tool_use": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [result("t9")]},
        ]
    ),
    "tool_result first": body(messages=[{"role": "user", "content": [result("t9")]}]),
    "tools not a list": body(tools={}),
    "tool not a dict": body(tools=["f"]),
    "tool bad name": body(tools=[{"name": "a b", "input_schema": {"type": "object"}}]),
    "tool name 128": body(tools=[{"name": "a" * 128, "input_schema": {"type": "object"}}]),
    "tool name 129": body(tools=[{"name": "a" * 129, "input_schema": {"type": "object"}}]),
    "tool names twice": body(tools=[TOOL, TOOL]),
    "tool no schema": body(tools=[{"name": "f"}]),
    "tool schema not object": body(tools=[{"name": "f", "input_schema": {"type": "array"}}]),
    "tool properties a list": body(
        tools=[{"name": "f", "input_schema": {"type": "object", "properties": []}}]
    ),
    "server tool": body(tools=[{"type": "web_search_20260318", "name": "web_search"}]),
    "document without source": body(messages=user({"type": "document"})),
    "tool_use without id": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "name": "f", "input": {}}]},
        ]
    ),
    "tool_use name not a string": body(
        messages=[
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t", "name": 3, "input": {}}],
            },
        ]
    ),
    "tool_result without id": body(messages=user({"type": "tool_result", "content": "x"})),
    "tool_result content a number": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [use("t1")]},
            {"role": "user", "content": [{**result("t1"), "content": 3}]},
        ]
    ),
    "tool_result inner text without text": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [use("t1")]},
            {
                "role": "user",
                "content": [
                    {**result("t1"), "content": [{"type": "text", "text": "ok"}, {"type": "text"}]}
                ],
            },
        ]
    ),
    "tool_result inner image bad type": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [use("t1")]},
            {
                "role": "user",
                "content": [{**result("t1"), "content": [image(png(2, 2), "image/bmp")]}],
            },
        ]
    ),
    "thinking without text": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "thinking", "signature": "s"}]},
            {"role": "user", "content": "go on"},
        ]
    ),
    "thinking without signature": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "thinking", "thinking": "t"}]},
            {"role": "user", "content": "go on"},
        ]
    ),
    "redacted thinking without data": body(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "redacted_thinking"}]},
            {"role": "user", "content": "go on"},
        ]
    ),
    "cache_control odd type": body(
        system=[{"type": "text", "text": "s", "cache_control": {"type": "persistent"}}]
    ),
    "cache_control 2h": body(
        system=[{"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "ttl": "2h"}}]
    ),
    "cache_control 1h": body(
        system=[{"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    ),
    "five breakpoints": body(
        system=[
            {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}}
            for i in range(5)
        ]
    ),
    "four breakpoints": body(
        system=[
            {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}}
            for i in range(4)
        ]
    ),
    "four and a top-level one": body(
        cache_control={"type": "ephemeral"},
        system=[
            {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}}
            for i in range(4)
        ],
    ),
    "top-level on the marked last block": body(
        cache_control={"type": "ephemeral"},
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}],
            }
        ],
        system=[
            {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}}
            for i in range(3)
        ],
    ),
    "top-level ttl differs from the last block": body(
        cache_control={"type": "ephemeral"},
        messages=[
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": "hi",
                        "cache_control": {"type": "ephemeral", "ttl": "1h"},
                    }
                ],
            }
        ],
    ),
    "1h after 5m": body(
        system=[
            {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "b", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        ]
    ),
    "5m after 1h": body(
        system=[
            {"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            {"type": "text", "text": "b", "cache_control": {"type": "ephemeral"}},
        ]
    ),
    "too long": body(
        model="claude-haiku-4-5", messages=[{"role": "user", "content": "x" * 4 * 210_000}]
    ),
}


def answer(case: Case) -> list[Any]:
    sent_headers, sent = case()
    raw = sent if isinstance(sent, bytes) else json.dumps(sent).encode()
    reply = Emulator(require_key=True).handle("POST", "/v1/messages", sent_headers, raw)
    if reply.status == 200:
        return [200]
    error = json.loads(reply.body)["error"]
    return [reply.status, error["type"], error["message"]]


def test_every_rule_answers_as_recorded() -> None:
    got = {name: answer(case) for name, case in CASES.items()}
    if os.environ.get("CLAUDE_NB_REGENERATE"):
        ANSWERS.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(ANSWERS.read_text("utf-8"))
    assert set(got) == set(expected)
    wrong = {name: (got[name], expected[name]) for name in got if got[name] != expected[name]}
    assert not wrong, json.dumps(wrong, indent=1)


@pytest.mark.parametrize(
    "name",
    [
        "good",
        "max_tokens at the model maximum",
        "temperature 0",
        "temperature 1",
        "top_k 0",
        "thinking enabled at 1024",
        "thinking budget one under max_tokens",
        "image 8000 wide",
        "20 images at 2001",
        "21 images at 2000",
        "tool name 128",
        "tool_use answered",
        "server tool",
        "system text blocks",
        "default temperature on it",
        "tool_choice auto",
        "bearer key",
        "new version",
        "max_tokens 0",
        "system message on fable 5",
        "prefill on haiku 4.5",
        "cache_control 1h",
        "four breakpoints",
        "5m after 1h",
        "top-level on the marked last block",
    ],
)
def test_the_valid_side_of_each_edge_is_accepted(name: str) -> None:
    assert answer(CASES[name]) == [200]
