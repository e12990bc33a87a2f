"""Definitions and "explain X in N sentences" for the teaching responder, honestly.

* "What is an API key?", "Define recursion.", "토큰이 뭐예요?", "프롬프트 캐싱이란 무엇인가요?":
  when a term of the small glossary (``_glossary``) is asked about, its sentences (three, one
  for a one-sentence system prompt, bullets for a bullet one).
* "Explain X in 3 sentences", "in two paragraphs", "세 문장으로", "세 줄로": exactly N sentences
  (paragraphs, lines): the glossary's when it knows X, then placeholder sentences that say
  plainly they stand in for a real model's. Never random filler words.
"""

from __future__ import annotations

import re

from claude_nb.emulator._counts import sentences_asked
from claude_nb.emulator._extract import shape_of
from claude_nb.emulator._glossary import TERMS, Term
from claude_nb.emulator._lang import say

__all__ = ["define", "explain_in"]

DEFINE = re.compile(
    r"\bwhat(?:'s|\s+is|\s+are)\b|\bwhat\s+does\b.*\bmean|\bdefin(?:e|ition)\b|\bexplain|"
    r"\bdescribe\b|\btell\s+me\s+about\b|\bmeaning\s+of\b|"
    r"뭐예요|뭐에요|뭐야|뭔가요|뭔지|뭐지|뭡니까|무엇|이란|(?<![가-힣])란\s*\?|"
    r"설명|알려\s*(?:줘|주세요|줄래)|뜻",
    re.IGNORECASE,
)
_CUES = re.compile(
    r"\b(?:please|explain|describe|define|what(?:'s|\s+is|\s+are)?|tell\s+me\s+about|write|"
    r"give\s+me|in|about|briefly|simply)\b|설명해\s*(?:줘|주세요|줄래)?|써\s*(?:줘|주세요)|"
    r"알려\s*(?:줘|주세요)|(?:으로|로)\s*$|[?.!:,]",
    re.IGNORECASE,
)
_PARTICLE = re.compile(r"(?<=[가-힣]{2})(?:을|를|이|가|은|는|에\s*대해|에\s*대한|란|이란)$")
PLACEHOLDERS = (
    (
        "The offline emulator has no worked explanation of {topic}",
        "A real model would explain {topic} here",
        "Point {i} about {topic} would go here",
        "Run with an API key to get a real answer about {topic}",
        "This sentence only holds the place of one a model would write",
    ),
    (
        "오프라인 에뮬레이터에는 {topic}에 대한 설명이 준비되어 있지 않습니다",
        "실제 모델이라면 여기서 {topic}을(를) 설명할 것입니다",
        "{topic}에 대한 {i}번째 내용이 이 자리에 들어갑니다",
        "API 키로 실행하면 {topic}에 대한 진짜 답을 받을 수 있습니다",
        "이 문장은 모델이 쓸 문장을 대신하는 자리 표시입니다",
    ),
)
LEADS = (
    (
        "From the offline emulator's small glossary (a real model would say more):",
        "The offline emulator has no explanation of {topic}; these sentences only hold a "
        "model's place:",
    ),
    (
        "오프라인 에뮬레이터의 작은 용어집에서 가져온 설명입니다(실제 모델은 더 자세히 답합니다):",
        "오프라인 에뮬레이터에는 {topic}에 대한 설명이 없어, 모델이 쓸 문장의 자리만 채웁니다:",
    ),
)


EXPLAIN_VERB = re.compile(
    r"\b(?:explain|describe|define|tell\s+me\s+about|write\s+about|what(?:'s|\s+is|\s+are))\b|"
    r"\bwrite\b|설명|알려|써\s*(?:줘|주세요)|작성",
    re.IGNORECASE,
)
_ASKED_EN = (
    r"(?:what(?:'s|\s+is|\s+are)|what\s+does|define|explain|describe|tell\s+me\s+about|"
    r"meaning\s+of)\s+(?:what\s+)?(?:an?\s+|the\s+)?(?:python\s+|pandas\s+|http\s+)?(?:{0})"
)
_ASKED_KO = (
    r"(?:{0})\s*(?:이|가|은|는|이란|란|라는\s*(?:게|것은?|건))?\s*(?:뭐|무엇|뭔|무슨|어떤)|"
    r"(?:{0}).{{0,30}}?(?:설명|알려)"
)


