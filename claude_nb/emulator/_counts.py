"""Counts in prompts, in Korean and English: "세 명의 학생", "학생 다섯 명", "three students".

* Korean: digits or native numerals (한/하나, 두/둘, 세/셋, 네/넷, 다섯 ... 열, 열두, 스무)
  with a counter (명, 개, 권, 가지, 마리, 줄, 편, 곳, 문장, 문단 ...), the counted thing
  before ("학생 세 명") or after ("세 명의 학생").
* English: digits or number words (one ... twenty, "a couple of") before a noun ("three
  students", "3 items"), or "a list/array of N things", "top N".

``count_of`` finds the first count of things (not of keys, words or years); ``sentences_asked``
the "N sentences / paragraphs / lines" a prompt asks for (digits or words, both languages).
"""

from __future__ import annotations

import re

__all__ = ["count_of", "items_asked", "number", "sentences_asked"]

KO_NATIVE = {
    "한": 1,
    "하나": 1,
    "두": 2,
    "둘": 2,
    "세": 3,
    "셋": 3,
    "석": 3,
    "네": 4,
    "넷": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
    "열": 10,
    "스무": 20,
    "스물": 20,
}
EN_NUMBERS = {
    "one": 1,
    "single": 1,
    "two": 2,
    "couple": 2,
    "pair": 2,
    "three": 3,
    "few": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
_KO_NUM = r"\d{1,3}|열\s*(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉)|" + "|".join(
    sorted(KO_NATIVE, key=len, reverse=True)
)
_EN_NUM = r"\d{1,3}|(?:a\s+)?(?:couple|pair|few)(?:\s+of)?|" + "|".join(EN_NUMBERS)
_COUNTER = r"명|개|권|가지|마리|줄|편|곳|대|장|쌍|건|문장|문단|단락|사람"
_ENDS = r"(?=$|[^가-힣]|의|을|를|이|가|은|는|과|와|로|으로|만|씩|에|짜리|정도)"
KO_AFTER = re.compile(rf"(?<![가-힣\d])({_KO_NUM})\s*({_COUNTER}){_ENDS}\s*(?:의\s*)?([가-힣]+)?")
KO_BEFORE = re.compile(rf"([가-힣]{{1,8}}?)(?:을|를|이|가)?\s+({_KO_NUM})\s*({_COUNTER}){_ENDS}")
EN_COUNT = re.compile(
    rf"\b(?:(?:list|array|set)\s+of\s+|top\s+)?({_EN_NUM})\s+"
    r"(?:(?:short|simple|different|random|example|sample|fake|famous|new|more|made-up|"
    r"fictional|distinct|unique)\s+)*([A-Za-z][\w-]*)",
    re.IGNORECASE,
)
NOT_THINGS = frozenset(
    [
        "key",
        "keys",
        "field",
        "fields",
        "property",
        "properties",
        "attribute",
        "attributes",
        "column",
        "columns",
        "word",
        "words",
        "sentence",
        "sentences",
        "paragraph",
        "paragraphs",
        "line",
        "lines",
        "character",
        "characters",
        "letter",
        "letters",
        "year",
        "years",
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "second",
        "seconds",
        "percent",
        "times",
        "time",
        "decimal",
        "decimals",
        "digit",
        "digits",
        "tokens",
        "token",
        "문장",
        "문단",
        "단락",
        "줄",
        "단어",
        "글자",
    ]
)
_PARTICLE = re.compile(r"(?<=[가-힣]{2})(?:의|을|를|은|는|이|가|과|와|로|으로|에|들)$")
SENTENCES = re.compile(
    rf"(?:\b|(?<=\s)|^)({_EN_NUM}|{_KO_NUM})\s*-?\s*(sentences?|paragraphs?|lines?|문장|문단|단락|줄)"
    r"(?![A-Za-z])(?!\s*(?:씩|each\b|per\b|apiece\b))",
    re.IGNORECASE,
)


def number(word: str) -> int | None:
    """The value of a digit string or a number word ("세", "열두", "three", "a few")."""
    word = " ".join(word.split()).lower()
    if word.isdigit():
        return int(word)
    if word.startswith("열") and len(word) > 1:
        rest = KO_NATIVE.get(word[1:].strip())
        return 10 + rest if rest else None
    if word in KO_NATIVE:
        return KO_NATIVE[word]
    core = re.sub(r"^a\s+|\s+of$", "", word)
    return EN_NUMBERS.get(core)


def count_of(text: str) -> tuple[int, str] | None:
    """``(count, thing)`` of the first counted thing in ``text``, or None."""
    found: list[tuple[int, int, str]] = []
    for match in KO_AFTER.finditer(text):
        value = number(match.group(1))
        thing = _PARTICLE.sub("", match.group(3) or match.group(2))
        if value and match.group(2) not in NOT_THINGS:
            found.append((match.start(), value, thing))
    for match in KO_BEFORE.finditer(text):
        value = number(match.group(2))
        thing = _PARTICLE.sub("", match.group(1))
        if value and match.group(3) not in NOT_THINGS:
            found.append((match.start(), value, thing))
    for match in EN_COUNT.finditer(text):
        value = number(match.group(1))
        thing = match.group(2).lower()
        if value and thing not in NOT_THINGS and not thing.isdigit():
            found.append((match.start(), value, thing))
    if not found:
        return None
    _, value, thing = min(found)
    return (value, thing) if 1 <= value <= 50 else None


def items_asked(text: str, wants_list: bool) -> tuple[int, str] | None:
    """The count of items a JSON request asks for, read in its instruction only.

    The first line before a colon ("세 명의 학생 ... JSON 배열로", "three students as JSON"), so
    data after "문장:" / "text:" is not counted; one item only when a list is asked for.
    """
    instruction = re.split(r"[:：\n]", text.strip(), maxsplit=1)[0]
    found = count_of(instruction)
    if found is None or (found[0] < 2 and not wants_list):
        return None
    thing = found[1]
    if re.fullmatch(r"[a-z]+s", thing) and not thing.endswith("ss"):
        thing = thing[:-1]
    return found[0], thing


def sentences_asked(text: str) -> tuple[int, str] | None:
    """``(N, "s" | "p" | "l")`` for "3 sentences", "two paragraphs", "세 문장", "한 줄"."""
    match = SENTENCES.search(text)
    if match is None:
        return None
    value = number(match.group(1))
    unit = match.group(2).lower()
    kind = "p" if unit.startswith(("p", "문단", "단락")) else "l" if unit in ("줄",) else "s"
    if unit.startswith("line"):
        kind = "l"
    return (value, kind) if value and 1 <= value <= 20 else None
