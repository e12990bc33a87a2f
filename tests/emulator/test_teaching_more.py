"""The teaching responder's wider repertoire over real HTTP: more code tasks, counted JSON,
Korean summaries, honest N-sentence explanations, a phrasebook, templates, SQL, a glossary."""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from claude_nb._api.language import is_korean
from claude_nb.emulator import Emulator

MODEL = "claude-opus-5"
HEADERS = {"anthropic-version": "2023-06-01"}
PYTHON = re.compile(r"```python\n(.*?)\n```", re.DOTALL)
SQL = re.compile(r"```sql\n(.*?)\n```", re.DOTALL)
MARKERS = ("*(offline emulator)*", "*(오프라인 에뮬레이터)*")
FILLER = {"river", "garden", "harbor", "sailor", "baker", "강물", "햇살", "제빵사"}


@pytest.fixture(scope="module", autouse=True)
def _libraries_loaded() -> None:
    """pandas and numpy imported before any timing (a first import alone can take a second)."""
    pytest.importorskip("pandas")
    pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    emulator = Emulator(require_key=False)
    with (
        emulator.serve() as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS, timeout=30) as http,
    ):
        yield http


def ask(client: httpx.Client, prompt: str, system: str | None = None) -> str:
    payload: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 8000,
        "messages": [{"role": "user", "content": prompt}],
    }
    if system:
        payload["system"] = system
    response = client.post("/v1/messages", json=payload)
    assert response.status_code == 200, response.text
    return "".join(b["text"] for b in response.json()["content"] if b["type"] == "text")


def body_of(text: str) -> str:
    first, _, rest = text.partition("\n")
    assert first in MARKERS, first
    return rest.strip()


def run_fresh(code: str) -> dict[str, Any]:
    ast.parse(code)
    namespace: dict[str, Any] = {"__name__": "__teaching__"}
    started = time.perf_counter()
    exec(compile(code, "<reply>", "exec", dont_inherit=True), namespace)
    assert time.perf_counter() - started < 1.0
    return namespace


def code_of(text: str) -> str:
    blocks = PYTHON.findall(text)
    assert len(blocks) == 1, text
    return str(blocks[0])


def sentence_count(text: str) -> int:
    return len(re.findall(r"[.!?。](?:\s|$)", text.strip()))


# -- 1. more code tasks ---------------------------------------------------------------------

