"""``ask``'s request features beyond body fields: ``output=``, ``cite=``, ``cite_rows=``.

    prepare_request(prompt, output=Movie, cite=True, cite_rows=df)
        -> request_features(params): the three taken out of the body fields
        -> the body built as usual -> RequestFeatures.apply(body):
             output_config.format = {"type": "json_schema", "schema": ...} (merged with any
             output_config given, e.g. effort), the new turn's documents with citations on,
             one search_result block per row before the prompt
    ask(...) -> Reply -> with_parsed(reply, params): reply.parsed, or StructuredOutputError

The schema and the reading back are ``claude_nb._tools.output_schema``; the citable blocks
``claude_nb._content.citable``; the footnotes ``claude_nb._api.citations``. A map with
``output=`` parses every answer (``parse_map``): one that does not match becomes that item's
error, and ``MapResult.to_dataframe()`` has one column per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from claude_nb._content.attach import PreparedRequest
from claude_nb._content.citable import citable_rows, cite_documents
from claude_nb._exceptions import StructuredOutputError
from claude_nb._tools.output_schema import OutputSpec, output_spec
from claude_nb._types import ContentBlock

if TYPE_CHECKING:
    from claude_nb._session.map_result import MapResult
    from claude_nb._session.reply import Reply

__all__ = ["RequestFeatures", "parse_map", "request_features", "with_parsed"]

ReplyType = TypeVar("ReplyType", bound="Reply")


@dataclass
class RequestFeatures:
    """What ``output=``, ``cite=`` and ``cite_rows=`` add to a body."""

    output: OutputSpec | None = None
    cite: bool = False
    rows: list[ContentBlock] = field(default_factory=list)
    new_turn: bool = True

    def apply(self, prepared: PreparedRequest) -> PreparedRequest:
        """The request with the output format, and (a new turn) the citable content."""
        prepared.body = self.apply_body(prepared.body)
        return prepared

    def apply_body(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with the output format, and (``new_turn``) the citable content."""
        if self.output is not None:
            config = body.get("output_config")
            merged = dict(config) if isinstance(config, Mapping) else {}
            body = {**body, "output_config": {**merged, "format": self.output.format}}
        messages = body.get("messages") or []
        if not self.new_turn or not messages or not (self.cite or self.rows):
            return body
        last = messages[-1]  # the new user turn (a copy: history turns are shared)
        content = last.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        blocks = list(blocks or [])
        if self.cite:
            blocks = cite_documents(blocks)
        return {**body, "messages": [*messages[:-1], {**last, "content": self.rows + blocks}]}


def request_features(
    params: Mapping[str, Any], *, new_turn: bool = True
) -> tuple[dict[str, Any], RequestFeatures]:
    """The body fields without ``output``/``cite``/``cite_rows``, and what those ask for.

    ``new_turn``: the request adds a user turn (False: a tool loop's next step), the one the
    citable content goes into.

    Raises:
        ContentError: ``output`` has no schema, or ``cite_rows`` is not a DataFrame.
    """
    fields = dict(params)
    output, cite, rows = (
        fields.pop("output", None),
        fields.pop("cite", False),
        fields.pop("cite_rows", None),
    )
    features = RequestFeatures(
        output=None if output is None else output_spec(output),
        cite=bool(cite),
        rows=[] if rows is None else citable_rows(rows),
        new_turn=new_turn,
    )
    return fields, features


def with_parsed(reply: ReplyType, params: Mapping[str, Any]) -> ReplyType:
    """``reply`` with ``.parsed`` set when ``params`` asked for ``output=``.

    Raises:
        StructuredOutputError: The reply is not JSON of the schema (``.text``, ``.reply``).
    """
    output = params.get("output")
    if output is None or reply.error is not None:
        return reply
    try:
        reply.parsed = output_spec(output).parse(reply.text, stop_reason=reply.stop_reason)
    except StructuredOutputError as error:
        error.reply = reply
        raise
    return reply


def parse_map(result: MapResult, output: Any) -> MapResult:
    """Every answer of a map parsed as ``output``; a mismatch becomes that item's error."""
    if output is None:
        return result
    spec = output_spec(output)
    result.output = spec
    for position, reply in enumerate(result.replies):
        if reply is None:
            continue
        try:
            reply.parsed = spec.parse(reply.text, stop_reason=reply.stop_reason)
        except StructuredOutputError as error:
            error.reply = reply
            result.failures[position] = error
    return result
