"""The cache-diagnostics log keeps O(1) per remembered reply, not the whole conversation."""

from __future__ import annotations

from claude_nb.emulator._diagnostics import DiagnosticsLog


def _body(turns: int, model: str = "claude-sonnet-5-5") -> dict:
    messages = [
        {"role": "user" if n % 2 == 0 else "assistant", "content": f"turn {n}"}
        for n in range(turns)
    ]
    return {"model": model, "messages": messages}


def test_a_remembered_reply_holds_one_digest_whatever_the_length() -> None:
    log = DiagnosticsLog()
    for turns in (1, 201, 2001):
        log.remember(f"msg_{turns}", _body(turns), "ns", 100)
    assert all(len(prefix.messages) == 1 for prefix in log._seen.values())


def test_appended_turns_hit_and_an_edited_turn_is_messages_changed() -> None:
    log = DiagnosticsLog()
    log.remember("msg_a", _body(5), "ns", 100)
    grown = _body(7) | {"diagnostics": {"previous_message_id": "msg_a"}}
    assert log.diagnose(grown, "ns", cache_read=90) == {"cache_miss_reason": None}
    edited = _body(7) | {"diagnostics": {"previous_message_id": "msg_a"}}
    edited["messages"][2] = {"role": "user", "content": "changed"}
    reason = log.diagnose(edited, "ns", cache_read=0)
    assert reason is not None and reason["cache_miss_reason"]["type"] == "messages_changed"
    shorter = _body(3) | {"diagnostics": {"previous_message_id": "msg_a"}}
    reason = log.diagnose(shorter, "ns", cache_read=0)
    assert reason is not None and reason["cache_miss_reason"]["type"] == "messages_changed"
    other_model = _body(7, "claude-haiku-4-5") | {"diagnostics": {"previous_message_id": "msg_a"}}
    reason = log.diagnose(other_model, "ns", cache_read=0)
    assert reason is not None and reason["cache_miss_reason"]["type"] == "model_changed"
