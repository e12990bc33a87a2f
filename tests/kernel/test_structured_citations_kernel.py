"""``%%claude --schema`` and ``--cite`` / ``--cite-rows`` in a real kernel (emulator over HTTP).

* ``--schema NAME -o VAR``: the request carries ``output_config.format``; the cell's value
  and ``VAR`` are the parsed instance; a reply that does not match is shown in full, then a
  short ``StructuredOutputError``.
* ``--cite``: the document is citable; the final Markdown has the marker and the footnote
  quoting the span and naming its source; ``--cite-rows`` cites a DataFrame's row.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claude_nb.emulator import Emulator, ScriptedResponder
from claude_nb.testing import Kernel, kernel_on

SETUP = """
import dataclasses, pathlib
import pandas as pd
@dataclasses.dataclass
class Mayor:
    name: str
    since: int | None
@dataclasses.dataclass
class City:
    name: str
    mayor: Mayor
    districts: list[str]
Strict = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 5}},
          "required": ["n"]}
facts = pathlib.Path("facts.txt")
facts.write_text("The grass is green. The sky is blue.")
sales = pd.DataFrame({"region": ["North", "South"], "sales": [120, 80]})
"""


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator(require_key=True)


@pytest.fixture(scope="module")
def kernel(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    pytest.importorskip("jupyter_client")
    with kernel_on(emulator) as kernel:
        assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
        folder = tmp_path_factory.mktemp("cite")
        assert kernel.execute(f"import os; os.chdir({str(folder)!r})").reply["status"] == "ok"
        assert kernel.execute(SETUP).reply["status"] == "ok"
        yield kernel


def test_schema_makes_the_cell_value_the_parsed_instance(kernel):
    execution = kernel.execute("%%claude --schema City -o city --no-history\nName a city\n")
    assert execution.reply["status"] == "ok", execution.text
    (result,) = execution.of_type("execute_result")
    assert result["content"]["data"]["text/plain"].startswith("City(name=")
    assert kernel.value("type(city.mayor).__name__") == "'Mayor'"
    assert kernel.value("type(_).__name__") == "'City'"
    assert (
        kernel.value(
            "get_ipython().find_magic('claude').__self__.session.last_reply"
            ".request['output_config']['format']['type']"
        )
        == "'json_schema'"
    )


def test_a_reply_off_the_schema_is_shown_then_a_short_typed_error(kernel, emulator):
    default, emulator.responder = emulator.responder, ScriptedResponder(['{"n": 1}'])
    try:
        execution = kernel.execute("%%claude --schema Strict --no-history\nA number\n")
    finally:
        emulator.responder = default
    assert execution.reply["status"] == "error"
    assert execution.reply["ename"] == "StructuredOutputError"
    (error,) = execution.of_type("error")
    text = "\n".join(error["content"]["traceback"])
    assert "does not match" in text and "Traceback" not in text
    assert '"n"' in execution.displays[-1]["content"]["data"]["text/markdown"]


def test_cite_ends_the_reply_in_numbered_footnotes(kernel):
    execution = kernel.execute("%%claude --cite --no-history\n{facts} What colour is the sky?\n")
    assert execution.reply["status"] == "ok", execution.text
    final = execution.displays[-1]["content"]["data"]
    assert "The sky is blue.<sup>[1]</sup>" in final["text/markdown"]
    assert "**[1]** “The sky is blue.” — “facts.txt”, characters 20–35" in final["text/markdown"]
    assert "[1] “The sky is blue.”" in final["text/plain"]


def test_cite_rows_cites_the_row(kernel):
    execution = kernel.execute(
        "%%claude --cite-rows sales --no-history\nHow much did South sell?\n"
    )
    assert execution.reply["status"] == "ok", execution.text
    markdown = execution.displays[-1]["content"]["data"]["text/markdown"]
    assert "region: South; sales: 80<sup>[1]</sup>" in markdown
    assert "“sales row 1” (sales[1])" in markdown
