"""Benchmark: how long converting live objects takes and how many bytes go on the wire.

Objects: a 1600×1200 matplotlib figure, a 4000×3000 photo-like array (smooth gradients plus
noise, not pure noise) and a 100,000-row DataFrame (as text and as an image), for the standard
and the high-resolution vision tiers. Each conversion runs ``--repeat`` times; the median time
is reported. "bytes sent" is the JSON of the content blocks as they go into the request body.

    python bench/vision.py [--repeat 5]

Exits non-zero only when a conversion fails.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import matplotlib

matplotlib.use("Agg")


def figure_1600x1200() -> Any:
    import numpy as np
    from matplotlib.figure import Figure

    figure = Figure(figsize=(16, 12), dpi=100)
    axes = figure.add_subplot()
    x = np.linspace(0, 20, 2000)
    for phase in range(6):
        axes.plot(x, np.sin(x + phase) * np.exp(-x / 15), label=f"phase {phase}")
    axes.legend()
    axes.set_title("damped waves")
    figure.subplots_adjust(left=0.04, right=0.99, bottom=0.04, top=0.96)
    return figure


def photo_4000x3000() -> Any:
    import numpy as np

    rows, columns = np.mgrid[0:3000, 0:4000].astype(np.float32)
    red = columns / 4000
    green = rows / 3000
    blue = 0.5 + 0.5 * np.sin(columns / 300 + rows / 450)
    photo = np.stack([red, green, blue], axis=-1)
    photo += np.random.default_rng(0).normal(0, 0.02, photo.shape).astype(np.float32)
    return (np.clip(photo, 0, 1) * 255).astype(np.uint8)


def frame_100k() -> Any:
    import numpy as np
    import pandas as pd

    generator = np.random.default_rng(0)
    rows = 100_000
    return pd.DataFrame(
        {
            "when": pd.date_range("2024-01-01", periods=rows, freq="min"),
            "store": generator.integers(1, 500, rows),
            "region": generator.choice(["north", "south", "east", "west"], rows),
            "sales": generator.normal(100, 15, rows).round(2),
            "returned": generator.random(rows) < 0.03,
        }
    )


def measure(convert: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = convert()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def describe(converted: Any) -> tuple[str, str]:
    from PIL import Image

    from claude_nb._content.images import sniff_media_type

    kinds = []
    for block in converted.blocks:
        source = block.get("source", {})
        if block["type"] == "image" and source.get("type") == "base64":
            data = base64.b64decode(source["data"])
            with Image.open(io.BytesIO(data)) as image:
                kinds.append(f"{sniff_media_type(data)} {image.width}×{image.height}")
        else:
            kinds.append(block["type"])
    return " + ".join(kinds), "; ".join(converted.notes) or "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args(argv)

    from claude_nb._content.convert import options_for_model, to_content_blocks

    objects = {
        "figure 16×12 in @100 dpi": figure_1600x1200(),
        "photo array 4000×3000": photo_4000x3000(),
        "DataFrame 100,000×5": frame_100k(),
    }
    tiers = {
        "standard": options_for_model("claude-opus-4-1"),
        "high-res": options_for_model("claude-opus-5"),
    }
    rows = []
    failures = 0
    for name, obj in objects.items():
        for tier, options in tiers.items():
            variants = [("", options)]
            if name.startswith("DataFrame"):
                variants = [(" text", options), (" image", replace(options, df_as="image"))]
            for suffix, chosen in variants:
                try:
                    seconds, converted = measure(
                        lambda obj=obj, chosen=chosen: to_content_blocks(obj, options=chosen),
                        arguments.repeat,
                    )
                except Exception:
                    failures += 1
                    traceback.print_exc()
                    rows.append((name + suffix, tier, "ERROR", "", "", "", ""))
                    continue
                sent = len(json.dumps(converted.blocks))
                what, notes = describe(converted)
                rows.append(
                    (
                        name + suffix,
                        tier,
                        f"{seconds * 1000:.0f}",
                        f"{sent:,}",
                        f"{converted.token_estimate:,}",
                        what,
                        notes,
                    )
                )
    header = ("object", "tier", "ms (median)", "bytes sent", "tokens", "sent as", "notes")
    print(f"| {' | '.join(header)} |")
    print("|" + "---|" * len(header))
    for row in rows:
        print(f"| {' | '.join(row)} |")
    print(f"\n{arguments.repeat} runs each; Python {sys.version.split()[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
