"""Extractive answers and the system prompt's shape, for the teaching responder.

* Material: the text of ``document`` blocks (``source.type`` ``text``, or ``content`` with
  text blocks), extra text blocks of the message, else the prompt's text after its first line
  or colon, or a long quoted passage. A base64 PDF is not read offline: only its page count
  and size are reported.
* Summaries ("summarize", "tl;dr", "key points", "요약", "간추려", "핵심") quote the
  material's first sentences (3, or as many as asked: "one sentence", "N sentences", "한
  문장"; "N words" quotes the first N words). A question about the material quotes its most
  relevant sentences (shared words, or shared two-letter pieces for Korean).
* The system prompt's shape: bullet points ("bullet", "글머리표"), one sentence ("one
  sentence", "한 문장"), a role ("You are a pirate", "당신은 해적입니다") mentioned first.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from claude_nb._api.estimate import pdf_page_count
from claude_nb.emulator._patterns import lazy

__all__ = ["Shape", "material", "pdf_facts", "question_about", "sentences", "shape_of", "summary"]


def _split(words: str) -> list[str]:
    return words.split()


SUMMARY = lazy(
    r"summar|tl;?dr|key\s+points|main\s+points|\bgist\b|\brecap|condense|요약|간추|핵심|줄여",
    re.IGNORECASE,
)
QUESTION = lazy(
    r"\?|\b(?:what|who|when|where|why|how|which|does|do|is|are|according|name|list)\b|"
    r"무엇|누가|누구|언제|어디|왜|어떻게|몇|무슨|어떤|알려|인가요|나요|까\b",
    re.IGNORECASE,
)
BULLETS = lazy(r"bullet|글머리|목록으로|항목으로|리스트로|list format", re.IGNORECASE)
ONE_SENTENCE = lazy(
    r"\b(?:one|1|a single|single)\s+(?:short\s+)?sentence|한\s*문장|1\s*문장", re.I
)
ROLE_EN = lazy(
    r"\byou\s+are\s+((?:an?|the)\s+[^.,;:!\n]{2,40}?)(?=\s+(?:who|that|and|with|answering)\b|[.,;:!\n]|$)",
    re.IGNORECASE,
)
ROLE_KO = lazy(
    r"(?:당신은|너는|넌)\s*([^.,!\n]{1,30}?)\s*(?:입니다|이에요|예요|이야|야|이다|다)(?=[.!\s]|$)"
)
_SENTENCE = lazy(r"(?<=[.!?。])\s+|\n+")
_WORDS = lazy(r"[A-Za-z0-9]{3,}|[가-힣]{2,}")
_STOP = frozenset(_split("the and for are was were this that with from what which does have has"))
N_SENTENCES = lazy(r"(\d{1,2})\s*(?:sentences?|문장)", re.IGNORECASE)
N_WORDS = lazy(r"(\d{1,4})\s*(?:words?|단어)", re.IGNORECASE)


@dataclass(frozen=True)
class Shape:
    """What the system prompt asks of the answer's form."""

    bullets: bool = False
    one_sentence: bool = False
    role: str | None = None


def shape_of(system: str) -> Shape:
    """The ``Shape`` a system prompt asks for."""
    role = ROLE_EN.search(system) or ROLE_KO.search(system)
    return Shape(
        bullets=bool(BULLETS.search(system)),
        one_sentence=bool(ONE_SENTENCE.search(system)),
        role=" ".join(role.group(1).split()) if role else None,
    )


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (and lines)."""
    return [part.strip() for part in _SENTENCE.split(text) if len(part.strip()) > 1]


def _document_text(block: dict[str, Any]) -> str:
    source = block.get("source") or {}
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        return str(source["data"])
    if source.get("type") == "content":
        content = source.get("content")
        if isinstance(content, str):
            return content
        return "\n".join(
            str(part.get("text", "")) for part in content or [] if isinstance(part, dict)
        )
    return ""


def pdf_facts(block: dict[str, Any]) -> tuple[str, int, int] | None:
    """``(title, pages, bytes)`` of a base64 PDF document block, else None."""
    source = block.get("source") or {}
    if source.get("type") != "base64" or source.get("media_type") != "application/pdf":
        return None
    try:
        raw = base64.b64decode(str(source.get("data", "")))
    except (binascii.Error, ValueError):
        raw = b""
    return str(block.get("title") or "document"), max(1, pdf_page_count(raw)), len(raw)


def material(prompt: str, blocks: list[dict[str, Any]]) -> tuple[str, str]:
    """``(material, instruction)``: the given text to work on and what is asked about it."""
    documents = [_document_text(b) for b in blocks if b.get("type") == "document"]
    texts = [str(b.get("text", "")) for b in blocks if b.get("type") == "text"]
    given = [text for text in documents if text.strip()]
    if given:
        return "\n".join(given), prompt
    if len(texts) >= 2:
        longest = max(texts, key=len)
        return longest, "\n".join(t for t in texts if t is not longest)
    lines = prompt.strip().split("\n", 1)
    if len(lines) == 2 and len(lines[1].strip()) >= 40:
        return lines[1].strip(), lines[0]
    head, colon, rest = prompt.partition(":")
    if colon and len(rest.strip()) >= 40 and len(head) <= 160:
        return rest.strip(), head
    quoted = re.search(r"[\"“]([^\"”]{40,})[\"”]", prompt)
    if quoted:
        return quoted.group(1), prompt.replace(quoted.group(0), " ")
    return "", prompt


def summary(text: str, instruction: str) -> list[str]:
    """The material's own sentences (or words) as asked by ``instruction``."""
    parts = sentences(text)
    words = N_WORDS.search(instruction)
    if words:
        return [" ".join(text.split()[: int(words.group(1))])]
    count = 1 if ONE_SENTENCE.search(instruction) else 3
    asked = N_SENTENCES.search(instruction)
    if asked:
        count = int(asked.group(1))
    return parts[: max(1, count)]


def _keys(text: str) -> set[str]:
    keys: set[str] = set()
    for word in _WORDS.findall(text.lower()):
        if word in _STOP:
            continue
        if re.match(r"[가-힣]", word):
            keys |= {word[i : i + 2] for i in range(len(word) - 1)}
        else:
            keys.add(word.rstrip("s") if len(word) > 4 else word)
    return keys


def question_about(text: str, question: str, count: int = 2) -> list[str]:
    """The ``count`` sentences of ``text`` sharing most with ``question``, in text order."""
    parts = sentences(text)
    wanted = _keys(question)
    ranked = sorted(range(len(parts)), key=lambda i: (-len(_keys(parts[i]) & wanted), i))[
        : max(1, count)
    ]
    return [parts[i] for i in sorted(ranked)]


def is_question(text: str) -> bool:
    """Whether ``text`` asks something."""
    return bool(QUESTION.search(text))
