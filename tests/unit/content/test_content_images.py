"""Real figures, PIL images, arrays and image bytes become valid image blocks.

Every block is decoded: base64 must decode, the media type must match the bytes' magic
number, the size must be what the limits allow, and the pixels must match the object's own
render (``fig.savefig`` at the same dpi).
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from claude_nb._api.estimate import BLOCK_OVERHEAD, image_tokens, patch_tokens
from claude_nb._content.convert import (
    ContentOptions,
    can_convert,
    options_for_model,
    to_content_blocks,
)
from claude_nb._content.images import fit_size, sniff_media_type
from claude_nb._exceptions import ContentError

matplotlib.use("Agg")

MAGIC_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def decode(block: dict[str, Any]) -> tuple[bytes, Image.Image]:
    """The bytes and decoded image of a base64 image block, checking type against magic."""
    assert block["type"] == "image"
    source = block["source"]
    assert source["type"] == "base64"
    data = base64.b64decode(source["data"], validate=True)
    assert source["media_type"] in MAGIC_TYPES
    assert sniff_media_type(data) == source["media_type"]
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


def savefig_reference(figure: Figure) -> Image.Image:
    """The figure's own render, as IPython's inline backend would save it."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format="png",
        dpi=figure.dpi,
        bbox_inches="tight",
        facecolor=figure.get_facecolor(),
        edgecolor=figure.get_edgecolor(),
    )
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    assert first.size == second.size
    a = np.asarray(first.convert("RGB"), dtype=np.int16)
    b = np.asarray(second.convert("RGB"), dtype=np.int16)
    return float(np.abs(a - b).mean())


def line_figure(width: float, height: float, dpi: float = 100, **kwargs: Any) -> Figure:
    figure = Figure(figsize=(width, height), dpi=dpi, **kwargs)
    axes = figure.add_subplot()
    axes.plot([0, 1, 2, 3], [1, 3, 2, 4], color="tab:red", linewidth=2)
    axes.set_title("sales")
    return figure


