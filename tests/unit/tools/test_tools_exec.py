"""execute_tool_calls: order, async overlap, errors as is_error results, approval, interrupts."""

from __future__ import annotations

import _thread
import asyncio
import io
import threading
from typing import Any

import pytest

from claude_nb._api.history import tool_use_blocks
from claude_nb._tools.approval import ApprovalRequest, Denied, PromptApprover
from claude_nb._tools.execute import (
    NO_OUTPUT,
    ToolCallsInterrupted,
    execute_tool_calls,
    format_result,
)
from claude_nb._tools.registry import ToolRegistry
from claude_nb._tools.render import (
    ToolCallEvent,
    render_tool_call_html,
    render_tool_call_markdown,
)
from claude_nb.testing import tool_use as use


def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


def fail(message: str) -> None:
    """Always fails."""
    raise ValueError(message)


def nothing() -> None:
    """Returns nothing."""


def echo(text: str) -> str:
    """Echo text."""
    return text


def data(n: int) -> dict[str, Any]:
    """Some JSON."""
    return {"n": n, "items": list(range(n))}


@pytest.fixture
def registry() -> ToolRegistry:
    return ToolRegistry([add, fail, nothing, echo, data])


def test_two_tool_use_blocks_give_both_results_in_order(registry: ToolRegistry) -> None:
    message = {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me compute."},
            use("toolu_1", "add", a=2, b=3),
            use("toolu_2", "echo", text="hi"),
        ],
    }
    assert execute_tool_calls(message, registry) == [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "5"},
        {"type": "tool_result", "tool_use_id": "toolu_2", "content": "hi"},
    ]
    assert execute_tool_calls(message["content"], registry)[0]["content"] == "5"
    assert execute_tool_calls({"content": "plain text"}, registry) == []


def test_errors_come_back_as_is_error_results(registry: ToolRegistry) -> None:
    results = execute_tool_calls(
        [
            use("t1", "fail", message="boom"),
            use("t2", "missing"),
            use("t3", "add", a="two", c=1),
            use("t4", "add"),
        ],
        registry,
    )
    assert all(result["is_error"] is True for result in results)
    assert results[0]["content"] == "ValueError: boom"
    assert results[1]["content"] == (
        "Unknown tool 'missing'. Known tools: add, fail, nothing, echo, data."
    )
    assert results[2]["content"] == (
        "Invalid input for tool 'add':\n"
        '- input.a: expected integer, got string "two"\n'
        "- input: unexpected property 'c' (allowed: a, b)"
    )
    assert results[3]["content"].endswith("- input: missing required property 'a'")


def test_traceback_is_included_only_when_asked(registry: ToolRegistry) -> None:
    (result,) = execute_tool_calls([use("t1", "fail", message="boom")], registry, traceback=True)
    assert result["content"].startswith("Traceback (most recent call last):")
    assert "raise ValueError(message)" in result["content"]
    assert result["content"].endswith("ValueError: boom")


def test_return_values_are_formatted_and_bounded(registry: ToolRegistry) -> None:
    results = execute_tool_calls(
        [use("t1", "nothing"), use("t2", "data", n=3), use("t3", "echo", text="x" * 50)],
        registry,
        max_result_chars=20,
    )
    assert results[0]["content"] == NO_OUTPUT == "(no output)"
    assert (
        results[1]["content"] == '{"n": 3, "items": [0\n… [truncated: showing 20 of 28 characters]'
    )
    assert results[2]["content"] == "x" * 20 + "\n… [truncated: showing 20 of 50 characters]"
    assert format_result({"n": 3}) == '{"n": 3}'
    assert format_result([1, "a"]) == '[1, "a"]'
    assert format_result(2.5) == "2.5"
    assert format_result("") == "(empty string)"


def test_figures_become_image_blocks_and_frames_tables() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    figure, axes = plt.subplots(figsize=(2, 2))
    axes.plot([1, 2, 3])
    try:
        blocks = format_result(figure)
    finally:
        plt.close(figure)
    assert isinstance(blocks, list)
    assert blocks[0]["type"] == "image"
    assert blocks[0]["source"]["media_type"] == "image/png"

    table = format_result(pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [3, 19]}))
    text = table if isinstance(table, str) else " ".join(b.get("text", "") for b in table)
    assert "Oslo" in text and "Lima" in text

    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    assert format_result(Opaque()) == "<opaque>"


