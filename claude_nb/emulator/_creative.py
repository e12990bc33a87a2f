"""Haiku, poems and stories from templates, clearly the emulator's, about the prompt's topic.

"Write a haiku about autumn" gives 3 lines, "a poem" / "시" 4 lines, "a (short) story" /
"이야기" / "동화" one paragraph; the topic ("about autumn", "가을에 대한") is put into one of a
few templates chosen by a hash of the prompt, so the same prompt gives the same piece.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["creative"]

KIND_EN = re.compile(
    r"\b(?:write|compose|create|make|give|tell|draft|generate|craft)\b[^.?!\n]{0,40}?"
    r"\b(haiku|poem|verse|limerick|sonnet|story|tale|fable)s?\b",
    re.IGNORECASE,
)
KIND_KO = re.compile(r"(하이쿠|(?<![가-힣])동?시(?=를|\s*한\s*편|\s|$)|이야기|동화|소설|짧은\s*글)")
KO_ASK = re.compile(r"써|지어|만들어|들려|작성|부탁")
TOPIC_EN = re.compile(
    r"\b(?:about|on|of)\s+((?:an?\s+|the\s+)?[\w' -]{1,40}?)\s*(?:[.,!?;]|$|\bin\b|\bfor\b)", re.I
)
TOPIC_KO = re.compile(
    r"([가-힣A-Za-z0-9]+(?:\s[가-힣A-Za-z0-9]+)?)(?:에\s*대한|에\s*관한|에\s*대해|을\s*주제로|를\s*주제로|이\s*나오는|가\s*나오는)"
)

HAIKU = (
    ("{t}, quiet and near", "a slow wind turns the pages", "the day keeps its breath"),
    ("morning light on {t}", "one small sound, then none at all", "the kettle is warm"),
)
POEM = (
    (
        "I went looking for {t} today,",
        "and found it waiting by the door;",
        "it asked for nothing, not a word,",
        "and stayed a little longer than before.",
    ),
    (
        "Say {t} softly, say it twice,",
        "the way you say a friend's name;",
        "some things are plain and still are nice,",
        "and tomorrow they will be the same.",
    ),
)
STORY = (
    "This is a short story about {t}. Every morning, {u} waited for something new to happen. "
    "One day a small surprise arrived and changed the plan. By evening everything about {u} "
    "looked a little different, and a little better.",
)
HAIKU_KO = (
    ("{t} 곁에서", "바람이 천천히 책장을 넘기네", "하루가 숨을 고른다"),
    ("아침 햇살 속 {t}", "작은 소리 하나 그리고 고요", "주전자가 따뜻하다"),
)
POEM_KO = (
    (
        "오늘 나는 {t}을(를) 찾아 나섰다",
        "문 앞에서 조용히 기다리고 있었다",
        "아무것도 바라지 않은 채",
        "어제보다 조금 더 오래 머물렀다",
    ),
    (
        "{t}을(를) 나지막이 불러 본다",
        "친구의 이름을 부르듯이",
        "평범해도 다정한 것들은",
        "내일도 그 자리에 있을 것이다",
    ),
)
STORY_KO = (
    "이것은 {t}에 대한 짧은 이야기입니다. 매일 아침 {t}은(는) 새로운 일이 생기기를 기다렸습니다. "
    "어느 날 작은 놀라운 일이 찾아와 계획을 바꾸어 놓았습니다. 저녁이 되자 {t}의 모든 것이 "
    "조금 달라 보였고, 조금 더 좋아 보였습니다.",
)
LEADS = {
    False: "A {kind} from the offline emulator's templates (a real model would write its own):",
    True: "오프라인 에뮬레이터의 틀로 만든 {kind}입니다(실제 모델은 직접 지어 씁니다):",
}
KO_KINDS = {"haiku": "하이쿠", "poem": "시", "story": "이야기"}


def _kind(prompt: str) -> str | None:
    match = KIND_EN.search(prompt)
    if match:
        word = match.group(1).lower()
        return (
            "haiku"
            if word == "haiku"
            else "story"
            if word in ("story", "tale", "fable")
            else "poem"
        )
    match = KIND_KO.search(prompt)
    if match and KO_ASK.search(prompt):
        word = match.group(1)
        return "haiku" if word == "하이쿠" else "poem" if word.endswith("시") else "story"
    return None


def creative(prompt: str, korean: bool) -> str | None:
    """A templated haiku, poem or story answering ``prompt``, or None when none is asked."""
    kind = _kind(prompt)
    if kind is None:
        return None
    found = (TOPIC_KO if korean else TOPIC_EN).search(prompt) or TOPIC_EN.search(prompt)
    topic = " ".join(found.group(1).split()) if found else ("바다" if korean else "the sea")
    pick = int(hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:8], 16)
    if kind == "story":
        again = re.sub(r"^(?:an?)\s+", "the ", topic)  # "a robot", then "the robot"
        body = (STORY_KO if korean else STORY)[pick % 1].format(t=topic, u=again)
    else:
        table = {"haiku": (HAIKU, HAIKU_KO), "poem": (POEM, POEM_KO)}
        lines = table[kind][korean][pick % 2]
        body = "\n".join(line.format(t=topic) for line in lines)
        body = body[:1].upper() + body[1:]
    name = KO_KINDS[kind] if korean else kind
    return f"{LEADS[korean].format(kind=name)}\n\n{body}"
