"""Dispatch, options, files and URLs, per-request image limits and lazy imports of _content."""

from __future__ import annotations

import base64
import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from claude_nb._api.estimate import block_tokens
from claude_nb._content.convert import (
    ContentOptions,
    ConvertedContent,
    can_convert,
    check_request_images,
    convert_many,
    fit_request_images,
    max_images_per_request,
    options_for_model,
    to_content_blocks,
)
from claude_nb._exceptions import ContentError


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid grey PNG built with the standard library only."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_of_size(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 90, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_block(data: bytes) -> dict[str, object]:
    return {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.b64encode(data).decode(),
        },
    }


# -- options ---------------------------------------------------------------------------


def test_options_for_model_follow_models_json() -> None:
    assert options_for_model("claude-opus-4-1").max_long_edge == 1568
    assert options_for_model("claude-opus-4-1").max_image_tokens == 1568
    assert options_for_model("claude-opus-5").max_long_edge == 2576
    assert options_for_model("claude-opus-5").max_image_tokens == 4784
    assert options_for_model("no-such-model") == ContentOptions()
    assert options_for_model(None, df_as="image").df_as == "image"


@pytest.mark.parametrize(
    "bad",
    [{"df_as": "html"}, {"image_format": "tiff"}, {"max_long_edge": 0}, {"df_token_budget": 0}],
)
def test_bad_options_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ContentError):
        ContentOptions(**bad)  # type: ignore[arg-type]


def test_images_per_request_by_context_window() -> None:
    assert max_images_per_request("claude-opus-4-1") == 100  # 200k context
    assert max_images_per_request("claude-opus-5") == 600  # 1M context
    assert max_images_per_request(None) == 100


# -- dispatch and errors ---------------------------------------------------------------


@pytest.mark.parametrize("value", [object(), 42, {"a": 1}, [1, 2], None])
def test_unsupported_objects_name_their_type_and_the_supported_kinds(value: object) -> None:
    assert not can_convert(value)
    with pytest.raises(ContentError, match=f"cannot send a .*{type(value).__name__}.*supported:"):
        to_content_blocks(value)


def test_converted_content_iterates_over_its_blocks() -> None:
    converted = to_content_blocks(tiny_png())
    assert list(converted) == converted.blocks
    combined = ConvertedContent.combine([converted, converted])
    assert combined.blocks == converted.blocks * 2
    assert combined.token_estimate == 2 * converted.token_estimate


# -- paths and URLs --------------------------------------------------------------------


def test_image_paths_as_path_and_str(tmp_path: Path) -> None:
    path = tmp_path / "plot.png"
    path.write_bytes(tiny_png(3, 2))
    for value in (path, str(path)):
        assert can_convert(value)
        (block,) = to_content_blocks(value).blocks
        assert base64.b64decode(block["source"]["data"]) == tiny_png(3, 2)


def test_pdf_path_and_bytes_become_base64_documents(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2))
    figure.add_subplot().plot([1, 2])
    path = tmp_path / "report.pdf"
    figure.savefig(path, format="pdf")
    data = path.read_bytes()
    converted = to_content_blocks(path)
    (block,) = converted.blocks
    assert block["type"] == "document" and block["title"] == "report.pdf"
    assert block["source"]["media_type"] == "application/pdf"
    assert base64.b64decode(block["source"]["data"]) == data
    assert converted.token_estimate == block_tokens(block)
    assert can_convert(data)
    assert "title" not in to_content_blocks(data).blocks[0]