def test_async_tools_overlap_in_time_even_under_a_running_loop() -> None:
    started: set[str] = set()

    async def wait(label: str, other: str) -> str:
        """Answer once the other call has started too: only overlapping calls get past this."""
        started.add(label)
        for _ in range(1000):
            if other in started:
                return label
            await asyncio.sleep(0.01)
        raise RuntimeError(f"{other} never started while {label} ran")

    registry = ToolRegistry([wait, add])
    blocks = [
        use("t1", "wait", label="a", other="b"),
        use("t2", "add", a=1),
        use("t3", "wait", label="b", other="a"),
    ]

    async def inside_a_running_loop() -> list[dict[str, Any]]:
        # ipykernel runs a loop on the main thread; the tools must not need it.
        return execute_tool_calls(blocks, registry)

    results = asyncio.run(inside_a_running_loop())
    # one after the other, the first would time out waiting for the second
    assert [result["content"] for result in results] == ["a", "2", "b"]


def test_async_exceptions_and_events(registry: ToolRegistry) -> None:
    async def broken(x: int) -> int:
        """Breaks."""
        raise RuntimeError(f"bad {x}")

    registry.register(broken)
    events: list[ToolCallEvent] = []
    results = execute_tool_calls(
        [use("t1", "broken", x=1), use("t2", "add", a=1), use("t3", "nope")],
        registry,
        on_tool_event=events.append,
    )
    assert results[0] == {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": "RuntimeError: bad 1",
        "is_error": True,
    }
    kinds = [(event.kind, event.tool_use_id) for event in events]
    assert kinds == [("start", "t1"), ("start", "t2"), ("end", "t2"), ("end", "t3"), ("end", "t1")]
    assert all(
        event.duration is not None
        for event in events
        if event.kind == "end" and event.tool_use_id != "t3"
    )
    assert events[2].result_summary == "2"
    assert events[3].duration is None and "Unknown tool" in (events[3].error or "")


def test_denial_and_approve_all(registry: ToolRegistry) -> None:
    asked: list[ApprovalRequest] = []

    def deny_echo(request: ApprovalRequest) -> Any:
        asked.append(request)
        return "deny" if request.name == "echo" else "approve"

    results = execute_tool_calls(
        [use("t1", "add", a=1), use("t2", "echo", text="x")], registry, approver=deny_echo
    )
    assert results[0]["content"] == "2"
    assert results[1] == {
        "type": "tool_result",
        "tool_use_id": "t2",
        "content": "The user declined to run the tool 'echo'.",
        "is_error": True,
    }
    assert asked[1].call_text() == 'echo(text="x")'
    assert asked[0].description == "Add two numbers."

    asked.clear()

    def approve_all(request: ApprovalRequest) -> Any:
        asked.append(request)
        return "approve_all"

    results = execute_tool_calls(
        [use("t1", "add", a=1), use("t2", "echo", text="x")], registry, approver=approve_all
    )
    assert [r["content"] for r in results] == ["2", "x"]
    assert len(asked) == 1

    results = execute_tool_calls(
        [use("t1", "add", a=1)], registry, approver=lambda request: Denied("No stdin.")
    )
    assert results[0]["content"] == "No stdin." and results[0]["is_error"]


def test_invalid_calls_are_not_shown_to_the_approver(registry: ToolRegistry) -> None:
    asked: list[str] = []
    execute_tool_calls(
        [use("t1", "missing"), use("t2", "add", a="x")],
        registry,
        approver=lambda request: asked.append(request.name) or "approve",
    )
    assert asked == []


