"""The chat draws tool calls with the one tool-call renderer (``claude_nb._tools.render``)."""

from __future__ import annotations

from claude_nb._chat.view import ChatEntry, entry_html, tool_call_html
from claude_nb._chat.worker import tool_call_block
from claude_nb._display.content import render_content
from claude_nb._tools.render import (
    ToolCallEvent,
    render_tool_call_html,
    render_tool_use_html,
    render_tool_use_markdown,
)


def test_an_ended_call_in_the_chat_is_the_block_a_cell_shows() -> None:
    event = ToolCallEvent("end", "toolu_1", "get_weather", {"city": "Paris"},
                          result_summary="sunny in Paris, 21 C", duration=0.25)
    block = tool_call_block(event)  # what the worker keeps on the entry
    assert block["result"] == "sunny in Paris, 21 C" and block["duration"] == 0.25
    rendered = entry_html(ChatEntry("assistant", "It is sunny.", tool_calls=[block]))
    assert render_tool_call_html(event) in rendered
    assert "cnb-tool-result" in rendered
    assert '<code>get_weather(city=&quot;Paris&quot;)</code> · 0.25 s' in rendered


def test_a_failed_call_shows_its_error() -> None:
    event = ToolCallEvent("end", "toolu_2", "get_weather", {"city": "Oslo"},
                          error="the user declined this tool call")
    html = tool_call_html(tool_call_block(event))
    assert html.startswith("<div class='cnb-tool cnb-tool-error'")
    assert render_tool_call_html(event) in html and "<summary>✗ " in html


def test_a_requested_call_is_the_same_block_as_in_a_streaming_cell() -> None:
    block = {"type": "tool_use", "id": "toolu_3", "name": "add", "input": {"a": 1}}
    html = tool_call_html(block)
    assert "cnb-tool-requested" in html and render_tool_use_html(block) in html
    assert render_tool_use_markdown(block) in render_content({"content": [block]})
    # the same summary line in both forms, without a status until the call runs
    summary = "<summary>🔧 <code>add(a=1)</code></summary>"
    assert summary in html and summary in render_tool_use_markdown(block)