MORE_CODE = [
    ("How do I merge two dicts in Python?", "merge_dicts({'a': 1}, {'b': 2}) == {'a': 1, 'b': 2}"),
    ("Write a function to compute the median of a list.", "median([3, 1, 2, 10]) == 2.5"),
    ("Write a function that finds the mode of a list of numbers", "mode([1, 2, 2, 3]) == 2"),
    (
        "Write Python code to compute the variance of a list",
        "variance([2, 4, 4, 4, 5, 5, 7, 9]) == 4",
    ),
    (
        "Write a function for the standard deviation of numbers",
        "std_dev([2, 4, 4, 4, 5, 5, 7, 9]) == 2",
    ),
    ("Write a function that flattens a nested list", "flatten([1, [2, [3]]]) == [1, 2, 3]"),
    ("Write a function to count the characters in a string", "char_counts('aab')['a'] == 2"),
    (
        "How do I sort a dictionary by value in Python?",
        "list(sort_by_value({'a': 2, 'b': 1})) == ['b', 'a']",
    ),
    ("Write code to write and read a JSON file", "json_roundtrip({'x': 1}) == {'x': 1}"),
    (
        "Use a list comprehension to get the even numbers from a list",
        "evens([1, 2, 3, 4]) == [2, 4]",
    ),
    ("How do I swap two variables in Python?", "swap(1, 2) == (2, 1)"),
    (
        "Write a function that finds the max and min without built-ins",
        "max_and_min([3, 9, 1]) == (9, 1)",
    ),
    (
        "Write a function to capitalize each word (title case)",
        "title_case('hello big world') == 'Hello Big World'",
    ),
    (
        "How do I convert a string to an int safely in Python?",
        "to_int('12') == 12 and to_int('x') is None",
    ),
    ("Write a dataclass example in Python", "Book('Dune', 'Herbert', 1965).year == 1965"),
    ("Write a generator function example", "list(count_up_to(3)) == [1, 2, 3]"),
    ("Write a context manager example", "Timer().__enter__() is not None"),
    ("Write a recursive function for the power of a number", "power(2, 10) == 1024"),
    ("Write a recursive function to sum the digits of a number", "sum_of_digits(1234) == 10"),
    (
        "Write code that computes the number of days between two dates",
        "days_between('2024-01-01', '2024-03-01') == 60",
    ),
    (
        "Write code to pick a random choice from a list with a seed",
        "pick_random(['a', 'b', 'c'], seed=1) in 'abc'",
    ),
    ("Write a simple class with __repr__", "repr(Point(1, 2)) == 'Point(x=1, y=2)'"),
    (
        "Write pandas code to group a DataFrame by city and compute the mean",
        "len(group_means()) == 2",
    ),
    ("Write numpy code to compute the mean and std of an array", "array_stats([1, 2, 3])[0] == 2"),
    ("Write a function that does an HTTP GET request with urllib", "callable(fetch_url)"),
    ("Write a function to check whether two words are anagrams", "is_anagram('listen', 'silent')"),
    ("Write a function that checks for a leap year", "is_leap_year(2000)"),
    ("Write a function to validate an email address with a regex", "is_valid_email('a@b.co')"),
    ("Write a function to reverse the words in a sentence", "reverse_words('a b c') == 'c b a'"),
    (
        "Write a function that returns the second largest number in a list",
        "second_largest([4, 9, 7]) == 7",
    ),
    (
        "Write a function that finds the common elements of two lists",
        "common_elements([1, 2], [2, 3]) == [2]",
    ),
    ("Write a function to split a list into chunks", "chunks([1, 2, 3], 2) == [[1, 2], [3]]"),
    (
        "Write a function that makes a dict from two lists of keys and values",
        "dict_from_lists(['a'], [1]) == {'a': 1}",
    ),
    ("Write a multiplication table function", "multiplication_table(3)[2][2] == 9"),
    ("Write code that handles a ZeroDivisionError with try/except", "safe_divide(1, 0) is None"),
    ("중앙값을 구하는 함수를 작성해 줘", "median([1, 5, 3]) == 3"),
    ("파이썬에서 두 딕셔너리를 어떻게 합치나요?", "merge_dicts({'a': 1}, {'a': 2}) == {'a': 2}"),
    ("최빈값을 구하는 함수를 만들어 줘", "mode(['x', 'y', 'y']) == 'y'"),
    ("분산과 표준편차를 구하는 파이썬 코드를 짜 줘", "round(std_dev([1, 3]), 3) == 1.0"),
    ("문자 빈도를 세는 함수를 작성해 줘", "char_counts('ㄱㄱㄴ')['ㄱ'] == 2"),
    (
        "딕셔너리를 값으로 정렬하는 코드를 보여 줘",
        "list(sort_by_value({'a': 2, 'b': 1})) == ['b', 'a']",
    ),
    ("JSON 파일을 쓰고 읽는 파이썬 코드를 작성해 줘", "json_roundtrip([1]) == [1]"),
    (
        "두 날짜 사이의 일수를 구하는 함수를 만들어 줘",
        "days_between('2024-01-01', '2024-01-31') == 30",
    ),
    ("문자열을 정수로 안전하게 바꾸는 함수를 작성해 줘", "to_int('7') == 7"),
    ("판다스로 그룹별 평균을 구하는 코드를 보여 줘", "len(group_means()) == 2"),
    ("넘파이 배열의 평균과 표준편차를 구하는 코드를 작성해 줘", "array_stats([2, 2])[1] == 0"),
    ("제너레이터 예제 코드를 보여 줘", "list(count_up_to(2)) == [1, 2]"),
    ("재귀로 거듭제곱을 구하는 함수를 작성해 줘", "power(3, 3) == 27"),
]


@pytest.mark.parametrize(("prompt", "check"), MORE_CODE, ids=[p[:40] for p, _ in MORE_CODE])
def test_more_code_tasks_run_and_are_not_skeletons(client, prompt: str, check: str) -> None:
    text = ask(client, prompt)
    prose = body_of(text).split("```")[0]
    assert is_korean(prose) == is_korean(prompt), prose
    code = code_of(text)
    assert "Skeleton" not in code, code
    namespace = run_fresh(code)
    assert eval(check, namespace), (check, code)


def test_an_asked_name_is_honoured_for_new_tasks(client: httpx.Client) -> None:
    code = code_of(ask(client, "Write a function `middle_value(xs)` that returns the median"))
    assert run_fresh(code)["middle_value"]([1, 2, 3]) == 2
    code = code_of(ask(client, "두 딕셔너리를 합치는 `combine` 함수를 작성해 줘"))
    assert run_fresh(code)["combine"]({"a": 1}, {"b": 2}) == {"a": 1, "b": 2}


def test_every_task_of_the_library_runs_fresh_without_network(monkeypatch) -> None:
    import socket
    import urllib.request

    from claude_nb.emulator._code_reply import TASKS

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network used")

    pytest.importorskip("pandas")  # imported once here: the second import is free, as in a
    pytest.importorskip("matplotlib.figure")  # kernel that has used them; the < 1 s is the task's
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert len(TASKS) >= 40 + 25
    for task in TASKS:
        run_fresh(task.code)


