"""A "how do I X" question is a code request when X is a programming task of the library.

"How do I merge two dicts in Python?", "How can I sort a dictionary by value?", "파이썬에서 두
딕셔너리를 어떻게 합치나요?", "Write a context manager example": the prompt asks how or for an
example (``HOW_TO``), names something of
programming (``PROGRAMMING``: Python, a list, a dict, a string, a DataFrame ...) and a task of
the library matches (checked by ``_code_reply``). "How do I choose a good chart for my data?"
names nothing of programming, so it stays prose.
"""

from __future__ import annotations

import re

__all__ = ["HOW_TO", "PROGRAMMING"]

HOW_TO = re.compile(
    r"\bhow\s+(?:do|can|could|would|should)\s+(?:i|you|we|one)\b|\bhow\s+to\b|\bwhat(?:'s|\s+is)\s+"
    r"the\s+(?:best|easiest|simplest|pythonic)\s+way\b|\bis\s+there\s+a\s+way\b|"
    r"^\s*(?:use|using)\s|\b(?:write|show|give|create|make|implement|build|example)\b|"
    r"어떻게|방법|하려면|하는\s*법|예제|예시",
    re.IGNORECASE,
)
PROGRAMMING = re.compile(
    r"\bpython\b|\bpandas\b|\bnumpy\b|\bdict(?:ionar(?:y|ies))?s?\b|\blists?\b|\bstrings?\b|"
    r"\btuples?\b|\barrays?\b|\bdataframes?\b|\bvariables?\b|\bfunctions?\b|\bclass(?:es)?\b|"
    r"\bjson\b|\bcsv\b|\bregex\b|\bint(?:eger)?s?\b|\bdatetime\b|\bdecorators?\b|"
    r"\bgenerators?\b|\bcontext\s+managers?\b|\bdataclass(?:es)?\b|\burllib\b|\bexceptions?\b|"
    r"\bcode\b|\bscript\b|\brecursion\b|\brecursive(?:ly)?\b|\bcomprehensions?\b|"
    r"파이썬|판다스|넘파이|딕셔너리|리스트|문자열|튜플|배열|데이터\s*프레임|변수|함수|클래스|"
    r"제너레이터|데코레이터|재귀|예외",
    re.IGNORECASE,
)
