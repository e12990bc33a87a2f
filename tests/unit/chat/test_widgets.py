"""The chat widget outside a kernel: trait values after real requests to the emulator.

Every test drives a real ``Session`` over the in-process emulator (paced where the timing
matters); nothing of ours is mocked. ipywidgets work without a kernel (comm >= 0.2), so
the assertions read the widgets' trait values directly.
"""

from __future__ import annotations

import base64
import datetime
import io
import time
from typing import Any

import pytest

from claude_nb._chat.view import (
    ChatEntry,
    attachable_names,
    cost_label,
    entry_html,
    markdown_to_html,
)

pytest.importorskip("ipywidgets")

from claude_nb._chat.widget import ChatWidget
from claude_nb._notebook.kernel import chat
from claude_nb._session.session import Session
from claude_nb.emulator import Emulator, Pacing, ScriptedResponder


def make_session(tokens_per_second: float | None = None, **session_options: Any) -> tuple[Any, Any]:
    pacing = Pacing(tokens_per_second=tokens_per_second)
    emulator = Emulator(require_key=False, pacing=pacing if tokens_per_second else None)
    session = Session(offline=True, emulator=emulator, **session_options)
    return session, emulator


def request_bodies(emulator: Any) -> list[dict[str, Any]]:
    bodies = []
    for request in emulator.requests:
        if request.path.endswith("/v1/messages"):
            bodies.append(request.body)
    return bodies


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


@pytest.fixture
def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# -- pure view parts ---------------------------------------------------------------------