@pytest.mark.parametrize(
    "prompt",
    ["How do I choose a good chart for my data?", "How can I make my charts easier to read?"],
)
def test_how_do_i_without_a_programming_task_is_not_code(client, prompt: str) -> None:
    assert "```" not in ask(client, prompt)


# -- 2. counted JSON ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "count", "keys"),
    [
        ("세 명의 학생 이름과 점수를 JSON 배열로 만들어 줘", 3, ["이름", "점수"]),
        ("학생 다섯 명의 이름과 나이를 JSON으로 만들어 줘", 5, ["이름", "나이"]),
        ("두 권의 책 제목과 저자를 JSON 배열로 줘", 2, ["제목", "저자"]),
        ("과일 네 가지를 JSON 배열로 알려 줘", 4, None),
        ("동물 열 마리를 JSON 목록으로 줘", 10, None),
        ("3개의 도시를 JSON 배열로 만들어 줘", 3, None),
        ("Give me three students as JSON with keys name and score", 3, ["name", "score"]),
        ("A JSON list of 5 colors", 5, None),
        ("Return 4 items as JSON with keys id and label", 4, ["id", "label"]),
    ],
)
def test_json_counts_in_korean_and_english(client, prompt: str, count: int, keys) -> None:
    value = json.loads(ask(client, prompt))
    assert isinstance(value, list) and len(value) == count, value
    if keys:
        assert all(list(item) == keys for item in value), value
    assert len({json.dumps(item, ensure_ascii=False) for item in value}) == count


def test_json_counts_that_are_not_items(client: httpx.Client) -> None:
    value = json.loads(ask(client, "Reply as JSON with 3 keys: a, b and c"))
    assert isinstance(value, dict)
    person = json.loads(
        ask(
            client,
            "다음 문장에서 사람 정보를 JSON으로 뽑아 줘.\n키: name, age\n"
            "문장: 민지는 스물일곱 살이다.",
        )
    )
    assert isinstance(person, dict) and list(person) == ["name", "age"]


# -- 3. summaries ---------------------------------------------------------------------------

DAY = "오늘은 날씨가 맑았다. 우리는 공원에 갔다. 아이들은 즐겁게 놀았다."


@pytest.mark.parametrize(
    ("prompt", "quoted"),
    [
        (f"다음 글을 요약해 줘: {DAY}", 3),
        (f"한 줄로 요약해 줘: {DAY}", 1),
        (f"핵심만 두 문장으로 알려 줘: {DAY}", 2),
        (f"요약:\n{DAY}", 3),
        ("다음 글을 요약해 줘: 오늘은 비가 왔습니다 우리는 집에 있었습니다", 2),
    ],
)
def test_korean_summaries_quote_the_given_sentences(client, prompt: str, quoted: int) -> None:
    text = body_of(ask(client, prompt))
    lines = [line[2:] for line in text.splitlines() if line.startswith("> ")]
    assert len(lines) == quoted, text
    assert all(line in prompt for line in lines) and is_korean(text)
    assert "입력하신 내용" not in text


@pytest.mark.parametrize(
    "prompt",
    [
        "TL;DR: Cats sleep a lot. They hunt at night. Dogs bark.",
        "Summarise this: Rain fell. We stayed in. It was fine.",
        "In brief, what does this say? Rain fell. We stayed in. It was fine.",
    ],
)
def test_short_english_summaries(client: httpx.Client, prompt: str) -> None:
    text = body_of(ask(client, prompt))
    assert "> " in text and "You wrote" not in text, text


# -- 4 and 8. honest explanations and a glossary ---------------------------------------------


def test_n_sentences_are_honest_sentences_about_the_topic(client: httpx.Client) -> None:
    text = body_of(ask(client, "Explain what a Python decorator is in 3 sentences."))
    answer = text.split("\n", 1)[-1] if text.endswith(":") is False else text
    assert sentence_count(answer) == 3, text
    assert "decorator" in text.lower() and not FILLER & set(text.lower().split())
    korean = body_of(ask(client, "데코레이터를 세 문장으로 설명해 줘"))
    assert sentence_count(korean.split("\n", 1)[-1]) == 3 and "데코레이터" in korean
    unknown = body_of(ask(client, "Explain quantum chromodynamics in 2 sentences."))
    assert sentence_count(unknown.split("\n", 1)[-1]) == 2, unknown
    assert "quantum chromodynamics" in unknown and "offline emulator" in unknown
    paragraphs = body_of(ask(client, "Explain recursion in 2 paragraphs."))
    assert len([p for p in paragraphs.split("\n\n")[1:] if p.strip()]) == 2, paragraphs
    words = body_of(ask(client, "Write 50 words about tides")).split()
    assert len(words) == 50


