"""The blocks _content makes are accepted by the emulator's validator, in-process and over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from claude_nb._api.estimate import BASE_OVERHEAD, MESSAGE_OVERHEAD, block_tokens
from claude_nb._content.convert import (
    ContentOptions,
    convert_many,
    fit_request_images,
    options_for_model,
    to_content_blocks,
)


def body(blocks: list[dict[str, Any]], model: str = "claude-haiku-4-5") -> dict[str, Any]:
    content = [*blocks, {"type": "text", "text": "Describe what you see."}]
    return {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": content}]}


def sample_objects(tmp_path: Any) -> list[Any]:
    figure = Figure(figsize=(16, 12), dpi=100)
    figure.add_subplot().plot(np.sin(np.linspace(0, 20, 500)))
    rows, columns = np.mgrid[0:900, 0:1200]
    photo = np.stack([columns / 1200, rows / 900, np.full(rows.shape, 0.4)], axis=-1)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("quarterly notes", encoding="utf-8")
    frame = pd.DataFrame({"x": np.arange(1000), "y": np.arange(1000) ** 2})
    return [figure, photo, text_file, frame]


def test_converted_blocks_get_a_200_from_the_in_process_emulator(
    emulator_client: httpx.Client, tmp_path: Any
) -> None:
    converted = convert_many(sample_objects(tmp_path), model="claude-opus-4-1")
    response = emulator_client.post("/v1/messages", json=body(converted.blocks))
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["type"] == "message"
    prompt = block_tokens({"type": "text", "text": "Describe what you see."})
    expected = converted.token_estimate + prompt + BASE_OVERHEAD + MESSAGE_OVERHEAD
    assert reply["usage"]["input_tokens"] == expected  # the estimate is what is billed


def test_table_image_and_high_res_figure_over_real_http(
    emulator_server: str, tmp_path: Any
) -> None:
    figure = Figure(figsize=(30, 20), dpi=100)
    figure.add_subplot().imshow(np.random.default_rng(0).random((50, 80)))
    options = options_for_model("claude-opus-5", df_as="image")
    blocks = (
        to_content_blocks(figure, options=options).blocks
        + to_content_blocks(pd.DataFrame({"a": range(500)}), options=options).blocks
    )
    with httpx.Client(
        base_url=emulator_server,
        headers={"x-api-key": "test-key", "anthropic-version": "2023-06-01"},
    ) as client:
        response = client.post("/v1/messages", json=body(blocks, model="claude-opus-5"))
    assert response.status_code == 200, response.text


def test_many_image_rule_rejected_raw_and_accepted_after_fitting(
    emulator_client: httpx.Client,
) -> None:
    wide = np.zeros((60, 2400, 3), dtype=np.uint8)
    wide[:, ::50] = 255
    high_res = ContentOptions(max_long_edge=2576, max_image_tokens=4784)
    block = to_content_blocks(wide, options=high_res).blocks[0]
    blocks = [block] * 21
    refused = emulator_client.post("/v1/messages", json=body(blocks, model="claude-opus-5"))
    assert refused.status_code == 400
    assert "many-image" in refused.json()["error"]["message"]
    fitted, notes = fit_request_images(blocks, model="claude-opus-5")
    assert len(notes) == 21
    accepted = emulator_client.post("/v1/messages", json=body(fitted, model="claude-opus-5"))
    assert accepted.status_code == 200, accepted.text
