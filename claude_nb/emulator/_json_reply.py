"""JSON requests for the teaching responder: only a JSON value, keys as asked.

A request is JSON when ``output_config.format.type`` is ``json_schema`` (the answer is an
instance of the schema: types, ``required``, ``enum``/``const``, nested objects and arrays,
``minItems``/``maxItems``, bounds, local ``$ref``, the first of ``anyOf``/``oneOf``), or when
the latest user text or the system prompt says JSON (outside code fences) or "JSON으로" /
"제이슨". Keys come from, in order: the schema; quoted words in the prompt (``"name"``);
a list after "keys/fields/properties/키/필드/항목" ("with keys name, age and city", "키: a, b")
or before "키/필드" ("name, age 키를"). Values are plausible for the key's name (``age`` an
integer, ``tags`` a list, ``is_*`` a boolean ...), in Korean for a Korean prompt. With no
keys: a list when a list/array of N things is asked, else a small object about the prompt.
"""

from __future__ import annotations

import json
import re
from typing import Any

from claude_nb.emulator._counts import items_asked
from claude_nb.emulator._patterns import lazy

__all__ = ["asked_keys", "is_json_request", "json_reply", "schema_instance"]


def _split(words: str) -> list[str]:
    return words.split()


_FENCED = lazy(r"```.*?(?:```|$)", re.DOTALL)
JSON_WORD = lazy(r"(?<![A-Za-z])json(?![A-Za-z])|제이슨", re.IGNORECASE)
_KEY = r"[A-Za-z_](?:[\w-]|\.(?=\w))*|[가-힣]+"  # a dot only inside a key (a.b), not after it
_SEP = r"\s*(?:,|/|;|\band\b|\bor\b|&|와|과|및|,?\s*그리고)\s*"
_KEYS = rf"(?:[`\"']?(?:{_KEY})[`\"']?{_SEP})*[`\"']?(?:{_KEY})[`\"']?"
KEY_LIST_AFTER = lazy(
    rf"\b(?:keys?|fields?|properties|attributes|columns|entries)\b\s*(?:[:=(]|called|named|"
    rf"like|such as|are|is|for|of)?\s*({_KEYS})"
    rf"|(?:키|필드|항목|속성)\s*(?:는|은|:|=|\(|로는|으로는)\s*({_KEYS})",
    re.IGNORECASE,
)
KEY_LIST_BEFORE = lazy(
    rf"({_KEYS})\s*(?:라는\s*|이라는\s*)?(?:키|필드|항목|속성|\bkeys?\b|\bfields?\b)",
    re.IGNORECASE,
)
ENUMERATION = lazy(
    rf"(?:{_KEY})(?:\s*,\s*(?:{_KEY}))*\s*,?\s*(?:\band\b|\bor\b|&|와|과|및)\s*(?:{_KEY})",
    re.IGNORECASE,
)
_ARTICLES = frozenset(("the", "a", "an", "its", "their", "his", "her"))
QUOTED_KEY = lazy(r"[\"“`']([A-Za-z_][\w-]{0,40})[\"”`']")
COUNT_OF = lazy(
    r"\b(\d{1,2})\s+([A-Za-z]+)|(?:list|array)\s+of\s+(\d{1,2})\s+([A-Za-z]+)|([가-힣]+)\s*(\d{1,2})\s*개",
    re.IGNORECASE,
)
_NOT_KEYS = frozenset(
    _split(
        "an the and or json with keys key fields field only object value values reply answer "
        "format return give me please 키 필드 항목"
    )
)

EXAMPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "color": (
        ("red", "green", "blue", "yellow", "purple"),
        ("빨강", "초록", "파랑", "노랑", "보라"),
    ),
    "fruit": (
        ("apple", "banana", "cherry", "mango", "pear"),
        ("사과", "바나나", "체리", "망고", "배"),
    ),
    "city": (("Seoul", "Paris", "Lima", "Oslo", "Tokyo"), ("서울", "부산", "대구", "인천", "광주")),
    "animal": (
        ("cat", "dog", "fox", "owl", "whale"),
        ("고양이", "강아지", "여우", "부엉이", "고래"),
    ),
    "country": (
        ("Korea", "France", "Peru", "Norway", "Japan"),
        ("한국", "프랑스", "페루", "노르웨이", "일본"),
    ),
    "name": (
        ("Ada", "Grace", "Alan", "Linus", "Guido"),
        ("김민지", "이서준", "박지우", "최도윤", "정하은"),
    ),
    "language": (
        ("Python", "Rust", "Go", "Java", "Julia"),
        ("파이썬", "러스트", "고", "자바", "줄리아"),
    ),
    "planet": (
        ("Mercury", "Venus", "Earth", "Mars", "Jupiter"),
        ("수성", "금성", "지구", "화성", "목성"),
    ),
    "book": (
        ("Dune", "Emma", "Beloved", "Ulysses", "Hamlet"),
        ("토지", "태백산맥", "무정", "혼불", "미생"),
    ),
}
BOOLEAN_WORDS = frozenset(
    _split("is has can enabled active valid done ok success available completed verified")
)
INTEGER_WORDS = frozenset(
    _split(
        "id count quantity number n total rank index population size length width pages stock "
        "calories minutes seconds hours days level rooms students items_count"
    )
)
NUMBER_WORDS = frozenset(
    _split(
        "price amount score rating cost weight height temperature percent speed distance "
        "latitude longitude confidence probability salary"
    )
)
KO_THINGS = {
    "색": "color",
    "색깔": "color",
    "과일": "fruit",
    "도시": "city",
    "동물": "animal",
    "나라": "country",
    "국가": "country",
    "이름": "name",
    "언어": "language",
    "행성": "planet",
    "책": "book",
}


