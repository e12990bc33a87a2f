"""Which language a text is in, for replies and notices (pure): Korean or not.

One rule, shared by the offline emulator (it answers in the prompt's language) and the
notebook (its offline notice): fenced and inline code are ignored; a text is Korean when
Hangul makes up at least ``KOREAN_SHARE`` of its letters, or when it has any Hangul and no
long run of English (``LONG_ENGLISH`` letters or more outside code).
"""

from __future__ import annotations

import re

__all__ = ["KOREAN_SHARE", "LONG_ENGLISH", "hangul_share", "is_korean"]

KOREAN_SHARE = 0.2
LONG_ENGLISH = 40
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.DOTALL)
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z\s,.'’!?;:-]*[A-Za-z]")


def _prose(text: str) -> str:
    return _CODE.sub(" ", text)


def hangul_share(text: str) -> float:
    """The share of Hangul among the letters of ``text`` outside code (0.0 with no letters)."""
    prose = _prose(text)
    hangul = len(_HANGUL.findall(prose))
    latin = len(_LATIN.findall(prose))
    return hangul / (hangul + latin) if hangul + latin else 0.0


def is_korean(text: str) -> bool:
    """Whether ``text`` is Korean by the module's rule (see the docstring)."""
    prose = _prose(text)
    if not _HANGUL.search(prose):
        return False
    if hangul_share(prose) >= KOREAN_SHARE:
        return True
    longest = max((len(_LATIN.findall(run)) for run in _ENGLISH_RUN.findall(prose)), default=0)
    return longest < LONG_ENGLISH
