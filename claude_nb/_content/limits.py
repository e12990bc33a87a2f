"""Per-request image limits across all image blocks of a request (https://docs.anthropic.com/en/docs/build-with-claude/vision).

* At most 100 images per request on 200k-context models, 600 on 1M-context models.
* Past 20 images, each image must be at most 2000 px on a side ("many-image requests").

``check_request_images`` reports what breaks these limits; ``fit_request_images`` downscales
what it can and refuses what it cannot. Both take a list of content blocks or of messages and
look inside ``tool_result`` content too.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Iterator
from typing import Any

from claude_nb._api.estimate import image_size
from claude_nb._api.models import model_info
from claude_nb._content.images import ImageLimits, encode_image_bytes, open_image_bytes
from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = [
    "MANY_IMAGES_MAX_SIDE",
    "MANY_IMAGES_THRESHOLD",
    "check_request_images",
    "count_images",
    "fit_request_images",
    "max_images_per_request",
]

MANY_IMAGES_THRESHOLD = 20
"""Past this many images in one request, each must be at most ``MANY_IMAGES_MAX_SIDE``."""
MANY_IMAGES_MAX_SIDE = 2000


def max_images_per_request(model_id: str | None) -> int:
    """Images allowed in one request: 600 on 1M-context models, else (or unknown) 100."""
    info = model_info(model_id) if model_id else None
    return 600 if info and info.get("max_input_tokens", 0) > 200_000 else 100


def _map_images(value: Any, change: Callable[[ContentBlock], ContentBlock]) -> Any:
    """A copy of blocks or messages with every image block (also in tool results) changed."""
    if isinstance(value, list):
        return [_map_images(item, change) for item in value]
    if isinstance(value, dict):
        if value.get("type") == "image":
            return change(value)
        content = value.get("content")
        if isinstance(content, list):
            return {**value, "content": _map_images(content, change)}
    return value


def _iter_images(value: Any) -> Iterator[ContentBlock]:
    """Every image block in blocks or messages, also inside tool results."""
    if isinstance(value, list):
        for item in value:
            yield from _iter_images(item)
    elif isinstance(value, dict):
        if value.get("type") == "image":
            yield value
        elif isinstance(value.get("content"), list):
            yield from _iter_images(value["content"])


def count_images(items: Any) -> int:
    """How many image blocks are in blocks or messages, also inside tool results."""
    return sum(1 for _ in _iter_images(items))


def _image_size(block: ContentBlock) -> tuple[int, int] | None:
    """Pixel size of a base64 image block (header only), or None for URL/file sources."""
    source = block.get("source") or {}
    if source.get("type") != "base64":
        return None
    data = base64.b64decode(source.get("data", ""))
    facts = image_size(data)
    if facts is None or not facts[1]:  # a header it cannot read: decode (raises if corrupt)
        image = open_image_bytes(data)
        return image.width, image.height
    return facts[1], facts[2]


def check_request_images(items: list[Any], *, model: str | None = None) -> list[str]:
    """What breaks the per-request image limits in blocks or messages (empty when all is well).

    Counts every image (including inside tool results) against 100 or 600 per request, and
    past 20 images flags any image larger than 2000 px on a side.
    """
    blocks = list(_iter_images(items))
    problems = []
    limit = max_images_per_request(model)
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} images in one request; the limit is {limit}")
    if len(blocks) > MANY_IMAGES_THRESHOLD:
        for number, block in enumerate(blocks, 1):
            size = _image_size(block)
            if size and max(size) > MANY_IMAGES_MAX_SIDE:
                problems.append(
                    f"image {number} is {size[0]}×{size[1]}; with more than "
                    f"{MANY_IMAGES_THRESHOLD} images each side must be <= {MANY_IMAGES_MAX_SIDE} px"
                )
    return problems


def fit_request_images(
    items: list[Any], *, model: str | None = None
) -> tuple[list[Any], list[str]]:
    """Make blocks or messages fit the per-request image limits, saying what was done.

    Past 20 images, base64 images larger than 2000 px on a side are downscaled; URL images,
    whose size is unknown here, are left as they are.

    Returns:
        A new list of blocks or messages (the input is not changed) and notes.

    Raises:
        ContentError: More images than the model takes in one request.
    """
    counted = list(_iter_images(items))
    limit = max_images_per_request(model)
    if len(counted) > limit:
        raise ContentError(
            f"{len(counted)} images in one request; {model or 'this model'} takes at most {limit}"
        )
    if len(counted) <= MANY_IMAGES_THRESHOLD:
        return list(items), []
    notes: list[str] = []

    def shrink(block: ContentBlock) -> ContentBlock:
        size = _image_size(block)
        if size is None or max(size) <= MANY_IMAGES_MAX_SIDE:
            return block
        data = base64.b64decode(block["source"]["data"])
        encoded = encode_image_bytes(
            data, ImageLimits(max_long_edge=MANY_IMAGES_MAX_SIDE, max_tokens=sys.maxsize)
        )
        notes.append(
            f"downscaled {size[0]}×{size[1]} to {encoded.width}×{encoded.height}: more than "
            f"{MANY_IMAGES_THRESHOLD} images allow at most {MANY_IMAGES_MAX_SIDE} px a side"
        )
        return {**block, "source": encoded.block()["source"]}

    return _map_images(list(items), shrink), notes
