"""Interpolation at its edges: how blocks from a converter merge with the text around them,
a reference right after a code span, and the exact count of characters cut from a repr."""

from __future__ import annotations

from typing import Any

from claude_nb._content.interpolate import interpolate

IMAGE = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}}


class Thing:
    def __repr__(self) -> str:
        return "T" * 30


def test_plain_text_blocks_merge_with_the_text_around_them() -> None:
    def convert(value: Any) -> list[dict[str, Any]] | None:
        if value == "img":
            return None
        return [{"type": "text", "text": "<a>"}, IMAGE, {"type": "text", "text": "<b>"}]

    result = interpolate("see {x} now", {"x": Thing()}, convert=convert)
    assert result.content == [
        {"type": "text", "text": "see <a>"},
        IMAGE,
        {"type": "text", "text": "<b> now"},
    ]


def test_a_text_block_with_more_than_text_stays_a_block_of_its_own() -> None:
    cited = {"type": "text", "text": "quoted", "citations": []}
    result = interpolate("a {x} b", {"x": Thing()}, convert=lambda value: [cited])
    assert result.content == [{"type": "text", "text": "a "}, cited, {"type": "text", "text": " b"}]
    other = {"type": "document", "text": "d", "source": {"type": "text", "data": "d"}}
    result = interpolate("{x}", {"x": Thing()}, convert=lambda value: [other])
    assert result.content == [other]


def test_only_text_blocks_give_a_plain_string() -> None:
    result = interpolate("[{x}]", {"x": Thing()}, convert=lambda v: [{"type": "text", "text": "t"}])
    assert result.content == "[t]"


def test_a_reference_right_after_a_code_span_is_noted_and_one_inside_is_not() -> None:
    result = interpolate("`code`{nosuchvar} and `{inside}`", {})
    assert result.unresolved == ["{nosuchvar}"]
    assert result.kept == ["{nosuchvar}", "{inside}"]
    assert result.content == "`code`{nosuchvar} and `{inside}`"


def test_a_long_repr_says_exactly_how_much_was_cut() -> None:
    result = interpolate("{x}", {"x": Thing()}, repr_limit=10)
    assert result.content == "TTTTTTTTTT… [20 more characters]"
    assert interpolate("{x}", {"x": Thing()}, repr_limit=30).content == "T" * 30
    assert interpolate("{x}", {"x": Thing()}, repr_limit=29).content == (
        "T" * 29 + "… [1 more characters]"
    )
