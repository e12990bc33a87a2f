"""What a request may resend of the conversation: bound thinking, and the cache diagnostics.

Preserved thinking (API.md §8; ``claude_nb._api.thinking_binding``): on Fable/Mythos 5.1 and
5.2 and Opus/Sonnet/Haiku 5.5 a thinking block is bound to the prefix that produced it (model,
system, tools, earlier messages). ``PrefixGuard.prepare`` runs on every body as it is
prepared (``Session.prepare_request``: what is sent, and what a dry run shows) and drops each
thinking block whose prefix is no longer the one it was made under (an edited history, a new
system prompt or tools, a model switch, a resumed history this session never saw made), so
the service never has to reject it; the first drop of the session adds one note to the call.
The history keeps the blocks: dropping them is the same every time, so the prefix the later
blocks were made under stays what is sent.

Cache diagnostics: every body that continues a conversation (more than one message; not a
map's one-shots) carries ``diagnostics.previous_message_id`` (the latest reply's id; a
``reset`` forgets it), so the reply can say why a cache read did
not happen (``_api.cache_diagnostics``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from claude_nb._api.history import HistoryChange
from claude_nb._api.thinking_binding import THINKING_BLOCKS, binds_thinking, prefix_fingerprint
from claude_nb._content.attach import PreparedRequest

__all__ = ["DROPPED_NOTE", "PrefixGuard", "PrefixPaths"]

DROPPED_NOTE = (
    "thinking from earlier turns was left out: {model} binds it to the conversation it was "
    "made in, and the model, system prompt, tools or history changed since"
)


def _key(block: dict[str, Any]) -> str:
    return str(block.get("signature") or block.get("data") or "")


class PrefixGuard:
    """Per session: where each thinking block was made, the latest reply id, one note."""

    def __init__(self) -> None:
        self._made: dict[str, tuple[bool, str]] = {}  # block key -> (bound, fingerprint)
        self.previous_id: str | None = None
        self.said = False

    def __repr__(self) -> str:
        return f"PrefixGuard(blocks={len(self._made)}, previous_id={self.previous_id!r})"

    def on_history(self, change: HistoryChange) -> None:
        """A reset (nothing kept) starts afresh: no previous reply to compare with."""
        if change.offset == 0 and not change.turns:
            self.previous_id = None

    def _fingerprint(self, body: dict[str, Any], before: list[Any]) -> str:
        return prefix_fingerprint(
            str(body.get("model")), body.get("system"), body.get("tools"), before
        )

    def prepare(self, body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The body to send (bound blocks dropped, diagnostics added) and a note, once."""
        messages = body.get("messages") or []
        target = binds_thinking(str(body.get("model")))
        kept_messages: list[Any] = []
        dropped = 0
        for index, message in enumerate(messages):
            content = message.get("content") if isinstance(message, dict) else None
            if message.get("role") != "assistant" or not isinstance(content, list):
                kept_messages.append(message)
                continue
            kept = []
            for block in content:
                if isinstance(block, dict) and block.get("type") in THINKING_BLOCKS:
                    made = self._made.get(_key(block))
                    if (target or (made is not None and made[0])) and (
                        made is None or made[1] != self._fingerprint(body, messages[:index])
                    ):
                        dropped += 1
                        continue
                kept.append(block)
            if len(kept) != len(content):
                kept = kept or [{"type": "text", "text": "(thinking left out)"}]
                message = {**message, "content": kept}
            kept_messages.append(message)
        sent = dict(body)
        if dropped:
            sent["messages"] = kept_messages
        if self.previous_id and len(messages) > 1 and "diagnostics" not in sent:
            sent["diagnostics"] = {"previous_message_id": self.previous_id}
        note = None
        if dropped and not self.said:
            self.said = True
            note = DROPPED_NOTE.format(model=body.get("model"))
        return sent, note

    def remember(self, body: dict[str, Any], message: dict[str, Any]) -> None:
        """After a reply: its thinking blocks' prefix, and its id for the next diagnostics."""
        if message.get("id"):
            self.previous_id = str(message["id"])
        blocks = [
            block
            for block in message.get("content") or []
            if isinstance(block, dict) and block.get("type") in THINKING_BLOCKS
        ]
        if not blocks:
            return
        bound = binds_thinking(str(body.get("model")))
        fingerprint = self._fingerprint(body, list(body.get("messages") or []))
        for block in blocks:
            self._made[_key(block)] = (bound, fingerprint)


class PrefixPaths:
    """The ``PrefixGuard`` of a ``Session`` (a mixin; made on first use)."""

    on_history: list[Callable[[HistoryChange], object]]

    @property
    def _prefix_guard(self) -> PrefixGuard:
        guard = self.__dict__.get("_prefix_guard_state")
        if guard is None:
            guard = self.__dict__["_prefix_guard_state"] = PrefixGuard()
            self.on_history.append(guard.on_history)
        return guard  # type: ignore[no-any-return]

    def _guard_prefix(self, prepared: PreparedRequest) -> PreparedRequest:
        """The request as it will be sent, with the once-a-session note when blocks went.

        ``prepare_request`` calls this, so a dry run shows what is sent.
        """
        body, note = self._prefix_guard.prepare(prepared.body)
        report = prepared.report
        if note is not None:
            report = dataclasses.replace(report, notes=(*report.notes, note))
        return dataclasses.replace(prepared, body=body, report=report)
