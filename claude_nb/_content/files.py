"""Files and URLs as content: image and PDF URLs, PDF bytes, and plain-text documents.

Each function returns ``(block, notes)``; ``_content`` wraps it. Images read
from files go through ``_content.images`` like any other bytes; this module only reads and checks.
"""

from __future__ import annotations

import base64
import os
import urllib.parse
from pathlib import Path
from typing import Any

from claude_nb._exceptions import ContentError
from claude_nb._types import ContentBlock

__all__ = [
    "IMAGE_URL_SUFFIXES",
    "MAX_FILE_BYTES",
    "from_url",
    "looks_like_file_or_url",
    "pdf_document",
    "read_file",
    "text_document",
]

Part = tuple[ContentBlock, list[str]]

MAX_FILE_BYTES = 32 * 1024 * 1024
"""The API's request size limit; no single file can be larger."""

IMAGE_URL_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def _is_http_url(text: str) -> bool:
    return urllib.parse.urlsplit(text).scheme.lower() in ("http", "https") and "://" in text


def _url_suffix(url: str) -> str:
    return Path(urllib.parse.urlsplit(url).path).suffix.lower()


def looks_like_file_or_url(obj: str | os.PathLike[str]) -> bool:
    """True for an http(s) image or PDF URL or an existing file's path (cheap: one ``stat``)."""
    if isinstance(obj, str):
        if "://" in obj:
            return _is_http_url(obj) and _url_suffix(obj) in (*IMAGE_URL_SUFFIXES, ".pdf")
        if not obj or len(obj) > 4096 or "\n" in obj:
            return False
    try:
        return Path(obj).expanduser().is_file()
    except (OSError, ValueError):
        return False


def read_file(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes and file name of a path.

    Raises:
        ContentError: Missing, a directory, unreadable, or over 32 MB.
    """
    resolved = Path(path).expanduser()
    try:
        if not resolved.exists():
            raise ContentError(f"no such file: {str(path)!r} (a str is read as a path or URL)")
        if resolved.is_dir():
            raise ContentError(f"{str(path)!r} is a directory, not a file")
        size = resolved.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(f"{resolved.name} is {size:,} bytes; a request holds 32 MB at most")
        return resolved.read_bytes(), resolved.name
    except OSError as error:
        raise ContentError(f"cannot read {str(path)!r}: {error.strerror or error}") from error


def from_url(url: str) -> Part:
    """An image or PDF document block with a URL source, chosen by the URL's extension.

    Raises:
        ContentError: Not an http(s) URL, or an extension that is neither image nor PDF.
    """
    if not _is_http_url(url):
        scheme = urllib.parse.urlsplit(url).scheme or "none"
        raise ContentError(f"only http(s) URLs can be sent, not scheme {scheme!r}: {url!r}")
    suffix = _url_suffix(url)
    if suffix in IMAGE_URL_SUFFIXES:
        block = {"type": "image", "source": {"type": "url", "url": url}}
        return block, ["image URL: its size is unknown here, so its tokens are a guess"]
    if suffix == ".pdf":
        block = {"type": "document", "source": {"type": "url", "url": url}}
        return block, ["PDF URL: its page count is unknown here, so its tokens are a guess"]
    raise ContentError(
        f"cannot tell whether {url!r} is an image or a PDF: its path should end in "
        f"{', '.join(IMAGE_URL_SUFFIXES)} or .pdf"
    )


def pdf_document(data: bytes, *, title: str | None) -> Part:
    """A base64 PDF document block."""
    if len(data) > MAX_FILE_BYTES:
        raise ContentError(f"the PDF is {len(data):,} bytes; a request holds 32 MB at most")
    block: dict[str, Any] = {
        "type": "document",
        "source": {
            "type": "base64",
            "media_type": "application/pdf",
            "data": base64.b64encode(data).decode("ascii"),
        },
    }
    if title:
        block["title"] = title
    return block, []


def text_document(data: bytes, *, title: str) -> Part:
    """A plain-text document block from UTF-8 file bytes.

    Raises:
        ContentError: The bytes are binary (not an image, PDF or UTF-8 text).
    """
    try:
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentError(
            f"{title} is neither an image (PNG/JPEG/GIF/WEBP), a PDF, nor UTF-8 text"
        ) from error
    block = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": text},
        "title": title,
    }
    return block, []
