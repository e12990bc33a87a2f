"""SQL requests for the teaching responder: a plausible query built from the prompt.

"Write a SQL query that selects all users older than 30." gives ```` ```sql ```` with
``SELECT * FROM users WHERE age > 30;``: the table from "all <table>", "from <table>",
"<table> table", "top N <table>" or a Korean noun (사용자 -> users, 학생 -> students ...); the
conditions from "older/younger than N", "<column> greater/less than N", "where <column> is X",
"<column> > N" and Korean "나이가 30보다 많은", "30세 이상"; ORDER BY from "sorted/ordered by
<column>" (DESC for "top N", "descending", "highest"); LIMIT from "top/first N". When the request
says Python (or sqlite), a ```` ```python ```` block runs the query on an in-memory sqlite3
table with three sample rows.
"""

from __future__ import annotations

import re

__all__ = ["sql_reply"]

ASKS = re.compile(r"\bsql\b|에스큐엘|\bsqlite\b", re.IGNORECASE)
WRITES = re.compile(
    r"\b(?:write|give|show|create|make|generate|build|need|want|select|find|get|list|count|"
    r"query|help)\b|쿼리|작성|만들|짜|보여|알려|써|조회",
    re.IGNORECASE,
)
KO_TABLES = {
    "사용자": "users",
    "유저": "users",
    "회원": "users",
    "학생": "students",
    "주문": "orders",
    "상품": "products",
    "제품": "products",
    "직원": "employees",
    "사원": "employees",
    "고객": "customers",
    "책": "books",
    "도서": "books",
    "게시글": "posts",
}
KO_COLUMNS = {
    "나이": "age",
    "가격": "price",
    "점수": "score",
    "급여": "salary",
    "연봉": "salary",
    "월급": "salary",
    "이름": "name",
    "도시": "city",
    "수량": "quantity",
}
_NOT_TABLES = frozenset(
    ("the", "a", "an", "of", "rows", "records", "entries", "data", "columns", "sql", "query")
)
_TABLE_EN = (
    r"\bfrom\s+(?:the\s+)?([a-z_]\w*)",
    r"\b([a-z_]\w*)\s+table\b",
    r"\ball\s+(?:the\s+)?([a-z_]\w*)",
    r"\btop\s+\d+\s+([a-z_]\w*)",
    r"\b(?:select|find|get|list|count|show|return|fetch)(?:s|es)?\s+(?:all\s+)?(?:the\s+)?([a-z_]\w*)",
)
_NUM = r"-?\d+(?:\.\d+)?"


def _table(prompt: str) -> str:
    for pattern in _TABLE_EN:
        for match in re.finditer(pattern, prompt, re.IGNORECASE):
            name = match.group(1).lower()
            if name not in _NOT_TABLES and not name.isdigit():
                return name
    return next((table for word, table in KO_TABLES.items() if word in prompt), "items")


def _conditions(prompt: str) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for match in re.finditer(rf"\b(older|younger)\s+than\s+({_NUM})", prompt, re.I):
        found.append(("age", ">" if match.group(1).lower() == "older" else "<", match.group(2)))
    words = r"(greater|more|higher|above|over|bigger|larger|less|lower|below|under|smaller)"
    for match in re.finditer(
        rf"\b([a-z_]\w*)\s+(?:is\s+|of\s+)?{words}\s+than\s+({_NUM})", prompt, re.I
    ):
        bigger = match.group(2).lower() not in ("less", "lower", "below", "under", "smaller")
        found.append((match.group(1).lower(), ">" if bigger else "<", match.group(3)))
    for match in re.finditer(
        rf"\b([a-z_]\w*)\s*(>=|<=|!=|=|>|<)\s*({_NUM}|'[^']*'|\"[^\"]*\")", prompt
    ):
        found.append((match.group(1).lower(), match.group(2), match.group(3).replace('"', "'")))
    for match in re.finditer(
        r"\bwhere\s+(?:the\s+)?([a-z_]\w*)\s+(?:is|equals)\s+['\"]?([\w@.-]+)['\"]?", prompt, re.I
    ):
        value = match.group(2)
        found.append(
            (match.group(1).lower(), "=", value if re.fullmatch(_NUM, value) else f"'{value}'")
        )
    ko = re.finditer(
        rf"([가-힣]+?)(?:이|가|은|는)?\s*({_NUM})\s*(?:세|살|원|점)?\s*(보다\s*(?:많|크|높|넘)|보다\s*(?:적|작|낮)|이상|이하|초과|미만|넘는)",
        prompt,
    )
    for match in ko:
        column = KO_COLUMNS.get(
            match.group(1), "age" if "세" in match.group(0) or "살" in match.group(0) else "value"
        )
        word = match.group(3)
        op = (
            ">="
            if word == "이상"
            else "<="
            if word == "이하"
            else "<"
            if re.search(r"적|작|낮|미만", word)
            else ">"
        )
        found.append((column, op, match.group(2)))
    return list(dict.fromkeys(found))


