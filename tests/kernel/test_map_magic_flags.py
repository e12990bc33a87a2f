"""``%%claude_map`` flags in a real kernel: the line is split like a shell, ``--column COL``
takes ``{item}`` and ``{COL}`` (``{7}`` for column 7), any column can be named in the template
(format specs too), a dict maps over its values (``-o`` keyed by its keys), ``--batch -o NAME``
says how to get the texts.

The emulator is served over HTTP from this process, so every prompt the kernel sends is
read back here.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from claude_nb.emulator import Emulator
from claude_nb.testing import Kernel, kernel_on

SETUP = (
    "import pandas as pd, claude_nb\n"
    "df = pd.DataFrame({'review text': ['Great soup', 'Cold tea'], 'city': ['Oslo', 'Lima'],"
    " 7: ['seven-a', 'seven-b'], 'tags': [['hot', 'new'], ['cold', 'old']]}, index=['r1', 'r2'])\n"
    "d = {'a': 'x', 'b': 'y'}\n"
    "items = ['p', 'q']\n"
)


def failed(kernel: Kernel, code: str) -> str:
    execution = kernel.execute(code)
    assert execution.reply["status"] == "error", execution.text
    return str(execution.reply["evalue"])


def text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content)


def sent(emulator: Emulator, since: int) -> list[str]:
    """The prompts of the message calls made after ``since`` requests, sorted."""
    bodies = [request.body for request in emulator.requests[since:]]
    return sorted(
        text(body["messages"][0]["content"])
        for body in bodies
        if isinstance(body, dict) and "messages" in body
    )


def test_map_magic_flags_in_a_kernel(tmp_path: Path) -> None:
    emulator = Emulator(require_key=True, batch_seconds=1.0, log_requests=None)
    with kernel_on(emulator, CLAUDE_NB_HOME=str(tmp_path)) as kernel:
        kernel.checked("%load_ext claude_nb")
        kernel.checked(SETUP)

        before = len(emulator.requests)
        kernel.checked(
            "%%claude_map df --column 'review text' -o texts\nSay {item} / {review text}"
        )
        assert sent(emulator, before) == ["Say Cold tea / Cold tea", "Say Great soup / Great soup"]
        assert kernel.value("list(texts.index)") == "['r1', 'r2']"

        before = len(emulator.requests)
        kernel.checked('%%claude_map df --column="review text"\nOn {item}')
        kernel.checked("%%claude_map df --column city -o cities\nName {city} ({item}).")
        kernel.checked("%%claude_map df --column 7\nSeven {item}")
        assert sent(emulator, before) == [
            "Name Lima (Lima).",
            "Name Oslo (Oslo).",
            "On Cold tea",
            "On Great soup",
            "Seven seven-a",
            "Seven seven-b",
        ]

        before = len(emulator.requests)
        kernel.checked('%%claude_map df\n{review text}|{item["review text"]}|{item[7]}|{tags[1]}')
        assert sent(emulator, before) == [
            "Cold tea|Cold tea|seven-b|old",
            "Great soup|Great soup|seven-a|new",
        ]

        before = len(emulator.requests)
        kernel.checked("%%claude_map d -o by_key\nSay {item}")
        assert sent(emulator, before) == ["Say x", "Say y"]
        kept = ast.literal_eval(kernel.value("(type(by_key).__name__, list(by_key.index))"))
        assert kept == ("Series", ["a", "b"])

        shown = kernel.checked("%%claude_map items --batch -o job\nSay {item}")
        assert "job.wait().results().to_series()" in shown.stdout
        assert len(shown.stdout.strip().splitlines()) == 1
        assert kernel.value("type(job).__name__") == "'BatchJob'"
        assert kernel.value("job.wait(timeout=60).results().to_series().tolist()") != "[None, None]"

        before = len(emulator.requests)
        assert "template field {city.nope} does not resolve for item 'r1'" in failed(
            kernel, "%%claude_map df\nName {city.nope}"
        )
        assert 'template field {item["nope"]} does not resolve' in failed(
            kernel, '%%claude_map df\nName {item["nope"]}'
        )
        assert "df has no column 'nope'" in failed(
            kernel, "%%claude_map df --column 'nope'\n{item}"
        )
        assert "No closing quotation" in failed(kernel, "%%claude_map df --column 'nope\n{item}")
        assert len(emulator.requests) == before


def test_a_column_named_by_a_number_takes_its_field_and_format_specs(tmp_path: Path) -> None:
    emulator = Emulator(require_key=True, log_requests=None)
    with kernel_on(emulator, CLAUDE_NB_HOME=str(tmp_path)) as kernel:
        kernel.checked("%load_ext claude_nb")
        kernel.checked(SETUP + "df['stars'] = [4.25, 1.0]\n")

        before = len(emulator.requests)
        kernel.checked("%%claude_map df --column 7 -o sevens\nSay {7} ({item!r})")
        kernel.checked("%%claude_map df\n{city:>5}: {stars:.1f}")
        assert sent(emulator, before) == [
            " Lima: 1.0",
            " Oslo: 4.2",
            "Say seven-a ('seven-a')",
            "Say seven-b ('seven-b')",
        ]
        assert kernel.value("list(sevens.index)") == "['r1', 'r2']"

        before = len(emulator.requests)
        assert 'quote the key: {item["review text"]}' in failed(
            kernel, "%%claude_map df\nOn {item[review text]}"
        )
        assert len(emulator.requests) == before
