"""A tiny English-Korean phrasebook: the teaching responder translates only what it knows.

"Translate 'good morning' into Korean.", "How do you say 'thank you' in Korean?", "'감사합니다'를
영어로 번역해 줘", "'월요일'은 영어로 뭐야?": about 70 greetings, thanks, numbers 1-10, days,
colours and nouns of the course. Anything else, or another language, gets an honest "no
translation offline", in the reply's language.
"""

from __future__ import annotations

import re

__all__ = ["translation"]

PAIRS = """hello=안녕하세요|hi=안녕|good morning=좋은 아침입니다|good evening=좋은 저녁입니다
good night=안녕히 주무세요|goodbye=안녕히 가세요|bye=잘 가|see you later=나중에 봐요
thank you=감사합니다|thanks=고마워요|thank you very much=정말 감사합니다|you're welcome=천만에요
sorry=미안합니다|excuse me=실례합니다|please=부탁합니다|yes=네|no=아니요
nice to meet you=만나서 반갑습니다|how are you=어떻게 지내세요|i love you=사랑해요
congratulations=축하합니다|happy birthday=생일 축하합니다
welcome=환영합니다|good luck=행운을 빕니다|cheers=건배|i don't know=모르겠습니다|help=도와주세요
one=하나|two=둘|three=셋|four=넷|five=다섯|six=여섯|seven=일곱|eight=여덟|nine=아홉|ten=열
monday=월요일|tuesday=화요일|wednesday=수요일|thursday=목요일|friday=금요일|saturday=토요일
sunday=일요일|today=오늘|tomorrow=내일|yesterday=어제|week=주|month=달|year=해
red=빨간색|blue=파란색|green=초록색|yellow=노란색|black=검은색|white=흰색|purple=보라색|orange=주황색
water=물|food=음식|book=책|school=학교|teacher=선생님|student=학생|friend=친구|house=집|cat=고양이
dog=강아지|computer=컴퓨터|notebook=노트북|question=질문|answer=답|language=언어|weather=날씨
spring=봄|summer=여름|autumn=가을|fall=가을|winter=겨울|coffee=커피|apple=사과|money=돈
data=데이터|model=모델|token=토큰|function=함수|list=리스트|dictionary=딕셔너리|error=오류"""
EN_KO: dict[str, str] = dict(
    pair.split("=", 1) for line in PAIRS.splitlines() for pair in line.split("|")
)
KO_EN: dict[str, str] = {}
for _english, _korean in EN_KO.items():
    _day = _english.endswith("day") and _english not in ("today", "yesterday")
    KO_EN.setdefault(_korean, _english.capitalize() if _day else _english)
KO_EN.update({"안녕": "hi", "고마워": "thanks", "감사해요": "thank you", "사랑해": "I love you"})

_Q = r"[\"'“‘`]"
_QE = r"[\"'”’`]"
_LANG_EN = r"korean|english|french|spanish|german|japanese|chinese|italian"
_LANG_KO = r"한국어|영어|프랑스어|스페인어|독일어|일본어|중국어|이탈리아어|한국말|영문"
ASKS = (
    re.compile(
        rf"\btranslate\s+(?:the\s+(?:word|phrase)\s+)?{_Q}(.+?){_QE}\s+(?:in)?to\s+({_LANG_EN})",
        re.I,
    ),
    re.compile(
        rf"\btranslate\s+(?:the\s+(?:word|phrase)\s+)?([\w' ]{{1,40}}?)\s+(?:in)?to\s+({_LANG_EN})",
        re.I,
    ),
    re.compile(
        rf"\bhow\s+(?:do|would|can)\s+(?:you|i|we)\s+say\s+{_Q}?(.+?){_QE}?\s+in\s+({_LANG_EN})",
        re.I,
    ),
    re.compile(rf"\bwhat\s+is\s+{_Q}(.+?){_QE}\s+in\s+({_LANG_EN})", re.I),
    re.compile(rf"{_Q}(.+?){_QE}\s*(?:을|를|은|는|이|가)?\s*({_LANG_KO})로"),
    re.compile(
        rf"([\w가-힣' ]{{1,30}}?)\s*(?:을|를|은|는)\s+({_LANG_KO})로\s*(?:번역|옮겨|바꿔|뭐|어떻게)"
    ),
)
_TARGETS = {
    "korean": "ko",
    "한국어": "ko",
    "한국말": "ko",
    "english": "en",
    "영어": "en",
    "영문": "en",
}
_KO_NAMES = {"french": "프랑스어", "spanish": "스페인어", "german": "독일어", "japanese": "일본어"}


def _clean(phrase: str) -> str:
    return re.sub(r"[.!?,~]+$", "", " ".join(phrase.lower().split())).strip()


def translation(prompt: str, korean: bool) -> str | None:
    """The phrasebook's answer to a translation request, or None when none is asked."""
    for pattern in ASKS:
        match = pattern.search(prompt)
        if match is None:
            continue
        phrase, language = match.group(1).strip(), match.group(2).lower()
        target = _TARGETS.get(language)
        key = _clean(phrase)
        found = (EN_KO.get(key) or KO_EN.get(key)) if target else None
        if found and target == "ko" and key in KO_EN and key not in EN_KO:
            found = None  # already Korean
        if found:
            lang = ("한국어" if target == "ko" else "영어") if korean else language.capitalize()
            if korean:
                source = "오프라인 에뮬레이터의 작은 상용구 사전"
                return f"“{phrase}”은(는) {lang}로 **{found}**입니다({source})."
            return (
                f"“{phrase}” in {lang}: **{found}** (from the offline emulator's small phrasebook)."
            )
        if korean:
            name = _KO_NAMES.get(language, language)
            return (
                f"오프라인 에뮬레이터의 작은 상용구 사전(영어↔한국어, 약 90개)에는 “{phrase}”의 "
                f"{name} 번역이 없습니다. 실제 모델이라면 번역해 줄 것입니다."
            )
        return (
            f"The offline emulator has no translation for “{phrase}” into "
            f"{language.capitalize()}: its phrasebook holds only about 90 common English and "
            "Korean words and phrases. A real model would translate it."
        )
    return None
