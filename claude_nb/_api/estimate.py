"""The documented, deterministic token estimate (pure, no I/O).

The offline emulator bills with it and the client uses it for dry-run estimates, so a dry
run's number equals what the emulator reports. It is an estimate of the real tokenizer, not
a copy of it. The formula:

* **text** (a string anywhere: text blocks, system, tool descriptions...):
  ``ceil(utf-8 bytes / 4)``; an empty string is 0.
* **request base**: ``BASE_OVERHEAD`` (3) tokens once per request.
* **system**: each system text block costs its text plus ``BLOCK_OVERHEAD`` (2).
* **message**: ``MESSAGE_OVERHEAD`` (4) per message (charged on its first block), and each
  content block costs ``BLOCK_OVERHEAD`` (2) plus its payload:

  - ``text``: its text; ``thinking``: its thinking text; ``redacted_thinking``: its data;
  - ``tool_use``: its name plus its ``input`` as compact sorted JSON;
  - ``tool_result``: ``TOOL_RESULT_OVERHEAD`` (4) plus its content (a string or blocks);
  - ``image``: ``ceil(w/28) * ceil(h/28)`` (``patch_tokens``) after the standard downscale
    (long edge at most 1568 px and at most 1568 tokens; high-resolution models: 2576 px and
    4784 tokens), with ``w`` and ``h`` read from the image header; ``UNKNOWN_IMAGE_TOKENS``
    (1600) when the size is unknown (url or file sources, unreadable data);
  - ``document``: a text source costs its text; a base64 PDF costs ``PDF_PAGE_TOKENS``
    (1500) per page (pages counted from ``/Type /Page`` objects, at least 1); a content
    source costs its blocks; other sources ``UNKNOWN_DOCUMENT_TOKENS`` (1500); plus the title
    and context;
  - any other block: its compact sorted JSON as text.
* **tool**: ``TOOL_OVERHEAD`` (8) plus its ``name``, ``description`` and ``input_schema``
  (compact sorted JSON) as text.

JSON is measured with ``claude_nb._api.json_safe.canonical_json``: the same text as
``json.dumps``, written without recursion when that fails, so the estimate works on any body
(any depth, cycles, objects) and never raises ``RecursionError``.

``messages`` entries with role ``system`` (newer models) count like any message, in order.
``segments(body)`` lists the request in prompt-cache prefix order (tools, system, messages),
one ``Segment`` per block with its tokens and ``cache_control``; the sum of the segments plus
``BASE_OVERHEAD`` (``prompt_tokens``) is ``estimate_input_tokens(body)``.

Two image counts, two names: ``patch_tokens(w, h)`` is the tokens of an image sent at exactly
that size (one per 28 x 28 patch; what ``claude_nb._content.images`` fits an encoded image to),
and ``image_tokens(w, h)`` what the API bills for an image of that size once it has applied
its own downscale.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from dataclasses import dataclass, replace
from typing import Any

from claude_nb._api.json_safe import canonical_json

__all__ = [
    "BASE_OVERHEAD",
    "BLOCK_OVERHEAD",
    "MESSAGE_OVERHEAD",
    "Segment",
    "block_tokens",
    "estimate_input_tokens",
    "head_segments",
    "image_size",
    "image_tokens",
    "message_segments",
    "patch_tokens",
    "pdf_page_count",
    "prompt_tokens",
    "segments",
    "text_tokens",
]

BASE_OVERHEAD = 3
MESSAGE_OVERHEAD = 4
BLOCK_OVERHEAD = 2
TOOL_OVERHEAD = 8
TOOL_RESULT_OVERHEAD = 4
UNKNOWN_IMAGE_TOKENS = 1600
PDF_PAGE_TOKENS = 1500
UNKNOWN_DOCUMENT_TOKENS = 1500
IMAGE_PATCH = 28
STANDARD_IMAGE_LIMITS = (1568, 1568)
"""Long edge in px and visual-token cap for the standard vision tier."""
HIGH_RES_IMAGE_LIMITS = (2576, 4784)
"""Long edge in px and visual-token cap for high-resolution models (Claude 4.7+)."""

_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


@dataclass(frozen=True)
class Segment:
    """One cacheable unit of the prompt, in prefix order (tools -> system -> messages).

    Attributes:
        section: ``"tools"``, ``"system"`` or ``"messages"``.
        tokens: Its share of the estimate (message overhead on a message's first block).
        cache_control: The block's ``cache_control`` dict, or None.
        canonical: Compact sorted JSON of the block (without ``cache_control``), for hashing.
        cacheable: False for blocks that cannot carry a breakpoint (thinking, empty text).
    """

    section: str
    tokens: int
    cache_control: dict[str, Any] | None
    canonical: str
    cacheable: bool


def text_tokens(text: str) -> int:
    """Tokens of a string: ``ceil(utf-8 bytes / 4)`` (an unpaired surrogate counts 3 bytes)."""
    return math.ceil(len(text.encode("utf-8", "surrogatepass")) / 4)


def _canonical(value: Any) -> str:
    """Compact sorted JSON; any depth, cycles and odd objects included (never raises)."""
    return canonical_json(value)


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """Media type and pixel size read from an image's header, or None if not recognised.

    Args:
        data: The image bytes (only the first few KB are needed for PNG, GIF and WebP; JPEG
            may need more, up to its first frame header).

    Returns:
        ``(media_type, width, height)`` for PNG, GIF, JPEG and WebP, else None.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif", width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[str, int, int] | None:
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            position += 1
            continue
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            position += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return "image/jpeg", width, height
        position += 2 + length
    return "image/jpeg", 0, 0


def _webp_size(data: bytes) -> tuple[str, int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return "image/webp", width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return "image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return "image/webp", width, height
    return "image/webp", 0, 0


def patch_tokens(width: float, height: float) -> int:
    """Tokens of an image sent at exactly ``width`` x ``height``: ``ceil(w/28) * ceil(h/28)``.

    No downscale is applied (see ``image_tokens`` for what the API bills for any size).
    """
    return math.ceil(width / IMAGE_PATCH) * math.ceil(height / IMAGE_PATCH)


def image_tokens(width: int, height: int, *, high_res: bool = False) -> int:
    """Visual tokens the API bills for a ``width`` x ``height`` image (after its downscale).

    Args:
        width: Width in pixels.
        height: Height in pixels.
        high_res: Use the high-resolution tier's limits (Claude 4.7+ models).

    Returns:
        ``patch_tokens`` of the image once it fits the tier's long edge and token cap.
    """
    if width <= 0 or height <= 0:
        return UNKNOWN_IMAGE_TOKENS
    long_edge, token_cap = HIGH_RES_IMAGE_LIMITS if high_res else STANDARD_IMAGE_LIMITS
    w, h = width, height
    longest = max(w, h)
    if longest > long_edge:  # whole pixels, rounded down: the long edge never overshoots
        w, h = max(1, width * long_edge // longest), max(1, height * long_edge // longest)
    tokens = patch_tokens(w, h)
    while tokens > token_cap:  # shrink (keeping the aspect) until the patches fit the cap
        shrink = math.sqrt(token_cap / tokens)
        smaller = max(1, math.floor(w * shrink)), max(1, math.floor(h * shrink))
        w, h = smaller if smaller != (w, h) else (max(1, w - 1), max(1, h - 1))
        tokens = patch_tokens(w, h)
    return max(1, tokens)


def _decode_base64(data: Any) -> bytes | None:
    if not isinstance(data, str):
        return None
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None


def _image_block_tokens(block: dict[str, Any], high_res: bool) -> int:
    source = block.get("source")
    if isinstance(source, dict) and source.get("type") == "base64":
        raw = _decode_base64(source.get("data"))
        facts = image_size(raw) if raw else None
        if facts is not None:
            return image_tokens(facts[1], facts[2], high_res=high_res)
    return UNKNOWN_IMAGE_TOKENS


def _document_tokens(block: dict[str, Any], high_res: bool) -> int:
    source = block.get("source")
    tokens = text_tokens(str(block.get("title") or "")) + text_tokens(
        str(block.get("context") or "")
    )
    if not isinstance(source, dict):
        return tokens + UNKNOWN_DOCUMENT_TOKENS
    kind = source.get("type")
    if kind == "text":
        return tokens + text_tokens(str(source.get("data") or ""))
    if kind == "base64":
        raw = _decode_base64(source.get("data")) or b""
        return tokens + PDF_PAGE_TOKENS * max(1, pdf_page_count(raw))
    if kind == "content":
        return tokens + _content_tokens(source.get("content"), high_res)
    return tokens + UNKNOWN_DOCUMENT_TOKENS


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (not ``/Pages`` nor ``/PageLabel``); pure."""
    return len(_PDF_PAGE.findall(data))


def _content_tokens(content: Any, high_res: bool) -> int:
    if isinstance(content, str):
        return text_tokens(content)
    if isinstance(content, list):
        return sum(block_tokens(item, high_res=high_res) for item in content)
    return 0


def block_tokens(block: Any, *, high_res: bool = False) -> int:
    """Tokens of one content block, including ``BLOCK_OVERHEAD``.

    Args:
        block: A content block dict (a bare string counts as a text block).
        high_res: The model is on the high-resolution vision tier.
    """
    if isinstance(block, str):
        return BLOCK_OVERHEAD + text_tokens(block)
    if not isinstance(block, dict):
        return BLOCK_OVERHEAD
    kind = block.get("type")
    if kind == "text":
        payload = text_tokens(str(block.get("text") or ""))
    elif kind == "thinking":
        payload = text_tokens(str(block.get("thinking") or ""))
    elif kind == "redacted_thinking":
        payload = text_tokens(str(block.get("data") or ""))
    elif kind == "tool_use":
        payload = text_tokens(str(block.get("name") or "")) + text_tokens(
            _canonical(block.get("input", {}))
        )
    elif kind == "tool_result":
        payload = TOOL_RESULT_OVERHEAD + _content_tokens(block.get("content"), high_res)
    elif kind == "image":
        payload = _image_block_tokens(block, high_res)
    elif kind == "document":
        payload = _document_tokens(block, high_res)
    else:
        payload = text_tokens(_canonical(_without_cache_control(block)))
    return BLOCK_OVERHEAD + payload


def _without_cache_control(block: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in block.items() if key != "cache_control"}


def _tool_tokens(tool: Any) -> int:
    if not isinstance(tool, dict):
        return TOOL_OVERHEAD
    spec = {key: tool[key] for key in ("name", "description", "input_schema") if key in tool}
    if "name" not in spec:
        spec = _without_cache_control(tool)
    return TOOL_OVERHEAD + text_tokens(_canonical(spec))


def _is_cacheable(block: Any) -> bool:
    if not isinstance(block, dict):
        return bool(block)
    if block.get("type") in ("thinking", "redacted_thinking"):
        return False
    return not (block.get("type") == "text" and not block.get("text"))


def _segment(section: str, block: Any, tokens: int) -> Segment:
    control = block.get("cache_control") if isinstance(block, dict) else None
    body = _without_cache_control(block) if isinstance(block, dict) else block
    return Segment(
        section=section,
        tokens=tokens,
        cache_control=control if isinstance(control, dict) else None,
        canonical=_canonical(body),
        cacheable=_is_cacheable(block),
    )


def _as_blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return content
    return []


def segments(body: dict[str, Any], *, high_res: bool = False) -> list[Segment]:
    """The request as cacheable segments in prefix order: tools, then system, then messages.

    Args:
        body: A Messages API request body (only its shape-valid parts are read).
        high_res: The model is on the high-resolution vision tier.

    Returns:
        One ``Segment`` per tool, system block and message content block.
    """
    result = head_segments(body, high_res=high_res)
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict):
            result += message_segments(message, high_res=high_res)
    return result


def head_segments(body: dict[str, Any], *, high_res: bool = False) -> list[Segment]:
    """The segments before the messages: one per tool, then one per system block."""
    result: list[Segment] = []
    tools = body.get("tools")
    for tool in tools if isinstance(tools, list) else []:
        result.append(_segment("tools", tool, _tool_tokens(tool)))
    for block in _as_blocks(body.get("system")):
        result.append(_segment("system", block, block_tokens(block, high_res=high_res)))
    return result


def message_segments(message: dict[str, Any], *, high_res: bool = False) -> list[Segment]:
    """One message's segments: one per content block, ``MESSAGE_OVERHEAD`` on the first.

    A message depends on nothing around it, so ``claude_nb._api.segment_memo`` keeps these
    per message and a long conversation estimates only its new turns.
    """
    result: list[Segment] = []
    overhead = MESSAGE_OVERHEAD
    for block in _as_blocks(message.get("content")):
        tokens = block_tokens(block, high_res=high_res) + overhead
        segment = _segment("messages", block, tokens)
        if message.get("role") == "system":  # same text as a system turn is another prefix
            segment = replace(segment, canonical="system:" + segment.canonical)
        result.append(segment)
        overhead = 0
    if overhead:
        result.append(Segment("messages", overhead, None, "null", False))
    return result


def estimate_input_tokens(body: dict[str, Any], *, high_res: bool = False) -> int:
    """The documented estimate of a request's input tokens (what ``count_tokens`` returns).

    Args:
        body: A Messages API (or count_tokens) request body.
        high_res: The model is on the high-resolution vision tier.
    """
    return prompt_tokens(segments(body, high_res=high_res))


def prompt_tokens(parts: list[Segment]) -> int:
    """The estimate of a request already listed by ``segments``: their tokens plus the base."""
    return BASE_OVERHEAD + sum(segment.tokens for segment in parts)