def test_text_file_becomes_a_text_document(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Results\n\nAll good — 3 µs.\n", encoding="utf-8")
    converted = to_content_blocks(path)
    assert converted.blocks == [
        {
            "type": "document",
            "source": {
                "type": "text",
                "media_type": "text/plain",
                "data": "# Results\n\nAll good — 3 µs.\n",
            },
            "title": "notes.md",
        }
    ]
    assert converted.token_estimate == block_tokens(converted.blocks[0])


def test_bad_paths_are_clear_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    assert not can_convert(missing) and not can_convert(str(missing))
    with pytest.raises(ContentError, match="no such file"):
        to_content_blocks(missing)
    with pytest.raises(ContentError, match="is a directory"):
        to_content_blocks(tmp_path)
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02\xff" * 10)
    with pytest.raises(ContentError, match="neither an image"):
        to_content_blocks(binary)
    assert not can_convert("just some words for the prompt")
    assert not can_convert("two\nlines")


def test_urls_by_extension() -> None:
    assert can_convert("https://example.com/a/chart.PNG?size=2")
    assert to_content_blocks("https://example.com/a/chart.PNG?size=2").blocks == [
        {
            "type": "image",
            "source": {"type": "url", "url": "https://example.com/a/chart.PNG?size=2"},
        }
    ]
    (document,) = to_content_blocks("http://example.com/paper.pdf").blocks
    assert document == {
        "type": "document",
        "source": {"type": "url", "url": "http://example.com/paper.pdf"},
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a.png", "only http"),
        ("file:///tmp/a.png", "only http"),
        ("https://example.com/page.html", "image or a PDF"),
    ],
)
def test_bad_urls_are_refused(url: str, message: str) -> None:
    assert not can_convert(url)
    with pytest.raises(ContentError, match=message):
        to_content_blocks(url)


# -- per-request image limits ----------------------------------------------------------


def test_many_image_requests_downscale_past_2000_px() -> None:
    wide = image_block(png_of_size(2100, 40))
    blocks = [wide] * 21
    problems = check_request_images(blocks)
    assert len(problems) == 21 and "2100×40" in problems[0]
    fitted, notes = fit_request_images(blocks, model="claude-opus-5")
    assert blocks[0] is wide  # the input is not changed
    assert check_request_images(fitted) == []
    assert len(notes) == 21 and notes[0].startswith("downscaled 2100×40 to 2000×38")
    assert fit_request_images(blocks[:20]) == (blocks[:20], [])
    assert check_request_images(blocks[:20]) == []


def test_image_count_limit_counts_messages_and_tool_results() -> None:
    small = image_block(tiny_png())
    messages = [
        {"role": "user", "content": [small] * 60},
        {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": [small] * 41}],
        },
    ]
    assert check_request_images(messages, model="claude-opus-4-1") == [
        "101 images in one request; the limit is 100"
    ]
    with pytest.raises(ContentError, match=r"101 images .* at most 100"):
        fit_request_images(messages, model="claude-opus-4-1")
    fitted, notes = fit_request_images(messages, model="claude-opus-5")
    assert fitted == messages and notes == []


def test_convert_many_combines_and_fits() -> None:
    converted = convert_many([tiny_png(), "https://example.com/x.jpg"], model="claude-opus-4-1")
    assert [block["source"]["type"] for block in converted.blocks] == ["base64", "url"]
    assert converted.token_estimate == sum(block_tokens(block) for block in converted.blocks)
    with pytest.raises(ContentError, match="at most 100"):
        convert_many([tiny_png()] * 101, model="claude-opus-4-1")


# -- lazy imports ----------------------------------------------------------------------


def test_str_and_bytes_do_not_import_matplotlib_or_pandas(tmp_path: Path) -> None:
    text_file = tmp_path / "a.txt"
    text_file.write_text("hello", encoding="utf-8")
    png = tmp_path / "a.png"
    png.write_bytes(tiny_png())
    script = textwrap.dedent(
        f"""
        import sys
        import claude_nb._content.convert as content
        heavy = ("matplotlib", "pandas", "numpy", "PIL", "IPython")
        assert not [name for name in heavy if name in sys.modules], sys.modules.keys()
        assert not content.can_convert("hello")
        assert content.can_convert({str(png)!r})
        content.to_content_blocks({str(text_file)!r})
        content.to_content_blocks("https://example.com/a.png")
        content.to_content_blocks(open({str(png)!r}, "rb").read())
        loaded = [name for name in ("matplotlib", "pandas") if name in sys.modules]
        assert not loaded, loaded
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
