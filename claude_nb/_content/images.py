"""Image encoding: figures, arrays and raster bytes to API-ready PNG or JPEG.

The stages, each a function::

    matplotlib Figure --render_figure--> PNG bytes --+
    numpy array ------array_to_image---> PIL image --+--> encode_image --> EncodedImage
    PNG/JPEG/GIF/WEBP bytes --open_image_bytes-------+    (downscale, PNG or JPEG, size limits)

``encode_image_bytes`` sends bytes that already fit the limits unchanged. Everything that must
shrink is resized with Lanczos so that its long edge is at most ``max_long_edge`` and its visual
token count ``ceil(w/28) * ceil(h/28)`` (``claude_nb._api.estimate.patch_tokens``) at most
``max_image_tokens`` (the API would scale it down to the same size on its side, so sending more
pixels only costs bytes). PIL, numpy and matplotlib are imported inside the functions that
need them.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from claude_nb._api.estimate import patch_tokens
from claude_nb._exceptions import ContentError

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = [
    "IMAGE_MEDIA_TYPES",
    "MAX_BASE64_BYTES",
    "MAX_PIXELS_PER_SIDE",
    "EncodedImage",
    "ImageFormatTypes",
    "ImageLimits",
    "array_to_image",
    "base64_length",
    "encode_image",
    "encode_image_bytes",
    "figure_is_empty",
    "fit_size",
    "open_image_bytes",
    "render_figure",
    "sniff_media_type",
]

ImageFormatTypes = Literal["auto", "png", "jpeg"]

MAX_BASE64_BYTES = 10 * 1024 * 1024
"""Largest base64 payload of one image on the direct API (https://docs.anthropic.com/en/docs/build-with-claude/vision)."""

MAX_PIXELS_PER_SIDE = 8000
"""Largest width or height the API accepts."""

IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")

_SAMPLE_EDGE = 512
"""Side of the sample that decides between PNG and JPEG."""
_FLAT_SHARE = 0.2
"""An image whose most common colour covers this share is flat (plot, line art): PNG."""


@dataclass(frozen=True)
class ImageLimits:
    """Limits and choices for encoding one image.

    Attributes:
        max_long_edge: Longest side in pixels.
        max_tokens: Most visual tokens (``ceil(w/28) * ceil(h/28)``).
        image_format: ``"auto"`` (PNG, or JPEG for photos when much smaller), ``"png"``,
            ``"jpeg"``.
        jpeg_quality: JPEG quality, 1-95.
        jpeg_ratio: In ``"auto"``, JPEG is used when smaller than this fraction of the PNG.
        max_base64_bytes: Largest base64 text of the image.
    """

    max_long_edge: int
    max_tokens: int
    image_format: ImageFormatTypes = "auto"
    jpeg_quality: int = 85
    jpeg_ratio: float = 0.5
    max_base64_bytes: int = MAX_BASE64_BYTES


@dataclass(frozen=True)
class EncodedImage:
    """One image ready to send.

    Attributes:
        data: The encoded bytes.
        media_type: ``image/png``, ``image/jpeg``, ``image/gif`` or ``image/webp``.
        width: Width in pixels of what is sent.
        height: Height in pixels of what is sent.
        notes: What was done to get here, for the user ("downscaled 3000×2000 to ...").
    """

    data: bytes
    media_type: str
    width: int
    height: int
    notes: tuple[str, ...] = field(default=())

    @property
    def tokens(self) -> int:
        """Visual tokens the API bills for this image."""
        return patch_tokens(self.width, self.height)

    def block(self) -> dict[str, Any]:
        """The API ``image`` content block with a base64 source."""
        return {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": self.media_type,
                "data": base64.b64encode(self.data).decode("ascii"),
            },
        }


def base64_length(size: int) -> int:
    """Length of the base64 text for ``size`` raw bytes."""
    return 4 * math.ceil(size / 3)