def test_markdown_escapes_html_and_harmful_links() -> None:
    rendered = markdown_to_html("**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in rendered
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    assert "javascript:" not in rendered


def test_entry_html_marks_role_status_and_tool_calls() -> None:
    entry = ChatEntry(
        "assistant", "partial", status="stopped",
        tool_calls=[{"type": "tool_use", "name": "<f>", "input": {"x": "<b>"}}],
    )
    rendered = entry_html(entry)
    assert "cnb-assistant" in rendered
    assert "data-status='stopped'" in rendered
    assert "⏹ stopped" in rendered
    assert "<code>&lt;f&gt;(x=" in rendered and "cnb-tool-requested" in rendered
    assert "&lt;b&gt;" in rendered and '"<b>"' not in rendered


def test_cost_label_shows_tokens_cache_ledger_totals_and_unpriced() -> None:
    from claude_nb._accounting.ledger import LedgerTotals
    from claude_nb._accounting.pricing import Cost, TokenCounts

    usage = {"input_tokens": 1200, "output_tokens": 34, "cache_read_input_tokens": 1000}
    online = LedgerTotals(2, TokenCounts(), Cost(input=0.05), 0.0, 0.0, 1, ("mystery",))
    label = cost_label(usage, 0.0123, online)
    assert "1,200 in" in label and "34 out" in label and "cache 1,000 read" in label
    assert "$0.0123" in label and "session: 2 calls · $0.0500 + 1 unpriced" in label
    assert "simulated" not in label
    offline = LedgerTotals(1, TokenCounts(), Cost(output=0.02), 0.02, 0.0, 0, ())
    assert cost_label({}, 0.02, offline).endswith("session: 1 call · $0.0200 simulated (offline)")
    mixed = LedgerTotals(3, TokenCounts(), Cost(output=0.03), 0.01, 0.0, 0, ())
    assert "$0.0300 ($0.0100 simulated offline)" in cost_label({}, 0.01, mixed)
    assert cost_label({}, None, None) == "last reply: 0 in · 0 out · unpriced"


def test_attachable_names_lists_figures_frames_and_images() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd
    from matplotlib.figure import Figure
    from PIL import Image

    namespace = {
        "fig": Figure(), "df": pd.DataFrame({"a": [1]}), "img": Image.new("RGB", (2, 2)),
        "text": "not attachable", "_hidden": Figure(),
    }
    assert attachable_names(namespace) == [
        ("df (DataFrame)", "df"), ("fig (figure)", "fig"), ("img (image)", "img"),
    ]


# -- the widget over a real session ---------------------------------------------------


def test_send_streams_into_the_bubble_and_updates_the_cost() -> None:
    session, emulator = make_session(tokens_per_second=400)
    widget = ChatWidget(session, namespace={}, load_models=False)
    seen: list[str] = []
    widget.input.value = "Say hello and write 60 words"
    worker = widget.send_message()
    assert worker is not None and widget.busy
    assert widget.send_button.disabled and not widget.stop_button.disabled
    assert widget.send_message("again") is None  # one request at a time
    widget._bubbles[1].observe(lambda change: seen.append(change["new"]), names="value")
    assert widget.wait(20)

    user, reply = widget.entries
    assert user.role == "user" and user.text == "Say hello and write 60 words"
    assert reply.status == "done" and "offline emulator" in reply.text
    assert widget.input.value == ""
    assert not widget.send_button.disabled and widget.stop_button.disabled
    # it grew over time: several repaints, each longer, then the final one
    lengths = [len(value) for value in seen]
    assert len(seen) >= 3 and lengths == sorted(lengths)
    assert "data-status='done'" in seen[-1]
    # capped at ~20/s (+1 for the final repaint)
    duration = widget.last_reply.duration or 1.0
    assert len(seen) <= duration * 20 + 3
    # the label reads the session's ledger (one call so far), simulated: the session is offline
    total = session.ledger.total_cost
    assert total > 0 and session.ledger.totals().calls == 1
    assert f"session: 1 call · ${total:.4f} simulated (offline)" in widget.status.value
    assert f"{widget.last_reply.usage['output_tokens']} out" in widget.status.value
    assert len(request_bodies(emulator)) == 1


def test_stop_mid_stream_keeps_the_partial_reply_marked_stopped() -> None:
    session, _emulator = make_session(tokens_per_second=300)
    widget = ChatWidget(session, namespace={}, load_models=False)
    widget.send_message("write 3000 words")
    wait_for(lambda: len(widget.entries[1].text) > 200 or not widget.busy)
    assert widget.busy
    widget.stop_button.click()
    assert widget.wait(30)  # Stop works mid-stream: the 3000 words never all arrive (below)
    reply = widget.entries[1]
    assert reply.status == "stopped"
    assert 200 < len(reply.text) < 3000 * 4
    assert "⏹ stopped" in widget._bubbles[1].value
    # the session kept the partial reply (ARCHITECTURE.md history rules)
    assert session.history[-1]["role"] == "assistant"
    # and the widget is usable again
    widget.send_message("and now?")
    assert widget.wait(20)
    assert widget.entries[-1].status == "done"


def test_attach_a_figure_from_a_variable(png_bytes: bytes) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2), dpi=50)
    figure.add_subplot().plot([1, 3, 2])
    session, emulator = make_session()
    widget = ChatWidget(session, namespace={"fig": figure, "n": 3}, load_models=False)
    assert widget.variable_picker.options == (("fig (figure)", "fig"),)
    widget.variable_picker.value = "fig"
    widget.attach_button.click()
    assert widget.pending_attachments == ["fig"]
    assert "fig" in widget.attachments_label.value
    widget.upload.value = (
        {
            "name": "red.png",
            "type": "image/png",
            "size": len(png_bytes),
            "content": memoryview(png_bytes),
            "last_modified": datetime.datetime.now(datetime.timezone.utc),
        },
    )
    assert widget.pending_attachments == ["fig", "red.png"]
    assert widget.upload.value == ()
    widget.send_message("What is in these images?")
    assert widget.wait(20)

    assert widget.entries[0].attachments == ["fig", "red.png"]
    assert "📎 fig, red.png" in widget._bubbles[0].value
    assert widget.pending_attachments == [] and widget.attachments_label.value == ""
    content = request_bodies(emulator)[-1]["messages"][-1]["content"]
    assert [block["type"] for block in content] == ["image", "image", "text"]
    assert "Image 1" in widget.entries[1].text and "Image 2" in widget.entries[1].text


def test_an_api_error_shows_in_the_chat() -> None:
    session, emulator = make_session(max_retries=0)
    widget = ChatWidget(session, namespace={}, load_models=False)
    emulator.inject("529", times=1)
    widget.send_message("hello")
    assert widget.wait(20)
    bubble = widget.entries[1]
    assert bubble.role == "error" and bubble.status == "error"
    assert "529" in bubble.text
    assert "cnb-error" in widget._bubbles[1].value
    assert not widget.send_button.disabled


def test_a_callback_error_shows_in_the_chat_not_the_log() -> None:
    session, _emulator = make_session()
    widget = ChatWidget(session, namespace={"thing": object()}, load_models=False)
    widget.variable_picker.options = [("thing", "thing")]
    widget.variable_picker.value = "thing"
    widget.attach_button.click()
    assert widget.entries[-1].role == "error"
    assert "cannot send" in widget.entries[-1].text
    assert widget.pending_attachments == []


def test_enter_in_the_input_box_sends() -> None:
    session, _emulator = make_session()
    widget = ChatWidget(session, namespace={}, load_models=False)
    widget.input.value = "sent with Enter"
    # the path a front-end message takes: the comm's custom message to on_msg handlers
    widget.input._handle_custom_msg({"event": "submit"}, [])
    assert widget.wait(20)
    assert widget.entries[0].text == "sent with Enter"


