"""The documented token estimate of ``claude_nb._api.estimate``, checked against the formula.

Every expected number is worked out by hand from the module docstring (text is
``ceil(utf-8 bytes / 4)``; overheads: request 3, message 4, block 2, tool 8, tool result 4;
images ``ceil(w/28) * ceil(h/28)`` after the downscale; unknown image 1600; PDF 1500 a page;
unknown document 1500). Compact sorted JSON is written out in the comments with its length.
"""

from __future__ import annotations

import base64
import copy
import struct
from typing import Any

import pytest

from claude_nb._api.estimate import (
    BASE_OVERHEAD,
    BLOCK_OVERHEAD,
    MESSAGE_OVERHEAD,
    Segment,
    block_tokens,
    estimate_input_tokens,
    image_size,
    image_tokens,
    patch_tokens,
    pdf_page_count,
    prompt_tokens,
    segments,
    text_tokens,
)

EPHEMERAL = {"type": "ephemeral"}


def png(width: int, height: int) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", width, height)
            + b"\x08\x02\x00\x00\x00")


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00"


def jpeg(width: int, height: int, frame: int = 0xC0) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    dht = b"\xff\xc4" + struct.pack(">H", 4) + b"\x00\x00"  # 0xC4 is a table, not a frame
    sof = (bytes([0xFF, frame]) + struct.pack(">H", 17) + b"\x08"
           + struct.pack(">HH", height, width) + b"\x03" + b"\x00" * 9)
    return b"\xff\xd8" + app0 + dht + sof + b"\xff\xd9"


def webp(chunk: bytes, payload: bytes) -> bytes:
    return b"RIFF" + b"\x00" * 4 + b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def image_block(data: bytes) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                        "data": b64(data)}}


PDF_TWO_PAGES = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n"
    b"4 0 obj << /Type/Page /Parent 2 0 R >> endobj\n"
    b"5 0 obj << /Type /PageLabel /S /D >> endobj\n"
    b"%%EOF\n"
)


# --- text_tokens --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 1),
        ("abcd", 1),
        ("abcde", 2),
        ("abcdefgh", 2),
        ("é", 1),       # 2 bytes
        ("€€", 2),      # 6 bytes -> ceil(6/4)
        ("😀", 1),      # 4 bytes
        ("😀a", 2),     # 5 bytes
    ],
)
def test_text_tokens_is_utf8_bytes_over_four_rounded_up(text: str, expected: int) -> None:
    assert text_tokens(text) == expected


def test_text_tokens_is_monotone_in_length() -> None:
    counts = [text_tokens("x" * n) for n in range(200)]
    assert counts == [(n + 3) // 4 for n in range(200)]
    assert counts == sorted(counts)


# --- patch_tokens and image_tokens --------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1456, 819, 1560),  # ceil(1456/28) = 52, ceil(819/28) = ceil(29.25) = 30 -> 52 * 30
        (28, 28, 1),
        (29, 28, 2),
        (1, 1, 1),
        (56.5, 28, 3),  # fractional sizes: ceil(2.02) = 3
        (1568, 1568, 3136),  # 56 * 56: no downscale here
        (0, 500, 0),
    ],
)
def test_patch_tokens_is_one_per_28px_patch(width: float, height: float, expected: int) -> None:
    assert patch_tokens(width, height) == expected


def test_patch_tokens_is_monotone_in_each_side() -> None:
    for side in (1, 27, 28, 29, 500):
        row = [patch_tokens(width, side) for width in range(1, 3000, 3)]
        column = [patch_tokens(side, height) for height in range(1, 3000, 3)]
        assert row == sorted(row)
        assert column == sorted(column)


@pytest.mark.parametrize(
    ("width", "height", "high_res", "expected"),
    [
        (1000, 1000, False, 1296),  # within both limits: ceil(1000/28) = 36 -> 36 * 36
        (1000, 1000, True, 1296),
        (28, 28, False, 1),
        (1, 1, False, 1),
        (3136, 784, False, 784),  # long edge 3136 -> 1568 (x0.5): 1568 x 392 -> 56 * 14
        (3136, 784, True, 2116),  # long edge -> 2576: 2576 x 644 -> 92 * 23
        (5152, 1288, True, 2116),  # x0.5 -> 2576 x 644 -> 92 * 23
        (2000, 1000, True, 2592),  # within 2576 px: 72 * 36 (2592 <= 4784)
    ],
)
def test_image_tokens_after_the_tier_downscale(
    width: int, height: int, high_res: bool, expected: int
) -> None:
    assert image_tokens(width, height, high_res=high_res) == expected


@pytest.mark.parametrize(("width", "height"), [(0, 100), (100, 0), (0, 0), (-5, 10)])
def test_image_tokens_of_an_unknown_size_is_1600(width: int, height: int) -> None:
    assert image_tokens(width, height) == 1600
    assert image_tokens(width, height, high_res=True) == 1600


