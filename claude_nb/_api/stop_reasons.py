"""What a reply's ``stop_reason`` means for the user: a note when the reply did not end on its own.

A reply cut by ``max_tokens`` or a stop sequence reads as complete, so the reply's display
says why it stopped and what to change (pure; the API's values are in ``stop_reason``):

* ``max_tokens``: ``⚠ cut at max_tokens (200): raise --max-tokens``; inside a tool call, the
  note names the call whose input is incomplete and says it did not run;
* ``stop_sequence``: ``stopped at stop sequence 'END'``;
* ``refusal``: the model declined (with the category or explanation the API gives);
* ``pause_turn``: a server-tool loop paused; sending the conversation again continues it;
* ``model_context_window_exceeded``: the context window is full;
* ``end_turn``, ``tool_use``, none (a failed or interrupted call): no note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["stop_note"]


def stop_note(message: Mapping[str, Any], request: Mapping[str, Any] | None = None) -> str | None:
    """The note for a message that stopped early, or None when it ended on its own.

    Args:
        message: The reply message (API shape: ``stop_reason``, ``stop_sequence``,
            ``stop_details``).
        request: The body it answered (for ``max_tokens``), if known.
    """
    reason = message.get("stop_reason")
    if reason == "max_tokens":
        limit = (request or {}).get("max_tokens")
        where = f"max_tokens ({limit:,})" if isinstance(limit, int) else "max_tokens"
        calls = [
            str(block.get("name"))
            for block in message.get("content") or []
            if isinstance(block, Mapping) and block.get("type") in ("tool_use", "server_tool_use")
        ]
        if calls:
            names = ", ".join(calls)
            return (
                f"⚠ cut at {where} inside a tool call: the input of {names} is incomplete, "
                "so it did not run (the partial input is kept); raise --max-tokens (max_tokens=)"
            )
        return f"⚠ cut at {where}: raise --max-tokens (max_tokens=) for the whole reply"
    if reason == "stop_sequence":
        sequence = message.get("stop_sequence")
        return (
            f"stopped at stop sequence {sequence!r}" if sequence else "stopped at a stop sequence"
        )
    if reason == "refusal":
        details = message.get("stop_details") or {}
        why = details.get("explanation") or details.get("category")
        return f"⚠ the model declined to answer (refusal{': ' + str(why) if why else ''})"
    if reason == "pause_turn":
        return (
            "⏸ paused (pause_turn): a server tool reached its step limit; "
            "send the conversation again to continue"
        )
    if reason == "model_context_window_exceeded":
        return "⚠ cut: the context window is full; start a fresh conversation (--new)"
    return None