def _prose(text: str) -> str:
    return _FENCED.sub(" ", text)


def is_json_request(body: dict[str, Any], user_text: str, system: str) -> bool:
    """Whether the reply must be only a JSON value (see the module docstring)."""
    if json_schema(body) is not None:
        return True
    return bool(JSON_WORD.search(_prose(user_text)) or JSON_WORD.search(_prose(system)))


def json_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The ``output_config`` JSON schema of ``body``, if it asks for one."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
        return schema if isinstance(schema, dict) else {}
    return None


_PARTICLE = lazy(r"(?<=[가-힣]{2})(?:을|를|은|는|이|가|도|의|만)$")


def _split_keys(found: str) -> list[str]:
    parts = re.split(_SEP, found, flags=re.IGNORECASE)
    keys = [part.strip("`\"' ") for part in parts if part and part.strip("`\"' ")]
    return [_PARTICLE.sub("", key) for key in keys]  # 나이를 -> 나이


def asked_keys(text: str) -> list[str]:
    """The object keys ``text`` asks for (see the module docstring), in order."""
    prose = _prose(text)
    keys: list[str] = []
    for match in QUOTED_KEY.finditer(prose):
        keys.append(match.group(1))
    if not keys:
        for match in KEY_LIST_AFTER.finditer(prose):
            keys += _split_keys(match.group(1) or match.group(2))
    if not keys:
        for match in KEY_LIST_BEFORE.finditer(prose):
            keys += _split_keys(match.group(1))
    if not keys:  # "the title, author and year of a book as JSON": an enumeration
        for match in ENUMERATION.finditer(prose):
            keys += [key for key in _split_keys(match.group(0)) if key.lower() not in _ARTICLES]
            break
    unique: list[str] = []
    for key in keys:
        if key.lower() not in _NOT_KEYS and key not in unique and key.lower() != "json":
            unique.append(key)
    return unique


def _kind(key: str) -> str | None:
    lowered = key.lower()
    for thing in EXAMPLES:
        if thing in lowered:
            return thing
    return next((thing for word, thing in KO_THINGS.items() if word in key), None)


def value_for(key: str, korean: bool, index: int = 0) -> Any:
    """A plausible value for a field called ``key``."""
    lowered = key.lower().replace("-", "_")
    words = set(re.split(r"[_\s.]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", key).lower()))
    if words & BOOLEAN_WORDS or lowered.startswith(("is_", "has_", "can_", "in_")):
        return True
    if words & {"age", "나이"} or "나이" in key:
        return 30 + index
    if words & {"year", "연도"} or "연도" in key:
        return 2024
    if words & INTEGER_WORDS or any(word in key for word in ("개수", "인구", "수량")):
        return index + 1 if "id" in words or "rank" in words else 3 + index
    if words & NUMBER_WORDS or any(word in key for word in ("가격", "점수", "온도")):
        return round(4.5 + index, 2)
    if "email" in lowered:
        return f"user{index + 1}@example.com"
    if "url" in words or "link" in words or "website" in lowered:
        return "https://example.com"
    if words & {"date", "birthday", "created", "updated"}:
        return "2024-01-15"
    plural = lowered.endswith("s") and not lowered.endswith("ss") and len(lowered) > 3
    if plural or words & {"list", "items", "tags", "steps", "목록"}:
        return [_text_value(key[:-1] if plural else key, korean, i) for i in range(3)]
    return _text_value(key, korean, index)


def _text_value(key: str, korean: bool, index: int) -> Any:
    kind = _kind(key)
    if kind is not None:
        again = f" {index // 5 + 1}" if index >= 5 else ""  # the 6th of five is "cat 2"
        return EXAMPLES[kind][1 if korean else 0][index % 5] + again
    lowered = key.lower()
    if "sentiment" in lowered or "감정" in key:
        return "긍정" if korean else "positive"
    if any(word in lowered for word in ("summary", "description", "answer", "text", "reason")):
        return "오프라인 에뮬레이터가 만든 예시 값" if korean else "an example value made offline"
    if "title" in lowered or "제목" in key:
        return "예시 제목" if korean else "An example title"
    return f"예시 {key} {index + 1}" if korean else f"example {key} {index + 1}"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return target if isinstance(target, dict) else {}
    for combo in ("anyOf", "oneOf"):
        options = schema.get(combo)
        if isinstance(options, list) and options:
            usable = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            return _resolve((usable or options)[0], root)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            resolved = _resolve(part, root) if isinstance(part, dict) else {}
            for name, value in resolved.items():
                if isinstance(value, dict) and isinstance(merged.get(name), dict):
                    merged[name] = {**merged[name], **value}
                elif isinstance(value, list) and isinstance(merged.get(name), list):
                    merged[name] = merged[name] + value
                else:
                    merged[name] = value
        return merged
    return schema


