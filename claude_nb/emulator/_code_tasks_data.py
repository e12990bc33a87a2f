"""Tasks about data, dates, the web and Python's own features, for the teaching library.

The rules are those of ``_code_tasks``. JSON goes to a temporary directory; the HTTP GET is a
function that is defined but never called (no network when the block runs); pandas and numpy
build their data in the code.
"""

from __future__ import annotations

from claude_nb.emulator._code_tasks import Task

__all__ = ["DATA_TASKS"]

DATA_TASKS: tuple[Task, ...] = (
    Task(
        "json_roundtrip",
        "json_roundtrip",
        ("writing and reading JSON", "JSON을 쓰고 읽는 함수"),
        (r"\bjson\b", r"\bread|\bwrit|\bsav|\bload|\bpars|\bdump|serial|\bfiles?\b"),
        (r"json|제이슨", r"읽|쓰|저장|불러|파일|파싱"),
        '''import json
import tempfile
from pathlib import Path


def json_roundtrip(data):
    """Write ``data`` to a JSON file in a temporary directory and read it back."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        return json.loads(path.read_text(encoding="utf-8"))


print(json_roundtrip({"name": "Ada", "langs": ["Python"]}))
print(json.loads('{"a": 1}'), json.dumps({"a": 1}))  # text <-> Python, no file
''',
    ),
    Task(
        "to_int",
        "to_int",
        ("a safe string-to-int conversion", "문자열을 정수로 안전하게 바꾸는 함수"),
        (
            r"\bint(?:eger)?\b|\bnumber\b",
            r"\bstrings?\b|\bstr\b|\btext\b|\binput\b",
            r"\bconvert|\bpars|\bsafe|\btry\b|\bexcept|\bcast|\bturn",
        ),
        (r"정수|숫자|int", r"문자열|문자|입력", r"바꾸|변환|안전|예외"),
        '''def to_int(text: str, default=None):
    """``int(text)``, or ``default`` when ``text`` is not a whole number."""
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return default


print(to_int("42"), to_int(" 7 "), to_int("seven"), to_int("3.5", default=0))  # 42 7 None 0
''',
    ),
    Task(
        "safe_divide",
        "safe_divide",
        ("exception handling with try/except", "try/except로 예외를 처리하는 함수"),
        (r"exception|try\s*/?\s*except|error\s+handling|zerodivision|divide\s+by\s+zero",),
        (r"예외|try|0으로\s*나누",),
        '''def safe_divide(a: float, b: float):
    """a / b, or None (with a message) when b is zero."""
    try:
        return a / b
    except ZeroDivisionError as error:
        print(f"cannot divide: {error}")
        return None
    finally:
        pass  # runs either way: close files, release resources


print(safe_divide(10, 4), safe_divide(1, 0))  # 2.5, then None after the message
''',
    ),
    Task(
        "dataclass",
        "Book",
        ("a dataclass", "데이터클래스 예제"),
        (r"dataclass|data\s+class",),
        (r"데이터\s*클래스|dataclass",),
        '''from dataclasses import dataclass, field


@dataclass
class Book:
    """A book: __init__, __repr__ and __eq__ are written by @dataclass."""

    title: str
    author: str
    year: int
    tags: list = field(default_factory=list)


book = Book("Dune", "Herbert", 1965)
print(book)  # Book(title='Dune', author='Herbert', year=1965, tags=[])
print(book == Book("Dune", "Herbert", 1965))  # True
''',
    ),
    Task(
        "generator",
        "count_up_to",
        ("a generator", "제너레이터 예제"),
        (r"generator|\byield\b",),
        (r"제너레이터|생성기|yield",),
        '''def count_up_to(n: int):
    """Yield 1, 2, ..., n one at a time (nothing is computed until asked)."""
    k = 1
    while k <= n:
        yield k
        k += 1


print(list(count_up_to(5)))  # [1, 2, 3, 4, 5]
squares = (k * k for k in count_up_to(3))  # a generator expression
print(next(squares), sum(squares))  # 1 13
''',
    ),
    Task(
        "context_manager",
        "Timer",
        ("a context manager", "컨텍스트 매니저 예제"),
        (r"context\s*manager|__enter__|with[\s-]+statement|contextlib",),
        (r"컨텍스트\s*매니저|컨텍스트\s*관리자|with\s*문",),
        '''import time
from contextlib import contextmanager


class Timer:
    """``with Timer() as t:`` measures the block; t.elapsed holds the seconds."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.elapsed = time.perf_counter() - self.start
        return False  # do not swallow exceptions


@contextmanager
def timer(label: str):
    """The same with contextlib: code before yield enters, after it exits."""
    start = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - start:.6f} s")


with Timer() as t:
    total = sum(range(10_000))
print(total, t.elapsed >= 0)
with timer("sum"):
    sum(range(10_000))
''',
    ),
    Task(
        "power",
        "power",
        ("a recursive power function", "재귀로 거듭제곱을 구하는 함수"),
        (r"\bpower\b|exponent|\bpow\b",),
        (r"거듭\s*제곱|지수", r"거듭|재귀|함수|구하|계산"),
        '''def power(base: float, exponent: int) -> float:
    """base ** exponent for exponent >= 0, by recursion (halving the exponent)."""
    if exponent == 0:
        return 1
    half = power(base, exponent // 2)
    return half * half * (base if exponent % 2 else 1)


print(power(2, 10), power(3, 3))  # 1024 27
''',
    ),
    Task(
        "recursive_digits",
        "sum_of_digits",
        ("a recursive digit sum", "재귀로 자릿수의 합을 구하는 함수"),
        (r"recurs", r"\bdigits?\b"),
        (r"재귀", r"자릿수|각\s*자리|숫자의\s*합"),
        '''def sum_of_digits(n: int) -> int:
    """The sum of the decimal digits of ``n``, by recursion."""
    n = abs(n)
    if n < 10:
        return n
    return n % 10 + sum_of_digits(n // 10)


print(sum_of_digits(1234))  # 10
''',
    ),
    Task(
        "recursion",
        "recursive_sum",
        ("a recursive function", "재귀 함수 예제"),
        (r"recurs",),
        (r"재귀",),
        '''def recursive_sum(numbers: list) -> float:
    """The sum of ``numbers``: the first plus the sum of the rest (base case: empty)."""
    if not numbers:
        return 0
    return numbers[0] + recursive_sum(numbers[1:])


def countdown(n: int) -> list:
    """[n, n - 1, ..., 1] by recursion."""
    return [] if n <= 0 else [n, *countdown(n - 1)]


print(recursive_sum([1, 2, 3, 4]), countdown(3))  # 10 [3, 2, 1]
''',
    ),
    Task(
        "days_between",
        "days_between",
        ("days between two dates", "두 날짜 사이의 일수를 구하는 함수"),
        (r"\bdates?\b|datetime|\bdays?\b", r"between|differen|apart|until|since|elapsed"),
        (r"날짜|일수|며칠|datetime", r"사이|차이|지났|남았"),
        '''from datetime import date


def days_between(start: str, end: str) -> int:
    """Days from ``start`` to ``end`` (ISO dates like "2024-01-31"); negative if earlier."""
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


print(days_between("2024-01-01", "2024-03-01"))  # 60 (2024 is a leap year)
''',
    ),
    Task(
        "pick_random",
        "pick_random",
        ("a seeded random choice", "시드를 정한 무작위 선택"),
        (r"\brandom", r"choice|choose|\bpick|\bseed|shuffle|sample|select|number|integer"),
        (r"랜덤|무작위|난수", r"선택|고르|뽑|시드|섞"),
        '''import random


def pick_random(items: list, seed: int = 42):
    """One item of ``items``, the same every run for the same seed."""
    rng = random.Random(seed)  # a private generator: the global one is left alone
    return rng.choice(items)


print(pick_random(["red", "green", "blue"]))
rng = random.Random(7)
print(rng.randint(1, 6), rng.sample(range(10), 3))
''',
    ),
    Task(
        "point_repr",
        "Point",
        ("a small class with __repr__", "__repr__가 있는 간단한 클래스"),
        (r"__repr__|\brepr\b|string\s+representation|\bpoint\b|\bsimple\s+class\b",),
        (r"__repr__|repr|간단한\s*클래스|점\s*클래스",),
        '''class Point:
    """A point in the plane that prints itself readably."""

    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    def __repr__(self) -> str:
        return f"Point(x={self.x!r}, y={self.y!r})"

    def distance_to(self, other: "Point") -> float:
        return ((self.x - other.x) ** 2 + (self.y - other.y) ** 2) ** 0.5


p = Point(1, 2)
print(p, p.distance_to(Point(4, 6)))  # Point(x=1, y=2) 5.0
''',
    ),
    Task(
        "group_means",
        "group_means",
        ("a pandas groupby", "pandas groupby로 그룹별 평균 구하기"),
        (r"pandas|data\s*frame|\bdf\b|groupby", r"group|mean|average|aggregat|summar|\bsum\b"),
        (r"판다스|pandas|데이터\s*프레임|groupby", r"그룹|평균|집계|합계"),
        '''import pandas as pd


def group_means() -> pd.DataFrame:
    """Mean sales per city of a small DataFrame built in code."""
    frame = pd.DataFrame(
        {"city": ["Seoul", "Busan", "Seoul", "Busan"], "sales": [10, 4, 14, 6]}
    )
    return frame.groupby("city", as_index=False)["sales"].mean()


print(group_means())  # Busan 5.0, Seoul 12.0
''',
    ),
    Task(
        "array_stats",
        "array_stats",
        ("numpy statistics", "넘파이 배열의 통계"),
        (r"numpy|\bnp\b", r"mean|average|\bstd\b|standard\s+deviation|statistic|array"),
        (r"넘파이|numpy", r"평균|표준\s*편차|통계|배열"),
        '''import numpy as np


def array_stats(values) -> tuple:
    """(mean, standard deviation) of ``values`` as a numpy array."""
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std())


print(array_stats([1, 2, 3, 4]))  # (2.5, 1.118...)
print(np.arange(6).reshape(2, 3).mean(axis=0))  # column means: [1.5 2.5 3.5]
''',
    ),
    Task(
        "fetch_url",
        "fetch_url",
        (
            "an HTTP GET with urllib (not run here)",
            "urllib로 HTTP GET 요청하기(여기서는 실행 안 함)",
        ),
        (
            r"\bget\b|fetch|download|urllib|requests?\b",
            r"\bhttp|\burl|\bweb|\bapi\b|page|site",
            r"^(?![\s\S]*(?:endpoint|server|\bserve|\broute|flask|fastapi))",
        ),
        (r"요청|가져오|다운로드|urllib|GET", r"http|url|웹|api|페이지|사이트"),
        '''import json
import urllib.request


def fetch_url(url: str, timeout: float = 10.0) -> str:
    """The body of a GET of ``url`` as text (network: call it yourself when online)."""
    request = urllib.request.Request(url, headers={"User-Agent": "claude-nb-lesson"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


def fetch_json(url: str):
    """A GET that parses the JSON body."""
    return json.loads(fetch_url(url))


# Not called here, so nothing goes over the network when this cell runs:
# print(fetch_url("https://example.com")[:200])
print("fetch_url is ready")
''',
    ),
)
