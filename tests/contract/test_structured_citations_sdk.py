"""Structured output and citations, the official SDK as the oracle over HTTP.

The SDK must parse what the emulator sends: ``messages.parse(output_format=Model)`` builds
its own schema and reads the reply back as the model; a schema made by claude_nb (from a
dataclass) sent as ``output_config`` gets JSON that ``jsonschema`` accepts; cited replies,
whole and streamed (``citations_delta``), come back as the SDK's typed citations whose
``cited_text`` is the exact span of what was given.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import zlib
from collections.abc import Iterator
from typing import Literal

import anthropic
import jsonschema
import pydantic
import pytest

from claude_nb._tools.output_schema import output_spec

MODEL = "claude-sonnet-5-5"
FACTS = "The grass is green. The sky is blue. Water boils at 100 degrees at sea level."


class Size(enum.Enum):
    SMALL = "small"
    LARGE = "large"


@dataclasses.dataclass
class Mayor:
    name: str
    since: int | None


@dataclasses.dataclass
class City:
    name: str
    size: Size
    kind: Literal["capital", "port"]
    mayor: Mayor
    districts: list[Mayor]


class Planet(pydantic.BaseModel):
    name: str
    moons: int
    rings: bool
    neighbours: list[str]


@pytest.fixture
def client(emulator_server: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="sk-test-key", base_url=emulator_server) as sdk:
        yield sdk


def test_sdk_parse_reads_the_reply_as_its_pydantic_model(client):
    message = client.messages.parse(
        model=MODEL,
        max_tokens=500,
        output_format=Planet,
        messages=[{"role": "user", "content": "Describe a planet"}],
    )
    assert isinstance(message.parsed_output, Planet)
    assert message.parsed_output.neighbours


def test_our_dataclass_schema_gets_json_of_that_schema(client):
    schema = output_spec(City).schema
    message = client.messages.create(
        model=MODEL,
        max_tokens=500,
        messages=[{"role": "user", "content": "A city"}],
        output_config={"format": {"type": "json_schema", "schema": schema}},
    )
    value = json.loads(message.content[0].text)
    jsonschema.validate(value, schema)
    assert isinstance(output_spec(City).parse(message.content[0].text), City)


def _pdf(pages: list[str]) -> bytes:
    """A small PDF, one Flate content stream of text per page."""
    parts = [b"%PDF-1.4\n"]
    for number, text in enumerate(pages):
        stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
        parts.append(f"{number + 3} 0 obj << /Type /Page /Parent 2 0 R >> endobj\n".encode())
        parts.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream))
        parts.append(stream + b"\nendstream\n")
    return b"".join(parts)


DOCUMENTS = {
    "char_location": {"type": "text", "media_type": "text/plain", "data": FACTS},
    "content_block_location": {
        "type": "content",
        "content": [
            {"type": "text", "text": "Mercury is hot."},
            {"type": "text", "text": "The sky is blue."},
        ],
    },
    "page_location": {
        "type": "base64",
        "media_type": "application/pdf",
        "data": base64.b64encode(_pdf(["Mercury is hot.", "The sky is blue."])).decode(),
    },
}


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
@pytest.mark.parametrize("streamed", [False, True])
def test_documents_are_cited_with_real_spans(client, kind, streamed):
    document = {
        "type": "document",
        "source": DOCUMENTS[kind],
        "title": "Facts",
        "citations": {"enabled": True},
    }
    request = {
        "model": MODEL,
        "max_tokens": 500,
        "messages": [
            {
                "role": "user",
                "content": [document, {"type": "text", "text": "What colour is the sky?"}],
            }
        ],
    }
    if streamed:
        with client.messages.stream(**request) as stream:
            message = stream.get_final_message()
    else:
        message = client.messages.create(**request)
    cited = [block for block in message.content if block.type == "text" and block.citations]
    assert cited, message.content
    (citation,) = cited[0].citations
    assert citation.type == kind and citation.document_title == "Facts"
    assert citation.cited_text == "The sky is blue." == cited[0].text
    if kind == "char_location":
        assert FACTS[citation.start_char_index : citation.end_char_index] == citation.cited_text
    elif kind == "content_block_location":
        assert (citation.start_block_index, citation.end_block_index) == (1, 2)
    else:
        assert (citation.start_page_number, citation.end_page_number) == (2, 3)


def test_search_results_are_cited_by_source_streamed(client):
    rows = [
        {
            "type": "search_result",
            "source": f"sales[{i}]",
            "title": f"sales row {i}",
            "content": [{"type": "text", "text": text}],
            "citations": {"enabled": True},
        }
        for i, text in enumerate(["region: North; sales: 120", "region: South; sales: 80"])
    ]
    with client.messages.stream(
        model=MODEL,
        max_tokens=500,
        messages=[
            {
                "role": "user",
                "content": [*rows, {"type": "text", "text": "How much did South sell?"}],
            }
        ],
    ) as stream:
        events = [event.delta.type for event in stream if event.type == "content_block_delta"]
        message = stream.get_final_message()
    assert "citations_delta" in events
    (citation,) = [
        c for block in message.content if block.type == "text" for c in block.citations or []
    ]
    assert citation.type == "search_result_location" and citation.source == "sales[1]"
    assert citation.search_result_index == 1 and citation.cited_text == "region: South; sales: 80"
