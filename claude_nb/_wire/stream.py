"""Fold stream events into a message: a pure ``accumulate(snapshot, event) -> snapshot``.

Every event of the Messages stream is handled
(https://docs.anthropic.com/en/docs/build-with-claude/streaming)::

    message_start        -> the message, with content [] and the first usage
    content_block_start  -> a new block, kept as it arrives (unknown block types too)
    content_block_delta  -> text_delta / thinking_delta appended, signature_delta set,
                            citations_delta appended, input_json_delta buffered
    content_block_stop   -> buffered tool input JSON parsed once (bad JSON ->
                            MalformedStreamError carrying the partial message; JSON cut
                            short waits for message_delta: see below)
    message_delta        -> stop_reason & co; usage overwritten field by field (cumulative,
                            the SDK's rule: optional fields only when present and not null)
    message_stop         -> finished
    error                -> StreamEventError carrying the partial message
    ping, anything else  -> skipped

A tool call cut by ``max_tokens`` (its JSON a prefix of valid JSON, with or without a
``content_block_stop``) keeps the best-effort parse the SDK keeps (``partial_json``, as
``jiter``'s ``partial_mode=True``) as ``input`` and the raw text as ``partial_json``: the
block is marked incomplete, the tool loop never runs it, the stop note says so, and the
history never sends it back (``close_exchange`` keeps only text). Cut JSON under any other
stop reason is malformed.

Text arrives as many small deltas (20,000 in a long answer), so text and thinking deltas
go into per-block lists and are joined only when someone reads ``.message`` or ``.text``;
accumulating is O(n) however long the stream.
"""

from __future__ import annotations

import json
from typing import Any

from claude_nb._exceptions import MalformedStreamError, StreamEventError
from claude_nb._types import Event
from claude_nb._wire.partial_json import partial_json

__all__ = ["TOOL_INPUT_BLOCKS", "MessageSnapshot", "accumulate", "message_text", "partial_json"]

TOOL_INPUT_BLOCKS = frozenset({"tool_use", "server_tool_use"})
"""Block types whose ``input`` is streamed as ``input_json_delta`` fragments."""

_APPENDED_FIELDS = {"text_delta": ("text", "text"), "thinking_delta": ("thinking", "thinking")}


def message_text(message: dict[str, Any]) -> str:
    """The text of a message's text blocks, joined (thinking and tool blocks left out)."""
    return "".join(
        block.get("text") or ""
        for block in message.get("content") or []
        if block.get("type") == "text"
    )


class MessageSnapshot:
    """The message as accumulated so far.

    Attributes:
        started: True once any content delta arrived (text, thinking, tool input...).
        finished: True once ``message_stop`` was seen.
        request_id: The request id of the response, when the caller knows it.
        event: The raw event (API shape) ``accumulate`` applied last, ``{}`` before any:
            what ``Session.stream`` hands out, ping and unknown types included.
        text_delta: The text that event added to the text blocks (``""`` for any other
            event); a whole message's snapshot (``from_message``) carries all its text. The
            deltas joined are ``text``, so an ``on_event`` consumer reads each event's new
            text in O(1) instead of re-reading the growing ``text``.
    """

    def __init__(self) -> None:
        self._message: dict[str, Any] | None = None
        self._pending: dict[tuple[int, str], list[str]] = {}
        self._json_parts: dict[int, list[str]] = {}
        self._cut_json: dict[int, tuple[str, MalformedStreamError | None]] = {}
        self._text_cache: str | None = None
        self.started = False
        self.finished = False
        self.request_id: str | None = None
        self.event: Event = {}
        self.text_delta = ""

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> MessageSnapshot:
        """A finished snapshot of a whole (non-streamed) message."""
        snapshot = cls()
        snapshot._message = message
        snapshot.started = bool(message.get("content"))
        snapshot.finished = True
        snapshot.text_delta = message_text(message)
        return snapshot

    @property
    def message(self) -> dict[str, Any]:
        """The message in the API's shape (an empty shell before ``message_start``)."""
        if self._message is None:
            return {"type": "message", "role": "assistant", "content": [], "usage": {}}
        self._flush()
        return self._message

    @property
    def text(self) -> str:
        """The text of all text blocks so far, joined."""
        if self._text_cache is None:
            self._text_cache = message_text(self.message)
        return self._text_cache

    @property
    def usage(self) -> dict[str, Any]:
        """The usage so far (``{}`` before ``message_start``)."""
        return dict(self.message.get("usage") or {})

    def _flush(self) -> None:
        """Join pending deltas into their blocks (each fragment is joined once)."""
        if not self._pending or self._message is None:
            return
        content = self._message["content"]
        for (index, field), parts in self._pending.items():
            block = content[index]
            block[field] = (block.get(field) or "") + "".join(parts)
        self._pending.clear()

    def _block(self, index: Any) -> dict[str, Any] | None:
        if self._message is None or not isinstance(index, int):
            return None
        content = self._message["content"]
        if 0 <= index < len(content):
            block: dict[str, Any] = content[index]
            return block
        return None

    def _malformed(self, reason: str) -> MalformedStreamError:
        return MalformedStreamError(reason, partial=self.message if self._message else None)


def _start(snapshot: MessageSnapshot, event: Event) -> None:
    message = dict(event.get("message") or {})
    message["content"] = [dict(block) for block in message.get("content") or []]
    message["usage"] = dict(message.get("usage") or {})
    snapshot._message = message