def _order(prompt: str) -> tuple[str | None, str, str | None]:
    top = re.search(r"\b(?:top|first|limit)\s+(\d+)|상위\s*(\d+)", prompt, re.I)
    limit = (top.group(1) or top.group(2)) if top else None
    by = re.search(
        r"\b(?:sorted|ordered|order|sort|rank(?:ed)?)\s+by\s+(?:the\s+)?(?:highest\s+)?([a-z_]\w*)(?:\s+(desc|descending|asc|ascending))?",
        prompt,
        re.I,
    )
    column = by.group(1).lower() if by else None
    descending = bool(re.search(r"desc|highest|largest|most|top|내림차순|높은", prompt, re.I))
    if by and by.group(2):
        descending = by.group(2).lower().startswith("desc")
    if column is None and limit:
        named = re.search(r"price|salary|age|score", prompt, re.I)
        column = named.group(0).lower() if named else "score"
    return column, "DESC" if descending else "ASC", limit


def _python(
    query: str, table: str, conditions: list[tuple[str, str, str]], order: str | None
) -> str:
    columns = {"id": "INTEGER", "name": "TEXT"}
    for column, _, value in conditions:
        columns.setdefault(column, "TEXT" if value.startswith("'") else "REAL")
    if order:
        columns.setdefault(order, "REAL")
    rows = []
    for index, name in enumerate(("Ada", "Grace", "Alan")):
        row: list[str] = [str(index + 1), repr(name)]
        for column, kind in list(columns.items())[2:]:
            value = next((v for c, _, v in conditions if c == column), "10")
            if kind == "TEXT":
                row.append(value if index == 0 else repr(f"other{index}"))
            else:
                base = float(value)
                row.append(repr(round(base * (0.5, 1.5, 2.0)[index] + (0, 1, 2)[index], 2)))
        rows.append(f"    ({', '.join(row)}),")
    schema = ", ".join(f"{name} {kind}" for name, kind in columns.items())
    marks = ", ".join("?" for _ in columns)
    return (
        "import sqlite3\n\n"
        f'QUERY = """\n{query}\n"""\n\n'
        'connection = sqlite3.connect(":memory:")  # a throwaway database in memory\n'
        f'connection.execute("CREATE TABLE {table} ({schema})")\n'
        f'connection.executemany(\n    "INSERT INTO {table} VALUES ({marks})",\n    [\n'
        + "\n".join("    " + line for line in rows)
        + "\n    ],\n)\n"
        "rows = connection.execute(QUERY).fetchall()\n"
        "for row in rows:\n    print(row)\n"
        "connection.close()\n"
    )


def sql_reply(prompt: str, korean: bool) -> str | None:
    """The SQL answer (and a sqlite3 run when Python is asked), or None for no SQL request."""
    if not (ASKS.search(prompt) and WRITES.search(prompt)):
        return None
    table = _table(prompt)
    conditions = _conditions(prompt)
    order, direction, limit = _order(prompt)
    count = re.search(r"\bcount\b|how\s+many|개수|몇\s*(?:명|개)", prompt, re.I)
    lines = [f"SELECT {'COUNT(*)' if count else '*'}", f"FROM {table}"]
    if conditions:
        lines.append("WHERE " + " AND ".join(f"{c} {op} {v}" for c, op, v in conditions))
    if order and not count:
        lines.append(f"ORDER BY {order} {direction}")
    if limit and not count:
        lines.append(f"LIMIT {limit}")
    query = "\n".join(lines) + ";"
    prose = (
        "오프라인 에뮬레이터가 요청에서 만든 SQL 쿼리입니다"
        "(표와 열 이름은 실제 스키마에 맞게 바꾸세요):"
        if korean
        else "A SQL query built from your request by the offline emulator (adjust the table and "
        "column names to your schema):"
    )
    reply = f"{prose}\n\n```sql\n{query}\n```"
    if re.search(r"python|파이썬|sqlite", prompt, re.I):
        runs = (
            "파이썬의 sqlite3로 메모리 안의 표 하나에 실행해 봅니다:"
            if korean
            else "Run it with Python's sqlite3 on a table in memory:"
        )
        reply += f"\n\n{runs}\n\n```python\n{_python(query, table, conditions, order)}```"
    return reply
