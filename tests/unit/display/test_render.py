from __future__ import annotations

import io

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb._display.errors import error_lines
from claude_nb._display.render import (
    DisplaySurface,
    StreamRenderer,
    TerminalSurface,
    render_content,
    surface_for,
)
from claude_nb._display.transcript import ToolLoopView
from claude_nb._exceptions import OverloadedError, StreamEventError
from claude_nb._tools.render import ToolCallEvent
from claude_nb._wire.stream import MessageSnapshot, accumulate
from claude_nb.testing import canary_key


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def text_events(pieces: list[str]) -> list[dict]:
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "role": "assistant",
                "content": [],
                "usage": {"input_tokens": 3},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    events += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
        for p in pieces
    ]
    events += [{"type": "content_block_stop", "index": 0}, {"type": "message_stop"}]
    return events


class RecordingSurface:
    def __init__(self) -> None:
        self.paints: list[str] = []
        self.final: tuple[str, str] | None = None

    def paint(self, message, *, streaming, force=False):
        self.paints.append(render_content(message, streaming=streaming))

    def show_final(self, markdown, plain):
        self.final = (markdown, plain)


def test_repaints_are_capped_first_content_is_immediate_and_final_is_exact():
    clock = FakeClock()
    surface = RecordingSurface()
    renderer = StreamRenderer(surface, repaint_interval=0.05, clock=clock)
    snapshot = MessageSnapshot()
    for index, event in enumerate(text_events([f"w{i} " for i in range(1000)])):
        clock.now = index * 0.001  # one event per millisecond: 1 s of streaming
        renderer.on_event(accumulate(snapshot, event))
    renderer.finish("FINAL", "final")
    assert surface.paints[0] == "w0  ▌"
    assert renderer.first_output_latency() == 0.0
    assert 19 <= len(surface.paints) <= 21  # 1 s at most 20 a second (+ the first)
    assert surface.final == ("FINAL", "final")
    assert renderer.repaints == len(surface.paints) + 1


def test_tool_loop_view_builds_the_transcript_only_when_it_paints():
    clock = FakeClock()
    surface = RecordingSurface()
    surface.plain = False
    view = ToolLoopView(StreamRenderer(surface, repaint_interval=0.05, clock=clock))
    builds = []
    build = view._message
    view._message = lambda: builds.append(1) or build()
    snapshot = MessageSnapshot()
    for index, event in enumerate(text_events([f"w{i} " for i in range(1000)])):
        clock.now = index * 0.001
        view.on_event(accumulate(snapshot, event))
    view.on_tool_event(ToolCallEvent("start", "toolu_1", "add", {"a": 1}))
    assert 19 <= len(surface.paints) <= 22
    assert len(builds) == len(surface.paints)  # not one per event
    assert surface.paints[-1].startswith("w0 w1 ")


def test_render_content_folds_thinking_and_skips_unknown_blocks():
    message = {
        "content": [
            {"type": "thinking", "thinking": "hmm"},
            {"type": "mystery_block", "x": 1},
            {"type": "text", "text": "Answer"},
            {"type": "tool_use", "name": "add", "input": {"a": 1}},
        ]
    }
    markdown = render_content(message)
    assert markdown.startswith("<details><summary>💭 Thinking</summary>\n\nhmm\n\n</details>")
    assert "Answer" in markdown and "mystery" not in markdown
    # a tool_use with no event yet: the one tool-call renderer's folded block, no status
    assert (
        "<details><summary>🔧 <code>add(a=1)</code></summary>\n\n**arguments**\n\n"
        '```json\n{\n  "a": 1\n}\n```\n\n</details>'
    ) in markdown
    thinking_only = {"content": [{"type": "thinking", "thinking": "so"}]}
    streaming = render_content(thinking_only, streaming=True)
    assert "Thinking…" in streaming and streaming.endswith(" ▌")


def test_display_surface_sends_one_output_then_updates_in_place():
    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            surface = surface_for(shell)
            assert isinstance(surface, DisplaySurface)
            surface.paint({"content": [{"type": "text", "text": "Hel"}]}, streaming=True)
            surface.paint({"content": [{"type": "text", "text": "Hello"}]}, streaming=True)
            surface.show_final("Hello\n\n<sub>footer</sub>", "Hello\n\nfooter")
    finally:
        InteractiveShell.clear_instance()
    outputs = captured.outputs
    assert [output.update for output in outputs] == [False, True, True]
    display_ids = {output.transient["display_id"] for output in outputs}
    assert len(display_ids) == 1
    assert outputs[0].data == {"text/markdown": "Hel ▌"}
    assert outputs[-1].data == {
        "text/markdown": "Hello\n\n<sub>footer</sub>",
        "text/plain": "Hello\n\nfooter",
    }


def test_terminal_surface_prints_text_as_it_arrives_then_the_footer():
    stream = io.StringIO()
    surface = TerminalSurface(stream)
    surface.paint({"content": [{"type": "text", "text": "Hel"}]}, streaming=True)
    surface.paint({"content": [{"type": "text", "text": "Hello"}]}, streaming=True)
    surface.show_final("ignored", "Hello\n\nmodel · 1 in / 2 out")
    assert stream.getvalue() == "Hello\n\nmodel · 1 in / 2 out\n"
    assert surface.messages == 3


def test_terminal_is_chosen_outside_a_kernel():
    assert isinstance(surface_for(None), TerminalSurface)


def test_error_lines_are_short_readable_and_never_show_a_key():
    error = OverloadedError(
        f"Overloaded; key {canary_key('SECRETSECRET')}",
        status_code=529,
        error_type="overloaded_error",
        request_id="req_1",
        retries=2,
    )
    lines = error_lines(error, color=False)
    assert lines[0] == ("OverloadedError: Overloaded; key [redacted] (529 overloaded_error)")
    assert "  request id: req_1" in lines
    assert "  retried:    2 times" in lines
    assert any("overloaded" in line and "what to do" in line for line in lines)
    assert not any("SECRET" in line for line in lines)
    stream_error = StreamEventError(
        "Overloaded",
        error_type="overloaded_error",
        partial={"content": [{"type": "text", "text": "half"}]},
    )
    text = "\n".join(error_lines(stream_error, color=False))
    assert "in the stream overloaded_error" in text and "4 characters kept above" in text