@pytest.mark.parametrize(
    ("prompt", "expected", "korean"),
    [
        ("What is an API key?", "API key", False),
        ("토큰이 뭐예요?", "토큰", True),
        ("What's a list comprehension?", "list comprehension", False),
        ("프롬프트 캐싱이란 무엇인가요?", "프롬프트 캐싱", True),
        ("Define recursion.", "recursion", False),
        ("What is a DataFrame?", "DataFrame", False),
    ],
)
def test_definitions_come_from_the_glossary(client, prompt: str, expected: str, korean: bool):
    text = body_of(ask(client, prompt))
    assert expected.lower() in text.lower() and is_korean(text) == korean, text
    assert "You wrote" not in text and "입력하신 내용" not in text


def test_glossary_answers_follow_the_system_shape(client: httpx.Client) -> None:
    one = body_of(ask(client, "What is a token?", system="Answer in one sentence."))
    assert sentence_count(one) == 1, one
    bullets = body_of(ask(client, "What is streaming?", system="Use bullet points."))
    assert bullets.count("\n- ") >= 2, bullets


# -- 5. translation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "expected", "korean"),
    [
        ("Translate 'good morning' into Korean.", "좋은 아침", False),
        ("How do you say 'thank you' in Korean?", "감사합니다", False),
        ("'감사합니다'를 영어로 번역해 줘", "thank you", True),
        ("Translate “seven” to Korean", "일곱", False),
        ("'월요일'은 영어로 뭐야?", "Monday", True),
        ("Translate 'blue' into Korean", "파란색", False),
    ],
)
def test_the_phrasebook_translates(client, prompt: str, expected: str, korean) -> None:
    text = body_of(ask(client, prompt))
    assert expected.lower() in text.lower(), text
    if korean is not None:
        assert is_korean(re.sub(r"\*\*.*?\*\*", "", text)) == korean, text


def test_unknown_translations_are_said_honestly(client: httpx.Client) -> None:
    text = body_of(ask(client, "Translate 'photosynthesis' into Korean."))
    assert "no translation" in text and "photosynthesis" in text
    korean = body_of(ask(client, "'광합성'을 영어로 번역해 줘"))
    assert "번역" in korean and is_korean(korean)


# -- 6. creative templates ------------------------------------------------------------------


def test_haiku_poem_and_story_templates(client: httpx.Client) -> None:
    haiku = body_of(ask(client, "Write a haiku about autumn."))
    lead, _, verse = haiku.partition("\n\n")
    assert "offline emulator" in lead and len(verse.strip().splitlines()) == 3
    assert "autumn" in verse.lower()
    poem = body_of(ask(client, "가을에 대한 시를 써 줘"))
    lead, _, verse = poem.partition("\n\n")
    assert "오프라인 에뮬레이터" in lead and len(verse.strip().splitlines()) == 4
    assert "가을" in verse and is_korean(verse)
    story = body_of(ask(client, "Write a short story about a robot"))
    lead, _, tale = story.partition("\n\n")
    assert "\n" not in tale.strip() and "robot" in tale and sentence_count(tale) >= 3
    assert ask(client, "Write a haiku about autumn.") == ask(client, "Write a haiku about autumn.")
    assert "```" not in ask(client, "Write a poem about Python")


# -- 7. SQL ---------------------------------------------------------------------------------


def test_sql_queries_from_the_prompt(client: httpx.Client) -> None:
    text = ask(client, "Write a SQL query that selects all users older than 30.")
    (query,) = SQL.findall(text)
    assert re.fullmatch(r"SELECT \*\s+FROM users\s+WHERE age > 30;", query.strip()), query
    assert "```python" not in text
    top = SQL.findall(ask(client, "Write a SQL query for the top 5 products sorted by price"))[0]
    assert "FROM products" in top and "ORDER BY price DESC" in top and "LIMIT 5" in top
    korean = ask(client, "나이가 30보다 많은 사용자를 모두 조회하는 SQL 쿼리를 작성해 줘")
    assert "FROM users" in SQL.findall(korean)[0] and "age > 30" in korean
    assert is_korean(body_of(korean).split("```")[0])


def test_sql_with_python_runs_on_sqlite(client: httpx.Client) -> None:
    text = ask(client, "Write a SQL query in Python that finds employees where salary > 50000")
    (query,) = SQL.findall(text)
    assert "FROM employees" in query and "salary > 50000" in query
    namespace = run_fresh(code_of(text))
    rows = namespace["rows"]
    assert rows and all(isinstance(row, tuple) for row in rows)
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE employees (id INTEGER, name TEXT, salary REAL)")
    connection.execute(query)  # the SQL block on its own is valid SQLite