def _typed(value: Any, kind: str) -> bool:
    checks = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
        "null": value is None,
    }
    return checks.get(kind, True)


def schema_instance(
    schema: dict[str, Any],
    korean: bool,
    key: str = "value",
    index: int = 0,
    root: dict[str, Any] | None = None,
) -> Any:
    """An instance of ``schema`` with plausible values (named by ``key``)."""
    root = root if root is not None else schema
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][index % len(schema["enum"])]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        properties = schema.get("properties") or {}
        return {
            name: schema_instance(spec if isinstance(spec, dict) else {}, korean, name, index, root)
            for name, spec in properties.items()
        }
    if kind == "array":
        raw = schema.get("items")
        items: dict[str, Any] = raw if isinstance(raw, dict) else {}
        count = max(int(schema.get("minItems", 0)), min(3, int(schema.get("maxItems", 3))))
        singular = key[:-1] if key.endswith("s") else key
        return [schema_instance(items, korean, singular, i, root) for i in range(count)]
    return _scalar(schema, str(kind), key, korean, index)


def _scalar(schema: dict[str, Any], kind: str, key: str, korean: bool, index: int) -> Any:
    guess = value_for(key, korean, index)
    if kind in ("integer", "number"):
        value = guess if _typed(guess, kind) else index + 1
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if isinstance(low, (int, float)) and value <= low:
            value = low + (1 if "exclusiveMinimum" in schema else 0)
        if isinstance(high, (int, float)) and value >= high:
            value = high - (1 if "exclusiveMaximum" in schema else 0)
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return guess if isinstance(guess, bool) else True
    if kind == "null":
        return None
    fmt = schema.get("format")
    text = {
        "email": "user@example.com",
        "date": "2024-01-15",
        "date-time": "2024-01-15T09:30:00Z",
        "uri": "https://example.com",
        "uuid": "123e4567-e89b-12d3-a456-426614174000",
    }.get(str(fmt), guess)
    if not isinstance(text, str):
        text = _text_value(key, korean, index)
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        text = _matching(pattern, text)
    low_len, high_len = int(schema.get("minLength", 0)), schema.get("maxLength")
    if len(text) < low_len:
        text = text + "x" * (low_len - len(text))
    if isinstance(high_len, int):
        text = text[:high_len]
    return text


def _matching(pattern: str, text: str) -> str:
    candidates = (text, "example", "A1", "abc", "12345", "2024-01-15", "user@example.com", "x")
    for candidate in candidates:
        try:
            if re.search(pattern, candidate):
                return candidate
        except re.error:
            return text
    return text


def _list_of(text: str, korean: bool) -> list[Any] | None:
    for match in COUNT_OF.finditer(_prose(text)):
        if match.group(5):
            count, thing = int(match.group(6)), KO_THINGS.get(match.group(5), match.group(5))
        else:
            count = int(match.group(1) or match.group(3))
            thing = (match.group(2) or match.group(4)).lower()
        if 1 <= count <= 50:
            return [_text_value(thing.rstrip("s"), korean, i) for i in range(count)]
    return None


def json_reply(body: dict[str, Any], user_text: str, system: str, korean: bool) -> str:
    """The JSON text answering the request: nothing but the value."""
    schema = json_schema(body)
    if schema is not None:
        value: Any = schema_instance(schema, korean)
    else:
        keys = asked_keys(user_text) or asked_keys(system)
        wants_list = re.search(r"\b(?:list|array)\b|목록|리스트|배열", _prose(user_text), re.I)
        listed = _list_of(user_text, korean) if wants_list else None
        counted = None if listed else items_asked(_prose(user_text), bool(wants_list))
        if counted is not None:  # "세 명의 학생", "three students", "다섯 가지 과일" (``_counts``)
            listed = [_text_value(counted[1], korean, i) for i in range(counted[0])]
        if keys:
            value = {key: value_for(key, korean) for key in keys}
            if listed is not None:
                value = [
                    {key: value_for(key, korean, i) for key in keys} for i in range(len(listed))
                ]
        elif listed is not None:
            value = listed
        else:
            topic = " ".join(_prose(user_text).split())[:80]
            value = {"topic": topic, "answer": _text_value("answer", korean, 0), "items": []}
    return json.dumps(value, ensure_ascii=False, indent=2)