@pytest.mark.parametrize(("width", "height"), [(3136, 3136), (1120, 1120), (10_000, 9_000),
                                               (1568, 1000), (8000, 8000)])
def test_image_tokens_never_exceed_the_tier_cap(width: int, height: int) -> None:
    assert 1 <= image_tokens(width, height) <= 1568
    assert 1 <= image_tokens(width, height, high_res=True) <= 4784


def test_high_res_never_bills_fewer_tokens_than_standard() -> None:
    for width, height in [(1000, 1000), (3136, 784), (5152, 1288), (8000, 8000), (300, 4000)]:
        assert image_tokens(width, height, high_res=True) >= image_tokens(width, height)


def test_image_tokens_is_monotone_in_size() -> None:
    # 1120 x 1120 is 40 x 40 patches = 1600 > 1568: a square that fits the cap has k x k
    # patches with k*k <= 1568, so k = 39 and 1521 tokens; the API's downscale keeps the shape.
    assert image_tokens(1120, 1120) == 1521
    counts = [image_tokens(side, side) for side in range(1, 3000)]
    assert counts == sorted(counts)


def test_image_tokens_long_edge_is_at_most_the_tier_limit() -> None:
    # 2070 x 28 -> long edge 1568 px = 56 patches, short edge < 28 px = 1 patch -> 56.
    assert image_tokens(2070, 28) == 56
    # high-res: 4317 x 28 -> long edge 2576 px = 92 patches -> 92.
    assert image_tokens(4317, 28, high_res=True) == 92


# --- image_size ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (png(640, 480), ("image/png", 640, 480)),
        (gif(320, 200), ("image/gif", 320, 200)),
        (jpeg(800, 600), ("image/jpeg", 800, 600)),
        (jpeg(1024, 768, frame=0xC2), ("image/jpeg", 1024, 768)),  # progressive
        (webp(b"VP8X", b"\x00" * 4 + (640 - 1).to_bytes(3, "little")
              + (480 - 1).to_bytes(3, "little")), ("image/webp", 640, 480)),
        (webp(b"VP8L", b"\x2f" + ((640 - 1) | (480 - 1) << 14).to_bytes(4, "little")),
         ("image/webp", 640, 480)),
        (webp(b"VP8 ", b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", 640, 480)),
         ("image/webp", 640, 480)),
    ],
)
def test_image_size_reads_the_header(data: bytes, expected: tuple[str, int, int]) -> None:
    assert image_size(data) == expected


@pytest.mark.parametrize("data", [b"", b"not an image at all", png(10, 10)[:20], b"GIF89a"])
def test_image_size_of_unrecognised_bytes_is_none(data: bytes) -> None:
    assert image_size(data) is None


def test_image_size_of_a_jpeg_without_a_frame_is_zero_sized() -> None:
    assert image_size(b"\xff\xd8\xff\xe0" + struct.pack(">H", 4) + b"\x00" * 20) == (
        "image/jpeg", 0, 0)


# --- pdf_page_count -----------------------------------------------------------------------


def test_pdf_page_count_counts_page_objects_only() -> None:
    assert pdf_page_count(PDF_TWO_PAGES) == 2  # not /Pages, not /PageLabel
    assert pdf_page_count(b"") == 0
    assert pdf_page_count(b"<< /Type /Pages >> << /Type /PageLabel >>") == 0
    assert pdf_page_count(b"/Type /Page\n" * 7) == 7


