"""The teaching responder's two languages: which one to answer in, and its phrases.

The reply is Korean when the latest user text is Korean (``claude_nb._api.language``), unless
the system prompt asks for a language ("answer in Korean" / "한국어로", "answer in English" /
"영어로"). Every fixed phrase is a pair in ``PHRASES`` (English, Korean).
"""

from __future__ import annotations

import re

from claude_nb._api.language import is_korean
from claude_nb.emulator._patterns import lazy

__all__ = ["PHRASES", "reply_korean", "say"]

ASK_KOREAN = lazy(
    r"\b(?:answer|reply|respond|write|speak|talk)\w*\b[^.\n]{0,30}\bin\s+korean\b|\bin\s+korean\b"
    r"|한국어로|한국말로|한글로",
    re.IGNORECASE,
)
ASK_ENGLISH = lazy(
    r"\b(?:answer|reply|respond|write|speak|talk)\w*\b[^.\n]{0,30}\bin\s+english\b|영어로",
    re.IGNORECASE,
)
TRANSLATE = re.compile(
    r"\btranslat|\bhow\s+(?:do|would|can)\s+(?:you|i|we)\s+say\b|번역|"
    r"(?:영어|한국어)로\s*(?:뭐|어떻게|옮겨|바꿔)",
    re.IGNORECASE,
)

PHRASES: dict[str, tuple[str, str]] = {
    "marker": ("*(offline emulator)*", "*(오프라인 에뮬레이터)*"),
    "honest": (
        "This is the offline emulator (claude_nb), a deterministic stand-in for `{model}`: "
        "nothing left this machine, so there is no real answer here. You wrote:",
        "오프라인 에뮬레이터(claude_nb)가 `{model}` 대신 답합니다. 이 컴퓨터 밖으로 나간 "
        "것이 없으니 진짜 모델의 답은 아닙니다. 입력하신 내용:",
    ),
    "system": (
        "System prompt noted ({n} characters): “{text}”.",
        "시스템 프롬프트를 반영했습니다({n}자): “{text}”.",
    ),
    "role": ("Speaking as {role}:", "{role}(으)로서 답합니다:"),
    "image": ("Image {i}: {fact}.", "이미지 {i}: {fact}."),
    "document": ("Document: {fact}.", "문서: {fact}."),
    "table": ("Table: {fact}.", "표: {fact}."),
    "tools": (
        "Tools offered: {names} (name one in the prompt to see a call).",
        "제공된 도구: {names} (프롬프트에 이름을 쓰면 호출합니다).",
    ),
    "calling": ("Calling {names}.", "{names}을(를) 호출합니다."),
    "results": ("Here is what the tools returned:", "도구가 돌려준 결과입니다:"),
    "returned": ("`{name}` returned:", "`{name}`의 결과:"),
    "tool_error": ("`{name}` reported an error:", "`{name}`에서 오류가 났습니다:"),
    "code": (
        "Here is {what}; it runs as it is:",
        "{what} 코드입니다. 그대로 실행됩니다:",
    ),
    "code_named": (
        "The function is called `{name}`, as you asked.",
        "요청하신 대로 함수 이름은 `{name}`입니다.",
    ),
    "skeleton": (
        "I have no worked answer for this offline, so here is a runnable skeleton to fill in:",
        "오프라인에서는 완성된 답이 없어, 채워 넣을 수 있는 실행 가능한 뼈대를 드립니다:",
    ),
    "arithmetic": ("**{value}** ({expression} = {value})", "**{value}** ({expression} = {value})"),
    "summary": (
        "A summary in the text's own words (the offline emulator quotes, it does not paraphrase):",
        "원문의 문장을 그대로 옮긴 요약입니다(오프라인 에뮬레이터는 인용만 합니다):",
    ),
    "answer_from": (
        "From the given text, the most relevant passage:",
        "주어진 글에서 가장 관련 있는 부분입니다:",
    ),
    "no_material": (
        "There is no text to work on here, so here is the request itself:",
        "다룰 글이 없어 요청 내용을 그대로 보여 드립니다:",
    ),
    "pdf": (
        "I cannot read PDF text offline; the PDF “{title}” has {pages} page(s), {size} bytes.",
        "오프라인에서는 PDF의 글을 읽을 수 없습니다. PDF “{title}”: {pages}쪽, {size}바이트.",
    ),
    "thinking": (
        "The user wrote {n} characters. Offline emulator: I will {plan}.",
        "사용자가 {n}자를 썼습니다. 오프라인 에뮬레이터: {plan}.",
    ),
}


def reply_korean(user_text: str, system: str) -> bool:
    """Whether to answer in Korean: an explicit ask (system, then user), else the user's text."""
    for text in (system, user_text):
        if text is user_text and TRANSLATE.search(text):
            break  # "Translate 'hi' into Korean", "영어로 번역해 줘": a target, not the reply's
        if ASK_KOREAN.search(text):
            return True
        if ASK_ENGLISH.search(text):
            return False
    return is_korean(user_text)


def say(key: str, korean: bool, **values: object) -> str:
    """The phrase ``key`` in the reply's language, filled with ``values``."""
    english, hangul = PHRASES[key]
    return (hangul if korean else english).format(**values)