def sniff_media_type(data: bytes) -> str | None:
    """The media type from the magic number: the four image types and PDF, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def fit_size(width: int, height: int, max_long_edge: int, max_tokens: int) -> tuple[int, int]:
    """The largest size with the same aspect ratio that fits both limits.

    Returns ``(width, height)`` unchanged when the image already fits. The long edge is found
    by bisection because the token count steps with ``ceil``.
    """
    if width <= 0 or height <= 0:
        raise ContentError(f"an image of {width}×{height} pixels has nothing to send")
    limit = min(max_long_edge, MAX_PIXELS_PER_SIDE)
    if max(width, height) <= limit and patch_tokens(width, height) <= max_tokens:
        return width, height
    long_edge, short_edge = max(width, height), min(width, height)

    def size_for(edge: int) -> tuple[int, int]:
        short = max(1, round(short_edge * edge / long_edge))
        return (edge, short) if width >= height else (short, edge)

    low, high = 1, min(long_edge, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if patch_tokens(*size_for(middle)) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return size_for(low)


def figure_is_empty(figure: Any) -> bool:
    """True when a matplotlib figure holds nothing but its background patch."""
    return len(figure.get_children()) <= 1


def render_figure(figure: Any, dpi: float | None = None, *, tight: bool = True) -> bytes:
    """Render a matplotlib figure to PNG the way IPython's inline backend does.

    Uses the figure's own dpi (unless ``dpi`` is given), facecolor and edgecolor with
    ``bbox_inches="tight"`` (``IPython.core.pylabtools.print_figure``); ``tight=False``
    skips the crop (and its second draw) for a figure whose layout already fits.

    Raises:
        ContentError: The figure is empty.
    """
    if figure_is_empty(figure):
        raise ContentError("the matplotlib figure is empty (no axes or artists): nothing to send")
    if figure.canvas is None:
        from matplotlib.backend_bases import FigureCanvasBase

        FigureCanvasBase(figure)
    buffer = io.BytesIO()
    figure.canvas.print_figure(
        buffer,
        format="png",
        dpi=dpi or figure.dpi,
        facecolor=figure.get_facecolor(),
        edgecolor=figure.get_edgecolor(),
        bbox_inches="tight" if tight else None,
    )
    return buffer.getvalue()


def array_to_image(array: Any) -> PILImage:
    """A PIL image from an H×W, H×W×1, H×W×3 or H×W×4 array (uint8, bool or floats in [0, 1]).

    Raises:
        ContentError: Wrong shape, dtype or value range.
    """
    import numpy as np
    from PIL import Image

    values = np.asarray(array)
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    channels = 1 if values.ndim == 2 else (values.shape[2] if values.ndim == 3 else 0)
    if channels not in (1, 3, 4) or values.size == 0:
        raise ContentError(
            f"an array of shape {values.shape} is not an image: "
            "expected H×W, H×W×3 or H×W×4 with H, W > 0"
        )
    if values.dtype == np.bool_:
        values = values.astype(np.uint8) * 255
    elif values.dtype.kind == "f":
        low, high = float(np.min(values)), float(np.max(values))
        if not (math.isfinite(low) and math.isfinite(high) and low >= 0.0 and high <= 1.0):
            raise ContentError(
                f"a float array must hold values in [0, 1] to be an image (found {low:g}..{high:g})"
            )
        values = np.rint(values * 255.0).astype(np.uint8)
    elif values.dtype != np.uint8:
        raise ContentError(
            f"an array of dtype {values.dtype} is not an image: expected uint8, or floats in [0, 1]"
        )
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
    return Image.fromarray(np.ascontiguousarray(values), mode=mode)


def open_image_bytes(data: bytes) -> PILImage:
    """Decode image bytes fully (first frame), so that corrupt data fails here, not at the API.

    Raises:
        ContentError: The bytes cannot be decoded.
    """
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        kind = sniff_media_type(data) or "image"
        raise ContentError(f"corrupt {kind} bytes ({len(data)} bytes): {error}") from error
    return image


def encode_image_bytes(data: bytes, limits: ImageLimits) -> EncodedImage:
    """Bytes of a PNG, JPEG, GIF or WEBP image, sent unchanged when they already fit.

    Raises:
        ContentError: Unknown magic number or corrupt bytes.
    """
    media_type = sniff_media_type(data)
    if media_type not in IMAGE_MEDIA_TYPES:
        raise ContentError(f"bytes starting {data[:8]!r} are not a PNG, JPEG, GIF or WEBP image")
    image = open_image_bytes(data)
    fits = fit_size(image.width, image.height, limits.max_long_edge, limits.max_tokens)
    if (
        fits == image.size
        and limits.image_format == "auto"
        and base64_length(len(data)) <= limits.max_base64_bytes
    ):
        return EncodedImage(data, media_type, image.width, image.height)
    return encode_image(image, limits)


def encode_image(image: PILImage, limits: ImageLimits) -> EncodedImage:
    """Downscale a PIL image to the limits and encode it as PNG or JPEG.

    With ``image_format="auto"``, plots, line art and screenshots (one colour covers 20 % or
    more) and anything with alpha go as PNG; other images (photos) go as JPEG when a 512-px
    centre crop of them compresses to less than ``jpeg_ratio`` × its PNG size.
    If the base64 text is still over ``max_base64_bytes``, the image shrinks further.
    """
    from PIL import Image

    notes: list[str] = []
    image = _normalise_mode(image)
    original = image.size
    width, height = fit_size(image.width, image.height, limits.max_long_edge, limits.max_tokens)
    budget = limits.max_base64_bytes
    while True:
        if (width, height) != image.size:
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        data, media_type = _encode_smallest(image, limits)
        if base64_length(len(data)) <= budget:
            break
        if max(width, height) <= 64:
            raise ContentError(f"cannot bring the image under {budget:,} bytes of base64")
        width, height = max(1, int(width * 0.7)), max(1, int(height * 0.7))
        notes.append(f"shrank to {width}×{height} to stay under {budget:,} base64 bytes")
    if image.size != original:
        notes.insert(
            0,
            f"downscaled {original[0]}×{original[1]} to {image.width}×{image.height} "
            f"({patch_tokens(image.width, image.height)} visual tokens)",
        )
    return EncodedImage(data, media_type, image.width, image.height, tuple(notes))


def _normalise_mode(image: PILImage) -> PILImage:
    """L, RGB or RGBA; RGBA only when some pixel is not opaque."""
    if image.mode not in ("L", "RGB", "RGBA"):
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        grey = image.mode in ("1", "I", "I;16", "F")
        image = image.convert("RGBA" if has_alpha else ("L" if grey else "RGB"))
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    return image


def _encode_smallest(image: PILImage, limits: ImageLimits) -> tuple[bytes, str]:
    jpeg_quality = limits.jpeg_quality
    if limits.image_format == "jpeg":
        return _save(_flatten(image), "JPEG", quality=jpeg_quality), "image/jpeg"
    if limits.image_format == "png" or image.mode == "RGBA" or _is_flat(image):
        return _save(image, "PNG"), "image/png"
    # Decide on a crop: a full-size PNG of a photo is slow (about 1 s for 4 MP) and unused.
    sample = _centre_crop(image, _SAMPLE_EDGE)
    jpeg_sample = _save(sample, "JPEG", quality=jpeg_quality)
    if len(jpeg_sample) < limits.jpeg_ratio * len(_save(sample, "PNG")):
        return _save(image, "JPEG", quality=jpeg_quality), "image/jpeg"
    return _save(image, "PNG"), "image/png"


def _is_flat(image: PILImage) -> bool:
    """True for plots, line art and screenshots: one colour covers much of the image."""
    from PIL import Image

    sample = image.resize(
        (min(image.width, _SAMPLE_EDGE), min(image.height, _SAMPLE_EDGE)),
        Image.Resampling.NEAREST,  # keeps exact colours
    )
    colours = sample.getcolors(maxcolors=sample.width * sample.height) or []
    top = max((count for count, _ in colours), default=0)
    return top >= _FLAT_SHARE * sample.width * sample.height


def _centre_crop(image: PILImage, edge: int) -> PILImage:
    left = max(0, (image.width - edge) // 2)
    top = max(0, (image.height - edge) // 2)
    return image.crop((left, top, min(image.width, left + edge), min(image.height, top + edge)))


def _flatten(image: PILImage) -> PILImage:
    """Composite an RGBA image on white (JPEG has no alpha)."""
    from PIL import Image

    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _save(image: PILImage, pil_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format, **options)
    return buffer.getvalue()