def test_prompt_approver_with_a_fake_terminal_stdin(
    registry: ToolRegistry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("maybe\ny\nn\n"))
    approver = PromptApprover()
    blocks = [use("t1", "add", a=1), use("t2", "echo", text="x")]
    results = execute_tool_calls(blocks, registry, approver=approver)
    assert [r.get("is_error", False) for r in results] == [False, True]
    shown = capsys.readouterr().out
    assert "Run tool add(a=1)? [y]es / [n]o / [a]ll for this cell: " in shown
    assert "Please answer y" in shown

    monkeypatch.setattr("sys.stdin", io.StringIO("a\n"))
    cell_approver = PromptApprover()
    assert [r["content"] for r in execute_tool_calls(blocks, registry, approver=cell_approver)] == [
        "2",
        "x",
    ]
    # The next step of the same cell is approved without asking (stdin is now empty).
    assert execute_tool_calls(blocks, registry, approver=cell_approver)[1]["content"] == "x"

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    (denied,) = execute_tool_calls(blocks[:1], registry, approver=PromptApprover())
    assert denied["is_error"] and "no answer could be read (EOFError" in denied["content"]


def test_keyboard_interrupt_in_a_sync_tool_keeps_every_result(registry: ToolRegistry) -> None:
    def stop() -> None:
        """Like pressing the stop button."""
        raise KeyboardInterrupt

    registry.register(stop)
    events: list[ToolCallEvent] = []
    with pytest.raises(ToolCallsInterrupted) as caught:
        execute_tool_calls(
            [use("t1", "add", a=1), use("t2", "stop"), use("t3", "echo", text="never")],
            registry,
            on_tool_event=events.append,
        )
    assert isinstance(caught.value, KeyboardInterrupt)
    results = caught.value.results
    assert [r["tool_use_id"] for r in results] == ["t1", "t2", "t3"]
    assert results[0] == {"type": "tool_result", "tool_use_id": "t1", "content": "2"}
    for result in results[1:]:
        assert result["is_error"] is True
        assert result["content"] == "Interrupted by the user before the tool finished."
    assert [e.kind for e in events if e.tool_use_id == "t3"] == ["end"]


def test_keyboard_interrupt_while_async_tools_run(registry: ToolRegistry) -> None:
    cancelled = threading.Event()

    async def long_wait(seconds: float) -> str:
        """Waits."""
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "done"

    registry.register(long_wait)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(ToolCallsInterrupted) as caught:
            execute_tool_calls(
                [use("t1", "long_wait", seconds=0.05), use("t2", "long_wait", seconds=30)], registry
            )
    finally:
        timer.cancel()
    results = caught.value.results
    assert results[0]["content"] == "done"
    assert results[1]["is_error"] and "Interrupted" in results[1]["content"]
    assert cancelled.is_set()


def test_tool_use_blocks_skips_other_and_unknown_blocks() -> None:
    blocks = [{"type": "text", "text": "a"}, {"type": "future_block"}, "junk", use("t", "x")]
    assert tool_use_blocks(blocks) == [use("t", "x")]
    assert tool_use_blocks({"content": None}) == []


def test_call_blocks_render_as_folded_details() -> None:
    start = ToolCallEvent("start", "t1", "add", {"a": 1}, 0)
    assert render_tool_call_markdown(start).startswith(
        "<details><summary>🔧 <code>add(a=1)</code> · running…</summary>"
    )
    done = ToolCallEvent("end", "t1", "add", {"a": 1}, 0, result_summary="2", duration=0.25)
    markdown = done._repr_markdown_()
    assert "· 0.25 s</summary>" in markdown
    assert "**result**\n\n```\n2\n```" in markdown
    assert markdown.endswith("</details>")
    failed = ToolCallEvent(
        "end", "t2", "echo", {"text": "<b>"}, 1, error="ValueError: ```x```", duration=0.1
    )
    markdown = render_tool_call_markdown(failed)
    assert "✗ <code>echo(text=&quot;&lt;b&gt;&quot;)</code> · error 0.10 s" in markdown
    assert "**error**\n\n````\nValueError: ```x```\n````" in markdown
    page = render_tool_call_html(failed)
    assert "<b>error</b><pre>ValueError: ```x```</pre>" in page
    assert "&lt;b&gt;" in page and '<b>"' not in page
