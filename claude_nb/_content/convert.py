"""Live objects to API content blocks: vision and documents from what is in the notebook.

``to_content_blocks(obj)`` dispatches on the kind of object; ``can_convert(obj)`` answers
whether it would, cheaply and without importing anything heavy::

    matplotlib Figure, Axes, plt.gcf(),  --render_figure--+
      anything with .figure (seaborn)                     |
    PIL image ------------------------------------------- +--encode_image--> image block (base64)
    numpy array (H×W, H×W×3, H×W×4) ---array_to_image-----+
    bytes (PNG/JPEG/GIF/WEBP; PDF) ---encode_image_bytes--+   PDF bytes -> document block
    IPython.display.Image ---- its bytes, or its URL
    pathlib.Path / str path -- image, PDF document, or plain-text document
    http(s) URL -------------- image or PDF document with a URL source (by extension)
    pandas DataFrame / Series  Markdown text within a token budget, or a table image

Every result carries ``notes`` (what was done: downscaling, cutting a table) and a
``token_estimate``. Bad input raises one clear ``ContentError`` before anything is sent.
``fit_request_images`` then applies the per-request image limits to a whole request.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from claude_nb._api.estimate import HIGH_RES_IMAGE_LIMITS, STANDARD_IMAGE_LIMITS, block_tokens
from claude_nb._api.models import model_info
from claude_nb._content import files as _files
from claude_nb._content.images import (
    MAX_BASE64_BYTES,
    EncodedImage,
    ImageFormatTypes,
    ImageLimits,
    array_to_image,
    encode_image,
    encode_image_bytes,
    render_figure,
    sniff_media_type,
)
from claude_nb._content.limits import (
    MANY_IMAGES_MAX_SIDE,
    MANY_IMAGES_THRESHOLD,
    check_request_images,
    fit_request_images,
    max_images_per_request,
)
from claude_nb._content.tables import dataframe_to_figure, dataframe_to_markdown, describe_frame
from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = [
    "HIGH_RES_LONG_EDGE",
    "HIGH_RES_MAX_TOKENS",
    "MANY_IMAGES_MAX_SIDE",
    "MANY_IMAGES_THRESHOLD",
    "STANDARD_LONG_EDGE",
    "STANDARD_MAX_TOKENS",
    "ContentOptions",
    "ConvertedContent",
    "DfAsTypes",
    "can_convert",
    "check_request_images",
    "convert_many",
    "estimate_tokens",
    "fit_request_images",
    "max_images_per_request",
    "options_for_model",
    "to_content_blocks",
]

DfAsTypes = Literal["text", "image"]

# The vision tiers as the documented estimate (and so the emulator) counts them.
STANDARD_LONG_EDGE, STANDARD_MAX_TOKENS = STANDARD_IMAGE_LIMITS
HIGH_RES_LONG_EDGE, HIGH_RES_MAX_TOKENS = HIGH_RES_IMAGE_LIMITS

SUPPORTED_KINDS = (
    "matplotlib Figure/Axes (or an object with .figure), PIL image, numpy array, "
    "PNG/JPEG/GIF/WEBP/PDF bytes, pathlib.Path or str path to a file, http(s) URL, "
    "IPython.display.Image, pandas DataFrame/Series"
)


@dataclass(frozen=True)
class ContentOptions:
    """How objects become content blocks.

    Attributes:
        max_long_edge: Longest side in pixels of an image sent (1568; 2576 on high-res models).
        max_image_tokens: Most visual tokens per image (1568; 4784 on high-res models).
        df_as: DataFrames as Markdown ``"text"`` or as a table ``"image"``.
        df_token_budget: Estimated tokens a DataFrame's text may take.
        image_format: ``"auto"`` (JPEG only when much smaller), ``"png"`` or ``"jpeg"``.
        jpeg_quality: JPEG quality, 1-95.
        jpeg_ratio: In ``"auto"``, JPEG is used when smaller than this fraction of the PNG.
        max_base64_bytes: Largest base64 text of one image.
    """

    max_long_edge: int = STANDARD_LONG_EDGE
    max_image_tokens: int = STANDARD_MAX_TOKENS
    df_as: DfAsTypes = "text"
    df_token_budget: int = 2000
    image_format: ImageFormatTypes = "auto"
    jpeg_quality: int = 85
    jpeg_ratio: float = 0.5
    max_base64_bytes: int = MAX_BASE64_BYTES

    def __post_init__(self) -> None:
        if self.df_as not in ("text", "image"):
            raise ContentError(f"df_as must be 'text' or 'image', not {self.df_as!r}")
        if self.image_format not in ("auto", "png", "jpeg"):
            raise ContentError(
                f"image_format must be 'auto', 'png' or 'jpeg', not {self.image_format!r}"
            )
        if min(self.max_long_edge, self.max_image_tokens, self.df_token_budget) < 1:
            raise ContentError("max_long_edge, max_image_tokens and df_token_budget must be >= 1")

    def image_limits(self) -> ImageLimits:
        """The image limits these options set."""
        return ImageLimits(
            max_long_edge=self.max_long_edge,
            max_tokens=self.max_image_tokens,
            image_format=self.image_format,
            jpeg_quality=self.jpeg_quality,
            jpeg_ratio=self.jpeg_ratio,
            max_base64_bytes=self.max_base64_bytes,
        )


@dataclass
class ConvertedContent:
    """Content blocks made from objects, what was done to them, and their estimated tokens.

    Attributes:
        blocks: API content blocks, ready for a user turn's ``content`` list.
        notes: Human-readable lines, e.g. "downscaled 3000×2000 to 1358×905 (...)".
        token_estimate: Estimated input tokens of ``blocks`` by ``claude_nb._api.estimate`` (what
            the emulator bills, block overhead included).
    """

    blocks: list[ContentBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    token_estimate: int = 0
    text: str | None = None
    """The prompt as plain text when it is only that (notes but no blocks of its own): the
    request then carries the string as written, as it would without the notes."""

    def __iter__(self) -> Iterator[ContentBlock]:
        """Iterate over ``blocks`` (so ``list(converted)`` is the list of blocks)."""
        return iter(self.blocks)

    @classmethod
    def combine(cls, parts: Iterable[ConvertedContent]) -> ConvertedContent:
        """One result holding the blocks, notes and tokens of ``parts`` in order."""
        combined = cls()
        for part in parts:
            combined.blocks.extend(part.blocks)
            combined.notes.extend(part.notes)
            combined.token_estimate += part.token_estimate
        return combined


def options_for_model(model_id: str | None, **overrides: Any) -> ContentOptions:
    """Content options for a model: high-res vision limits where ``models.json`` says so.

    Args:
        model_id: A model id or alias; None or an unknown model gets the standard limits.
        **overrides: Any ``ContentOptions`` field.
    """
    info = model_info(model_id) if model_id else None
    options = ContentOptions()
    if info and info.get("high_res_vision"):
        options = ContentOptions(
            max_long_edge=HIGH_RES_LONG_EDGE, max_image_tokens=HIGH_RES_MAX_TOKENS
        )
    return replace(options, **overrides)


def _kind(obj: Any) -> str | None:
    """The kind of a live object, from its class names and modules only (no imports)."""
    for cls in type(obj).__mro__:
        module, name = cls.__module__, cls.__name__
        if module == "matplotlib.figure" and name in ("Figure", "SubFigure"):
            return "figure"
        if module.startswith("matplotlib.axes"):
            return "figure"
        if module.startswith("PIL.") and name == "Image":
            return "pil"
        if module == "numpy" and name == "ndarray":
            return "array"
        if module.split(".")[0] == "pandas" and name in ("DataFrame", "Series"):
            return "table"
        if module.startswith("IPython.") and name == "Image":
            return "ipython_image"
    if callable(getattr(obj, "content_block", None)):  # an uploaded file (Session.upload)
        return "block"
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(obj, (str, os.PathLike)):
        return "path"
    if "matplotlib" in sys.modules and _figure_holder(obj) is not None:
        return "figure"
    return None


def _figure_holder(obj: Any) -> Any:
    """The matplotlib figure behind ``obj.figure`` or ``obj.fig`` (seaborn grids), or None."""
    for name in ("figure", "fig"):
        try:
            candidate = getattr(obj, name, None)
        except Exception:  # a property that fails is simply "no figure"
            continue
        if candidate is not None and candidate is not obj and _kind(candidate) == "figure":
            return candidate
    return None


def _root_figure(obj: Any) -> Any:
    """The top-level Figure of a Figure, SubFigure, Axes or figure holder."""
    current = obj
    for _ in range(8):
        if type(current).__name__ == "Figure" and type(current).__module__ == "matplotlib.figure":
            return current
        current = getattr(current, "figure", None) or _figure_holder(current)
        if current is None:
            break
    raise ContentError(f"cannot find the matplotlib figure of a {type(obj).__name__}")


def can_convert(obj: Any) -> bool:
    """Whether ``to_content_blocks(obj)`` would take ``obj`` (cheap; imports nothing heavy).

    A str counts only when it is an http(s) URL or the path of an existing file; bytes only
    when they start with a PNG, JPEG, GIF, WEBP or PDF magic number.
    """
    kind = _kind(obj)
    if kind == "bytes":
        return sniff_media_type(bytes(obj[:16])) is not None
    if kind == "path":
        return _files.looks_like_file_or_url(obj)
    return kind is not None


def to_content_blocks(obj: Any, *, options: ContentOptions | None = None) -> ConvertedContent:
    """Turn one live object into API content blocks.

    Args:
        obj: Any kind listed in the module docstring.
        options: Limits and choices; ``ContentOptions()`` (standard vision tier) when None.

    Returns:
        The blocks, notes on what was done, and the estimated input tokens.

    Raises:
        ContentError: Unsupported object, empty figure, corrupt bytes, missing file, a URL that
            is not http(s), or anything else that cannot be sent.
    """
    options = options or ContentOptions()
    kind = _kind(obj)
    converter = _CONVERTERS.get(kind or "")
    if converter is None:
        raise ContentError(
            f"cannot send a {type(obj).__module__}.{type(obj).__qualname__} to Claude; "
            f"supported: {SUPPORTED_KINDS}"
        )
    blocks, notes = converter(obj, options)
    return ConvertedContent(blocks, notes, estimate_tokens(blocks, options))


def convert_many(
    objects: Iterable[Any], *, options: ContentOptions | None = None, model: str | None = None
) -> ConvertedContent:
    """Convert several objects (e.g. ``attach=[...]``) and apply the per-request image limits.

    Args:
        objects: The objects, in the order their blocks should appear.
        options: As for ``to_content_blocks``; ``options_for_model(model)`` when None.
        model: The model the request goes to (image count limit and vision tier).
    """
    options = options or options_for_model(model)
    converted = ConvertedContent.combine(to_content_blocks(obj, options=options) for obj in objects)
    blocks, notes = fit_request_images(converted.blocks, model=model)
    return ConvertedContent(blocks, converted.notes + notes, estimate_tokens(blocks, options))


def estimate_tokens(blocks: list[ContentBlock], options: ContentOptions) -> int:
    """Input tokens of blocks by the documented estimate the emulator bills with."""
    high_res = options.max_image_tokens > STANDARD_MAX_TOKENS
    return sum(block_tokens(block, high_res=high_res) for block in blocks)


_Parts = tuple[list[ContentBlock], list[str]]


def _text(text: str, notes: list[str]) -> _Parts:
    return [{"type": "text", "text": text}], notes


def _one(part: tuple[ContentBlock, list[str]]) -> _Parts:
    return [part[0]], part[1]


def _image(encoded: EncodedImage) -> _Parts:
    return [encoded.block()], list(encoded.notes)


def _from_figure(obj: Any, options: ContentOptions) -> _Parts:
    png = render_figure(_root_figure(obj))
    return _image(encode_image_bytes(png, options.image_limits()))


def _from_pil(obj: Any, options: ContentOptions) -> _Parts:
    if obj.width == 0 or obj.height == 0:
        raise ContentError(f"a PIL image of {obj.width}×{obj.height} pixels has nothing to send")
    return _image(encode_image(obj, options.image_limits()))


def _from_array(obj: Any, options: ContentOptions) -> _Parts:
    return _image(encode_image(array_to_image(obj), options.image_limits()))


def _from_bytes(obj: Any, options: ContentOptions) -> _Parts:
    data = bytes(obj)
    if sniff_media_type(data) == "application/pdf":
        return _one(_files.pdf_document(data, title=None))
    return _image(encode_image_bytes(data, options.image_limits()))


def _from_table(obj: Any, options: ContentOptions) -> _Parts:
    if options.df_as == "text":
        return _text(*dataframe_to_markdown(obj, token_budget=options.df_token_budget))
    figure, notes = dataframe_to_figure(obj)
    image, image_notes = _image(encode_image_bytes(render_figure(figure), options.image_limits()))
    return [{"type": "text", "text": describe_frame(obj)}, *image], notes + image_notes


def _from_ipython_image(obj: Any, options: ContentOptions) -> _Parts:
    data = getattr(obj, "data", None)
    if isinstance(data, (bytes, bytearray)) and data:
        return _from_bytes(data, options)
    url = getattr(obj, "url", None)
    if url:
        return _one(_files.from_url(str(url)))
    raise ContentError("the IPython.display.Image holds neither bytes nor a URL")


def _from_path(obj: Any, options: ContentOptions) -> _Parts:
    if isinstance(obj, str) and "://" in obj:
        return _one(_files.from_url(obj))
    data, name = _files.read_file(obj)
    media_type = sniff_media_type(data)
    if media_type == "application/pdf":
        return _one(_files.pdf_document(data, title=name))
    if media_type is not None:
        return _image(encode_image_bytes(data, options.image_limits()))
    return _one(_files.text_document(data, title=name))


def _from_block(obj: Any, options: ContentOptions) -> _Parts:
    return [obj.content_block()], []


_CONVERTERS: dict[str, Callable[[Any, ContentOptions], _Parts]] = {
    "block": _from_block,
    "figure": _from_figure,
    "pil": _from_pil,
    "array": _from_array,
    "bytes": _from_bytes,
    "table": _from_table,
    "ipython_image": _from_ipython_image,
    "path": _from_path,
}
