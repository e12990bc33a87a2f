"""Long text for "write N words" / "N단어": exactly N varied words, deterministic.

The words are drawn from an English or a Korean vocabulary (plus the prompt's topic words,
e.g. "about tides") by a ``random.Random`` seeded with a hash of the prompt, in sentences of
6 to 14 words and paragraphs of about 80, so the same prompt gives the same text. Counting
``text.split()`` gives exactly N. It reads as filler, not prose: a stand-in for length.
"""

from __future__ import annotations

import hashlib
import random
import re

from claude_nb.emulator._patterns import lazy

__all__ = ["MAX_WORDS", "WORD_REQUEST", "long_text", "words_wanted"]


def _split(words: str) -> list[str]:
    return words.split()


MAX_WORDS = 50000
WORD_REQUEST = lazy(
    r"(?<![\d.])(\d{1,6})\s*(?:-|\s)?(words?|paragraphs?|sentences?|단어|문단|단락|문장)(?![A-Za-z])"
    # "at most 5 words each" / "5단어씩" bound every item, not the whole reply
    r"(?!\s*(?:씩|each\b|per\b|apiece\b|a\s+(?:line|bullet|item|point)\b))",
    re.IGNORECASE,
)
_TOPIC = lazy(r"\b(?:about|on|regarding|describing)\s+((?:[A-Za-z][\w-]*\s*){1,3})", re.I)
_KO_TOPIC = lazy(r"([가-힣]{2,})(?:에\s*대해|에\s*대한|에\s*관해|에\s*관한)")

ENGLISH = _split("""
river light morning quiet garden simple window careful answer bright story careful number
water slowly small system together paper music market learning evening winter summer
model token stream notebook kernel cell output question reason example detail pattern
gentle steady curious useful patient clear honest local early later often always never
walks builds reads writes listens watches carries follows opens closes grows changes
mountain valley forest harbor island bridge road city village field ocean cloud stone
teacher student friend neighbour writer painter engineer farmer sailor baker doctor child
because while after before although where when since until unless though whenever
under over between across around through beyond toward within without along beside
warm cold soft loud sharp round heavy light narrow wide deep shallow fresh ancient
data value table chart signal method answer request reply budget cache record ledger
calm wild kind brave plain rich young old quick slow fair bold rare common
""")
KOREAN = _split("""
강물 아침 햇살 조용한 정원 창문 이야기 대답 숫자 시장 저녁 겨울 여름 바람 구름
모델 토큰 흐름 노트북 커널 셀 출력 질문 이유 예시 세부 규칙 배움 학생 선생님
천천히 함께 가끔 언제나 자주 이미 아직 조금 많이 다시 먼저 나중에 오래 곧 벌써
걷는다 만든다 읽는다 쓴다 듣는다 본다 나른다 따른다 연다 닫는다 자란다 바뀐다
산 골짜기 숲 항구 섬 다리 길 도시 마을 들판 바다 돌 하늘 별 달 강 호수
친구 이웃 작가 화가 기술자 농부 선원 제빵사 의사 아이 가족 손님 주인 동료
따뜻한 차가운 부드러운 밝은 어두운 넓은 좁은 깊은 새로운 오래된 작은 커다란
그리고 그래서 하지만 그런데 또한 만약 비록 때문에 동안 이후 이전 사이 너머 곁에
자료 값 표 차트 신호 방법 요청 응답 예산 기록 장부 계산 문장 단어 문단 공책
""")


def words_wanted(text: str) -> tuple[int, str] | None:
    """``(count, unit)`` when ``text`` asks for N words, paragraphs or sentences."""
    match = WORD_REQUEST.search(text)
    if match is None:
        return None
    unit = match.group(2).lower()
    kind = "w"
    if unit.startswith(("p", "문단", "단락")):
        kind = "p"
    elif unit.startswith(("s", "문장")):
        kind = "s"
    return int(match.group(1)), kind


def _topic(prompt: str, korean: bool) -> list[str]:
    match = (_KO_TOPIC if korean else _TOPIC).search(prompt)
    if match is None:
        return []
    words = [w for w in match.group(1).split() if w.lower() not in {"the", "a", "an"}]
    return [w.strip(".,!?").lower() if not korean else w for w in words][:3]


def long_text(prompt: str, count: int, kind: str, korean: bool) -> str:
    """Exactly ``count`` words (80 per paragraph, 14 per sentence when ``kind`` is p/s)."""
    wanted = min(MAX_WORDS, count * {"p": 80, "s": 14}.get(kind, 1))
    seed = int(hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:16], 16)
    rng = random.Random(seed)
    vocabulary = (KOREAN if korean else ENGLISH) + _topic(prompt, korean) * 6
    words: list[str] = []
    sentence: list[str] = []
    target = rng.randint(6, 14) if kind != "s" else 14
    for _ in range(wanted):
        sentence.append(rng.choice(vocabulary))
        if len(sentence) >= target:
            words.extend(_close(sentence, korean))
            sentence = []
            target = rng.randint(6, 14) if kind != "s" else 14
    if sentence:
        words.extend(_close(sentence, korean))
    size = 80
    paragraphs = [" ".join(words[start : start + size]) for start in range(0, len(words), size)]
    return "\n\n".join(paragraphs)


def _close(sentence: list[str], korean: bool) -> list[str]:
    if not korean:
        sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
    sentence[-1] += "."
    return sentence
