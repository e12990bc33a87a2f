"""Vision wiring: {fig}, --image, attach=[...] through a real shell, Session and the emulator."""

from __future__ import annotations

import asyncio
import base64
import io
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from matplotlib.figure import Figure
from PIL import Image

from claude_nb import Session
from claude_nb._content.attach import cell_content, content_options, elide_base64
from claude_nb._exceptions import ContentError
from claude_nb._session.dry_run import DryRun
from claude_nb.emulator import Emulator

MODEL = "claude-sonnet-5-5"  # the default model; high-res vision


def red_figure(width: float = 6.4, height: float = 4.8) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.axis("off")
    axes.add_patch(__import__("matplotlib.patches").patches.Rectangle((0, 0), 1, 1, color="red"))
    return figure


def png(width: int, height: int, colour: str = "blue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def sent_image_size(block: dict[str, Any]) -> tuple[int, int]:
    with Image.open(io.BytesIO(base64.b64decode(block["source"]["data"]))) as image:
        return image.size


def visual_tokens(width: int, height: int) -> int:
    return math.ceil(width / 28) * math.ceil(height / 28)


@pytest.fixture
def shell() -> Iterator[tuple[InteractiveShell, Emulator]]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "claude_nb")
    emulator = Emulator(require_key=False)
    ip.magics_manager.registry["ClaudeMagics"]._session = Session(offline=True, emulator=emulator)
    try:
        yield ip, emulator
    finally:
        ip.run_line_magic("unload_ext", "claude_nb")
        InteractiveShell.clear_instance()


def run(ip: InteractiveShell, cell: str) -> tuple[Any, Any]:
    with capture_output() as captured:
        result = ip.run_cell(cell)
    return result, captured


def test_interpolated_objects_stay_in_place_and_image_flags_go_first() -> None:
    frame = pd.DataFrame({"x": range(10_000)})
    namespace = {"fig": red_figure(), "df": frame, "photo": png(300, 200)}
    content = cell_content(
        "Compare {fig} with {df}.", namespace, options=content_options(MODEL, df_budget=100),
        images=["photo"],
    )
    kinds = [block["type"] for block in content.blocks]
    assert kinds == ["image", "text", "image", "text"]
    assert content.blocks[1]["text"] == "Compare "
    assert content.blocks[3]["text"].startswith(" with pandas DataFrame: 10,000 rows")
    assert content.blocks[3]["text"].endswith(".")
    assert sent_image_size(content.blocks[0]) == (300, 200)
    assert len(content.notes) == 1
    assert content.notes[0].startswith("table cut to fit 100 tokens: ")
    assert "of 10,000 rows (first and last)" in content.notes[0]
    raw = cell_content("keep {fig}", namespace, options=content_options(MODEL), raw=True)
    assert raw == "keep {fig}"
    raw = cell_content("keep {fig}", namespace, options=content_options(MODEL), images=["fig"],
                       raw=True)
    assert [block["type"] for block in raw.blocks] == ["image", "text"]
    assert raw.blocks[1]["text"] == "keep {fig}"


def test_ask_attach_sends_the_image_first_and_the_footer_counts_its_tokens() -> None:
    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator)
    figure = red_figure()
    reply = session.ask("What colour is this?", attach=[figure, png(100, 60)])
    sent = emulator.requests[-1].body["messages"][-1]["content"]
    assert [block["type"] for block in sent] == ["image", "image", "text"]
    sizes = [sent_image_size(block) for block in sent[:2]]
    assert sizes[1] == (100, 60)
    assert f"Image 1: {sizes[0][0]}×{sizes[0][1]} px PNG; dominant colours: red" in reply.text
    assert "Image 2: 100×60 px PNG; dominant colours: blue 100%" in reply.text
    tokens = sum(visual_tokens(*size) for size in sizes)
    assert f"2 images ≈ {tokens:,} tokens" in reply.footer()
    assert [fact.tokens for fact in reply.content_report.images] == [
        visual_tokens(*size) for size in sizes
    ]
    assert session.history[0]["content"] == sent
    # the async twin sends the same body and reports the same
    emulator_async = Emulator(require_key=False)
    other = Session(offline=True, emulator=emulator_async)
    again = asyncio.run(other.ask_async("What colour is this?", attach=[figure, png(100, 60)]))
    assert emulator_async.requests[-1].body == emulator.requests[-1].body
    assert again.footer().count("2 images ≈") == 1


