"""The teaching responder's first answers, before the older rules of ``_offline._teach``.

In order: a SQL query (``_sql``), a haiku/poem/story template (``_creative``), a phrasebook
translation (``_phrasebook``), code (``_code_reply``), a summary of a text given in the prompt
itself (``_summarise``: Korean, short texts, "한 줄로", "TL;DR"), exactly N sentences /
paragraphs / lines about a topic (``_explain``), a glossary definition. Each returns None
when the prompt does not ask for it; then ``_offline`` goes on (N words, arithmetic, labels,
few-shot, summaries of documents, the honest echo).
"""

from __future__ import annotations

from typing import Any

from claude_nb.emulator._code_reply import code_reply, is_code_request
from claude_nb.emulator._creative import creative
from claude_nb.emulator._explain import define, explain_in
from claude_nb.emulator._extract import SUMMARY, shape_of
from claude_nb.emulator._lang import say
from claude_nb.emulator._phrasebook import translation
from claude_nb.emulator._sql import sql_reply
from claude_nb.emulator._summarise import summary_of_prompt
from claude_nb.emulator._teach import arithmetic, labels_in
from claude_nb.emulator._words import words_wanted

__all__ = ["teach_more"]


def _summary(prompt: str, system: str, korean: bool) -> str | None:
    found = summary_of_prompt(prompt)
    if found is None:
        return None
    quoted, _ = found
    shape = shape_of(system)
    if shape.one_sentence:
        quoted = quoted[:1]
    role = [say("role", korean, role=shape.role)] if shape.role else []
    lines = [f"- {line}" if shape.bullets else f"> {line}" for line in quoted]
    return "\n".join([*role, say("summary", korean), "", *lines])


def teach_more(
    body: dict[str, Any], prompt: str, last: list[dict[str, Any]], system: str, korean: bool
) -> str | None:
    """The answer of the first rule that applies (see the module docstring), or None."""
    answer = sql_reply(prompt, korean) or creative(prompt, korean) or translation(prompt, korean)
    if answer is not None:
        return answer
    if is_code_request(prompt, system):
        return code_reply(prompt, korean)
    own_text = all(block.get("type") == "text" for block in last) and len(last) <= 1
    if not own_text:
        return None
    answer = _summary(prompt, system, korean)
    if answer is not None:
        return answer
    wanted = words_wanted(prompt)
    if wanted is not None and wanted[1] == "w":
        return None  # "write N words" stays N varied words (``_words``)
    if arithmetic(prompt) or labels_in(prompt) or SUMMARY.search(prompt):
        return None
    return explain_in(prompt, system, korean) or define(prompt, system, korean)
