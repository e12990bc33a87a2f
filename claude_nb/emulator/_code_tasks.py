"""The teaching responder's task library: small Python answers that run as they are.

Each ``Task`` has English and Korean keyword patterns (regular expressions, case-insensitive),
the name of the function (or class) it defines, a short description in both languages and
the code. Every code text parses, runs in a fresh namespace in well under a second, and
reads no input, uses no network and writes no file (the file task uses a temporary
directory). ``_code_reply`` picks the best-scoring task and renames its function when the
prompt names one. More tasks are in ``_code_tasks_more``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BASIC_TASKS", "Task"]


@dataclass(frozen=True)
class Task:
    """One answer of the library: how to recognise it, what it defines, the code."""

    key: str
    name: str
    what: tuple[str, str]  # English, Korean
    english: tuple[str, ...]
    korean: tuple[str, ...]
    code: str


BASIC_TASKS: tuple[Task, ...] = (
    Task(
        "reverse_string",
        "reverse_string",
        ("a function that reverses a string", "문자열을 뒤집는 함수"),
        (r"\brevers\w*", r"\b(?:string|word|text|str)s?\b"),
        (r"뒤집|거꾸로|역순", r"문자열|단어"),
        'def reverse_string(text: str) -> str:\n    """Return ``text`` backwards."""\n'
        '    return text[::-1]\n\n\nprint(reverse_string("hello"))  # olleh\n',
    ),
    Task(
        "reverse_list",
        "reverse_list",
        ("a function that reverses a list", "리스트를 뒤집는 함수"),
        (r"\brevers\w*", r"\b(?:list|array)s?\b"),
        (r"뒤집|거꾸로|역순", r"리스트|목록|배열"),
        "def reverse_list(items: list) -> list:\n"
        '    """A new list with the items of ``items`` in reverse order."""\n'
        "    return list(reversed(items))\n\n\nprint(reverse_list([1, 2, 3]))  # [3, 2, 1]\n",
    ),
    Task(
        "fibonacci",
        "fibonacci",
        ("a Fibonacci function", "피보나치 수를 구하는 함수"),
        (r"fibonacci|\bfib\b",),
        (r"피보나치",),
        "def fibonacci(n: int) -> int:\n"
        '    """The n-th Fibonacci number: fibonacci(0) == 0, fibonacci(10) == 55."""\n'
        "    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n\n"
        "print([fibonacci(n) for n in range(11)])  # [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]\n",
    ),
    Task(
        "factorial",
        "factorial",
        ("a factorial function", "팩토리얼을 구하는 함수"),
        (r"factorial",),
        (r"팩토리얼|계승",),
        "def factorial(n: int) -> int:\n"
        '    """n! = 1 * 2 * ... * n (factorial(0) == 1)."""\n'
        "    result = 1\n    for k in range(2, n + 1):\n        result *= k\n"
        "    return result\n\n\n"
        "print(factorial(5))  # 120\n",
    ),
    Task(
        "is_prime",
        "is_prime",
        ("a prime test", "소수인지 판별하는 함수"),
        (r"\bprimes?\b|\bprimality\b",),
        (r"소수(?!점)",),
        "def is_prime(n: int) -> bool:\n"
        '    """True when ``n`` is a prime number."""\n'
        "    if n < 2:\n        return False\n    divisor = 2\n"
        "    while divisor * divisor <= n:\n        if n % divisor == 0:\n"
        "            return False\n"
        "        divisor += 1\n    return True\n\n\n"
        "print([n for n in range(20) if is_prime(n)])  # [2, 3, 5, 7, 11, 13, 17, 19]\n",
    ),
    Task(
        "sort_numbers",
        "sort_numbers",
        ("a function that sorts a list", "리스트를 정렬하는 함수"),
        (r"\bsort(?:s|ing)?\b",),
        (r"정렬",),
        "def sort_numbers(numbers: list, descending: bool = False) -> list:\n"
        '    """A sorted copy of ``numbers`` (smallest first unless ``descending``)."""\n'
        "    return sorted(numbers, reverse=descending)\n\n\n"
        "print(sort_numbers([5, 2, 9, 1]))  # [1, 2, 5, 9]\n",
    ),
    Task(
        "bubble_sort",
        "bubble_sort",
        ("a bubble sort", "버블 정렬 함수"),
        (r"bubble", r"\bsort"),
        (r"버블", r"정렬"),
        "def bubble_sort(numbers: list) -> list:\n"
        '    """A sorted copy of ``numbers``, by swapping neighbours (bubble sort)."""\n'
        "    items = list(numbers)\n    for end in range(len(items) - 1, 0, -1):\n"
        "        for i in range(end):\n            if items[i] > items[i + 1]:\n"
        "                items[i], items[i + 1] = items[i + 1], items[i]\n    return items\n\n\n"
        "print(bubble_sort([5, 2, 9, 1]))  # [1, 2, 5, 9]\n",
    ),
    Task(
        "sum_numbers",
        "sum_numbers",
        ("a function that adds up a list", "리스트의 합을 구하는 함수"),
        (r"\bsum\b|\btotal\b|\badd(?:s)? up\b",),
        (r"합계|합을|총합|더하는|합\b",),
        "def sum_numbers(numbers: list) -> float:\n"
        '    """The sum of ``numbers`` (0 for an empty list)."""\n'
        "    total = 0\n    for number in numbers:\n        total += number\n    return total\n\n\n"
        "print(sum_numbers([1, 2, 3, 4]))  # 10\n",
    ),
    Task(
        "average",
        "average",
        ("a function for the mean of a list", "리스트의 평균을 구하는 함수"),
        (r"\baverage\b|\bmean\b",),
        (r"평균",),
        "def average(numbers: list) -> float:\n"
        '    """The arithmetic mean of ``numbers`` (0.0 for an empty list)."""\n'
        "    return sum(numbers) / len(numbers) if numbers else 0.0\n\n\n"
        "print(average([2, 4, 6]))  # 4.0\n",
    ),
    Task(
        "find_max",
        "find_max",
        ("a function for the largest item", "가장 큰 값을 찾는 함수"),
        (r"\bmax(?:imum)?\b|\blargest\b|\bbiggest\b|\bhighest\b",),
        (r"최대(?!\s*공약)|최댓값|가장 큰",),
        "def find_max(numbers: list):\n"
        '    """The largest item of ``numbers`` (None for an empty list)."""\n'
        "    largest = None\n    for number in numbers:\n"
        "        if largest is None or number > largest:\n            largest = number\n"
        "    return largest\n\n\nprint(find_max([3, 8, 1]))  # 8\n",
    ),
    Task(
        "find_min",
        "find_min",
        ("a function for the smallest item", "가장 작은 값을 찾는 함수"),
        (r"\bmin(?:imum)?\b|\bsmallest\b|\blowest\b",),
        (r"최소(?!\s*공배)|최솟값|가장 작은",),
        "def find_min(numbers: list):\n"
        '    """The smallest item of ``numbers`` (None for an empty list)."""\n'
        "    return min(numbers) if numbers else None\n\n\nprint(find_min([3, 8, 1]))  # 1\n",
    ),
    Task(
        "is_palindrome",
        "is_palindrome",
        ("a palindrome check", "회문인지 확인하는 함수"),
        (r"palindrom",),
        (r"회문|팰린드롬",),
        "def is_palindrome(text: str) -> bool:\n"
        '    """True when ``text`` reads the same backwards (case and spaces ignored)."""\n'
        "    letters = [c.lower() for c in text if c.isalnum()]\n"
        "    return letters == letters[::-1]\n\n\n"
        'print(is_palindrome("Never odd or even"))  # True\n',
    ),
    Task(
        "count_words",
        "count_words",
        ("a word counter", "단어 수를 세는 함수"),
        (r"\bcount", r"\bwords?\b"),
        (r"단어", r"세|개수|수를|몇"),
        "def count_words(text: str) -> int:\n"
        '    """How many words ``text`` has (split on whitespace)."""\n'
        '    return len(text.split())\n\n\nprint(count_words("the quick brown fox"))  # 4\n',
    ),
    Task(
        "word_frequencies",
        "word_frequencies",
        ("a word-frequency counter", "단어 빈도를 세는 함수"),
        (r"frequenc|how often|occurrences",),
        (r"빈도|등장 횟수",),
        "from collections import Counter\n\n\n"
        "def word_frequencies(text: str) -> dict:\n"
        '    """Each lower-cased word of ``text`` with how often it occurs."""\n'
        "    return dict(Counter(text.lower().split()))\n\n\n"
        "print(word_frequencies(\"a rose is a rose\"))  # {'a': 2, 'rose': 2, 'is': 1}\n",
    ),
    Task(
        "celsius_to_fahrenheit",
        "celsius_to_fahrenheit",
        ("a temperature converter", "온도를 변환하는 함수"),
        (r"celsius|fahrenheit|temperature",),
        (r"섭씨|화씨|온도",),
        "def celsius_to_fahrenheit(celsius: float) -> float:\n"
        '    """Degrees Celsius in Fahrenheit."""\n    return celsius * 9 / 5 + 32\n\n\n'
        "def fahrenheit_to_celsius(fahrenheit: float) -> float:\n"
        '    """Degrees Fahrenheit in Celsius."""\n    return (fahrenheit - 32) * 5 / 9\n\n\n'
        "print(celsius_to_fahrenheit(100), fahrenheit_to_celsius(32))  # 212.0 0.0\n",
    ),
    Task(
        "fizzbuzz",
        "fizzbuzz",
        ("FizzBuzz", "FizzBuzz"),
        (r"fizz\s*buzz",),
        (r"피즈\s*버즈",),
        "def fizzbuzz(n: int = 15) -> list:\n"
        '    """FizzBuzz from 1 to ``n``: 3 -> "Fizz", 5 -> "Buzz", both -> "FizzBuzz"."""\n'
        "    lines = []\n    for k in range(1, n + 1):\n"
        '        word = ("Fizz" if k % 3 == 0 else "") + ("Buzz" if k % 5 == 0 else "")\n'
        "        lines.append(word or str(k))\n    return lines\n\n\n"
        'print("\\n".join(fizzbuzz(15)))\n',
    ),
    Task(
        "binary_search",
        "binary_search",
        ("a binary search", "이진 탐색 함수"),
        (r"binary\s*search|bisect",),
        (r"이진\s*(?:탐색|검색)|이분\s*(?:탐색|검색)",),
        "def binary_search(items: list, target) -> int:\n"
        '    """The index of ``target`` in the sorted list ``items``, or -1."""\n'
        "    low, high = 0, len(items) - 1\n    while low <= high:\n"
        "        middle = (low + high) // 2\n        if items[middle] == target:\n"
        "            return middle\n        if items[middle] < target:\n"
        "            low = middle + 1\n        else:\n            high = middle - 1\n"
        "    return -1\n\n\nprint(binary_search([1, 3, 5, 7, 9], 7))  # 3\n",
    ),
    Task(
        "gcd",
        "gcd",
        ("a greatest-common-divisor function", "최대공약수를 구하는 함수"),
        (r"\bgcd\b|greatest common|highest common",),
        (r"최대\s*공약수",),
        "def gcd(a: int, b: int) -> int:\n"
        '    """The greatest common divisor of ``a`` and ``b`` (Euclid)."""\n'
        "    while b:\n        a, b = b, a % b\n    return abs(a)\n\n\nprint(gcd(48, 18))  # 6\n",
    ),
    Task(
        "lcm",
        "lcm",
        ("a least-common-multiple function", "최소공배수를 구하는 함수"),
        (r"\blcm\b|least common multiple|lowest common multiple",),
        (r"최소\s*공배수",),
        "from math import gcd\n\n\ndef lcm(a: int, b: int) -> int:\n"
        '    """The least common multiple of ``a`` and ``b``."""\n'
        "    return abs(a * b) // gcd(a, b) if a and b else 0\n\n\nprint(lcm(4, 6))  # 12\n",
    ),
    Task(
        "count_vowels",
        "count_vowels",
        ("a vowel counter", "모음 개수를 세는 함수"),
        (r"vowel",),
        (r"모음",),
        "def count_vowels(text: str) -> int:\n"
        '    """How many vowels (a, e, i, o, u) ``text`` has, any case."""\n'
        '    return sum(1 for c in text.lower() if c in "aeiou")\n\n\n'
        'print(count_vowels("Offline emulator"))  # 7\n',
    ),
)
