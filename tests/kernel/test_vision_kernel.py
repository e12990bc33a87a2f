"""Vision end to end in a real kernel, offline: {fig}, {df}, --image, attach=[...], --dry-run.

The kernel has no key and no base URL, so claude_nb uses its in-process emulator, whose
offline responder describes what it received: image size and colours, Markdown tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from claude_nb.testing import Kernel, running_kernel

pytest.importorskip("jupyter_client")

SETUP = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
ax.bar(["a", "b", "c"], [3, 1, 2], color="red")
df = pd.DataFrame({"city": ["Oslo", "Lima", "Pune"], "rain_mm": [760, 13, 722]})
"""

SENT_SIZE = (
    "__import__('PIL.Image').Image.open(__import__('io').BytesIO(__import__('base64').b64decode("
    "__import__('claude_nb').get_session().last_reply.request['messages'][-1]['content'][1]"
    "['source']['data']))).size"
)
REQUESTS = "len(__import__('claude_nb').get_session()._emulator.requests)"


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with running_kernel() as kernel:  # no key, no base URL: the in-process emulator
        yield kernel


def final_markdown(execution) -> str:
    assert execution.reply["status"] == "ok", execution.text
    return str(execution.displays[-1]["content"]["data"]["text/markdown"])


def test_vision_end_to_end_offline(kernel: Kernel) -> None:
    assert kernel.execute("%load_ext claude_nb").reply["status"] == "ok"
    assert kernel.execute("%claude --no-history hello").reply["status"] == "ok"
    loaded = "{m.split('.')[0] for m in __import__('sys').modules}"
    assert kernel.value(f"sorted({{'matplotlib', 'pandas', 'PIL', 'numpy'}} & {loaded})") == "[]"

    assert kernel.execute(SETUP).reply["status"] == "ok"
    final = final_markdown(kernel.execute("%%claude\nCompare {fig} with {df}\n"))
    image = re.search(r"Image 1: (\d+)×(\d+) px PNG; dominant colours: white \d+%, red \d+%", final)
    assert image, final
    width, height = int(image.group(1)), int(image.group(2))
    assert kernel.value(SENT_SIZE) == repr((width, height))  # the picture that was sent
    assert 300 <= width <= 400 and 200 <= height <= 300  # 4×3 in at 100 dpi, tight bbox
    table = "Table: a Markdown table with 3 rows and 2 columns (city, rain_mm) and an unnamed index"
    assert table in final
    tokens = -(-width // 28) * -(-height // 28)
    assert f"1 image ≈ {tokens:,} tokens" in final

    final = final_markdown(kernel.execute("%%claude --image fig\nWhat is this?\n"))
    assert f"Image 1: {width}×{height} px PNG; dominant colours: white" in final
    assert f"1 image ≈ {tokens:,} tokens" in final

    printed = kernel.value(
        "(lambda r: (r.text.count(f'Image 1: {width}×{height} px PNG'), r.footer()))"
        "(__import__('claude_nb').get_session().ask('Describe', attach=[fig, df]))"
        .replace("{width}", str(width)).replace("{height}", str(height))
    )
    assert printed.startswith("(1, ") and f"1 image ≈ {tokens:,} tokens" in printed

    sent = kernel.value(REQUESTS)
    execution = kernel.execute("%%claude --dry-run --image fig\nAnd {df}?\n")
    assert execution.reply["status"] == "ok", execution.text
    assert kernel.value(REQUESTS) == sent  # nothing was sent
    assert f"(1 image ≈ {tokens:,} tokens)" in execution.text
    assert f"- image {width}×{height} PNG ≈ {tokens:,} tokens" in execution.text
    assert "<base64, " in execution.text

    execution = kernel.execute("%claude --image nothing_here hi")
    assert execution.reply["status"] == "error" and execution.reply["ename"] == "UsageError"
    assert kernel.value(REQUESTS) == sent
