"""Citations as numbered footnotes (``claude_nb._api.citations``), and their display."""

from __future__ import annotations

from claude_nb._api.citations import citation_source, number_citations
from claude_nb._display.content import render_content

CHAR = {
    "type": "char_location",
    "cited_text": "The sky is blue.",
    "document_index": 0,
    "document_title": "Facts",
    "start_char_index": 20,
    "end_char_index": 36,
}
PAGE = {
    "type": "page_location",
    "cited_text": "Costs $5",
    "document_index": 1,
    "document_title": None,
    "start_page_number": 3,
    "end_page_number": 5,
}
BLOCKS = [
    {"type": "text", "text": "According to the text, "},
    {"type": "text", "text": "the sky is blue", "citations": [CHAR]},
    {"type": "text", "text": " and "},
    {"type": "text", "text": "it costs $5", "citations": [PAGE, CHAR]},
    {"type": "text", "text": "."},
]


def test_each_distinct_citation_is_numbered_once_in_order():
    numbered = number_citations(BLOCKS)
    assert numbered.text(markdown=False) == (
        "According to the text, the sky is blue[1] and it costs $5[2][1]."
    )
    assert numbered.footnotes_plain().splitlines() == [
        "[1] “The sky is blue.” — “Facts”, characters 20–35",
        "[2] “Costs $5” — document 2, pp. 3–4",
    ]
    assert "$" not in numbered.footnotes_markdown().replace("<span>&#36;</span>", "")


def test_sources_are_named_for_every_kind():
    assert (
        citation_source(
            {
                "type": "content_block_location",
                "document_title": "Notes",
                "start_block_index": 0,
                "end_block_index": 1,
            }
        )
        == "“Notes”, block 1"
    )
    assert (
        citation_source(
            {"type": "search_result_location", "title": "sales row 4", "source": "sales[4]"}
        )
        == "“sales row 4” (sales[4])"
    )
    assert (
        citation_source(
            {
                "type": "page_location",
                "document_index": 0,
                "start_page_number": 2,
                "end_page_number": 3,
            }
        )
        == "document 1, p. 2"
    )


def test_cited_text_blocks_render_as_one_paragraph_with_markers():
    markdown = render_content({"content": BLOCKS})
    assert markdown == (
        "According to the text, the sky is blue<sup>[1]</sup> and it costs $5<sup>[2][1]</sup>."
    )


def test_uncited_text_blocks_render_as_before():
    content = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    assert render_content({"content": content}) == "a\n\nb"
