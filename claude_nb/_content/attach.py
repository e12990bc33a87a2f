"""Vision from live objects, wired into a request: three ways in, one way out.

::

    %%claude ... {fig} ...    --interpolate (the converter keeps the notes)--+
    %%claude --image fig      --resolve_images (a reference, never evaluated)-+-> ConvertedContent
    Session.ask(p, attach=[fig, df]) --------------------------------------+   (blocks + notes)
        -> prepare_request: build_body -> fit_request_images(messages)
        -> PreparedRequest(body, ContentReport(notes, one BlockFact per block of the new turn))

The ``ContentReport`` is what the user is shown: its notes ("downscaled 3000×2000 to
1358×905", "table cut to ...") under the reply and in ``--dry-run``, and ``summary()``
("2 images ≈ 3,100 tokens", each image ⌈w/28⌉·⌈h/28⌉ on the model's vision tier) in the
reply's footer. Attachments go before the prompt's text; interpolated objects stay where
their ``{name}`` was. Nothing heavy is imported here: ``claude_nb._content.convert`` imports
matplotlib, PIL, numpy or pandas only when such an object is converted.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from claude_nb._api.estimate import block_tokens, image_size, image_tokens
from claude_nb._api.markup import markdown_dollars
from claude_nb._api.models import model_info
from claude_nb._api.prefix_memo import PrefixMemo
from claude_nb._api.redact import redact_value, redaction_note
from claude_nb._content.convert import (
    ContentOptions,
    ConvertedContent,
    can_convert,
    estimate_tokens,
    fit_request_images,
    options_for_model,
    to_content_blocks,
)
from claude_nb._content.interpolate import (
    interpolate,
    is_resolved,
    parse_reference,
    resolve_reference,
)
from claude_nb._content.limits import MANY_IMAGES_THRESHOLD, count_images
from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = [
    "BlockFact",
    "ContentReport",
    "PreparedRequest",
    "cell_content",
    "content_options",
    "elide_base64",
    "prepare_request",
    "redact_request",
    "resolve_images",
]

Builder = Callable[..., dict[str, Any]]
"""``build(prompt=content)`` makes the request body (``Session``'s ``build_body`` call)."""


@dataclass(frozen=True)
class BlockFact:
    """One content block of the new user turn, as the user is told about it.

    Attributes:
        kind: The block's type (``image``, ``text``, ``document``...).
        detail: What it is, e.g. ``1358×905 PNG`` or ``412 characters``.
        tokens: Estimated input tokens; for an image its visual tokens ⌈w/28⌉·⌈h/28⌉.
    """

    kind: str
    detail: str
    tokens: int

    def __str__(self) -> str:
        return f"{self.kind} {self.detail} ≈ {self.tokens:,} tokens".replace("  ", " ")


@dataclass(frozen=True)
class ContentReport:
    """What was done to a turn's content before sending, and what its blocks cost.

    Attributes:
        notes: Lines for the user ("downscaled 3000×2000 to 1358×905 ...").
        blocks: One fact per content block of the new user turn.
    """

    notes: tuple[str, ...] = ()
    blocks: tuple[BlockFact, ...] = ()

    @property
    def images(self) -> list[BlockFact]:
        """The image blocks of the turn."""
        return [fact for fact in self.blocks if fact.kind == "image"]

    def summary(self) -> str:
        """``"2 images ≈ 3,100 tokens"``, or ``""`` when the turn has no image."""
        images = self.images
        if not images:
            return ""
        total = sum(fact.tokens for fact in images)
        noun = "image" if len(images) == 1 else "images"
        return f"{len(images)} {noun} ≈ {total:,} tokens"

    def notes_markdown(self) -> str:
        """The notes as one small Markdown line (``""`` when there are none)."""
        if not self.notes:
            return ""
        return "<sub>📎 " + " · ".join(_escape(note) for note in self.notes) + "</sub>"

    def markdown(self) -> str:
        """The blocks and the notes as a Markdown list (for ``--dry-run``)."""
        lines = [f"- {_escape(str(fact))}" for fact in self.blocks]
        lines += [f"- 📎 {_escape(note)}" for note in self.notes]
        return "\n".join(lines)


@dataclass
class PreparedRequest:
    """A request body ready to send, and the report on its new turn's content.

    Attributes:
        body: The JSON body, after the per-request image limits were applied.
        report: Notes and block facts for the user.
    """

    body: dict[str, Any]
    report: ContentReport = field(default_factory=ContentReport)


def _escape(text: str) -> str:
    return markdown_dollars(text.replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_"))


def content_options(
    model: str | None, *, df_as: str | None = None, df_budget: int | None = None
) -> ContentOptions:
    """``options_for_model(model)`` with the DataFrame choices that were given."""
    overrides: dict[str, Any] = {}
    if df_as is not None:
        overrides["df_as"] = df_as
    if df_budget is not None:
        overrides["df_token_budget"] = df_budget
    return options_for_model(model, **overrides)


def resolve_images(expressions: Iterable[str], namespace: Mapping[str, Any]) -> list[Any]:
    """The objects ``--image`` names, found like ``{name}`` interpolation (nothing evaluated).

    Raises:
        ContentError: Not a plain reference, or nothing by that name.
    """
    objects = []
    for expression in expressions:
        text = expression.strip()
        steps = parse_reference(text)
        if steps is None:
            raise ContentError(
                f"--image takes a name such as fig, result.figure or plots[0] "
                f"(nothing is evaluated), not {expression!r}"
            )
        value = resolve_reference(steps, namespace)
        if not is_resolved(value):
            raise ContentError(f"--image {text}: no such name in the notebook")
        objects.append(value)
    return objects


def _as_blocks(content: Any) -> list[ContentBlock]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if isinstance(content, Mapping):
        return _as_blocks(content["content"]) if "role" in content else [dict(content)]
    return [dict(block) for block in content]


def _convert_all(objects: Iterable[Any], options: ContentOptions) -> ConvertedContent:
    return ConvertedContent.combine(to_content_blocks(obj, options=options) for obj in objects)


def _join(
    prompt: Any, attached: ConvertedContent, notes: Sequence[str], options: ContentOptions
) -> Any:
    """The prompt with the attachments before it; a plain prompt stays as it was."""
    if not attached.blocks and not notes and not isinstance(prompt, ConvertedContent):
        return prompt
    blocks = attached.blocks + (_as_blocks(prompt) if prompt is not None else [])
    kept = prompt.notes if isinstance(prompt, ConvertedContent) else []
    notes = [*attached.notes, *kept, *notes]
    return ConvertedContent(blocks, notes, estimate_tokens(blocks, options))


def cell_content(
    prompt: str,
    namespace: Mapping[str, Any],
    *,
    options: ContentOptions,
    images: Sequence[str] = (),
    raw: bool = False,
    repr_limit: int = 4000,
) -> str | ConvertedContent:
    """A cell's prompt with ``{references}`` interpolated and ``--image`` objects before it.

    Args:
        prompt: The cell's text.
        namespace: The user namespace.
        options: Conversion options (``content_options``).
        images: The ``--image`` references, in order.
        raw: Send the braces as written (``--image`` still applies).
        repr_limit: Characters of ``repr`` for objects that are neither text nor content.

    Returns:
        The text as is when only text went in, else the blocks with their notes.

    Raises:
        ContentError: An object that cannot be sent, or a bad ``--image`` reference.
    """
    attached = _convert_all(resolve_images(images, namespace), options)
    notes: list[str] = []
    if raw:
        joined: str | ConvertedContent = _join(prompt, attached, notes, options)
        return joined

    def convert(value: Any) -> list[ContentBlock] | None:
        if not can_convert(value):
            return None
        converted = to_content_blocks(value, options=options)
        notes.extend(converted.notes)
        return list(converted.blocks)

    interpolated = interpolate(prompt, namespace, convert=convert, repr_limit=repr_limit)
    content = interpolated.content
    converted = bool(notes)  # something became content (its notes), not just text
    notes.extend(f"not interpolated: {span}" for span in interpolated.unresolved)
    joined = _join(
        content if isinstance(content, str) else ConvertedContent(content), attached, notes, options
    )
    plain = not converted and not attached.blocks
    if isinstance(joined, ConvertedContent) and isinstance(content, str) and plain:
        joined.text = content  # only "not interpolated" notes: the prompt stays a string
    return joined


def _image_fact(block: ContentBlock, high_res: bool) -> BlockFact:
    source = block.get("source") or {}
    if source.get("type") != "base64":
        return BlockFact("image", f"from a {source.get('type', 'unknown')} source", 0)
    try:
        facts = image_size(base64.b64decode(source.get("data", "")))
    except (binascii.Error, ValueError):
        facts = None
    if facts is None:
        return BlockFact("image", "unreadable", 0)
    kind, width, height = facts
    detail = f"{width}×{height} {kind.split('/')[-1].upper()}"
    return BlockFact("image", detail, image_tokens(width, height, high_res=high_res))


def _block_fact(block: ContentBlock, high_res: bool) -> BlockFact:
    kind = str(block.get("type"))
    if kind == "image":
        return _image_fact(block, high_res)
    tokens = block_tokens(block, high_res=high_res)
    if kind == "text":
        return BlockFact(kind, f"{len(str(block.get('text', ''))):,} characters", tokens)
    if kind == "document":
        source = block.get("source") or {}
        title = block.get("title") or source.get("media_type") or source.get("type") or ""
        return BlockFact(kind, str(title), tokens)
    return BlockFact(kind, "", tokens)


def _describe_turn(turn: Mapping[str, Any], high_res: bool) -> tuple[BlockFact, ...]:
    if turn.get("role") != "user":
        return ()
    return tuple(_block_fact(block, high_res) for block in _as_blocks(turn["content"]))


def prepare_request(
    build: Builder,
    prompt: Any,
    attach: Iterable[Any] = (),
    *,
    model: str | None,
    memo: PrefixMemo[int] | None = None,
) -> PreparedRequest:
    """Convert ``attach``, build the body, fit the request's images, and report.

    Args:
        build: Makes the body from the new turn's content (None: the history as is).
        prompt: A string, content blocks, a whole turn, or ``ConvertedContent`` (its notes
            are kept), or None.
        attach: Live objects to put before the prompt (figures, images, DataFrames...).
        model: The model the request goes to (vision tier and image count limit).
        memo: The conversation's memo of messages already sent (``redact_request`` keeps
            it): their images are counted once, so only the new turns are looked through
            unless the request holds more than 20 images.

    Returns:
        The body (images fitted to the per-request limits) and the report on the new turn.

    Raises:
        ContentError: An attachment cannot be sent, or the request has too many images.
    """
    options = options_for_model(model)
    attached = _convert_all(attach, options)
    content = _join(prompt, attached, (), options)
    notes = list(content.notes) if isinstance(content, ConvertedContent) else []
    if isinstance(content, ConvertedContent):  # only notes on a plain prompt: the string
        text = prompt.text if isinstance(prompt, ConvertedContent) else None
        plain = text is not None and not attached.blocks
        body = build(prompt=text if plain else list(content))
    else:
        body = build(prompt=content)
    messages = body.get("messages") or []
    fit_notes: list[str] = []
    if memo is None or _images_so_far(messages, memo) > MANY_IMAGES_THRESHOLD:
        messages, fit_notes = fit_request_images(messages, model=model)
    if fit_notes:
        body = {**body, "messages": messages}
    high_res = bool((model_info(model) or {}).get("high_res_vision")) if model else False
    turn = messages[-1] if prompt is not None or attached.blocks else {}
    report = ContentReport(tuple(notes + fit_notes), _describe_turn(turn, high_res))
    return PreparedRequest(body, report)


def _images_so_far(messages: list[Any], memo: PrefixMemo[int]) -> int:
    seen, counts = memo.match(messages)
    return (counts[-1] if counts else 0) + count_images(messages[seen:])


def redact_request(
    prepared: PreparedRequest, secrets: Iterable[str], memo: PrefixMemo[int] | None = None
) -> PreparedRequest:
    """The request with the key and key-shaped strings redacted, and a note saying so.

    Whatever the prompt carried (``{os.environ}``, a table of settings, a typed key, the
    history) leaves redacted (``_api.redact``); the note ("redacted 1 secret from the
    request (an API key)") shows under the reply and in ``--dry-run``. A history already
    redacted adds nothing, so the note comes once, with the turn that brought the secret.

    With the conversation's ``memo``, the messages an earlier request already sent (the
    history, redacted when it was kept) are not walked again: only the new turns and the
    fields around the messages are; the memo then keeps this request's messages with their
    running image count. The bytes sent are redacted once more as a whole (``encode_body``).
    """
    secrets = tuple(secrets)
    messages = prepared.body.get("messages")
    if memo is None or not isinstance(messages, list):
        body, count = redact_value(prepared.body, secrets)
    else:
        seen, counts = memo.match(messages)
        shell, count = redact_value({**prepared.body, "messages": []}, secrets)
        tail, more = redact_value(messages[seen:], secrets)
        kept = [*messages[:seen], *tail] if more else messages
        body = {**shell, "messages": kept} if count + more else prepared.body
        count += more
        for message in kept[seen:]:
            counts.append((counts[-1] if counts else 0) + count_images([message]))
        memo.keep(kept, counts, computed=len(kept) - seen)
    if not count:
        return prepared
    notes = (*prepared.report.notes, redaction_note(count))
    return PreparedRequest(body, replace(prepared.report, notes=notes))


def elide_base64(value: Any) -> Any:
    """A copy of a body with every base64 ``data`` replaced by its length (for display)."""
    if isinstance(value, list):
        return [elide_base64(item) for item in value]
    if isinstance(value, dict):
        if value.get("type") == "base64" and isinstance(value.get("data"), str):
            return {**value, "data": f"<base64, {len(value['data']):,} characters>"}
        return {key: elide_base64(item) for key, item in value.items()}
    return value