def photo_array(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Smooth colour gradients plus mild noise: compresses like a photo."""
    rows, columns = np.mgrid[0:height, 0:width]
    base = np.stack(
        [columns / width, rows / height, 0.5 + 0.5 * np.sin(columns / 97.0 + rows / 131.0)],
        axis=-1,
    )
    noise = np.random.default_rng(seed).normal(0.0, 0.03, base.shape)
    return np.clip(base + noise, 0.0, 1.0)


def test_small_figure_is_png_and_matches_savefig_pixel_for_pixel() -> None:
    figure = line_figure(4, 3)
    converted = to_content_blocks(figure)
    (block,) = converted.blocks
    _, image = decode(block)
    reference = savefig_reference(figure)
    assert block["source"]["media_type"] == "image/png"
    assert image.size == reference.size
    assert mean_difference(image, reference) < 0.5
    assert converted.notes == []
    assert converted.token_estimate == patch_tokens(*image.size) + BLOCK_OVERHEAD


def test_large_figure_is_downscaled_with_lanczos_and_matches_its_render() -> None:
    figure = line_figure(16, 12)
    converted = to_content_blocks(figure)
    _, image = decode(converted.blocks[0])
    reference = savefig_reference(figure)
    expected = fit_size(*reference.size, 1568, 1568)
    assert image.size == expected
    assert max(image.size) <= 1568 and patch_tokens(*image.size) <= 1568
    resized = reference.resize(expected, Image.Resampling.LANCZOS)
    assert mean_difference(image, resized) < 2.0
    assert converted.notes == [
        f"downscaled {reference.width}×{reference.height} to {expected[0]}×{expected[1]} "
        f"({patch_tokens(*expected)} visual tokens)"
    ]


def test_figure_uses_its_own_dpi_and_facecolor() -> None:
    figure = line_figure(4, 3, dpi=50, facecolor="#3366cc")
    _, image = decode(to_content_blocks(figure).blocks[0])
    assert image.size == savefig_reference(figure).size
    assert image.width < 220  # 4 in at 50 dpi, not at a default 100
    assert image.convert("RGB").getpixel((1, 1)) == (0x33, 0x66, 0xCC)


def test_axes_and_figure_holders_send_their_whole_figure() -> None:
    figure = Figure(figsize=(4, 3), dpi=80)
    left, right = figure.subplots(1, 2)
    left.plot([1, 2])
    right.bar([1, 2], [3, 1])

    class Grid:  # the shape of seaborn's FacetGrid: the figure on .figure
        def __init__(self, figure: Figure) -> None:
            self.figure = figure

    whole = to_content_blocks(figure).blocks
    assert to_content_blocks(right).blocks == whole
    assert can_convert(Grid(figure))
    assert to_content_blocks(Grid(figure)).blocks == whole


def test_pyplot_gcf() -> None:
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(3, 2), dpi=72)
    try:
        plt.plot([3, 1, 2])
        _, image = decode(to_content_blocks(plt.gcf()).blocks[0])
        assert image.size == savefig_reference(figure).size
    finally:
        plt.close(figure)


def test_empty_figure_is_a_clear_error() -> None:
    with pytest.raises(ContentError, match="figure is empty"):
        to_content_blocks(Figure())


def test_photo_array_goes_as_jpeg_at_the_fitted_size() -> None:
    converted = to_content_blocks(photo_array(1200, 1600))
    data, image = decode(converted.blocks[0])
    assert converted.blocks[0]["source"]["media_type"] == "image/jpeg"
    assert image.size == fit_size(1600, 1200, 1568, 1568)
    assert "downscaled 1600×1200" in converted.notes[0]
    png = io.BytesIO()
    image.save(png, format="PNG")
    assert len(data) < 0.5 * len(png.getvalue())


def test_line_art_array_stays_png_with_exact_pixels() -> None:
    array = np.zeros((120, 200, 3), dtype=np.uint8)
    array[:, ::10] = (255, 0, 0)
    array[40:80, 50:150] = (0, 0, 255)
    converted = to_content_blocks(array)
    _, image = decode(converted.blocks[0])
    assert converted.blocks[0]["source"]["media_type"] == "image/png"
    np.testing.assert_array_equal(np.asarray(image), array)


@pytest.mark.parametrize(
    ("array", "mode"),
    [
        (np.linspace(0, 255, 64 * 48, dtype=np.uint8).reshape(48, 64), "L"),
        (np.linspace(0.0, 1.0, 48 * 64 * 3).reshape(48, 64, 3), "RGB"),
        (np.full((48, 64, 1), 7, dtype=np.uint8), "L"),
        (np.eye(48, 64, dtype=bool), "L"),
    ],
)
def test_array_shapes_and_dtypes(array: np.ndarray, mode: str) -> None:
    converted = to_content_blocks(array, options=ContentOptions(image_format="png"))
    _, image = decode(converted.blocks[0])
    assert image.mode == mode
    assert image.size == (64, 48)
    values = np.asarray(array)
    if values.dtype.kind == "f":
        values = np.rint(values * 255).astype(np.uint8)
    elif values.dtype == bool:
        values = values.astype(np.uint8) * 255
    np.testing.assert_array_equal(np.asarray(image), values.reshape(np.asarray(image).shape))


def test_rgba_array_keeps_its_alpha_as_png() -> None:
    array = np.zeros((30, 40, 4), dtype=np.uint8)
    array[..., 0] = 200
    array[..., 3] = np.linspace(0, 255, 40, dtype=np.uint8)
    _, image = decode(to_content_blocks(array).blocks[0])
    assert image.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(image), array)


def test_opaque_rgba_can_go_as_jpeg() -> None:
    array = np.concatenate(
        [(photo_array(300, 400) * 255).astype(np.uint8), np.full((300, 400, 1), 255, np.uint8)],
        axis=-1,
    )
    block = to_content_blocks(array).blocks[0]
    assert block["source"]["media_type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.array([[0.5, 1.5]]), r"values in \[0, 1\]"),
        (np.array([[0.1, np.nan]]), r"values in \[0, 1\]"),
        (np.zeros((4, 4), dtype=np.int64), "dtype int64"),
        (np.zeros((4, 4, 2), dtype=np.uint8), "shape"),
        (np.zeros((0, 4), dtype=np.uint8), "shape"),
        (np.zeros(5, dtype=np.uint8), "shape"),
    ],
)
def test_bad_arrays_are_refused(array: np.ndarray, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        to_content_blocks(array)


def encoded(image: Image.Image, pil_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=pil_format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("pil_format", "media_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_bytes_that_fit_are_sent_unchanged(pil_format: str, media_type: str) -> None:
    data = encoded(Image.new("RGB", (90, 60), (10, 200, 30)), pil_format)
    assert can_convert(data) and can_convert(bytearray(data)) and can_convert(memoryview(data))
    converted = to_content_blocks(data)
    block = converted.blocks[0]
    assert block["source"]["media_type"] == media_type
    assert base64.b64decode(block["source"]["data"]) == data
    assert converted.token_estimate == patch_tokens(90, 60) + BLOCK_OVERHEAD


def test_big_bytes_are_downscaled() -> None:
    data = encoded(Image.new("RGB", (3000, 2000), (250, 250, 250)), "PNG")
    converted = to_content_blocks(data)
    _, image = decode(converted.blocks[0])
    assert image.size == fit_size(3000, 2000, 1568, 1568)
    assert converted.notes[0].startswith("downscaled 3000×2000 to ")


def test_high_res_models_keep_more_pixels() -> None:
    data = encoded(Image.new("RGB", (1920, 1080), (0, 0, 0)), "PNG")
    standard = to_content_blocks(data, options=options_for_model("claude-opus-4-1"))
    high = to_content_blocks(data, options=options_for_model("claude-opus-5"))
    assert decode(standard.blocks[0])[1].size == (1456, 819)
    assert patch_tokens(1456, 819) == 1560  # the vision docs' example
    assert base64.b64decode(high.blocks[0]["source"]["data"]) == data
    assert high.token_estimate == 2691 + BLOCK_OVERHEAD  # the vision docs' example


def test_corrupt_and_unknown_bytes_are_refused() -> None:
    data = encoded(Image.new("RGB", (200, 200), (1, 2, 3)), "PNG")
    with pytest.raises(ContentError, match="corrupt image/png bytes"):
        to_content_blocks(data[: len(data) // 2])
    assert not can_convert(b"hello world")
    with pytest.raises(ContentError, match="not a PNG, JPEG, GIF or WEBP"):
        to_content_blocks(b"hello world")


def test_forced_formats_and_base64_budget() -> None:
    array = (photo_array(400, 600) * 255).astype(np.uint8)
    as_png = to_content_blocks(array, options=ContentOptions(image_format="png"))
    as_jpeg = to_content_blocks(
        Image.fromarray(array).convert("RGBA"), options=ContentOptions(image_format="jpeg")
    )
    assert as_png.blocks[0]["source"]["media_type"] == "image/png"
    assert as_jpeg.blocks[0]["source"]["media_type"] == "image/jpeg"
    small = to_content_blocks(
        array, options=ContentOptions(image_format="png", max_base64_bytes=60_000)
    )
    assert len(small.blocks[0]["source"]["data"]) <= 60_000
    assert any("base64 bytes" in note for note in small.notes)
    assert math.prod(decode(small.blocks[0])[1].size) < 600 * 400


def test_pil_images_of_any_mode() -> None:
    palette = Image.new("P", (50, 40))
    palette.putpalette([255, 0, 0] * 256)
    for image in (palette, Image.new("1", (50, 40), 1), Image.new("LA", (50, 40), (9, 100))):
        _, decoded = decode(to_content_blocks(image).blocks[0])
        assert decoded.size == (50, 40)
    with pytest.raises(ContentError, match="nothing to send"):
        to_content_blocks(Image.new("RGB", (0, 5)))


def test_ipython_image_with_bytes_and_with_url() -> None:
    from IPython.display import Image as DisplayImage

    data = encoded(Image.new("RGB", (30, 20), (5, 5, 5)), "PNG")
    assert can_convert(DisplayImage(data=data))
    block = to_content_blocks(DisplayImage(data=data)).blocks[0]
    assert base64.b64decode(block["source"]["data"]) == data
    url = "https://example.com/chart.png"
    assert to_content_blocks(DisplayImage(url=url)).blocks == [
        {"type": "image", "source": {"type": "url", "url": url}}
    ]


def test_patch_tokens_is_the_size_as_sent_image_tokens_what_the_api_bills() -> None:
    # one name per meaning: 1920x1080 as sent is 69 x 39 patches, but the API downscales it
    # first (standard tier): to the 1568-px long edge (1568x882: 56 x 32 = 1792 patches, over
    # the 1568 cap), then keeping its shape until it fits (1455x819: 52 x 30 = 1560)
    assert patch_tokens(1920, 1080) == 69 * 39 == 2691
    assert image_tokens(1920, 1080) == 52 * 30 == 1560
    assert image_tokens(1456, 819) == patch_tokens(1456, 819) == 1560  # a size that fits
