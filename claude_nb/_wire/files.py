"""The Files API client (GA: no beta header): upload, list, retrieve, download, delete.

``FilesClient`` is a ``MessagesClient`` (the same headers, error classes, retries and redirect
rule: a 3xx is an error, the key never follows it) over the session's connection pool. An
upload is ``multipart/form-data`` with one ``file`` part, as the service wants it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claude_nb._exceptions import MalformedStreamError
from claude_nb._wire.calls import Attempt
from claude_nb._wire.client import MessagesClient
from claude_nb._wire.transport import map_httpx_errors

__all__ = ["FILES_PATH", "FilesClient"]

FILES_PATH = "/v1/files"


class FilesClient(MessagesClient):
    """``MessagesClient`` plus the ``/v1/files`` endpoints (sync; each call retried)."""

    def _object(
        self, method: str, path: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        value = self._with_retries(
            lambda attempt: self._json_once(attempt, method, path, params=params)
        ).value
        if not isinstance(value, dict):
            raise MalformedStreamError(f"{method} {path} did not answer with a JSON object")
        return value

    def upload(self, filename: str, data: bytes, mime_type: str) -> dict[str, Any]:
        """``POST /v1/files``: the new file's metadata (``id``, ``filename``, ``size_bytes``...)."""

        def once(attempt: Attempt) -> Any:
            headers = self._headers(stream=False)
            headers.pop("content-type", None)  # httpx sets multipart's, with its boundary
            with map_httpx_errors(self.settings):
                response = self.http.request(
                    "POST",
                    FILES_PATH,
                    files={"file": (filename, data, mime_type)},
                    headers=headers,
                    follow_redirects=False,
                )
            self._check_response(attempt, response.status_code, response.headers, response.content)
            return self._json_value(response.content)

        value = self._with_retries(once).value
        if not isinstance(value, dict):
            raise MalformedStreamError("POST /v1/files did not answer with a JSON object")
        return value

    def list_files(self, limit: int = 100) -> list[dict[str, Any]]:
        """Every file of the workspace, newest first (all pages)."""
        files: list[dict[str, Any]] = []
        page: str | None = None
        while True:
            params: dict[str, Any] = {"limit": limit, **({"page": page} if page else {})}
            answer = self._object("GET", FILES_PATH, params)
            files.extend(answer.get("data") or [])
            page = answer.get("next_page")
            if not page:
                return files

    def retrieve(self, file_id: str) -> dict[str, Any]:
        """``GET /v1/files/{id}``: the file's metadata."""
        return self._object("GET", f"{FILES_PATH}/{file_id}")

    def delete(self, file_id: str) -> dict[str, Any]:
        """``DELETE /v1/files/{id}``: ``{"id", "type": "file_deleted"}``."""
        return self._object("DELETE", f"{FILES_PATH}/{file_id}")

    def content(self, file_id: str) -> bytes:
        """``GET /v1/files/{id}/content``: the bytes (only files the service made)."""
        path = f"{FILES_PATH}/{file_id}/content"

        def once(attempt: Attempt) -> bytes:
            headers = {**self._headers(stream=False), "accept": "application/binary"}
            with map_httpx_errors(self.settings):
                response = self.http.request("GET", path, headers=headers, follow_redirects=False)
            self._check_response(attempt, response.status_code, response.headers, response.content)
            return bytes(response.content)

        return self._with_retries(once).value
