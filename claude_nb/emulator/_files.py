"""The Files API (GA, no beta header): ``/v1/files`` upload, list, retrieve, content, delete.

Files live in memory per API key (the key's namespace, never the key), at most
``MAX_FILE_BYTES`` (500 MB) each. An upload is ``multipart/form-data`` with a ``file`` part, as
``client.files.upload`` sends it. As on the service, an uploaded file cannot be downloaded
(``downloadable: false``; ``/content`` answers 400): only files the service made can be.

A message that refers to a file (``{"type": "document"|"image", "source": {"type": "file",
"file_id": "file_…"}}``) is answered as if the file's bytes had been sent inline:
``resolve_file_sources`` swaps each reference for a ``base64`` (or plain ``text``) source
before validation, so limits, token counts and the responder see the real content. An
unknown or deleted id is a 404 ``not_found_error``.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

from claude_nb.emulator._wire import ApiError, invalid

__all__ = ["FILES_PATH", "MAX_FILE_BYTES", "FileStore", "files_operation"]

FILES_PATH = "/v1/files"
MAX_FILE_BYTES = 500 * 1024 * 1024
"""The service's per-file limit (500 MB)."""

_TEXT_TYPES = ("text/plain", "text/markdown", "text/csv")


@dataclass
class _StoredFile:
    metadata: dict[str, Any]
    data: bytes


def files_operation(method: str, path: str) -> tuple[str, str | None]:
    """``(operation, file_id)`` for a ``/v1/files`` path, or a 404/405 ``ApiError``."""
    rest = path.removeprefix(FILES_PATH).strip("/")
    parts = rest.split("/") if rest else []
    routes = {
        (0, "POST"): "upload",
        (0, "GET"): "list",
        (1, "GET"): "retrieve",
        (1, "DELETE"): "delete",
    }
    if len(parts) == 2 and parts[1] == "content":
        if method != "GET":
            raise ApiError(405, "invalid_request_error", f"Method {method} not allowed")
        return "content", parts[0]
    if len(parts) > 1:
        raise ApiError(404, "not_found_error", f"Not found: {method} {path}")
    operation = routes.get((len(parts), method))
    if operation is None:
        raise ApiError(405, "invalid_request_error", f"Method {method} not allowed")
    return operation, parts[0] if parts else None


