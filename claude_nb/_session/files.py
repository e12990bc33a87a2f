"""The Files API on a session: ``upload(path)`` once per content, ``files()``, ``.delete()``.

    session.upload("report.pdf") -> FileObject(id="file_…", filename, size_bytes, mime_type)
    session.ask("Summarise it", attach=[file])   # sent as {"source": {"type": "file", ...}}

An upload is remembered by the SHA-256 of its bytes for the life of the session: the same
content uploaded again (``%claude --file report.pdf`` in two cells) is not sent twice, and a
file deleted through this session is forgotten. Files up to 500 MB; PDFs and plain text go
as ``document`` blocks, images as ``image`` blocks. Uploading, listing and deleting are
``FilesClient`` calls (``_wire/files.py``): the session's key, retries and error classes.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claude_nb._config import Settings
from claude_nb._exceptions import ContentError

if TYPE_CHECKING:
    from claude_nb._session.clients import SessionClients
    from claude_nb._wire.files import FilesClient

__all__ = ["MAX_FILE_BYTES", "FileObject", "FilePaths"]

MAX_FILE_BYTES = 500 * 1024 * 1024
"""The Files API's per-file limit (500 MB)."""

_TEXT = ("text/plain", "text/markdown", "text/csv")


@dataclass(frozen=True)
class FileObject:
    """A file stored with the Files API.

    Attributes:
        id: ``file_…``.
        filename: The name it was uploaded under.
        size_bytes: Its size.
        mime_type: Its media type.
        created_at: When it was uploaded (RFC 3339).
    """

    id: str
    filename: str
    size_bytes: int
    mime_type: str
    created_at: str = ""
    _delete: Callable[[str], object] | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The file name (``filename``)."""
        return self.filename

    @property
    def size(self) -> int:
        """The size in bytes (``size_bytes``)."""
        return self.size_bytes

    def content_block(self) -> dict[str, Any]:
        """The content block that sends this file by id (``attach=[file]`` uses it)."""
        kind = "image" if self.mime_type.startswith("image/") else "document"
        block: dict[str, Any] = {"type": kind, "source": {"type": "file", "file_id": self.id}}
        if kind == "document":
            block["title"] = self.filename
        return block

    def delete(self) -> None:
        """Delete the file from the Files API (later requests cannot refer to it)."""
        if self._delete is None:
            raise ContentError(f"{self.id} is not tied to a session; use Session.delete_file")
        self._delete(self.id)

    @classmethod
    def from_metadata(
        cls, data: dict[str, Any], delete: Callable[[str], object] | None = None
    ) -> FileObject:
        """A ``FileObject`` from the API's file metadata."""
        return cls(
            id=str(data.get("id")),
            filename=str(data.get("filename") or ""),
            size_bytes=int(data.get("size_bytes") or 0),
            mime_type=str(data.get("mime_type") or "application/octet-stream"),
            created_at=str(data.get("created_at") or ""),
            _delete=delete,
        )


def _mime_type(path: Path, data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    guessed = mimetypes.guess_type(path.name)[0]
    if guessed:
        return guessed
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


class FilePaths:
    """The Files API methods ``Session`` is built on (a mixin; state made on first use)."""

    settings: Settings
    _clients: SessionClients

    def _files_client(self) -> FilesClient:
        from claude_nb._wire.files import FilesClient  # httpx only once files are used

        return FilesClient(self.settings, self._clients.sync().http)

    @property
    def _uploaded(self) -> dict[str, FileObject]:
        """Uploads of this session by the SHA-256 of their bytes."""
        return self.__dict__.setdefault("_uploaded_by_hash", {})  # type: ignore[no-any-return]

    def upload(self, path: str | os.PathLike[str], *, mime_type: str | None = None) -> FileObject:
        """Upload a file once (the same bytes again return the first upload's object).

        Raises:
            ContentError: The file cannot be read, or is over 500 MB (nothing was sent).
        """
        source = Path(path).expanduser()
        try:
            size = source.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ContentError(
                    f"{source.name} is {size:,} bytes; the Files API takes at most "
                    f"{MAX_FILE_BYTES:,} (500 MB)"
                )
            data = source.read_bytes()
        except OSError as error:
            raise ContentError(f"cannot read {source}: {error.strerror or error}") from None
        digest = hashlib.sha256(data).hexdigest()
        known = self._uploaded.get(digest)
        if known is not None:
            return known
        media = mime_type or _mime_type(source, data)
        metadata = self._files_client().upload(source.name, data, media)
        uploaded = FileObject.from_metadata(metadata, self.delete_file)
        self._uploaded[digest] = uploaded
        return uploaded

    def files(self) -> list[FileObject]:
        """Every file of the workspace, newest first."""
        return [
            FileObject.from_metadata(item, self.delete_file)
            for item in self._files_client().list_files()
        ]

    def delete_file(self, file_id: str) -> None:
        """Delete a file by id (and forget it as an upload of this session)."""
        self._files_client().delete(file_id)
        for digest, known in list(self._uploaded.items()):
            if known.id == file_id:
                del self._uploaded[digest]