# --- block_tokens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("hi", 2 + 1),  # a bare string is a text block
        ({"type": "text", "text": "abcdefgh"}, 2 + 2),
        ({"type": "text", "text": "abcdefgh", "cache_control": EPHEMERAL}, 2 + 2),
        ({"type": "text", "text": ""}, 2 + 0),
        ({"type": "thinking", "thinking": "abcd", "signature": "x" * 400}, 2 + 1),
        ({"type": "redacted_thinking", "data": "abcdefgh"}, 2 + 2),
        # name "calc" (1) + input '{"a":2,"b":1}' (13 bytes -> 4), keys sorted
        ({"type": "tool_use", "id": "t1", "name": "calc", "input": {"b": 1, "a": 2}},
         2 + 1 + 4),
        ({"type": "tool_result", "tool_use_id": "t1", "content": "abcd"}, 2 + 4 + 1),
        ({"type": "tool_result", "tool_use_id": "t1",
          "content": [{"type": "text", "text": "abcd"}]}, 2 + 4 + (2 + 1)),
        ({"type": "tool_result", "tool_use_id": "t1"}, 2 + 4),
        ({"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
         2 + 1600),
        ({"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                      "data": b64(b"garbage bytes")}}, 2 + 1600),
        (image_block(png(1000, 1000)), 2 + 1296),
        (image_block(jpeg(3136, 784)), 2 + 784),
        # title "abcd" (1) + text source "abcdefgh" (2)
        ({"type": "document", "title": "abcd",
          "source": {"type": "text", "media_type": "text/plain", "data": "abcdefgh"}},
         2 + 1 + 2),
        ({"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                         "data": b64(PDF_TWO_PAGES)}}, 2 + 2 * 1500),
        # title "abcd" (1) + context "abcdefgh" (2) + at least one page
        ({"type": "document", "title": "abcd", "context": "abcdefgh",
          "source": {"type": "base64", "media_type": "application/pdf",
                     "data": b64(b"%PDF-1.4 no pages")}}, 2 + 1 + 2 + 1500),
        ({"type": "document", "source": {"type": "content",
                                         "content": [{"type": "text", "text": "abcd"}]}},
         2 + (2 + 1)),
        ({"type": "document", "source": {"type": "url", "url": "https://x.test/a.pdf"}},
         2 + 1500),
        # '{"type":"search_result","x":"y"}' is 32 bytes -> 8, cache_control left out
        ({"type": "search_result", "x": "y", "cache_control": EPHEMERAL}, 2 + 8),
        (None, 2),
    ],
)
def test_block_tokens(block: Any, expected: int) -> None:
    assert block_tokens(block) == expected


def test_block_tokens_high_res_reaches_images_in_tool_results() -> None:
    image = image_block(png(3136, 784))
    nested = {"type": "tool_result", "tool_use_id": "t1", "content": [image]}
    assert block_tokens(image) == 2 + 784
    assert block_tokens(image, high_res=True) == 2 + 2116
    assert block_tokens(nested) == 2 + 4 + (2 + 784)
    assert block_tokens(nested, high_res=True) == 2 + 4 + (2 + 2116)


# --- segments, prompt_tokens, estimate_input_tokens ---------------------------------------

TOOL = {"name": "calc", "description": "adds", "input_schema": {"type": "object"}}
BODY: dict[str, Any] = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 1000,  # not part of the prompt
    "tools": [TOOL],
    "system": "abcd",
    "messages": [
        {"role": "user", "content": "abcdefgh"},
        {"role": "assistant", "content": [
            {"type": "text", "text": "abcd"},
            {"type": "text", "text": "abcd", "cache_control": EPHEMERAL},
        ]},
    ],
}
# tool: '{"description":"adds","input_schema":{"type":"object"},"name":"calc"}' is 69 bytes
# -> 18, + 8 = 26; system "abcd": 2 + 1 = 3; message 1: 4 + 2 + 2 = 8;
# message 2: 4 + 2 + 1 = 7 on its first block, 2 + 1 = 3 on its second.
BODY_SEGMENT_TOKENS = [("tools", 26), ("system", 3), ("messages", 8), ("messages", 7),
                       ("messages", 3)]
BODY_ESTIMATE = 3 + 26 + 3 + 8 + 7 + 3


def test_segments_list_the_request_in_prefix_order() -> None:
    parts = segments(BODY)
    assert [(part.section, part.tokens) for part in parts] == BODY_SEGMENT_TOKENS
    assert [part.cache_control for part in parts] == [None, None, None, None, EPHEMERAL]
    assert all(part.cacheable for part in parts)


def test_segment_canonical_is_sorted_json_without_cache_control() -> None:
    parts = segments(BODY)
    assert parts[0].canonical == (
        '{"description":"adds","input_schema":{"type":"object"},"name":"calc"}')
    assert parts[2].canonical == '{"text":"abcdefgh","type":"text"}'  # a string -> a block
    assert parts[3].canonical == parts[4].canonical == '{"text":"abcd","type":"text"}'


def test_estimate_is_the_segments_plus_the_base() -> None:
    assert estimate_input_tokens(BODY) == BODY_ESTIMATE == 50
    assert prompt_tokens(segments(BODY)) == BODY_ESTIMATE
    assert prompt_tokens([]) == BASE_OVERHEAD == 3
    assert estimate_input_tokens({}) == 3
    assert estimate_input_tokens({"messages": []}) == 3


def test_prompt_tokens_sums_any_segments() -> None:
    parts = [Segment("system", 10, None, "a", True), Segment("messages", 5, None, "b", False)]
    assert prompt_tokens(parts) == 3 + 10 + 5


def test_documented_overhead_constants() -> None:
    assert (BASE_OVERHEAD, MESSAGE_OVERHEAD, BLOCK_OVERHEAD) == (3, 4, 2)


def test_system_blocks_carry_their_cache_control() -> None:
    body = {"system": [{"type": "text", "text": "abcd"},
                       {"type": "text", "text": "abcdefgh", "cache_control": EPHEMERAL}]}
    parts = segments(body)
    assert [(p.section, p.tokens, p.cache_control) for p in parts] == [
        ("system", 3, None), ("system", 4, EPHEMERAL)]
    assert estimate_input_tokens(body) == 3 + 3 + 4


def test_an_empty_message_still_costs_its_overhead() -> None:
    parts = segments({"messages": [{"role": "user", "content": []}]})
    assert parts == [Segment("messages", MESSAGE_OVERHEAD, None, "null", False)]
    assert estimate_input_tokens({"messages": [{"role": "user", "content": []}]}) == 3 + 4


def test_thinking_and_empty_text_are_not_cacheable() -> None:
    body = {"messages": [{"role": "assistant", "content": [
        {"type": "thinking", "thinking": "abcd", "signature": "s"},
        {"type": "redacted_thinking", "data": "abcd"},
        {"type": "text", "text": ""},
        {"type": "text", "text": "x"},
    ]}]}
    assert [part.cacheable for part in segments(body)] == [False, False, False, True]


def test_tool_tokens_read_only_name_description_and_schema() -> None:
    # '{"name":"calc"}' is 15 bytes -> 4; + 8
    plain = {"tools": [{"name": "calc"}]}
    extra = {"tools": [{"name": "calc", "type": "custom", "cache_control": EPHEMERAL}]}
    assert [p.tokens for p in segments(plain)] == [8 + 4]
    assert [p.tokens for p in segments(extra)] == [8 + 4]
    # a tool without a name (a server tool shape) counts whole, cache_control left out:
    # '{"type":"bash_20250124"}' is 24 bytes -> 6; + 8
    server = {"tools": [{"type": "bash_20250124", "cache_control": EPHEMERAL}]}
    assert [(p.tokens, p.cache_control) for p in segments(server)] == [(8 + 6, EPHEMERAL)]


def test_system_role_messages_count_like_user_ones_but_are_another_prefix() -> None:
    as_user = segments({"messages": [{"role": "user", "content": "abcd"}]})
    as_system = segments({"messages": [{"role": "system", "content": "abcd"}]})
    assert [p.tokens for p in as_user] == [p.tokens for p in as_system] == [4 + 2 + 1]
    assert as_system[0].canonical == "system:" + as_user[0].canonical
    assert as_user[0].canonical != as_system[0].canonical


def test_segments_skip_shapes_that_are_not_a_request() -> None:
    body = {"tools": "not a list", "messages": ["not a message", {"role": "user",
                                                                  "content": "abcd"}]}
    assert [(p.section, p.tokens) for p in segments(body)] == [("messages", 4 + 2 + 1)]


def test_high_res_changes_only_image_costs() -> None:
    body = {"messages": [{"role": "user", "content": [image_block(png(3136, 784)),
                                                      {"type": "text", "text": "abcd"}]}]}
    assert estimate_input_tokens(body) == 3 + (4 + 2 + 784) + (2 + 1)
    assert estimate_input_tokens(body, high_res=True) == 3 + (4 + 2 + 2116) + (2 + 1)
    assert estimate_input_tokens(BODY, high_res=True) == estimate_input_tokens(BODY)


def test_estimate_is_deterministic_and_ignores_key_order_and_breakpoints() -> None:
    body = copy.deepcopy(BODY)
    reordered = {
        "messages": [
            {"content": [{"input": {"b": 1, "a": 2}, "name": "calc", "id": "t1",
                          "type": "tool_use"}], "role": "assistant"},
        ],
    }
    original = {"messages": [{"role": "assistant", "content": [
        {"type": "tool_use", "id": "t1", "name": "calc", "input": {"a": 2, "b": 1}}]}]}
    assert estimate_input_tokens(body) == estimate_input_tokens(BODY) == BODY_ESTIMATE
    assert estimate_input_tokens(reordered) == estimate_input_tokens(original)
    marked = copy.deepcopy(BODY)
    marked["tools"][0]["cache_control"] = EPHEMERAL
    marked["messages"][0]["content"] = [{"type": "text", "text": "abcdefgh",
                                         "cache_control": EPHEMERAL}]
    assert estimate_input_tokens(marked) == BODY_ESTIMATE
    assert body == BODY  # the estimate reads, never writes


def test_estimate_is_monotone_in_the_size_of_the_request() -> None:
    totals = []
    for count in range(6):
        body = {"messages": [{"role": "user", "content": "abcd"}] * count}
        totals.append(estimate_input_tokens(body))
    assert totals == [3 + count * (4 + 2 + 1) for count in range(6)]
    lengths = [estimate_input_tokens({"messages": [{"role": "user", "content": "x" * n}]})
               for n in range(100)]
    assert lengths == sorted(lengths)
    assert lengths[-1] == 3 + 4 + 2 + 25  # 99 bytes -> 25
