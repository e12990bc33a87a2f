"""More beginner tasks of the teaching responder's library: statistics, dicts, lists, strings.

The rules are those of ``_code_tasks``: every code text parses and runs in a fresh namespace in
well under a second, with no input, network or files. ``_code_tasks_data`` has the tasks about
data, dates, files, the web and Python's own features (classes, generators, decorators).
"""

from __future__ import annotations

from claude_nb.emulator._code_tasks import Task

__all__ = ["EXTRA_TASKS"]

_LISTY = r"\b(?:lists?|arrays?|items|elements?|numbers|values)\b"

EXTRA_TASKS: tuple[Task, ...] = (
    Task(
        "median",
        "median",
        ("a median function", "중앙값을 구하는 함수"),
        (r"\bmedian\b",),
        (r"중앙값|중간값|중위수",),
        '''def median(numbers: list) -> float:
    """The middle value of ``numbers`` (the mean of the two middle ones for an even count)."""
    ordered = sorted(numbers)
    if not ordered:
        raise ValueError("median of an empty list")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


print(median([3, 1, 2]), median([3, 1, 2, 10]))  # 2 2.5
''',
    ),
    Task(
        "mode",
        "mode",
        ("a function for the mode (most common value)", "최빈값을 구하는 함수"),
        (r"\bmode\b|most\s+(?:common|frequent)", rf"{_LISTY}|\bmode\b"),
        (r"최빈값|가장\s*(?:많이|자주)\s*(?:나온|나오는|등장)",),
        '''from collections import Counter


def mode(items: list):
    """The most common item of ``items`` (the first seen on a tie)."""
    if not items:
        raise ValueError("mode of an empty list")
    return Counter(items).most_common(1)[0][0]


print(mode([1, 2, 2, 3]), mode(["a", "b", "b"]))  # 2 b
''',
    ),
    Task(
        "variance",
        "variance",
        ("a variance function", "분산을 구하는 함수"),
        (r"\bvariance\b",),
        (r"분산",),
        '''import math


def variance(numbers: list) -> float:
    """The population variance: the mean squared distance from the mean."""
    mean = sum(numbers) / len(numbers)
    return sum((x - mean) ** 2 for x in numbers) / len(numbers)


def std_dev(numbers: list) -> float:
    """The population standard deviation: the square root of the variance."""
    return math.sqrt(variance(numbers))


data = [2, 4, 4, 4, 5, 5, 7, 9]
print(variance(data), std_dev(data))  # 4.0 2.0
''',
    ),
    Task(
        "std_dev",
        "std_dev",
        ("a standard-deviation function", "표준편차를 구하는 함수"),
        (r"standard\s+deviation|\bstd\b|\bstdev\b",),
        (r"표준\s*편차",),
        '''import math


def std_dev(numbers: list) -> float:
    """The population standard deviation (use ``len(numbers) - 1`` for a sample)."""
    mean = sum(numbers) / len(numbers)
    return math.sqrt(sum((x - mean) ** 2 for x in numbers) / len(numbers))


print(std_dev([2, 4, 4, 4, 5, 5, 7, 9]))  # 2.0
''',
    ),
    Task(
        "char_counts",
        "char_counts",
        ("a character counter (collections.Counter)", "문자 빈도를 세는 함수(collections.Counter)"),
        (
            r"\bcharacters?\b|\bletters?\b|\bchars?\b|\bcounter\b",
            r"\bcount|frequenc|how\s+many|occurr|tally|\bcounter\b",
        ),
        (r"문자|글자|철자", r"빈도|세는|세어|개수|몇\s*번|횟수"),
        '''from collections import Counter


def char_counts(text: str) -> dict:
    """How often each character of ``text`` occurs (spaces left out)."""
    return dict(Counter(c for c in text if not c.isspace()))


counts = char_counts("hello world")
print(counts)  # {'h': 1, 'e': 1, 'l': 3, 'o': 2, 'w': 1, 'r': 1, 'd': 1}
print(Counter("hello world").most_common(2))  # [('l', 3), ('o', 2)]
''',
    ),
    Task(
        "sort_by_value",
        "sort_by_value",
        ("sorting a dict by value", "딕셔너리를 값으로 정렬하는 함수"),
        (r"\bsort", r"\bdict(?:ionar(?:y|ies))?s?\b"),
        (r"정렬", r"딕셔너리|사전|dict"),
        '''def sort_by_value(mapping: dict, descending: bool = False) -> dict:
    """A new dict with the items of ``mapping`` ordered by value."""
    return dict(sorted(mapping.items(), key=lambda item: item[1], reverse=descending))


scores = {"ana": 3, "ben": 1, "cy": 2}
print(sort_by_value(scores))  # {'ben': 1, 'cy': 2, 'ana': 3}
print(dict(sorted(scores.items())))  # by key: {'ana': 3, 'ben': 1, 'cy': 2}
''',
    ),
    Task(
        "dict_from_lists",
        "dict_from_lists",
        ("a dict built from two lists", "두 리스트로 딕셔너리를 만드는 함수"),
        (r"\bdict(?:ionar(?:y|ies))?s?\b", r"two\s+lists|\bzip\b|keys\s+and\s+values"),
        (r"딕셔너리|사전", r"두\s*(?:개의\s*)?리스트|zip|키와\s*값"),
        '''def dict_from_lists(keys: list, values: list) -> dict:
    """Pair the i-th key with the i-th value (extra items of the longer list are dropped)."""
    return dict(zip(keys, values))


print(dict_from_lists(["a", "b"], [1, 2]))  # {'a': 1, 'b': 2}
''',
    ),
    Task(
        "merge_dicts",
        "merge_dicts",
        ("merging two dicts", "두 딕셔너리를 합치는 함수"),
        (r"merg|combin|\bjoin|\bupdate|\bunion", r"\bdict(?:ionar(?:y|ies))?s?\b"),
        (r"합치|합쳐|병합|결합|합하", r"딕셔너리|사전|dict"),
        '''def merge_dicts(first: dict, second: dict) -> dict:
    """A new dict with the items of both; ``second`` wins on a shared key."""
    return {**first, **second}  # Python 3.9+: first | second


print(merge_dicts({"a": 1, "b": 2}, {"b": 3, "c": 4}))  # {'a': 1, 'b': 3, 'c': 4}
''',
    ),
    Task(
        "evens",
        "evens",
        ("a list comprehension keeping the even numbers", "짝수만 고르는 리스트 컴프리헨션"),
        (r"\beven\b", r"comprehension|filter|\bonly\b|\blists?\b|\bget\b|\bkeep"),
        (r"짝수", r"컴프리헨션|내포|리스트|골라|걸러"),
        '''def evens(numbers: list) -> list:
    """The even numbers of ``numbers``, with a list comprehension."""
    return [n for n in numbers if n % 2 == 0]


print(evens([1, 2, 3, 4, 5, 6]))  # [2, 4, 6]
''',
    ),
    Task(
        "comprehensions",
        "squares_of",
        ("list comprehension examples", "리스트 컴프리헨션 예제"),
        (r"comprehension",),
        (r"컴프리헨션|리스트\s*내포",),
        '''def squares_of(numbers: list) -> list:
    """Each number squared: [expression for item in iterable]."""
    return [n * n for n in numbers]


print(squares_of([1, 2, 3]))  # [1, 4, 9]
print([n for n in range(10) if n % 2 == 0])  # with a condition: [0, 2, 4, 6, 8]
print({word: len(word) for word in ["hi", "hello"]})  # a dict comprehension
''',
    ),
    Task(
        "swap",
        "swap",
        ("swapping two variables", "두 변수의 값을 바꾸는 방법"),
        (r"\bswap",),
        (r"스왑|(?:변수|값).{0,10}(?:바꾸|교환|맞바꾸)",),
        '''def swap(a, b) -> tuple:
    """Return ``(b, a)``: tuple packing and unpacking swaps without a temporary."""
    return b, a


x, y = 1, 2
x, y = y, x  # the Python idiom
print(x, y, swap(1, 2))  # 2 1 (2, 1)
''',
    ),
    Task(
        "max_and_min",
        "max_and_min",
        ("the largest and smallest without built-ins", "내장 함수 없이 최댓값과 최솟값 찾기"),
        (
            r"\bmax|\bmin|largest|smallest|biggest",
            r"without|built-?ins?|by\s+hand|manually|\bloop",
        ),
        (r"최대|최소|최댓값|최솟값|가장\s*큰", r"없이|직접|반복문|내장"),
        '''def max_and_min(numbers: list) -> tuple:
    """(largest, smallest) of a non-empty list, with one loop and no max()/min()."""
    largest = smallest = numbers[0]
    for number in numbers[1:]:
        if number > largest:
            largest = number
        if number < smallest:
            smallest = number
    return largest, smallest


print(max_and_min([3, 9, 1, 7]))  # (9, 1)
''',
    ),
    Task(
        "second_largest",
        "second_largest",
        ("the second-largest number", "두 번째로 큰 수를 찾는 함수"),
        (r"\bsecond\b", r"largest|biggest|highest|\bmax"),
        (r"두\s*번째", r"큰|최대"),
        '''def second_largest(numbers: list):
    """The second-largest distinct value (None when there is none)."""
    distinct = sorted(set(numbers))
    return distinct[-2] if len(distinct) >= 2 else None


print(second_largest([4, 9, 7, 9]))  # 7
''',
    ),
    Task(
        "common_elements",
        "common_elements",
        ("the common elements of two lists", "두 리스트의 공통 원소를 찾는 함수"),
        (r"\bcommon\b|intersect|\bshared\b|\bin\s+both\b", rf"{_LISTY}"),
        (r"공통|교집합|겹치는", r"리스트|원소|요소|배열"),
        '''def common_elements(first: list, second: list) -> list:
    """Items found in both lists, in the order of ``first``, without repeats."""
    others = set(second)
    return [item for item in dict.fromkeys(first) if item in others]


print(common_elements([1, 2, 3, 2], [2, 3, 4]))  # [2, 3]
''',
    ),
    Task(
        "chunks",
        "chunks",
        ("splitting a list into chunks", "리스트를 일정한 크기로 나누는 함수"),
        (r"chunk|batch|groups?\s+of|pieces|split\s+(?:a\s+|the\s+)?list",),
        (r"청크|(?:리스트|목록).{0,12}(?:나누|쪼개|자르)",),
        '''def chunks(items: list, size: int) -> list:
    """``items`` cut into lists of ``size`` (the last one may be shorter)."""
    return [items[start : start + size] for start in range(0, len(items), size)]


print(chunks([1, 2, 3, 4, 5], 2))  # [[1, 2], [3, 4], [5]]
''',
    ),
    Task(
        "title_case",
        "title_case",
        ("title case", "단어의 첫 글자를 대문자로 바꾸는 함수"),
        (r"title[\s-]*case|capitali[sz]|capital\s+letters?|upper\s*-?case\s+(?:the\s+)?first",),
        (r"대문자|타이틀\s*케이스",),
        '''def title_case(text: str) -> str:
    """Each word with its first letter upper case (str.title() also capitalises "it's" oddly)."""
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


print(title_case("hello big world"))  # Hello Big World
print("hello world".capitalize())  # only the first letter: Hello world
''',
    ),
    Task(
        "reverse_words",
        "reverse_words",
        ("reversing the words of a sentence", "문장의 단어 순서를 뒤집는 함수"),
        (r"\brevers", r"\bwords\b", r"sentence|order|\btext\b"),
        (r"뒤집|거꾸로|역순", r"단어", r"문장|순서"),
        '''def reverse_words(sentence: str) -> str:
    """The words of ``sentence`` in reverse order."""
    return " ".join(reversed(sentence.split()))


print(reverse_words("the quick brown fox"))  # fox brown quick the
''',
    ),
    Task(
        "multiplication_table",
        "multiplication_table",
        ("a multiplication table", "구구단(곱셈표)"),
        (r"multiplication\s+table|times\s+tables?",),
        (r"구구단|곱셈\s*표",),
        '''def multiplication_table(n: int = 9) -> list:
    """Rows of the n x n multiplication table: table[i - 1][j - 1] == i * j."""
    return [[i * j for j in range(1, n + 1)] for i in range(1, n + 1)]


for row in multiplication_table(3):
    print(" ".join(f"{value:2}" for value in row))
''',
    ),
)
