"""DataFrames and Series: Markdown within a token budget by default, a table image on request."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from claude_nb._api.estimate import BLOCK_OVERHEAD, text_tokens
from claude_nb._content.convert import ContentOptions, can_convert, to_content_blocks


def big_frame(rows: int = 100_000) -> pd.DataFrame:
    generator = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "day": pd.date_range("2024-01-01", periods=rows, freq="min"),
            "sales": generator.normal(100, 15, rows).round(2),
            "region": generator.choice(["north", "south", "east"], rows),
        }
    )


def table_text(frame: object, **options: object) -> tuple[str, list[str], int]:
    converted = to_content_blocks(frame, options=ContentOptions(**options))  # type: ignore[arg-type]
    (block,) = converted.blocks
    assert block["type"] == "text"
    return block["text"], converted.notes, converted.token_estimate


def test_small_frame_goes_whole_with_shape_and_dtypes() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 0.25, 0.125]}, index=["x", "y", "z"])
    assert can_convert(frame)
    text, notes, tokens = table_text(frame)
    assert notes == []
    assert text == (
        "pandas DataFrame: 3 rows × 2 columns\n"
        "dtypes: a: int64, b: float64\n"
        "\n"
        "|  | a | b |\n"
        "|---|---|---|\n"
        "| x | 1 | 0.5 |\n"
        "| y | 2 | 0.25 |\n"
        "| z | 3 | 0.125 |"
    )
    assert tokens == text_tokens(text) + BLOCK_OVERHEAD


@pytest.mark.parametrize("budget", [60, 300, 2000, 8000])
def test_big_frame_is_cut_to_the_budget_with_head_and_tail(budget: int) -> None:
    frame = big_frame()
    text, notes, tokens = table_text(frame, df_token_budget=budget)
    assert text_tokens(text) <= budget
    assert text.startswith("pandas DataFrame: 100,000 rows × 3 columns\ndtypes: day: datetime64")
    assert "of 100,000 rows" in notes[0]
    lines = text.splitlines()
    if budget >= 300:
        assert lines[5].startswith("| 0 | 2024-01-01 00:00:00 |")
        assert lines[-1].startswith("| 99999 | ")
        assert "| … | … | … | … |" in lines
    assert tokens == text_tokens(text) + BLOCK_OVERHEAD


def test_bigger_budget_shows_more_rows() -> None:
    frame = big_frame(5_000)
    shown = [
        len(table_text(frame, df_token_budget=budget)[0].splitlines()) for budget in (500, 4000)
    ]
    assert shown[0] < shown[1]


def test_tiny_budget_keeps_only_the_shape() -> None:
    text, notes, _ = table_text(big_frame(100), df_token_budget=8)
    assert text_tokens(text) <= 8
    assert text.startswith("pandas DataFrame")
    assert notes == ["only the shape and dtypes fit 8 tokens; no rows shown"]


def test_wide_frames_keep_first_and_last_columns() -> None:
    frame = pd.DataFrame(np.arange(3 * 50).reshape(3, 50), columns=[f"c{i}" for i in range(50)])
    text, notes, _ = table_text(frame)
    header = text.splitlines()[3]
    assert header.startswith("|  | c0 | c1 |") and header.endswith("| c48 | c49 |")
    assert "| … |" in header and "c25" not in header
    assert "20 of 50 columns" in notes[0]


def test_cells_are_escaped_and_shortened() -> None:
    frame = pd.DataFrame({"text": ["a|b", "line\nbreak", "x" * 100]})
    text, _, _ = table_text(frame)
    assert "| a\\|b |" in text and "| line break |" in text
    assert "x" * 39 + "…" in text and "x" * 41 not in text


def test_series_and_empty_frames() -> None:
    text, notes, _ = table_text(pd.Series([1.5, 2.5], name="price"))
    assert text.startswith("pandas Series: 2 rows × 1 columns\ndtypes: price: float64")
    assert "| 1 | 2.5 |" in text and notes == []
    text, _, _ = table_text(pd.DataFrame({"a": []}))
    assert text.startswith("pandas DataFrame: 0 rows × 1 columns")


def test_df_as_image_sends_a_caption_and_a_png_table() -> None:
    converted = to_content_blocks(big_frame(), options=ContentOptions(df_as="image"))
    caption, image_block = converted.blocks
    assert caption["text"].startswith("pandas DataFrame: 100,000 rows × 3 columns")
    assert image_block["source"]["media_type"] == "image/png"
    data = base64.b64decode(image_block["source"]["data"])
    assert data.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(data))
    assert image.height > image.width  # 31 rows of a 3-column table
    assert "table image shows 30 of 100,000 rows" in converted.notes[0]
    # the table is drawn: far from a blank page
    assert np.asarray(image.convert("L")).min() < 50