def _multipart_file(content_type: str, raw: bytes) -> tuple[str, str, bytes]:
    """``(filename, mime_type, data)`` of the ``file`` part of a multipart body."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise invalid("file upload must be sent as multipart/form-data with a 'file' part")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise invalid("file: the multipart body could not be parsed")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") != "file":
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        filename = (part.get_filename() or "").replace("\\", "/").split("/")[-1]
        declared = part.get_content_type() if part.get("content-type") else ""
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        mime = declared if declared and declared != "application/octet-stream" else None
        mime = mime or guessed or declared or "application/octet-stream"
        if not filename:
            extension = mimetypes.guess_extension(mime) or ""
            filename = "unnamed" + extension
        return filename, mime, data
    raise invalid("file: Field required")


class FileStore:
    """Uploaded files by namespace (one per API key), in memory.

    Args:
        new_id: Makes a fresh id (``file_01…``).
        max_bytes: The per-file limit (500 MB, as the service's).
    """

    def __init__(self, new_id: Any, max_bytes: int = MAX_FILE_BYTES) -> None:
        self._new_id = new_id
        self.max_bytes = max_bytes
        self._files: dict[str, dict[str, _StoredFile]] = {}

    def __repr__(self) -> str:
        return f"FileStore(files={sum(len(f) for f in self._files.values())})"

    def _get(self, namespace: str, file_id: str | None) -> _StoredFile:
        stored = self._files.get(namespace, {}).get(file_id or "")
        if stored is None:
            raise ApiError(404, "not_found_error", f"File not found: {file_id}")
        return stored

    def answer(
        self,
        operation: str,
        file_id: str | None,
        *,
        headers: dict[str, str],
        query: str,
        raw: bytes,
        namespace: str,
        now: float,
    ) -> tuple[Any, str]:
        """The JSON payload (or bytes for ``content``) and its content type."""
        if operation == "upload":
            return self._upload(headers, raw, namespace, now), "application/json"
        if operation == "list":
            return self._list(namespace, query), "application/json"
        stored = self._get(namespace, file_id)
        if operation == "retrieve":
            return stored.metadata, "application/json"
        if operation == "delete":
            del self._files[namespace][stored.metadata["id"]]
            return {"id": stored.metadata["id"], "type": "file_deleted"}, "application/json"
        if not stored.metadata.get("downloadable"):
            raise invalid(
                f"File {stored.metadata['id']} cannot be downloaded: only files created by "
                "the code execution tool or skills can be; an uploaded file cannot."
            )
        return stored.data, stored.metadata["mime_type"]

    def _upload(
        self, headers: dict[str, str], raw: bytes, namespace: str, now: float
    ) -> dict[str, Any]:
        if len(raw) > self.max_bytes:
            raise ApiError(
                413,
                "request_too_large",
                f"File exceeds the maximum allowed size of {self.max_bytes:,} bytes.",
            )
        filename, mime, data = _multipart_file(headers.get("content-type", ""), raw)
        if len(data) > self.max_bytes:
            raise ApiError(
                413,
                "request_too_large",
                f"File exceeds the maximum allowed size of {self.max_bytes:,} bytes.",
            )
        created = datetime.fromtimestamp(now, tz=timezone.utc).isoformat().replace("+00:00", "Z")
        metadata = {
            "type": "file",
            "id": self._new_id("file_"),
            "filename": filename,
            "mime_type": mime,
            "size_bytes": len(data),
            "created_at": created,
            "downloadable": False,
        }
        self._files.setdefault(namespace, {})[metadata["id"]] = _StoredFile(metadata, data)
        return metadata

    def _list(self, namespace: str, query: str) -> dict[str, Any]:
        params = parse_qs(query)
        try:
            limit = int(params.get("limit", ["20"])[-1])
        except ValueError:
            raise invalid("limit: Input should be a valid integer") from None
        if not 1 <= limit <= 1000:
            raise invalid("limit: Input should be between 1 and 1000")
        files = [stored.metadata for stored in self._files.get(namespace, {}).values()]
        files.reverse()  # newest first
        ids = params.get("ids") or params.get("ids[]")
        if ids:
            wanted = set(ids)
            files = [item for item in files if item["id"] in wanted]
        start = 0
        page = (params.get("page") or [""])[-1]
        if page:
            after = page.removeprefix("page_")
            positions = [item["id"] for item in files]
            if after not in positions:
                raise invalid(f"page: unknown cursor {page!r}")
            start = positions.index(after) + 1
        chosen = files[start : start + limit]
        more = start + limit < len(files)
        return {
            "data": chosen,
            "has_more": more,
            "first_id": chosen[0]["id"] if chosen else None,
            "last_id": chosen[-1]["id"] if chosen else None,
            "next_page": f"page_{chosen[-1]['id']}" if more and chosen else None,
        }

    def resolve_file_sources(self, body: dict[str, Any], namespace: str) -> dict[str, Any]:
        """``body`` with every ``source: {type: file}`` replaced by the file's bytes inline."""
        messages = body.get("messages")
        if not isinstance(messages, list) or "file_id" not in repr(messages):
            return body
        resolved = []
        for index, message in enumerate(messages):
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(content, list):
                resolved.append(message)
                continue
            blocks = [
                self._inline(block, namespace, f"messages.{index}.content.{position}")
                for position, block in enumerate(content)
            ]
            resolved.append({**message, "content": blocks})
        return {**body, "messages": resolved}

    def _inline(self, block: Any, namespace: str, where: str) -> Any:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            inner = block.get("content")
            if isinstance(inner, list):
                return {
                    **block,
                    "content": [
                        self._inline(item, namespace, f"{where}.content.{n}")
                        for n, item in enumerate(inner)
                    ],
                }
            return block
        source = block.get("source") if isinstance(block, dict) else None
        if not isinstance(source, dict) or source.get("type") != "file":
            return block
        file_id = source.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise invalid(f"{where}.source.file_id: Field required")
        stored = self._get(namespace, file_id)
        mime = stored.metadata["mime_type"]
        kind = block.get("type")
        if kind == "image" and not mime.startswith("image/"):
            raise invalid(f"{where}: file {file_id} is {mime}, not an image")
        if kind == "document" and mime in _TEXT_TYPES:
            text = stored.data.decode("utf-8", errors="replace")
            new_source = {"type": "text", "media_type": "text/plain", "data": text}
        elif kind == "document" and mime != "application/pdf":
            raise invalid(
                f"{where}: file {file_id} is {mime}; a document must be a PDF or plain text"
            )
        else:
            encoded = base64.b64encode(stored.data).decode("ascii")
            new_source = {"type": "base64", "media_type": mime, "data": encoded}
        result = {**block, "source": new_source}
        if kind == "document" and "title" not in result:
            result["title"] = stored.metadata["filename"]
        return result
