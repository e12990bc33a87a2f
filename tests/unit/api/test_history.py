"""The history rules of ``claude_nb._api.history``, checked directly on hand-built turns.

A valid history never ends on an unanswered user turn and never keeps an assistant
``tool_use`` without its ``tool_result``; every expected value below follows from the module's
docstrings, worked out by hand.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from claude_nb._api.history import (
    HistoryChange,
    close_exchange,
    is_tool_result,
    replay,
    text_only_turn,
    tool_use_blocks,
    undo_point,
    without_cache_control,
)

EPHEMERAL = {"type": "ephemeral"}


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def assistant(content: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def call(tool_id: str, name: str = "calc", **arguments: Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": arguments}


def result(tool_id: str, content: Any = "42") -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content}


THINKING = {"type": "thinking", "thinking": "let me see", "signature": "sig"}


# --- HistoryChange and replay -------------------------------------------------------------


def test_history_change_defaults_to_no_turns_and_is_frozen() -> None:
    change = HistoryChange(3)
    assert change.offset == 3
    assert change.turns == []
    assert HistoryChange(0).turns is not HistoryChange(0).turns  # no shared default list
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.offset = 1  # type: ignore[misc]


def test_replay_of_nothing_is_an_empty_history() -> None:
    assert replay([]) == []


def test_replay_of_a_session_equals_its_final_history() -> None:
    # prompt 1 + reply, prompt 2 + tool loop, undo of prompt 2, prompt 3 + reply.
    u1, a1 = user("one"), assistant("reply one")
    u2, a2 = user("two"), assistant([text("checking"), call("t1")])
    r2, f2 = user([result("t1")]), assistant("it is 42")
    u3, a3 = user("three"), assistant("reply three")
    changes = [
        HistoryChange(0, [u1, a1]),
        HistoryChange(2, [u2, a2, r2, f2]),
        HistoryChange(2),  # undo: cut back to undo_point == 2
        HistoryChange(2, [u3, a3]),
    ]
    assert replay(changes) == [u1, a1, u3, a3]


def test_replay_keeps_only_offset_messages_before_appending() -> None:
    u1, a1, u2, a2 = user("1"), assistant("1"), user("2"), assistant("2")
    # keep 1 of [u1, a1] (a1 is dropped), then append a2; a reset (offset 0) clears it all.
    assert replay([HistoryChange(0, [u1, a1]), HistoryChange(1, [a2])]) == [u1, a2]
    assert replay([HistoryChange(0, [u1, a1]), HistoryChange(0)]) == []
    assert replay([HistoryChange(0, [u1, a1]), HistoryChange(0, [u2, a2])]) == [u2, a2]


def test_replay_accepts_plain_offset_turns_pairs() -> None:
    u1, a1, u2, a2 = user("1"), assistant("1"), user("2"), assistant("2")
    assert replay([(0, [u1, a1]), HistoryChange(2, [u2, a2]), (2, [])]) == [u1, a1]


def test_replay_does_not_mutate_the_changes() -> None:
    changes = [HistoryChange(0, [user("1"), assistant("1")]), HistoryChange(1, [])]
    before = copy.deepcopy(changes)
    replay(changes)
    assert changes == before


# --- tool_use_blocks ----------------------------------------------------------------------


def test_tool_use_blocks_of_a_message_in_order() -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [text("two calls"), call("t1", x=1), THINKING, call("t2", name="other")],
        "stop_reason": "tool_use",
    }
    assert tool_use_blocks(message) == [call("t1", x=1), call("t2", name="other")]


def test_tool_use_blocks_of_a_turn_and_of_a_block_list_agree() -> None:
    blocks = [call("t1"), text("between"), call("t2")]
    assert tool_use_blocks(assistant(blocks)) == [call("t1"), call("t2")]
    assert tool_use_blocks(blocks) == [call("t1"), call("t2")]


@pytest.mark.parametrize(
    "value",
    [
        assistant("just text"),
        assistant(None),
        {"role": "assistant"},
        assistant([]),
        assistant([text("no calls"), THINKING]),
        [],
        "a bare string is not a block list",
    ],
)
def test_tool_use_blocks_is_empty_without_calls(value: Any) -> None:
    assert tool_use_blocks(value) == []


def test_tool_use_blocks_skips_non_mapping_items() -> None:
    assert tool_use_blocks(["tool_use", None, 3, call("t1")]) == [call("t1")]


def test_tool_use_blocks_returns_copies() -> None:
    turn = assistant([call("t1", x=1)])
    blocks = tool_use_blocks(turn)
    blocks[0]["name"] = "changed"
    blocks.append(call("t9"))
    assert turn == assistant([call("t1", x=1)])


# --- is_tool_result -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        (user([result("t1")]), True),
        (user([result("t1"), text("and a note")]), True),
        (user([text("note"), result("t1"), result("t2")]), True),
        (user("a prompt"), False),
        (user([text("a prompt")]), False),
        (user([]), False),
        (user(None), False),
        ({"role": "user"}, False),
        (user(["tool_result", None]), False),  # strings are not blocks
    ],
)
def test_is_tool_result(turn: dict[str, Any], expected: bool) -> None:
    assert is_tool_result(turn) is expected


# --- text_only_turn -----------------------------------------------------------------------


def test_text_only_turn_keeps_only_the_text_blocks_in_order() -> None:
    message = assistant([THINKING, text("first"), call("t1"), text("second"), call("t2")])
    assert text_only_turn(message) == assistant([text("first"), text("second")])


def test_text_only_turn_of_a_full_message_is_an_assistant_turn() -> None:
    message = {"id": "msg_1", "type": "message", "role": "assistant",
               "content": [text("partial answer"), call("t1")], "stop_reason": None,
               "model": "claude-sonnet-5-5"}
    assert text_only_turn(message) == {"role": "assistant", "content": [text("partial answer")]}


def test_text_only_turn_drops_empty_text_and_non_text() -> None:
    assert text_only_turn(assistant([text(""), text("kept")])) == assistant([text("kept")])
    redacted = {"type": "redacted_thinking", "data": "xyz"}
    assert text_only_turn(assistant([THINKING, redacted, call("t1")])) is None
    assert text_only_turn(assistant([text("")])) is None
    assert text_only_turn(assistant([])) is None
    assert text_only_turn(assistant(None)) is None


def test_text_only_turn_does_not_mutate_its_input() -> None:
    message = assistant([text("a"), call("t1")])
    before = copy.deepcopy(message)
    text_only_turn(message)
    assert message == before


# --- close_exchange -----------------------------------------------------------------------


def test_close_exchange_keeps_a_valid_exchange() -> None:
    exchange = [user("q"), assistant("a")]
    assert close_exchange(exchange) == exchange
    loop = [user("q"), assistant([text("checking"), call("t1")]), user([result("t1")]),
            assistant("done")]
    assert close_exchange(loop) == loop


def test_close_exchange_of_nothing_is_nothing() -> None:
    assert close_exchange([]) == []


def test_close_exchange_drops_a_trailing_unanswered_prompt() -> None:
    assert close_exchange([user("q")]) == []
    assert close_exchange([user("q"), assistant("a"), user("again")]) == [
        user("q"), assistant("a")
    ]


def test_close_exchange_drops_consecutive_trailing_user_turns() -> None:
    assert close_exchange([user("q"), assistant("a"), user("x"), user("y")]) == [
        user("q"), assistant("a")
    ]


def test_close_exchange_keeps_the_text_of_a_trailing_tool_call() -> None:
    exchange = [user("q"), assistant([THINKING, text("let me check"), call("t1")])]
    assert close_exchange(exchange) == [user("q"), assistant([text("let me check")])]


def test_close_exchange_drops_a_bare_trailing_tool_call_and_repeats() -> None:
    # the call has no text -> dropped; that leaves the prompt trailing -> dropped too.
    assert close_exchange([user("q"), assistant([call("t1")])]) == []
    assert close_exchange([user("q"), assistant([THINKING, call("t1")])]) == []


def test_close_exchange_drops_unanswered_tool_results_and_the_call_before() -> None:
    # results nobody answered -> dropped; the call they answered is now trailing -> its text.
    exchange = [user("q"), assistant([text("checking"), call("t1")]), user([result("t1")])]
    assert close_exchange(exchange) == [user("q"), assistant([text("checking")])]


def test_close_exchange_unwinds_a_whole_tool_loop_of_bare_calls() -> None:
    # q, call, result, call, result, call: every call is bare, so all of it goes.
    exchange = [
        user("q"),
        assistant([call("t1")]),
        user([result("t1")]),
        assistant([call("t2")]),
        user([result("t2")]),
        assistant([call("t3")]),
    ]
    assert close_exchange(exchange) == []


def test_close_exchange_stops_at_the_first_call_with_text() -> None:
    # q, call with text, result, bare call (interrupted): back to the text of the first call.
    exchange = [
        user("q"),
        assistant([text("step one"), call("t1")]),
        user([result("t1")]),
        assistant([call("t2")]),
    ]
    assert close_exchange(exchange) == [user("q"), assistant([text("step one")])]


def test_close_exchange_keeps_earlier_exchanges_intact() -> None:
    earlier = [user("old"), assistant([text("x"), call("t0")]), user([result("t0")]),
               assistant("old answer")]
    assert close_exchange([*earlier, user("new"), assistant([call("t1")])]) == earlier


def test_close_exchange_does_not_mutate_its_input() -> None:
    exchange = [user("q"), assistant([text("checking"), call("t1")]), user([result("t1")])]
    before = copy.deepcopy(exchange)
    close_exchange(exchange)
    assert exchange == before


def test_close_exchange_accepts_a_tuple() -> None:
    assert close_exchange((user("q"), assistant("a"), user("b"))) == [user("q"), assistant("a")]


# --- undo_point ---------------------------------------------------------------------------


def test_undo_point_of_an_empty_history_is_zero() -> None:
    assert undo_point([]) == 0


def test_undo_point_is_the_last_prompt() -> None:
    assert undo_point([user("1"), assistant("1")]) == 0
    assert undo_point([user("1"), assistant("1"), user("2"), assistant("2")]) == 2
    assert undo_point([user("1"), assistant("1"), user([text("2")]), assistant("2")]) == 2


def test_undo_point_skips_tool_result_turns() -> None:
    history = [
        user("1"), assistant("1"),
        user("2"),                                   # index 2: the last prompt
        assistant([call("t1")]), user([result("t1")]),  # index 4: tool results, not a prompt
        assistant([call("t2")]), user([result("t2")]),  # index 6: tool results
        assistant("answer"),
    ]
    assert undo_point(history) == 2


def test_undo_point_falls_back_to_zero_without_a_prompt() -> None:
    assert undo_point([user([result("t1")]), assistant("a")]) == 0
    assert undo_point([assistant("a")]) == 0


def test_undo_then_replay_removes_exactly_the_last_exchange() -> None:
    first = [user("1"), assistant("1")]
    last = [user("2"), assistant([call("t1")]), user([result("t1")]), assistant("2")]
    history = [*first, *last]
    cut = undo_point(history)
    assert cut == 2
    assert replay([HistoryChange(0, history), HistoryChange(cut)]) == first


# --- without_cache_control ----------------------------------------------------------------


def test_without_cache_control_removes_it_from_every_block() -> None:
    image = {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}}
    message = user([
        {**text("a"), "cache_control": EPHEMERAL},
        {**image, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        result("t1"),
    ])
    assert without_cache_control(message) == user([text("a"), image, result("t1")])


def test_without_cache_control_turns_a_lone_text_block_back_into_a_string() -> None:
    marked = user([{**text("hello"), "cache_control": EPHEMERAL}])
    assert without_cache_control(marked) == user("hello")
    assert without_cache_control(user([text("hello")])) == user("hello")


def test_without_cache_control_keeps_blocks_that_are_more_than_text() -> None:
    cited = {**text("hello"), "citations": [], "cache_control": EPHEMERAL}
    assert without_cache_control(user([cited])) == user([{**text("hello"), "citations": []}])
    two = user([text("a"), {**text("b"), "cache_control": EPHEMERAL}])
    assert without_cache_control(two) == user([text("a"), text("b")])
    assert without_cache_control(assistant([call("t1")])) == assistant([call("t1")])


def test_without_cache_control_leaves_string_and_other_keys_alone() -> None:
    assert without_cache_control(user("plain")) == user("plain")
    message = {"role": "assistant", "content": [text("a"), call("t1")], "extra": 1}
    assert without_cache_control(message) == message


def test_without_cache_control_does_not_mutate_its_input() -> None:
    nested = result("t1", [{**text("r"), "cache_control": EPHEMERAL}])
    message = user([{**text("a"), "cache_control": EPHEMERAL}, nested])
    before = copy.deepcopy(message)
    out = without_cache_control(message)
    assert message == before
    out["content"].append(text("more"))
    out["role"] = "assistant"
    assert message == before
    string_message = user("plain")
    copy_of = without_cache_control(string_message)
    copy_of["content"] = "changed"
    assert string_message == user("plain")


def test_without_cache_control_removes_nested_breakpoints() -> None:
    nested = result("t1", [{**text("r"), "cache_control": EPHEMERAL}])
    assert without_cache_control(user([nested])) == user([result("t1", [text("r")])])