def test_model_picker_and_system_prompt_reach_the_request() -> None:
    session, emulator = make_session()
    widget = ChatWidget(session, namespace={})
    assert widget._models_thread is not None
    widget._models_thread.join(10)
    listed = [model["id"] for model in session.list_models()]
    assert list(widget.model_picker.options) == listed
    other = next(model for model in listed if model != widget.model_picker.value)
    widget.model_picker.value = other
    widget.system_prompt.value = "Answer in French."
    assert session.system == "Answer in French."
    widget.send_message("hi")
    assert widget.wait(20)
    body = request_bodies(emulator)[-1]
    assert body["model"] == other
    assert "Answer in French." in str(body["system"])


def test_reset_clears_the_chat_and_the_history() -> None:
    session, _emulator = make_session()
    widget = ChatWidget(session, namespace={}, load_models=False)
    widget.send_message("one")
    assert widget.wait(20)
    assert session.history and widget.transcript.children
    widget.reset_button.click()
    assert widget.entries == [] and widget.transcript.children == ()
    assert session.history == []
    assert widget.replies == 1
    assert session.ledger.totals().calls == 1  # money spent stays counted (the cost label's source)
    assert "session: 1 call" in widget.status.value


def test_chat_builds_a_widget_and_repr_is_cheap() -> None:
    session, _emulator = make_session()
    widget = chat(session)
    assert isinstance(widget, ChatWidget)
    assert repr(widget).startswith("<ChatWidget 0 messages")
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    with pytest.raises(ValueError, match="not both"):
        chat(session, new=True)


def test_user_html_is_escaped_in_both_bubbles() -> None:
    session, _emulator = make_session()
    widget = ChatWidget(session, namespace={}, load_models=False)
    widget.send_message("<img src=x onerror=alert(1)>")
    assert widget.wait(20)
    for bubble in widget._bubbles:
        assert "<img" not in bubble.value


def test_pending_attachment_bytes_are_base64_images(png_bytes: bytes) -> None:
    session, emulator = make_session()
    widget = ChatWidget(session, namespace={"picture": png_bytes}, load_models=False)
    widget.attach("picture")
    widget.send_message("")
    assert widget.wait(20)
    block = request_bodies(emulator)[-1]["messages"][-1]["content"][0]
    assert block["type"] == "image"
    assert base64.b64decode(block["source"]["data"])[:4] == b"\x89PNG"


@pytest.mark.parametrize("rate", [1e-3, 1e9])
def test_the_chat_repaints_by_the_renderers_throttle_rule(rate: float) -> None:
    """50 deltas streamed at once: at one repaint per 1000 s only the first content paints
    (at once) before the final repaint; at a billion a second every delta does."""
    words = " ".join(f"word{index}" for index in range(50))
    turn = {"content": [{"type": "text", "text": words}], "delta_count": 50}
    emulator = Emulator(require_key=False, responder=ScriptedResponder([turn]))
    session = Session(offline=True, emulator=emulator, environ={})
    widget = ChatWidget(session, namespace={}, load_models=False, repaints_per_second=rate)
    seen: list[str] = []
    with widget.session_lock:  # the worker waits here until the bubble is observed
        assert widget.send_message("hi") is not None
        widget._bubbles[-1].observe(lambda change: seen.append(change["new"]), names="value")
    assert widget.wait(20)
    assert "data-status='done'" in seen[-1] and "word49" in seen[-1]
    streaming = seen[:-1]
    if rate < 1:
        assert len(streaming) == 1 and "word0" in streaming[0]
    else:  # no time cap: the byte budget alone (short replies repaint freely)
        assert len(streaming) >= 20


def test_a_long_chat_reply_resends_at_most_25_times_its_text() -> None:
    """Each repaint resends the whole bubble: with no time cap at all, 2,000 deltas still
    cost at most 25x the text (the byte budget), not one whole copy per delta."""
    words = " ".join(f"w{index % 10}" for index in range(2000))
    turn = {"content": [{"type": "text", "text": words}], "delta_count": 2000}
    emulator = Emulator(require_key=False, responder=ScriptedResponder([turn]))
    session = Session(offline=True, emulator=emulator, environ={})
    widget = ChatWidget(session, namespace={}, load_models=False, repaints_per_second=1e9)
    seen: list[str] = []
    with widget.session_lock:
        assert widget.send_message("hi") is not None
        widget._bubbles[-1].observe(lambda change: seen.append(change["new"]), names="value")
    assert widget.wait(20)
    assert words in seen[-1] and len(seen) > 10
    assert sum(len(value) for value in seen) <= 25 * len(words)
