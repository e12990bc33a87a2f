"""The chat widget with tools and in a shell: Approve / Deny / Approve all / Stop, the cost
label from the ledger, ``%claude_chat`` and ``claude_nb.chat()`` bound to the kernel session.

A real ``Session`` over the in-process emulator (which calls a tool that the prompt names and
then quotes its result) and a real ``InteractiveShell``; the buttons are clicked from the test
thread while the reply's worker thread waits, as a browser click would arrive on the kernel's
main thread.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from test_widgets import wait_for

import claude_nb
from claude_nb._chat.widget import ChatWidget
from claude_nb._notebook.kernel import get_session
from claude_nb._session.session import Session
from claude_nb._tools.approval import ApprovalRequest
from claude_nb.emulator import Emulator, Pacing


class Weather:
    """A tool that records its calls."""

    def __init__(self) -> None:
        self.cities: list[str] = []

    def get_weather(self, city: str) -> str:
        """The weather in a city."""
        self.cities.append(city)
        return f"sunny in {city}, 21 C"


def tool_widget(confirm: bool = True, **pacing: float) -> tuple[ChatWidget, Weather]:
    emulator = Emulator(require_key=False, pacing=Pacing(**pacing) if pacing else None)
    session = Session(offline=True, emulator=emulator)
    weather = Weather()
    session.tools.register(weather.get_weather, name="get_weather")
    return ChatWidget(session, namespace={}, load_models=False, confirm=confirm), weather


def test_approve_runs_the_tool_and_the_reply_quotes_it() -> None:
    widget, weather = tool_widget()
    assert not widget.approver.waiting
    widget.send_message("Use get_weather for Paris")
    wait_for(lambda: widget.approver.waiting)
    question = widget.approver.question.value
    assert "get_weather" in question and "&quot;city&quot;: &quot;Paris&quot;" in question
    assert weather.cities == []  # nothing runs before the click
    assert widget.busy and not widget.stop_button.disabled
    widget.approver.approve_button.click()
    assert widget.wait(10)

    reply = widget.entries[-1]
    assert reply.status == "done" and "sunny in Paris, 21 C" in reply.text
    assert weather.cities == ["Paris"]
    assert widget.approver.decisions == [('get_weather(city="Paris")', "approve")]
    assert not widget.approver.waiting and widget.approver.question.value == ""
    # the call is shown inline with its result
    assert [call["name"] for call in reply.tool_calls] == ["get_weather"]
    assert reply.tool_calls[0]["result"] == "sunny in Paris, 21 C"
    assert "cnb-tool-result" in widget._bubbles[-1].value
    # two API calls (the tool_use step and the answer), both in the ledger and the label
    ledger = widget.session.ledger  # type: ignore[attr-defined]
    assert ledger.totals().calls == 2
    assert f"session: 2 calls · ${ledger.total_cost:.4f} simulated" in widget.status.value


def test_deny_sends_the_refusal_and_the_tool_never_runs() -> None:
    widget, weather = tool_widget()
    widget.send_message("Use get_weather for Oslo")
    wait_for(lambda: widget.approver.waiting)
    widget.approver.deny_button.click()
    assert widget.wait(10)
    reply = widget.entries[-1]
    assert weather.cities == [] and reply.status == "done"
    assert "declined" in reply.tool_calls[0]["error"]
    results = [
        block for turn in widget.session.history  # type: ignore[attr-defined]
        if isinstance(turn["content"], list) for block in turn["content"]
        if block.get("type") == "tool_result"
    ]
    assert results and results[0]["is_error"] is True


def test_approve_all_covers_every_call_of_the_reply_only() -> None:
    widget, weather = tool_widget()
    sums: list[float] = []

    def add(a: float, b: float) -> float:
        """Add two numbers."""
        sums.append(a + b)
        return a + b

    widget.session.tools.register(add)  # type: ignore[attr-defined]
    widget.send_message("Please add 2.5 and 4, then get weather for Oslo")
    wait_for(lambda: widget.approver.waiting)
    widget.approver.approve_all_button.click()  # one click for both calls
    assert widget.wait(10)
    assert sums == [6.5] and weather.cities == ["Oslo"]
    assert [decision for _call, decision in widget.approver.decisions] == ["approve_all"]
    # later tool steps of the same reply are approved without asking ...
    request = ApprovalRequest("get_weather", {"city": "Lima"})
    assert widget.approver(request) == "approve"
    # ... and the next reply asks again
    widget.send_message("Use get_weather for Kyiv")
    wait_for(lambda: widget.approver.waiting)
    widget.approver.approve_button.click()
    assert widget.wait(10)
    assert weather.cities[-1] == "Kyiv"


def test_stop_ends_the_wait_without_running_the_tool() -> None:
    widget, weather = tool_widget()
    widget.send_message("Use get_weather for Paris")
    wait_for(lambda: widget.approver.waiting)
    widget.stop_button.click()
    assert widget.wait(10)
    assert weather.cities == [] and not widget.approver.waiting
    assert widget.entries[-1].status == "stopped"
    assert not widget.send_button.disabled
    # a late click after Stop changes nothing
    widget.approver.approve_button.click()
    assert weather.cities == []


def test_without_confirm_the_tool_runs_unasked() -> None:
    widget, weather = tool_widget(confirm=False)
    widget.send_message("Use get_weather for Paris")
    assert widget.wait(10)
    assert weather.cities == ["Paris"] and widget.approver.decisions == []
    assert "sunny in Paris" in widget.entries[-1].text


def test_cost_label_counts_a_stopped_reply_from_the_ledger() -> None:
    widget, _weather = tool_widget(confirm=False, tokens_per_second=300)
    widget.send_message("Write 2000 words about the sea")
    wait_for(lambda: len(widget.entries[-1].text) > 80)
    widget.stop()
    assert widget.wait(10)
    assert widget.entries[-1].status == "stopped"
    ledger = widget.session.ledger  # type: ignore[attr-defined]
    assert ledger.totals().calls == 1  # the partial call was billed, so it is counted
    assert "session: 1 call" in widget.status.value


# -- in a shell: %claude_chat and claude_nb.chat() ------------------------------------------


@pytest.fixture
def bare_shell() -> Iterator[InteractiveShell]:
    """A real InteractiveShell without the extension (conftest's ``shell`` has it loaded)."""
    ip = InteractiveShell.instance()
    try:
        yield ip
    finally:
        ip.run_line_magic("unload_ext", "claude_nb")
        InteractiveShell.clear_instance()


def test_claude_chat_and_chat_share_the_kernel_session(bare_shell: InteractiveShell) -> None:
    # claude_nb.chat() before %load_ext loads it: the widget and %%claude share one session
    assert "ClaudeMagics" not in bare_shell.magics_manager.registry
    first = claude_nb.chat()
    magics = bare_shell.magics_manager.registry["ClaudeMagics"]
    assert first.session is magics.session is get_session()
    second = bare_shell.run_line_magic("claude_chat", "")
    assert isinstance(second, ChatWidget) and second.session is magics.session
    fresh = bare_shell.run_line_magic("claude_chat", "--new")
    assert fresh.session is not magics.session and fresh.session.history == []
    assert claude_nb.chat(new=True).session is not magics.session


def test_confirm_follows_the_config_trait(shell: InteractiveShell) -> None:
    shell.run_line_magic("config", "ClaudeMagics.confirm_tools = True")
    widget = shell.run_line_magic("claude_chat", "")
    assert widget.confirm_box.value is True
    shell.run_line_magic("config", "ClaudeMagics.confirm_tools = False")
    assert widget.confirm_box.value is False
    widget.confirm_box.value = True  # the checkbox overrides for this chat only
    assert shell.magics_manager.registry["ClaudeMagics"].confirm_tools is False


def test_close_mid_reply_stops_the_worker_and_unlinks_the_config(
    shell: InteractiveShell,
) -> None:
    emulator = Emulator(require_key=False, pacing=Pacing(tokens_per_second=300))
    session = Session(offline=True, emulator=emulator)
    widget = claude_nb.chat(session)  # in a shell: "Confirm tools" follows the magics' trait
    magics = shell.magics_manager.registry["ClaudeMagics"]
    widget.send_message("Write 3000 words about the sea")
    wait_for(lambda: len(widget.entries[-1].text) > 80 or not widget.busy)
    worker = widget._worker
    assert worker is not None and widget.busy
    widget.close()
    worker.join(5)
    assert not worker.is_alive()  # the reply in flight was stopped, as Stop does
    assert widget.entries[-1].status == "stopped"
    # the session kept the partial reply, as Stop keeps it
    assert session.history[-1]["role"] == "assistant"
    assert 80 < len(str(session.history[-1]["content"])) < 3000 * 8
    # the dlink from %config ClaudeMagics.confirm_tools is gone: the magics no longer hold it
    before = widget.confirm_box.value
    magics.confirm_tools = not before
    assert widget.confirm_box.value == before
    # the child widgets are closed with it (their comms are gone)
    for child in (widget.send_button, widget.confirm_box, widget.input, widget._bubbles[0],
                  widget.approver.approve_button, widget.attachments.upload, widget.transcript):
        assert child.comm is None
    assert widget.comm is None
    widget.close()  # closing twice is harmless


def test_close_ends_a_tool_approval_wait() -> None:
    widget, weather = tool_widget()
    widget.send_message("Use get_weather for Paris")
    wait_for(lambda: widget.approver.waiting)
    widget.close()
    assert widget.wait(10)
    assert weather.cities == [] and widget.entries[-1].status == "stopped"


def test_unload_removes_claude_chat(shell: InteractiveShell) -> None:
    assert "claude_chat" in shell.magics_manager.magics["line"]
    shell.run_line_magic("unload_ext", "claude_nb")
    assert "claude_chat" not in shell.magics_manager.magics["line"]
    shell.run_line_magic("load_ext", "claude_nb")