def _block_start(snapshot: MessageSnapshot, event: Event) -> None:
    if snapshot._message is None:
        raise snapshot._malformed("content_block_start before message_start")
    block = dict(event.get("content_block") or {})
    snapshot._message["content"].append(block)
    snapshot._text_cache = None
    if block.get("type") == "text":
        snapshot.text_delta = block.get("text") or ""


def _block_delta(snapshot: MessageSnapshot, event: Event) -> None:
    index = event.get("index")
    block = snapshot._block(index)
    if block is None or not isinstance(index, int):
        raise snapshot._malformed(f"content_block_delta for unknown block {index!r}")
    delta = event.get("delta") or {}
    delta_type = delta.get("type")
    snapshot.started = True
    appended = _APPENDED_FIELDS.get(str(delta_type))
    if appended is not None:
        field, block_type = appended
        if block.get("type") == block_type:
            added = delta.get(field) or ""
            snapshot._pending.setdefault((index, field), []).append(added)
            snapshot._text_cache = None
            if block_type == "text":
                snapshot.text_delta = added
    elif delta_type == "input_json_delta":
        if block.get("type") in TOOL_INPUT_BLOCKS:
            snapshot._json_parts.setdefault(index, []).append(delta.get("partial_json") or "")
    elif delta_type == "signature_delta":
        if block.get("type") == "thinking":
            block["signature"] = delta.get("signature", "")
    elif delta_type == "citations_delta" and block.get("type") == "text":
        citations = block.get("citations")
        snapshot._text_cache = None
        if citations:
            citations.append(delta.get("citation"))
        else:
            block["citations"] = [delta.get("citation")]


def _block_stop(snapshot: MessageSnapshot, event: Event) -> None:
    index = event.get("index")
    if not isinstance(index, int):
        return
    parts = snapshot._json_parts.pop(index, None)
    block = snapshot._block(index)
    if parts is None or block is None:
        return
    raw = "".join(parts)
    if not raw.strip():
        snapshot._cut_json[index] = (raw, None)  # no input yet: {} unless cut by max_tokens
        return
    try:
        block["input"] = json.loads(raw)
    except json.JSONDecodeError as error:
        malformed = snapshot._malformed(
            f"tool input of block {index} is not valid JSON: {error.msg} at character "
            f"{error.pos} of {len(raw)}"
        )
        malformed.__cause__ = error
        try:
            partial_json(raw)
        except ValueError:
            raise malformed from error
        snapshot._cut_json[index] = (raw, malformed)  # a cut? message_delta tells
    except RecursionError:
        raise snapshot._malformed(
            f"tool input of block {index} is nested too deep to decode ({len(raw)} characters)"
        ) from None


def _keep_cut_inputs(snapshot: MessageSnapshot, stop_reason: Any) -> None:
    """At the stop reason: keep tool input cut by max_tokens, refuse any other cut JSON."""
    if stop_reason != "max_tokens":
        for _raw, malformed in snapshot._cut_json.values():
            if malformed is not None:
                raise malformed
        snapshot._cut_json.clear()
        return
    cut = {index: "".join(parts) for index, parts in snapshot._json_parts.items()}
    cut.update((index, raw) for index, (raw, _error) in snapshot._cut_json.items())
    snapshot._json_parts.clear()
    snapshot._cut_json.clear()
    for index, raw in cut.items():
        block = snapshot._block(index)
        if block is not None:
            try:
                block["input"] = partial_json(raw)
            except (ValueError, RecursionError):
                block["input"] = {}
            block["partial_json"] = raw


def _message_delta(snapshot: MessageSnapshot, event: Event) -> None:
    message = snapshot._message
    if message is None:
        raise snapshot._malformed("message_delta before message_start")
    delta = event.get("delta") or {}
    _keep_cut_inputs(snapshot, delta.get("stop_reason"))
    message["stop_reason"] = delta.get("stop_reason")
    message["stop_sequence"] = delta.get("stop_sequence")
    for key, value in delta.items():
        if key not in ("stop_reason", "stop_sequence") and value is not None:
            message[key] = value
    usage = message.setdefault("usage", {})
    for key, value in (event.get("usage") or {}).items():
        if value is not None or key == "output_tokens":
            usage[key] = value


def _error(snapshot: MessageSnapshot, event: Event) -> None:
    error = event.get("error") or {}
    raise StreamEventError(
        str(error.get("message") or "error event in stream"),
        error_type=error.get("type"),
        request_id=event.get("request_id") or snapshot.request_id,
        body=event,
        partial=snapshot.message if snapshot._message is not None else None,
    )


def _stop(snapshot: MessageSnapshot, event: Event) -> None:
    for _raw, malformed in snapshot._cut_json.values():
        if malformed is not None:
            raise malformed  # cut JSON and no max_tokens stop reason
    snapshot.finished = True


_HANDLERS = {
    "message_start": _start,
    "content_block_start": _block_start,
    "content_block_delta": _block_delta,
    "content_block_stop": _block_stop,
    "message_delta": _message_delta,
    "message_stop": _stop,
    "error": _error,
}


def accumulate(snapshot: MessageSnapshot, event: Event) -> MessageSnapshot:
    """Fold one decoded event into the snapshot and return it.

    The snapshot is updated in place (that is what keeps a long stream O(n)) and returned,
    so ``snapshot = accumulate(snapshot, event)`` reads as a fold; ``snapshot.event`` is
    ``event`` afterwards (skipped types too).

    Raises:
        StreamEventError: For an ``error`` event.
        MalformedStreamError: For events out of order or tool input that is not JSON.
    """
    snapshot.event = event
    snapshot.text_delta = ""
    handler = _HANDLERS.get(event.get("type", ""))
    if handler is not None:
        handler(snapshot, event)
    return snapshot
