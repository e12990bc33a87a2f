"""Answers the teaching responder can work out: arithmetic, one label, few-shot examples.

* Arithmetic: number words and symbols ("plus", "더하기", "×", "^") become an expression that
  is evaluated safely (``ast``, numbers and + - * / // % ** only); "sum/average/max/min/
  product of [list]" (합/평균/최댓값/최솟값/곱), "N% of M" and "square root of N" / "N의
  제곱근" too. It answers when the prompt asks ("what is", "calculate", "?", "계산", "얼마",
  "은?") or is mostly the expression; a bare range like "3-5 tips" is not arithmetic.
* Classification: a cue ("classify", "label", "sentiment", "one of", "분류", "감정", "중 하나")
  and a list of labels ("positive, negative or neutral", "spam or not spam", "긍정/부정",
  "A 또는 B") give exactly one label: by a small bilingual sentiment lexicon when the labels
  have a polarity, else by cue words per label and the label's own word in the text.
* Few-shot: earlier user/assistant turns with short answers, or "input -> output" lines in
  the prompt ending with an empty output, are followed: same transformation when one fits
  (upper/lower case, reversed, length), else the labels seen, chosen as above.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from claude_nb.emulator._patterns import lazy

__all__ = ["arithmetic", "classify", "few_shot", "labels_in"]


def _split(words: str) -> list[str]:
    return words.split()


_NUM = r"-?\d+(?:\.\d+)?"
WORD_OPS = (
    (r"\bto the power of\b|\braised to\b|\^|제곱하기", " ** "),
    (r"\bplus\b|\badded to\b|더하기|\+", " + "),
    (r"\bminus\b|빼기|−", " - "),
    (r"\btimes\b|\bmultiplied by\b|곱하기|×|(?<=\d)\s*x\s*(?=\d)", " * "),
    (r"\bdivided by\b|나누기|÷", " / "),
    (r"\bmod(?:ulo)?\b|나머지", " % "),
)
EXPRESSION = lazy(rf"\(?\s*{_NUM}\s*\)?(?:\s*(?:\*\*|[-+*/%])\s*\(?\s*{_NUM}\s*\)?)+")
ASKS = lazy(
    r"\bwhat(?:'s|\s+is|\s+are)\b|\bcalculat|\bcompute|\bevaluat|\bhow\s+(?:much|many)\b|"
    r"\bequals?\b|\bsolve|\?|계산|얼마|몇|값은|결과|구해|알려",
    re.IGNORECASE,
)
AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "sum": sum,
    "total": sum,
    "average": lambda xs: sum(xs) / len(xs),
    "mean": lambda xs: sum(xs) / len(xs),
    "max": max,
    "maximum": max,
    "largest": max,
    "min": min,
    "minimum": min,
    "smallest": min,
    "product": math.prod,
    "합": sum,
    "합계": sum,
    "총합": sum,
    "평균": lambda xs: sum(xs) / len(xs),
    "최댓값": max,
    "최대값": max,
    "최솟값": min,
    "최소값": min,
    "곱": math.prod,
}
_NUMBERS = rf"\[?\s*{_NUM}(?:\s*(?:,|and|와|과|,\s*and)\s*{_NUM})+\s*\]?"
AGGREGATE_EN = lazy(
    rf"\b(sum|total|average|mean|max(?:imum)?|largest|min(?:imum)?|smallest|product)\s+of\s+"
    rf"(?:the\s+numbers\s+)?({_NUMBERS})",
    re.IGNORECASE,
)
AGGREGATE_KO = lazy(
    rf"({_NUMBERS})\s*(?:의|에서)?\s*(합계|총합|합|평균|최댓값|최대값|최솟값|최소값|곱)"
)
PERCENT = lazy(rf"({_NUM})\s*%\s*of\s*({_NUM})|({_NUM})\s*의\s*({_NUM})\s*%", re.I)
ROOT = lazy(rf"square\s+root\s+of\s+({_NUM})|({_NUM})\s*의\s*제곱근|√\s*({_NUM})", re.I)
_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise ValueError("exponent too large")
        return float(_OPS[type(node.op)](left, right))
    raise ValueError("not arithmetic")


def _shown(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(_NUM, text)]


def arithmetic(text: str) -> tuple[str, str] | None:
    """``(expression, value)`` when ``text`` asks for a calculation (see the docstring)."""
    prose = re.sub(r"```.*?(?:```|$)", " ", text, flags=re.DOTALL)
    if not ASKS.search(prose):
        return _bare(prose)
    for match in AGGREGATE_EN.finditer(prose):
        values = _numbers(match.group(2))
        name = match.group(1).lower()
        return f"{name}({', '.join(_shown(v) for v in values)})", _shown(AGGREGATES[name](values))
    for match in AGGREGATE_KO.finditer(prose):
        values = _numbers(match.group(1))
        name = match.group(2)
        return f"{name}({', '.join(_shown(v) for v in values)})", _shown(AGGREGATES[name](values))
    percent = PERCENT.search(prose)
    if percent:
        share, whole = (
            (percent.group(1), percent.group(2))
            if percent.group(1)
            else (percent.group(4), percent.group(3))
        )
        return f"{share}% × {whole}", _shown(float(share) / 100 * float(whole))
    root = ROOT.search(prose)
    if root:
        number = float(next(g for g in root.groups() if g))
        if number >= 0:
            return f"√{_shown(number)}", _shown(math.sqrt(number))
    return _expression(prose)


def _normalise(text: str) -> str:
    for pattern, symbol in WORD_OPS:
        text = re.sub(pattern, symbol, text, flags=re.IGNORECASE)
    return text.replace(",", "") if re.search(r"\d,\d{3}\b", text) else text


def _expression(prose: str) -> tuple[str, str] | None:
    normal = _normalise(prose)
    best = max(EXPRESSION.finditer(normal), key=lambda m: len(m.group(0)), default=None)
    if best is None:
        return None
    found = " ".join(best.group(0).split())
    after = normal[best.end() :].lstrip()
    bare = re.fullmatch(rf"{_NUM}[-/]{_NUM}", found) is not None
    if bare and re.match(r"[A-Za-z]", after) and not re.match(r"(?:is|equals?)\b", after, re.I):
        return None  # a range or a date ("3-5 tips", "1/2")
    try:
        value = _evaluate(ast.parse(found.replace("( ", "(").strip(), mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return found.replace("**", "^"), _shown(value)


def _bare(prose: str) -> tuple[str, str] | None:
    letters = re.sub(r"[\s?!.=]", "", _normalise(prose))
    found = _expression(prose)
    if found is None or not letters:
        return None
    core = re.sub(r"\s", "", found[0].replace("^", "**"))
    return found if len(core) >= 0.6 * len(letters) else None


LABEL_CUE = lazy(
    r"classif|categori[sz]|\blabel|sentiment|\btag\b|which\s+(?:category|class|one)|one\s+of|"
    r"\bis\s+(?:it|this|the)\b|answer\s+with|reply\s+with|respond\s+with|\bas\s+either\b|"
    r"분류|감정|감성|라벨|레이블|카테고리|중\s*하나|중에서|판단|판별|골라|인지",
    re.IGNORECASE,
)
_ITEM = r"[\"'`]?[A-Za-z가-힣][\w'-]*[\"'`]?"
OR_LIST = lazy(rf"({_ITEM})((?:\s*,\s*{_ITEM})*)\s*,?\s*(?:or|또는|혹은|아니면)\s+({_ITEM})")
SLASH_LIST = lazy(r"(?<![\w/])([A-Za-z가-힣][\w-]*(?:\s*/\s*[A-Za-z가-힣][\w-]*)+)")
COMMA_LIST = lazy(
    rf"(?:\(|\b(?:one\s+of|labels?|categories|options|choices|classes)\s*[:：]?)\s*"
    rf"({_ITEM}(?:\s*,\s*{_ITEM})+)",
    re.IGNORECASE,
)
OR_NOT = lazy(r"\b([A-Za-z][\w-]*)\s+or\s+not(?:\s+\1)?\b", re.IGNORECASE)
KO_WHETHER = lazy(r"([가-힣A-Za-z]+)인지\s*([가-힣A-Za-z]+)인지")
_PARTICLE = lazy(
    r"(?:으로만|로만|으로|중에서|중|인지|이나|이라고|라고|로|을|를|은|는|이|가|와|과)$"
)
_NOT_LABELS = frozenset(_split("it this that the a an is as with one of either"))

POLARITY = {
    "positive": 1,
    "pos": 1,
    "good": 1,
    "happy": 1,
    "joy": 1,
    "praise": 1,
    "satisfied": 1,
    "like": 1,
    "긍정": 1,
    "긍정적": 1,
    "좋음": 1,
    "칭찬": 1,
    "만족": 1,
    "기쁨": 1,
    "negative": -1,
    "neg": -1,
    "bad": -1,
    "sad": -1,
    "angry": -1,
    "complaint": -1,
    "dislike": -1,
    "부정": -1,
    "부정적": -1,
    "나쁨": -1,
    "불만": -1,
    "슬픔": -1,
    "화남": -1,
    "neutral": 0,
    "mixed": 0,
    "중립": 0,
    "보통": 0,
    "other": 0,
}
GOOD_WORDS = lazy(
    r"love|great|excellent|good|happy|amazing|wonderful|fantastic|best|enjoy|perfect|awesome|"
    r"delight|pleased|recommend|nice|fast|helpful|beautiful|좋|최고|행복|훌륭|만족|사랑|감사|맛있|"
    r"추천|친절|빠르|멋지|기쁘|완벽",
    re.IGNORECASE,
)
BAD_WORDS = lazy(
    r"hate|terrible|awful|bad|worst|poor|disappoint|broke|angry|sad|refund|slow|never again|"
    r"useless|horrible|rude|waste|annoy|fail|싫|최악|나쁘|실망|별로|화나|불만|고장|느리|불친절|"
    r"환불|짜증|엉망|아쉽|형편없",
    re.IGNORECASE,
)
NEGATION = lazy(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$|안\s*$|못\s*$", re.IGNORECASE)
LABEL_CUES: dict[str, str] = {
    "spam": r"free|win|prize|click|offer|urgent|\$\d|money|무료|당첨|클릭|광고|이벤트",
    "bug": r"error|crash|broken|fail|exception|bug|오류|에러|버그|안\s*돼|멈춰",
    "feature": r"add|would like|could you|please support|feature|추가|기능|지원",
    "question": r"\?|how|what|why|when|where|can i|어떻게|무엇|왜|언제|어디",
    "sports": r"game|match|team|score|league|goal|player|경기|선수|골|리그|팀",
    "politics": r"election|vote|government|minister|senate|parliament|선거|정부|국회|장관",
    "technology": r"software|computer|ai|app|phone|chip|code|internet|소프트웨어|컴퓨터|앱|기술",
    "business": r"market|stock|company|revenue|profit|sales|시장|주식|회사|매출|이익",
    "health": r"doctor|health|disease|vaccine|hospital|건강|병원|질병|의사",
    "science": r"research|study|scientist|physics|biology|연구|과학|실험",
    "food": r"recipe|restaurant|taste|cook|dish|음식|식당|맛|요리",
    "urgent": r"asap|immediately|urgent|now|critical|긴급|즉시|당장",
}


def _clean(label: str) -> str:
    label = label.strip("\"'`.,;: ")
    stripped = _PARTICLE.sub("", label)
    return stripped if len(stripped) >= 1 else label


def labels_in(text: str) -> list[str]:
    """The labels ``text`` asks to choose from (empty when it does not ask)."""
    if not LABEL_CUE.search(text):
        return []
    found: list[str] = []
    or_not = OR_NOT.search(text)
    whether = KO_WHETHER.search(text)
    slash = SLASH_LIST.search(text)
    listed = OR_LIST.search(text)
    commas = COMMA_LIST.search(text)
    if or_not:
        found = [or_not.group(1), f"not {or_not.group(1)}"]
    elif slash:
        found = [part.strip() for part in slash.group(1).split("/")]
    elif listed:
        middle = [part for part in listed.group(2).split(",") if part.strip()]
        found = [listed.group(1), *middle, listed.group(3)]
    elif commas:
        found = commas.group(1).split(",")
    elif whether:
        found = [whether.group(1), whether.group(2)]
    labels = [_clean(label) for label in found]
    labels = [label for label in labels if label and label.lower() not in _NOT_LABELS]
    return list(dict.fromkeys(labels)) if len(set(labels)) >= 2 else []


def _polarity(text: str) -> int:
    score = 0
    for pattern, sign in ((GOOD_WORDS, 1), (BAD_WORDS, -1)):
        for match in pattern.finditer(text):
            flipped = NEGATION.search(text[max(0, match.start() - 12) : match.start()])
            score += -sign if flipped else sign
    return score


def classify(text: str, labels: list[str]) -> str:
    """The one label of ``labels`` that fits ``text`` best (the first on a tie)."""
    for label in labels:
        text = re.sub(rf"\b{re.escape(label)}\b", " ", text, flags=re.IGNORECASE)
    text = re.sub(
        r"classif\w*|sentiment|label\w*|categor\w*|분류\w*|감정|감성", " ", text, flags=re.I
    )
    polar = {label: POLARITY.get(label.lower()) for label in labels}
    if sum(value is not None for value in polar.values()) >= 2:
        score = _polarity(text)
        sign = (score > 0) - (score < 0)
        for label, value in polar.items():
            if value == sign:
                return label
        return next((label for label, value in polar.items() if value is not None), labels[0])
    scores = []
    for label in labels:
        key = label.lower().removeprefix("not ").strip()
        cue = LABEL_CUES.get(key) or LABEL_CUES.get(key.rstrip("s")) or re.escape(key)
        hits = len(re.findall(cue, text, re.IGNORECASE))
        scores.append(-hits if label.lower().startswith("not ") else hits)
    if any(label.lower().startswith("not ") for label in labels) and max(scores) <= 0:
        return next(label for label in labels if label.lower().startswith("not "))
    return labels[scores.index(max(scores))]


ARROW = lazy(r"^\s*(?:input:\s*)?(.+?)\s*(?:->|→|=>|\t|\boutput:|:)\s*(.*?)\s*$", re.I)
TRANSFORMS: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.lower,
    lambda s: s[::-1],
    lambda s: str(len(s)),
    str.title,
)


def _follow(examples: list[tuple[str, str]], query: str) -> str | None:
    for transform in TRANSFORMS:
        if all(transform(source) == target for source, target in examples):
            return transform(query)
    outputs = list(dict.fromkeys(target for _, target in examples))
    if all(len(target.split()) <= 3 for target in outputs) and len(outputs) >= 2:
        polar = [label for label in outputs if label.lower() in POLARITY]
        if len(polar) >= 2:
            return classify(query, outputs)
        overlap = [len(set(query.lower().split()) & set(s.lower().split())) for s, _ in examples]
        return examples[overlap.index(max(overlap))][1]
    return None


def few_shot(history: list[tuple[str, str]], prompt: str) -> str | None:
    """The answer following the examples (earlier turns or ``a -> b`` lines), or None."""
    if len(history) >= 2 and all(len(answer.split()) <= 3 for _, answer in history):
        return _follow(history, prompt.strip())
    lines = [line for line in prompt.strip().splitlines() if line.strip()]
    pairs = [ARROW.match(line) for line in lines]
    if len(lines) >= 3 and all(pairs[-3:]):
        examples = [(m.group(1), m.group(2)) for m in pairs[:-1] if m and m.group(2)]
        last = pairs[-1]
        if last is not None and not last.group(2) and len(examples) >= 2:
            return _follow(examples, last.group(1))
    return None