def test_request_image_limits_apply_to_the_whole_request() -> None:
    emulator = Emulator(require_key=False)
    session = Session(offline=True, emulator=emulator)
    big = png(2400, 1200)
    session.ask("first", attach=[png(50, 50)] * 20, max_tokens=64)
    prepared = session.prepare_request("one more", attach=[big])
    # 21 images in the request (history included): each must be <= 2000 px a side
    sent = prepared.body["messages"][-1]["content"][0]
    assert max(sent_image_size(sent)) == 2000
    assert any("more than 20 images allow at most 2000 px" in note
               for note in prepared.report.notes)
    before = len(emulator.requests)
    with pytest.raises(ContentError, match=r"611 images in one request; .* takes at most 600"):
        session.ask("too many", attach=[png(8, 8)] * 591)
    assert len(emulator.requests) == before and len(session.history) == 2


def final_markdown(captured: Any) -> str:
    return str(captured.outputs[-1].data["text/markdown"])


def test_magic_image_flag_df_options_and_notes_in_the_output(shell) -> None:
    ip, emulator = shell
    ip.user_ns.update(
        big=Image.new("RGB", (3000, 2000), "red"),
        frame=pd.DataFrame({"a": range(50), "b": 1.5, "c": "x"}),
    )
    result, captured = run(ip, "%%claude --image big\nWhat is it?\n")
    assert result.error_in_exec is None
    content = emulator.requests[-1].body["messages"][-1]["content"]
    assert [block["type"] for block in content] == ["image", "text"]
    width, height = sent_image_size(content[0])
    assert (width, height) == (2352, 1568)  # the high-res tier: 4,784 visual tokens at most
    final = final_markdown(captured)
    assert "Image 1: 2352×1568 px PNG; dominant colours: red 100%" in final
    assert "📎 downscaled 3000×2000 to 2352×1568" in final
    assert f"1 image ≈ {visual_tokens(width, height):,} tokens" in final
    _, captured = run(ip, "%%claude --no-history\nSummarise {frame}\n")
    assert emulator.requests[-1].body["messages"][-1]["content"].startswith(
        "Summarise pandas DataFrame: 50 rows × 3 columns"
    )
    described = "a Markdown table with 50 rows and 3 columns (a, b, c) and an unnamed index column"
    assert described in final_markdown(captured)
    ip.run_line_magic("config", "ClaudeMagics.df_as = 'image'")
    _, captured = run(ip, "%%claude --no-history\nSummarise {frame}\n")
    content = emulator.requests[-1].body["messages"][-1]["content"]
    assert [block["type"] for block in content] == ["text", "image"]
    assert "Image 1:" in final_markdown(captured) and "1 image ≈" in final_markdown(captured)
    _, captured = run(ip, "%%claude --no-history --df-as text --df-budget 60\nSum {frame}\n")
    content = emulator.requests[-1].body["messages"][-1]["content"]
    assert [block["type"] for block in content] == ["text"]
    assert "📎 table cut to fit 60 tokens" in final_markdown(captured)
    assert "image ≈" not in final_markdown(captured)


