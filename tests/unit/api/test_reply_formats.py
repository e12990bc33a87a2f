"""``claude_nb._api.formats``: the format instructions and the one code extraction.

``Reply.code`` and ``%%claude -f code`` (``_notebook.outputs``) both use ``extract_code``.
"""

from __future__ import annotations

from claude_nb import Reply
from claude_nb._api.formats import (
    CODE_INSTRUCTION,
    JSON_INSTRUCTION,
    extract_code,
    with_format_instruction,
)
from claude_nb._notebook import outputs

TWO_BLOCKS = "Here:\n```python\nprint('hi')\n```\nand\n```\nx = 1\n```\n"


def reply(text: str) -> Reply:
    message = {"role": "assistant", "content": [{"type": "text", "text": text}]}
    return Reply(message=message, model="m", request={})


def test_reply_code_joins_the_fenced_blocks_else_is_the_whole_text() -> None:
    assert reply(TWO_BLOCKS).code == "print('hi')\n\nx = 1"
    assert reply("  x = 2\n").code == "x = 2"
    assert reply("").code == ""
    namespace: dict[str, object] = {}
    exec(reply("```python\ndef f(n):\n    return n * 2\n```").code, namespace)
    assert namespace["f"](21) == 42  # type: ignore[operator]


def test_one_implementation() -> None:
    assert outputs.extract_code is extract_code
    assert extract_code(TWO_BLOCKS) == reply(TWO_BLOCKS).code


def test_instructions_are_appended_never_replacing() -> None:
    assert with_format_instruction(None, "json") == JSON_INSTRUCTION
    assert with_format_instruction("", "code") == CODE_INSTRUCTION
    assert with_format_instruction("Be kind.\n", "json") == f"Be kind.\n\n{JSON_INSTRUCTION}"
    blocks = [{"type": "text", "text": "Rules.", "cache_control": {"type": "ephemeral"}}]
    assert with_format_instruction(blocks, "code") == [
        *blocks,
        {"type": "text", "text": CODE_INSTRUCTION},
    ]
    assert len(blocks) == 1  # not mutated
    for plain in ("markdown", "text", None):
        assert with_format_instruction("Be kind.", plain) == "Be kind."
    twice = with_format_instruction(with_format_instruction("S", "json"), "json")
    assert twice == f"S\n\n{JSON_INSTRUCTION}"
