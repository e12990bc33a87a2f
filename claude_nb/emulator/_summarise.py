"""Summaries of a text given in the prompt itself, in Korean or English, for the teacher.

"다음 글을 요약해 줘: 오늘은 … 놀았다.", "한 줄로 요약해 줘: …", "핵심만 두 문장으로 알려 줘:
…", "TL;DR: …", "Summarise this: …", "In brief, what does this say? …": the text after the
instruction (after its colon, first line or question mark; short texts too) cut into sentences
on . ! ? 。 and, where a text has no such marks, after Korean sentence endings (…다, …요); the
first sentences are quoted (3, or as many as asked: "one line", "한 줄", "두 문장", "N words").
"""

from __future__ import annotations

import re

from claude_nb.emulator._counts import sentences_asked
from claude_nb.emulator._extract import ONE_SENTENCE, SUMMARY, summary

__all__ = ["split_sentences", "summary_of_prompt"]

CUE = re.compile(
    rf"{SUMMARY.pattern}|\bin\s+brief\b|\bbriefly\b|\bsummari[sz]e\b|한\s*줄\s*(?:로|요약)|"
    r"짧게\s*정리|정리해\s*(?:줘|주세요)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"(?<=[.!?。])\s+|\n+")
_KO_END = re.compile(r"(?<=[다요죠까네])\s+(?=[가-힣A-Za-z0-9\"'“])")
_WORDS_ASKED = re.compile(r"\d{1,4}\s*(?:words?|단어)", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """``text`` cut into sentences: on . ! ? 。 (and Korean endings in unmarked runs)."""
    parts: list[str] = []
    for piece in _TERMINAL.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if re.search(r"[가-힣]", piece) and not re.search(r"[.!?。]\s*\S", piece):
            parts += [p.strip() for p in _KO_END.split(piece) if p.strip()]
        else:
            parts.append(piece)
    return [part for part in parts if len(part) > 1]


def _given(prompt: str) -> tuple[str, str]:
    """``(text, instruction)`` of a prompt that carries its own text."""
    text = prompt.strip()
    cue = CUE.search(text)
    if cue is None:
        return "", text
    head, rest = text[: cue.end()], text[cue.end() :]
    match = re.search(r"[:：\n?]", rest)
    if match is None:
        before = re.search(r"[:：\n]", head)
        if before and len(text[before.end() :].strip()) > 0 and before.start() > 0:
            return head[before.end() :].strip() + rest, head[: before.start()]
        return "", text
    given = rest[match.end() :].strip()
    instruction = head + rest[: match.end()]
    return (given, instruction) if len(given) >= 6 else ("", text)


def summary_of_prompt(prompt: str) -> tuple[list[str], str] | None:
    """``(quoted sentences, instruction)`` when the prompt asks to summarise its own text."""
    given, instruction = _given(prompt)
    if not given or re.search(r"^\s*\|.*\|\s*$", given, re.MULTILINE):
        return None  # a Markdown table (a DataFrame) is described, not quoted, elsewhere
    if _WORDS_ASKED.search(instruction):
        return summary(given, instruction), instruction
    parts = split_sentences(given)
    asked = sentences_asked(instruction)
    count = asked[0] if asked else 3
    if ONE_SENTENCE.search(instruction) or re.search(r"\bone\s+line\b|한\s*줄", instruction):
        count = 1
    return parts[: max(1, count)], instruction
