"""More of the teaching responder's task library (see ``_code_tasks`` for the rules).

Data (CSV, a plot, a file in a temporary directory), a web endpoint built on the standard
library (never served forever), classes and string utilities.
"""

from __future__ import annotations

from claude_nb.emulator._code_tasks import Task

__all__ = ["MORE_TASKS", "PANDAS_CSV"]

PANDAS_CSV = (
    "import io\n\nimport pandas as pd\n\n"
    'SAMPLE = "city,rain_mm\\nOslo,760\\nLima,13\\nPune,722\\n"\n\n\n'
    "def load_csv(source=None) -> pd.DataFrame:\n"
    '    """Read a CSV into a DataFrame (a small sample when no source is given)."""\n'
    "    return pd.read_csv(source if source is not None else io.StringIO(SAMPLE))\n\n\n"
    "frame = load_csv()\nprint(frame)\nprint(frame.rain_mm.mean())\n"
)

MORE_TASKS: tuple[Task, ...] = (
    Task(
        "load_csv",
        "load_csv",
        ("a function that reads a CSV file", "CSV 파일을 읽는 함수"),
        (r"\bcsv\b",),
        (r"\bcsv\b|씨에스브이",),
        "import csv\nimport io\n\n"
        'SAMPLE = "city,rain_mm\\nOslo,760\\nLima,13\\nPune,722\\n"\n\n\n'
        "def load_csv(source=None) -> list:\n"
        '    """The rows of a CSV as dicts (a small sample when no source is given).\n\n'
        '    ``source`` is any open text file, e.g. ``open(path, newline="")``.\n'
        '    """\n'
        "    text = source if source is not None else io.StringIO(SAMPLE)\n"
        "    return list(csv.DictReader(text))\n\n\n"
        "rows = load_csv()\nprint(rows)\n"
        'print(sum(int(row["rain_mm"]) for row in rows) / len(rows))\n',
    ),
    Task(
        "make_plot",
        "make_plot",
        ("a matplotlib plot", "matplotlib 그래프"),
        (r"\bplot|\bchart\b|\bgraph\b|matplotlib|histogram|visuali[sz]",),
        (r"그래프|차트|시각화|플롯|그림을? 그",),
        "import io\nimport math\n\nfrom matplotlib.figure import Figure\n\n\n"
        "def make_plot():\n"
        '    """A line plot of sin(x) on a Figure (no window opens; works in any backend)."""\n'
        "    xs = [i / 10 for i in range(63)]\n    fig = Figure(figsize=(4, 2.5))\n"
        "    ax = fig.subplots()\n"
        '    ax.plot(xs, [math.sin(x) for x in xs], label="sin(x)")\n'
        '    ax.set_xlabel("x")\n    ax.legend()\n    return fig\n\n\n'
        "fig = make_plot()  # in a notebook, show it with: display(fig)\n"
        '# save it with fig.savefig(io.BytesIO(), format="png") or a file name\n'
        'print(len(fig.axes[0].lines), "line plotted")\n',
    ),
    Task(
        "handle_request",
        "handle_request",
        ("an HTTP endpoint with the standard library", "표준 라이브러리로 만든 HTTP 엔드포인트"),
        (r"\bhttp\b|endpoint|web\s*server|\bserver\b|\bapi\b|\broute\b|flask|fastapi|rest\b",),
        (r"엔드포인트|웹\s*서버|서버|\bapi\b",),
        "import json\nfrom http.server import BaseHTTPRequestHandler, HTTPServer\n\n\n"
        "def handle_request(path: str) -> tuple:\n"
        '    """The (status, JSON body) for a GET of ``path``; the logic, testable alone."""\n'
        '    if path == "/hello":\n        return 200, json.dumps({"message": "hello"})\n'
        '    return 404, json.dumps({"error": "not found"})\n\n\n'
        "class Handler(BaseHTTPRequestHandler):\n"
        '    """Serves ``handle_request`` over HTTP."""\n\n'
        "    def do_GET(self):\n        status, body = handle_request(self.path)\n"
        "        self.send_response(status)\n"
        '        self.send_header("Content-Type", "application/json")\n'
        "        self.end_headers()\n        self.wfile.write(body.encode())\n\n\n"
        "def make_server(port: int = 8000) -> HTTPServer:\n"
        '    """The server, built but not started: call .serve_forever() to run it."""\n'
        '    return HTTPServer(("127.0.0.1", port), Handler)\n\n\n'
        'print(handle_request("/hello"))  # (200, \'{"message": "hello"}\')\n',
    ),
    Task(
        "BankAccount",
        "BankAccount",
        ("a BankAccount class", "BankAccount 클래스"),
        (r"\bbank|\baccount|deposit|withdraw",),
        (r"은행|계좌|입금|출금",),
        "class BankAccount:\n"
        '    """A balance with deposits and withdrawals (no overdraft)."""\n\n'
        "    def __init__(self, owner: str, balance: float = 0.0) -> None:\n"
        "        self.owner = owner\n        self.balance = balance\n\n"
        "    def deposit(self, amount: float) -> float:\n        if amount <= 0:\n"
        '            raise ValueError("deposit a positive amount")\n'
        "        self.balance += amount\n        return self.balance\n\n"
        "    def withdraw(self, amount: float) -> float:\n        if amount > self.balance:\n"
        '            raise ValueError("insufficient funds")\n'
        "        self.balance -= amount\n        return self.balance\n\n\n"
        'account = BankAccount("Ada")\naccount.deposit(100)\naccount.withdraw(30)\n'
        "print(account.balance)  # 70\n",
    ),
    Task(
        "Stack",
        "Stack",
        ("a Stack class", "Stack(스택) 클래스"),
        (r"\bstack\b",),
        (r"스택",),
        "class Stack:\n"
        '    """Last in, first out."""\n\n'
        "    def __init__(self) -> None:\n        self._items: list = []\n\n"
        "    def push(self, item) -> None:\n        self._items.append(item)\n\n"
        "    def pop(self):\n        return self._items.pop()\n\n"
        "    def peek(self):\n        return self._items[-1]\n\n"
        "    def __len__(self) -> int:\n        return len(self._items)\n\n\n"
        "stack = Stack()\nstack.push(1)\nstack.push(2)\nprint(stack.pop(), len(stack))  # 2 1\n",
    ),
    Task(
        "slugify",
        "slugify",
        ("a slugify function", "slug를 만드는 함수"),
        (r"\bslug",),
        (r"슬러그",),
        "import re\n\n\ndef slugify(text: str) -> str:\n"
        '    """``text`` as a URL slug: lower case, words joined by hyphens."""\n'
        '    words = re.findall(r"[a-z0-9]+", text.lower())\n    return "-".join(words)\n\n\n'
        'print(slugify("Hello, World! 2024"))  # hello-world-2024\n',
    ),
    Task(
        "remove_duplicates",
        "remove_duplicates",
        ("a function that removes duplicates", "중복을 없애는 함수"),
        (r"duplicat|dedup|\bunique\b",),
        (r"중복",),
        "def remove_duplicates(items: list) -> list:\n"
        '    """``items`` without repeats, first occurrences kept in order."""\n'
        "    return list(dict.fromkeys(items))\n\n\n"
        "print(remove_duplicates([3, 1, 3, 2, 1]))  # [3, 1, 2]\n",
    ),
    Task(
        "is_leap_year",
        "is_leap_year",
        ("a leap-year test", "윤년인지 판별하는 함수"),
        (r"\bleap\b",),
        (r"윤년",),
        "def is_leap_year(year: int) -> bool:\n"
        '    """True for leap years of the Gregorian calendar."""\n'
        "    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n\n\n"
        "print(is_leap_year(2024), is_leap_year(1900))  # True False\n",
    ),
    Task(
        "is_even",
        "is_even",
        ("an even/odd test", "짝수인지 판별하는 함수"),
        (r"\beven\b|\bodd\b",),
        (r"짝수|홀수",),
        "def is_even(n: int) -> bool:\n"
        '    """True when ``n`` is even."""\n    return n % 2 == 0\n\n\n'
        "print([n for n in range(10) if is_even(n)])  # [0, 2, 4, 6, 8]\n",
    ),
    Task(
        "flatten",
        "flatten",
        ("a function that flattens nested lists", "중첩 리스트를 펴는 함수"),
        (r"flatten|nested\s+lists?",),
        (r"평탄|중첩\s*리스트|펼치",),
        "def flatten(items: list) -> list:\n"
        '    """All the items of nested lists, in order, as one flat list."""\n'
        "    flat = []\n    for item in items:\n"
        "        flat.extend(flatten(item) if isinstance(item, list) else [item])\n"
        "    return flat\n\n\nprint(flatten([1, [2, [3, 4]], 5]))  # [1, 2, 3, 4, 5]\n",
    ),
    Task(
        "is_anagram",
        "is_anagram",
        ("an anagram check", "애너그램인지 확인하는 함수"),
        (r"anagram",),
        (r"애너그램|아나그램",),
        "def is_anagram(first: str, second: str) -> bool:\n"
        '    """True when the two texts use the same letters (case and spaces ignored)."""\n'
        "    def key(text: str) -> list:\n"
        "        return sorted(c for c in text.lower() if c.isalnum())\n\n"
        "    return key(first) == key(second)\n\n\n"
        'print(is_anagram("listen", "silent"))  # True\n',
    ),
    Task(
        "caesar_cipher",
        "caesar_cipher",
        ("a Caesar cipher", "카이사르 암호 함수"),
        (r"caesar|cipher|encrypt",),
        (r"카이사르|시저|암호",),
        "def caesar_cipher(text: str, shift: int = 3) -> str:\n"
        '    """``text`` with each letter moved ``shift`` places (negative to decode)."""\n'
        "    result = []\n    for c in text:\n        if c.isascii() and c.isalpha():\n"
        '            base = ord("a") if c.islower() else ord("A")\n'
        "            c = chr((ord(c) - base + shift) % 26 + base)\n        result.append(c)\n"
        '    return "".join(result)\n\n\n'
        'print(caesar_cipher("Hello"), caesar_cipher(caesar_cipher("Hello"), -3))  # Khoor Hello\n',
    ),
    Task(
        "is_valid_email",
        "is_valid_email",
        ("an e-mail address check", "이메일 주소를 검사하는 함수"),
        (r"e-?mail",),
        (r"이메일|메일\s*주소",),
        "import re\n\n"
        'EMAIL = re.compile(r"[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+")\n\n\n'
        "def is_valid_email(address: str) -> bool:\n"
        '    """True when ``address`` looks like an e-mail address (a simple check)."""\n'
        "    return EMAIL.fullmatch(address) is not None\n\n\n"
        'print(is_valid_email("ada@example.com"), is_valid_email("nope"))  # True False\n',
    ),
    Task(
        "squares",
        "squares",
        ("a function that squares numbers", "제곱수를 만드는 함수"),
        (r"\bsquares?\b(?!\s+root)",),
        (r"제곱(?!근)",),
        "def squares(n: int) -> list:\n"
        '    """The squares of 1..n."""\n    return [k * k for k in range(1, n + 1)]\n\n\n'
        "print(squares(5))  # [1, 4, 9, 16, 25]\n",
    ),
    Task(
        "timed",
        "timed",
        ("a timing decorator", "실행 시간을 재는 데코레이터"),
        (r"decorator",),
        (r"데코레이터",),
        "import functools\nimport time\n\n\ndef timed(function):\n"
        '    """Wrap ``function`` so each call prints how long it took."""\n\n'
        "    @functools.wraps(function)\n    def wrapper(*args, **kwargs):\n"
        "        start = time.perf_counter()\n        result = function(*args, **kwargs)\n"
        '        print(f"{function.__name__} took {time.perf_counter() - start:.6f} s")\n'
        "        return result\n\n    return wrapper\n\n\n"
        "@timed\ndef add(a, b):\n    return a + b\n\n\nprint(add(2, 3))\n",
    ),
    Task(
        "save_and_load",
        "save_and_load",
        ("a function that writes and reads a text file", "파일을 쓰고 읽는 함수"),
        (r"\bfiles?\b",),
        (r"파일",),
        "import tempfile\nfrom pathlib import Path\n\n\n"
        "def save_and_load(text: str) -> str:\n"
        '    """Write ``text`` to a file in a temporary directory and read it back."""\n'
        "    with tempfile.TemporaryDirectory() as folder:\n"
        '        path = Path(folder) / "notes.txt"\n'
        '        path.write_text(text, encoding="utf-8")\n'
        '        return path.read_text(encoding="utf-8")\n\n\n'
        'print(save_and_load("hello file"))\n',
    ),
    Task(
        "make_password",
        "make_password",
        ("a password generator", "비밀번호 생성 함수"),
        (r"password",),
        (r"비밀번호|패스워드",),
        "import secrets\nimport string\n\n\ndef make_password(length: int = 12) -> str:\n"
        '    """A random password of letters and digits."""\n'
        "    alphabet = string.ascii_letters + string.digits\n"
        '    return "".join(secrets.choice(alphabet) for _ in range(length))\n\n\n'
        "print(len(make_password()))  # 12\n",
    ),
    Task(
        "sum_of_digits",
        "sum_of_digits",
        ("a digit-sum function", "각 자리 숫자의 합을 구하는 함수"),
        (r"\bdigits?\b", r"\bsum|\badd"),
        (r"자릿수|각\s*자리", r"합|더하"),
        "def sum_of_digits(n: int) -> int:\n"
        '    """The sum of the decimal digits of ``n``."""\n'
        "    return sum(int(d) for d in str(abs(n)))\n\n\nprint(sum_of_digits(2024))  # 8\n",
    ),
    Task(
        "km_to_miles",
        "km_to_miles",
        ("a kilometre/mile converter", "킬로미터를 마일로 바꾸는 함수"),
        (r"\bmiles?\b|kilomet|\bkm\b",),
        (r"마일|킬로미터",),
        "def km_to_miles(km: float) -> float:\n"
        '    """Kilometres in miles."""\n    return km / 1.609344\n\n\n'
        "print(round(km_to_miles(42.195), 2))  # 26.22\n",
    ),
    Task(
        "transpose",
        "transpose",
        ("a matrix transpose", "행렬 전치 함수"),
        (r"transpose|matri(?:x|ces)",),
        (r"행렬|전치",),
        "def transpose(matrix: list) -> list:\n"
        '    """Rows become columns."""\n    return [list(row) for row in zip(*matrix)]\n\n\n'
        "print(transpose([[1, 2, 3], [4, 5, 6]]))  # [[1, 4], [2, 5], [3, 6]]\n",
    ),
    Task(
        "hello",
        "hello",
        ("hello world", "헬로 월드"),
        (r"hello,?\s*world|\bgreet",),
        (r"헬로\s*월드|인사",),
        'def hello(name: str = "world") -> str:\n'
        '    """A greeting."""\n    return f"Hello, {name}!"\n\n\nprint(hello())\n',
    ),
)