def test_dry_run_lists_blocks_notes_and_tokens_and_sends_nothing(shell) -> None:
    ip, emulator = shell
    ip.user_ns.update(
        big=Image.new("RGB", (3000, 2000), "red"), frame=pd.DataFrame({"a": range(100_000)})
    )
    result, _ = run(ip, "%%claude --dry-run\nCompare {big} and {frame}\n")
    dry = result.result
    assert isinstance(dry, DryRun) and emulator.requests == []
    image = dry.request["messages"][-1]["content"][1]
    width, height = sent_image_size(image)
    tokens = visual_tokens(width, height)
    shown = dry._repr_markdown_()
    assert f"(1 image ≈ {tokens:,} tokens)" in dry.summary()
    assert f"- image {width}×{height} PNG ≈ {tokens:,} tokens" in shown
    assert f"📎 downscaled 3000×2000 to {width}×{height}" in shown
    assert "📎 table cut to fit 2,000 tokens" in shown and "of 100,000 rows" in shown
    assert image["source"]["data"] not in shown and "<base64, " in shown
    assert elide_base64(dry.request) != dry.request
    # the estimate is what the emulator then bills for the same request
    session = ip.magics_manager.registry["ClaudeMagics"].session
    reply = session.ask(dry.request["messages"][-1]["content"], max_tokens=16)
    usage = reply.usage
    billed = sum(usage[name] for name in (
        "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))
    assert billed == dry.input_tokens


@pytest.mark.parametrize(
    ("setup", "flag", "message"),
    [
        ("thing = object()", "--image thing", "cannot send a builtins.object to Claude; "),
        ("from matplotlib.figure import Figure; empty = Figure()", "--image empty",
         "the matplotlib figure is empty"),
        ("bad = b'\\x89PNG\\r\\n\\x1a\\n' + b'junk' * 10", "--image bad",
         "corrupt image/png bytes (48 bytes)"),
        ("path = '/no/such/file.png'", "--image path", "no such file: '/no/such/file.png'"),
        ("url = 'ftp://example.com/a.png'", "--image url", "only http(s) URLs can be sent"),
        ("", "--image 'fig()'", "nothing is evaluated"),
        ("", "--image missing", "--image missing: no such name"),
        ("thing = object()", "--df-as text --image thing", "supported: matplotlib Figure"),
    ],
)
def test_bad_input_is_one_usage_error_and_nothing_is_sent(shell, setup, flag, message) -> None:
    ip, emulator = shell
    ip.run_cell(setup)
    result, captured = run(ip, f"%claude {flag} describe")
    assert isinstance(result.error_in_exec, UsageError)
    assert message in str(result.error_in_exec)
    assert "\n" not in str(result.error_in_exec) and "Traceback" not in captured.stdout
    assert emulator.requests == []


def test_corrupt_bytes_in_a_prompt_are_refused_too(shell) -> None:
    ip, emulator = shell
    ip.user_ns["bad"] = b"\x89PNG\r\n\x1a\n" + b"junk" * 10
    result, _ = run(ip, "%claude look at {bad}")
    assert isinstance(result.error_in_exec, UsageError) and emulator.requests == []
    assert str(result.error_in_exec).startswith("corrupt image/png bytes")


def test_load_and_a_text_cell_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'claude_nb')\n"
        "ip.run_cell('x = 1')\n"
        "result = ip.run_cell('%claude --no-stream hello {x}')\n"
        "assert result.error_in_exec is None, result.error_in_exec\n"
        "assert 'hello 1' in result.result.text\n"
        "heavy = {'matplotlib', 'pandas', 'PIL', 'numpy', 'ipywidgets'}\n"
        "loaded = sorted(heavy & {name.split('.')[0] for name in sys.modules})\n"
        "print(f'HEAVY {loaded}')\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "CLAUDE_NB_OFFLINE": "1",
             "CLAUDE_NB_HOME": os.environ["CLAUDE_NB_HOME"],
             "HOME": os.environ["CLAUDE_NB_HOME"]},
    )
    # IPython may print notices, warnings or an empty Out prompt around the verdict.
    verdict = output.stdout[output.stdout.rfind("HEAVY "):].strip()
    assert verdict == "HEAVY []", output.stdout + output.stderr