def term_in(text: str) -> Term | None:
    """The glossary term ``text`` asks about ("what is X", "X이 뭐예요", "X를 설명해 줘").

    The term must be what is asked ("Claude 모델 등급을 고를 때 무엇을…" is not about "model");
    the longest such match wins, the first on a tie.
    """
    best: tuple[int, int, Term] | None = None
    for order, term in enumerate(TERMS):
        for pattern in (_ASKED_EN.format(term.english), _ASKED_KO.format(term.korean)):
            match = re.search(pattern, text, re.IGNORECASE)
            if match and (best is None or (len(match.group(0)), -order) > best[:2]):
                best = (len(match.group(0)), -order, term)
    return best[2] if best else None


def _topic(prompt: str, korean: bool) -> str:
    text = re.sub(r"\s+", " ", prompt).strip()
    found = re.search(
        r"(?:\d{1,2}|[a-z]+|[가-힣]{1,2})\s*-?\s*(?:sentences?|paragraphs?|lines?|문장|문단|단락|줄)"
        r"(?:\s*(?:으로|로))?",
        text,
        re.IGNORECASE,
    )
    if found:
        text = (text[: found.start()] + " " + text[found.end() :]).strip()
    for _ in range(3):
        text = _CUES.sub(" ", text)
        text = re.sub(r"^\s*(?:an?|the|what|how|why)\s+|\s+(?:is|are|means?|works?)\s*$", " ", text)
        text = " ".join(text.split())
    words = re.sub(r"(?<=[가-힣])에\s*(?:대해서?|대한|관해서?|관한)(?![가-힣])", "", text).split()
    if words and korean:
        words[-1] = _PARTICLE.sub("", words[-1])
    topic = " ".join(words)[:60].strip()
    return topic or ("이 주제" if korean else "this topic")


def _lines(term: Term | None, topic: str, count: int, korean: bool) -> list[str]:
    known = list(term.says[1 if korean else 0]) if term else []
    templates = PLACEHOLDERS[1 if korean else 0]
    name = term.names[1 if korean else 0] if term else topic
    out = known[:count]
    index = 0
    while len(out) < count:
        template = templates[(index + (1 if term else 0)) % len(templates)]
        out.append(template.format(topic=name, i=len(out) + 1))
        index += 1
    return [line + "." for line in out]


def _shaped(lead: str, lines: list[str], system: str, korean: bool, joiner: str) -> str:
    shape = shape_of(system)
    role = [say("role", korean, role=shape.role)] if shape.role else []
    body = "\n".join(f"- {line}" for line in lines) if shape.bullets else joiner.join(lines)
    return "\n".join([*role, lead, "", body])


def define(prompt: str, system: str, korean: bool) -> str | None:
    """The glossary's answer to "what is X" / "X이 뭐예요", or None."""
    if len(prompt) > 200 or not DEFINE.search(prompt):
        return None
    term = term_in(prompt)
    if term is None:
        return None
    count = 1 if shape_of(system).one_sentence else 3
    lines = _lines(term, "", count, korean)
    return _shaped(LEADS[1 if korean else 0][0], lines, system, korean, " ")


def explain_in(prompt: str, system: str, korean: bool) -> str | None:
    """Exactly N sentences, paragraphs or lines about the prompt's topic, or None."""
    asked = sentences_asked(prompt)
    if asked is None:
        return None
    count, kind = asked
    term = term_in(prompt)
    if term is None and not EXPLAIN_VERB.search(prompt):
        return None  # "한 문장으로 인사해 줘": a length, not an explanation
    topic = _topic(prompt, korean)
    lead = LEADS[1 if korean else 0][0 if term else 1].format(topic=topic)
    if kind == "p":
        sentences = _lines(term, topic, count * 2 + (1 if term else 0), korean)
        first = 3 if term else 2
        paragraphs = [" ".join(sentences[:first])]
        paragraphs += [" ".join(sentences[i : i + 2]) for i in range(first, len(sentences), 2)]
        return _shaped(lead, paragraphs[:count], "", korean, "\n\n")
    lines = _lines(term, topic, count, korean)
    return _shaped(lead, lines, system, korean, "\n" if kind == "l" else " ")
