"""``ask(output=...)``, ``cite=``, ``cite_rows=`` and ``map(output=...)`` through a Session
on the in-process emulator: the body sent, the parsed value, the typed error, the footnotes."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Literal, TypedDict

import pandas as pd
import pytest

from claude_nb import Session, StructuredOutputError
from claude_nb._exceptions import ContentError, ReplyFormatError
from claude_nb.emulator import Emulator, ScriptedResponder

FACTS = "The grass is green. The sky is blue. Water boils at 100 degrees at sea level."


class Kind(enum.Enum):
    CAPITAL = "capital"
    PORT = "port"


@dataclasses.dataclass
class Mayor:
    name: str
    since: int | None


@dataclasses.dataclass
class City:
    name: str
    kind: Kind
    size: Literal["small", "large"]
    mayor: Mayor
    districts: list[str]
    motto: str | None = None


class Point(TypedDict):
    x: int
    y: int


def offline(**kwargs) -> Session:
    return Session(offline=True, cache=False, **kwargs)


@pytest.mark.parametrize(
    "output",
    [City, Point, {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}],
)
def test_output_sends_the_schema_and_returns_the_parsed_value(output):
    session = offline()
    reply = session.ask("Describe one", output=output)
    fmt = reply.request["output_config"]["format"]
    assert fmt["type"] == "json_schema" and fmt["schema"]["type"] == "object"
    assert fmt["schema"]["additionalProperties"] is False
    if output is City:
        assert isinstance(reply.parsed, City) and isinstance(reply.parsed.mayor, Mayor)
        assert isinstance(reply.parsed.kind, Kind)
    else:
        assert reply.parsed == json.loads(reply.text)


def test_output_keeps_other_output_config_fields():
    reply = offline().ask("x", output=Point, output_config={"effort": "low"})
    assert reply.request["output_config"]["effort"] == "low"
    assert reply.request["output_config"]["format"]["type"] == "json_schema"


def test_pydantic_models_use_their_own_schema():
    pydantic = pytest.importorskip("pydantic")

    class Pet(pydantic.BaseModel):
        kind: str

    class Owner(pydantic.BaseModel):
        name: str
        pets: list[Pet]

    reply = offline().ask("x", output=Owner)
    assert isinstance(reply.parsed, Owner) and isinstance(reply.parsed.pets[0], Pet)
    assert "$defs" in reply.request["output_config"]["format"]["schema"]


@pytest.mark.parametrize("text", ["Sure! {not json", '{"x": 1}', '{"x": 1, "y": "two"}'])
def test_a_reply_that_does_not_match_is_a_typed_error_carrying_the_text(text):
    session = Session(
        offline=True,
        cache=False,
        emulator=Emulator(require_key=False, responder=ScriptedResponder([text])),
    )
    with pytest.raises(StructuredOutputError) as caught:
        session.ask("x", output=Point)
    assert isinstance(caught.value, ReplyFormatError)
    assert caught.value.text == text and caught.value.reply is session.last_reply
    assert "Point" in str(caught.value)


def test_a_type_without_a_schema_is_refused_before_sending():
    session = offline()
    with pytest.raises(ContentError, match="output schema"):
        session.ask("x", output=bytes)
    assert session.last_reply is None


def test_cite_turns_on_citations_and_the_reply_has_numbered_footnotes(tmp_path):
    path = tmp_path / "facts.txt"
    path.write_text(FACTS)
    session = offline()
    reply = session.ask("What colour is the sky?", attach=[path], cite=True)
    document = reply.request["messages"][-1]["content"][0]
    assert document["type"] == "document" and document["citations"] == {"enabled": True}
    (citation,) = reply.citations
    assert citation["type"] == "char_location"
    assert FACTS[citation["start_char_index"] : citation["end_char_index"]] == "The sky is blue."
    markdown = reply._repr_markdown_()
    assert "The sky is blue.<sup>[1]</sup>" in markdown
    assert "**[1]** “The sky is blue.” — “facts.txt”" in markdown
    assert reply.cited_text.endswith("The sky is blue.[1]")


def test_cite_rows_sends_one_search_result_per_row_and_cites_the_row():
    sales = pd.DataFrame({"region": ["North", "South"], "sales": [120, 80]}, index=[10, 11])
    reply = offline().ask("How much did South sell?", cite_rows={"sales": sales})
    blocks = reply.request["messages"][-1]["content"]
    assert [b["source"] for b in blocks[:2]] == ["sales[10]", "sales[11]"]
    assert blocks[1]["content"] == [{"type": "text", "text": "region: South; sales: 80"}]
    (citation,) = reply.citations
    assert citation["source"] == "sales[11]" and citation["search_result_index"] == 1
    assert "(sales[11])" in reply.footnotes_markdown()


def test_cite_rows_refuses_what_is_not_a_frame():
    with pytest.raises(ContentError, match="DataFrame"):
        offline().ask("x", cite_rows=[1, 2])


def test_map_with_output_gives_a_dataframe_of_fields():
    frame = pd.DataFrame({"city": ["Oslo", "Lima"]}, index=["a", "b"])
    result = offline().map("Describe {city}", frame, output=City, progress=False)
    assert all(isinstance(value, City) for value in result.parsed)
    table = result.to_dataframe()
    assert list(table.index) == ["a", "b"] and {"name", "kind", "mayor"} <= set(table.columns)
