"""The teaching responder over real HTTP: language, code that runs, JSON, words, answers."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from claude_nb._api.language import hangul_share, is_korean
from claude_nb.emulator import Emulator

MODEL = "claude-opus-5"
HEADERS = {"anthropic-version": "2023-06-01"}
FENCE = re.compile(r"```python\n(.*?)\n```", re.DOTALL)
JSON_SYSTEM = "Reply with only a JSON value: no prose and no code fence."
CODE_SYSTEM = "Reply with one fenced code block and nothing else."


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    emulator = Emulator(require_key=False)
    with (
        emulator.serve() as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS, timeout=30) as http,
    ):
        yield http


def ask(client: httpx.Client, prompt: Any, system: str | None = None, **extra: Any) -> str:
    messages = prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
    payload: dict[str, Any] = {"model": MODEL, "max_tokens": 8000, "messages": messages, **extra}
    if system:
        payload["system"] = system
    response = client.post("/v1/messages", json=payload)
    assert response.status_code == 200, response.text
    return "".join(b["text"] for b in response.json()["content"] if b["type"] == "text")


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def body_of(text: str) -> str:
    """The reply without its first line (the emulator marker)."""
    first, _, rest = text.partition("\n")
    assert first in ("*(offline emulator)*", "*(오프라인 에뮬레이터)*"), first
    return rest


def code_of(text: str) -> str:
    blocks = FENCE.findall(text)
    assert len(blocks) == 1, text
    ast.parse(blocks[0])
    return str(blocks[0])


def run_fresh(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__teaching__"}
    exec(compile(code, "<reply>", "exec"), namespace)
    return namespace


# -- language -------------------------------------------------------------------------------


def test_the_one_language_rule() -> None:
    assert is_korean("피보나치 함수를 작성해 주세요")
    assert is_korean("`fibonacci(n)` 함수를 만들어줘")
    assert not is_korean("Write a function that reverses a string")
    assert not is_korean(
        "Please translate 안녕 into English and explain the grammar behind it in detail"
    )
    assert not is_korean("```python\n# 한국어 주석\n```\nExplain this code")


@pytest.mark.parametrize(
    "prompt",
    [
        "안녕하세요! 오늘 무엇을 배울까요?",
        "스트리밍이 무엇인지 설명해 주세요.",
        "이 문장을 요약해줘",
    ],
)
def test_a_korean_prompt_gets_a_korean_reply(client: httpx.Client, prompt: str) -> None:
    text = ask(client, prompt)
    assert text.startswith("*(오프라인 에뮬레이터)*\n")
    assert hangul_share(text.replace(prompt, "")) > 0.5


def test_english_marker_and_system_language_requests(client: httpx.Client) -> None:
    assert ask(client, "Hello there").startswith("*(offline emulator)*\nThis is the offline")
    assert is_korean(body_of(ask(client, "What is streaming?", system="Answer in Korean.")))
    assert not is_korean(body_of(ask(client, "스트리밍이 뭐예요?", system="Answer in English.")))


def test_korean_notice_and_english_notice() -> None:
    from claude_nb._notebook.outputs import OFFLINE_NOTICE, offline_notice

    assert offline_notice("Hello") == OFFLINE_NOTICE
    korean = offline_notice("안녕하세요, 반가워요")
    assert "ANTHROPIC_API_KEY" in korean and hangul_share(korean) > 0.3


# -- code -----------------------------------------------------------------------------------

CODE_TASKS = [
    (
        "Write a Python function `fibonacci(n)` that returns the n-th Fibonacci number.",
        "fibonacci(10) == 55",
    ),
    ("Write a function reverse_string(s) that reverses a string", 'reverse_string("abc") == "cba"'),
    ("Write a function to compute the factorial of n", "factorial(5) == 120"),
    (
        "Can you write code that checks whether a number is prime?",
        "is_prime(7) and not is_prime(8)",
    ),
    ("Write a function called slugify for blog titles", 'slugify("Hello World") == "hello-world"'),
    ("Implement binary search in Python", "binary_search([1, 3, 5, 7], 5) == 2"),
    ("Write a function gcd(a, b)", "gcd(12, 18) == 6"),
    ("Write a Python function that counts the vowels in a string", 'count_vowels("banana") == 3'),
    ("Write a function that converts Celsius to Fahrenheit", "celsius_to_fahrenheit(100) == 212"),
    ("Write FizzBuzz in Python", 'fizzbuzz(15)[-1] == "FizzBuzz"'),
    ("Write a BankAccount class with deposit and withdraw", 'BankAccount("a").deposit(5) == 5'),
    ("Write code to read a CSV file", "len(load_csv()) == 3"),
    ("Write code to plot sin(x) with matplotlib", "make_plot() is not None"),
    ("Write a simple HTTP endpoint that says hello", 'handle_request("/hello")[0] == 200'),
    ("Write a function is_palindrome(text)", 'is_palindrome("Racecar")'),
    ("Write a function that counts the words in a text", 'count_words("a b c") == 3'),
    ("피보나치 수를 구하는 `fib(n)` 함수를 작성해 주세요", "fib(10) == 55"),
    ("문자열을 뒤집는 함수를 만들어줘", 'reverse_string("abc") == "cba"'),
    ("리스트를 정렬하는 파이썬 코드를 짜줘", "sort_numbers([3, 1, 2]) == [1, 2, 3]"),
    ("소수인지 판별하는 함수 is_prime을 구현해 주세요", "is_prime(13)"),
    ("숫자 리스트의 평균을 구하는 함수를 작성해줘", "average([2, 4]) == 3"),
    ("최대공약수를 구하는 함수를 만들어 주세요", "gcd(8, 12) == 4"),
    ("팩토리얼 함수를 작성해줘", "factorial(4) == 24"),
]


@pytest.mark.parametrize(("prompt", "check"), CODE_TASKS, ids=[p[:40] for p, _ in CODE_TASKS])
def test_code_requests_give_one_block_that_runs(client: httpx.Client, prompt: str, check: str):
    text = ask(client, prompt)
    korean = is_korean(prompt)
    prose = body_of(text).split("```")[0]
    assert is_korean(prose) == korean, prose
    namespace = run_fresh(code_of(text))
    assert eval(check, namespace), check


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("Write a function called parse_invoice that reads an invoice", "parse_invoice"),
        ("Write `solve_sudoku(board)` in Python", "solve_sudoku"),
        ("Write a function that converts Roman numerals", "convert_roman_numerals"),
        ("`render_page` 함수를 작성해 주세요", "render_page"),
    ],
)
def test_unknown_tasks_get_a_labelled_runnable_skeleton(client, prompt: str, name: str) -> None:
    code = code_of(ask(client, prompt))
    assert code.startswith("# Skeleton from the offline emulator:")
    namespace = run_fresh(code)
    assert namespace[name]() is None


def test_code_format_instruction_and_subprocess_run(client: httpx.Client) -> None:
    code = code_of(ask(client, "Make a list of the first squares", system=CODE_SYSTEM))
    done = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0, done.stderr
    assert "[1, 4, 9, 16, 25]" in done.stdout


# -- JSON -----------------------------------------------------------------------------------


def test_format_json_instruction_gives_only_json(client: httpx.Client) -> None:
    text = ask(client, "Describe a city with keys name, country and population", JSON_SYSTEM)
    value = json.loads(text)
    assert list(value) == ["name", "country", "population"]
    assert isinstance(value["population"], int)


@pytest.mark.parametrize(
    ("prompt", "keys"),
    [
        ("Give me a person as JSON with keys name, age and city", ["name", "age", "city"]),
        ('Return JSON with the keys "title", "tags" and "year".', ["title", "tags", "year"]),
        ("JSON으로 답해줘. 키: name, email, is_active", ["name", "email", "is_active"]),
        ("이름, 나이, 도시 키를 가진 JSON 객체를 만들어줘", ["이름", "나이", "도시"]),
        # a sentence's full stop is not part of the last key
        ("Reply as JSON with keys name, age and city.", ["name", "age", "city"]),
        (
            "주문 정보를 JSON으로 답해 줘. 키: product, price, quantity.",
            ["product", "price", "quantity"],
        ),
        ("As JSON. Keys: a.b and c.", ["a.b", "c"]),
        # no "keys" word: the enumeration is the keys; Korean particles are not
        ("Give me the title, author and year of a book as JSON.", ["title", "author", "year"]),
        ("이름과 나이를 JSON으로 알려줘", ["이름", "나이"]),
    ],
)
def test_json_with_exactly_the_keys(client: httpx.Client, prompt: str, keys: list[str]) -> None:
    value = json.loads(ask(client, prompt))
    assert list(value) == keys


def test_json_schema_output_config_gives_a_valid_instance(client: httpx.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 2},
            "age": {"type": "integer", "minimum": 0, "maximum": 120},
            "mood": {"type": "string", "enum": ["calm", "busy"]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 4},
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                "required": ["city", "zip"],
                "additionalProperties": False,
            },
            "scores": {"type": "array", "items": {"type": "number"}},
            "active": {"type": "boolean"},
        },
        "required": ["name", "age", "mood", "tags", "address"],
        "additionalProperties": False,
    }
    config = {"format": {"type": "json_schema", "schema": schema}}
    value = json.loads(ask(client, "Make up a customer", output_config=config))
    jsonschema.validate(value, schema)
    assert len(value["tags"]) >= 4


# -- words, arithmetic, labels, text ---------------------------------------------------------


def test_write_n_words_gives_exactly_n_varied_words(client: httpx.Client) -> None:
    words = body_of(ask(client, "Write 400 words about tides")).split()
    assert len(words) == 400 and len(set(words)) > 100
    korean = body_of(ask(client, "바다에 대해 300단어로 써 주세요")).split()
    assert len(korean) == 300 and is_korean(" ".join(korean))
    cut = client.post(
        "/v1/messages",
        json={
            "model": MODEL,
            "max_tokens": 50,
            "messages": [{"role": "user", "content": "write 400 words"}],
        },
    ).json()
    assert cut["stop_reason"] == "max_tokens"


@pytest.mark.parametrize(
    "prompt",
    [
        "List the pros and cons of Python as bullet points, at most 5 words each.",
        "Give three tips, 4 words per tip.",
        "장점을 5단어씩 세 줄로 써줘",
    ],
)
def test_a_length_per_item_is_not_a_length_for_the_reply(client: httpx.Client, prompt: str):
    assert len(body_of(ask(client, prompt)).split()) > 6


@pytest.mark.parametrize(
    ("prompt", "number"),
    [
        ("What is 17 * 3?", "51"),
        ("12 더하기 30은?", "42"),
        ("Calculate 2^10", "1024"),
        ("What is the sum of [3, 1, 4, 1, 5]?", "14"),
        ("100 나누기 8은 얼마야?", "12.5"),
    ],
)
def test_arithmetic(client: httpx.Client, prompt: str, number: str) -> None:
    assert re.findall(r"-?\d+(?:\.\d+)?", body_of(ask(client, prompt)))[0] == number


@pytest.mark.parametrize(
    ("prompt", "label"),
    [
        ("Classify the sentiment as positive, negative or neutral: I love this phone!", "positive"),
        ("Is this email spam or not spam? 'WIN a FREE prize, click now'", "spam"),
        ("다음 리뷰를 긍정/부정으로 분류해줘: 배송이 느리고 실망했어요", "부정"),
        ("Label as bug, feature or question: the app crashes on start", "bug"),
    ],
)
def test_classification_gives_exactly_one_label(client, prompt: str, label: str) -> None:
    assert body_of(ask(client, prompt)).strip() == label


def test_few_shot_turns_are_followed(client: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "I loved it"},
        {"role": "assistant", "content": "positive"},
        {"role": "user", "content": "Terrible service"},
        {"role": "assistant", "content": "negative"},
        {"role": "user", "content": "What a wonderful day"},
    ]
    assert body_of(ask(client, messages)).strip() == "positive"
    assert body_of(ask(client, "cat -> CAT\ndog -> DOG\nbird ->")).strip() == "BIRD"


NILE = (
    "The Nile is the longest river in Africa. It flows north into the Mediterranean Sea. "
    "Its floods once fed the farms of Egypt. The Aswan Dam now controls the water."
)


def test_summary_quotes_the_given_text(client: httpx.Client) -> None:
    text = body_of(ask(client, f"Summarize this text:\n{NILE}"))
    assert "> The Nile is the longest river in Africa." in text
    one = body_of(ask(client, f"Summarize in one sentence: {NILE}"))
    assert one.count("> ") == 1


def test_document_questions_quote_the_document(client: httpx.Client) -> None:
    document = {
        "type": "document",
        "title": "Nile",
        "source": {"type": "text", "media_type": "text/plain", "data": NILE},
    }
    content = [document, {"type": "text", "text": "What controls the water today?"}]
    assert "The Aswan Dam now controls the water." in ask(client, [user(content)])
    pdf = {
        "type": "document",
        "source": {
            "type": "base64",
            "media_type": "application/pdf",
            "data": "JVBERi0xLjQKMSAwIG9iajw8L1R5cGUgL1BhZ2U+PmVuZG9iagolJUVPRg==",
        },
    }
    note = ask(client, [user([pdf, {"type": "text", "text": "What does this PDF say?"}])])
    assert "cannot read PDF" in note and "1 page" in note


def test_system_prompt_shapes(client: httpx.Client) -> None:
    tutor = ask(client, "Give me tips", system="You are a patient tutor. Use bullet points.")
    assert "a patient tutor" in tutor and "\n- " in tutor
    one = body_of(ask(client, "What is a kernel?", system="Answer in one sentence."))
    assert len(re.findall(r"[.!?](?:\s|$)", one.replace("`claude-opus-5`", ""))) <= 2


def test_korean_tool_results_and_thinking(client: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "서울 날씨를 get_weather로 알려줘"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "맑음 21도"}],
        },
    ]
    tools = [{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}]
    answer = ask(client, messages, tools=tools)
    assert answer.startswith("*(오프라인 에뮬레이터)*") and "> 맑음 21도" in answer
    response = client.post(
        "/v1/messages",
        json={
            "model": MODEL,
            "max_tokens": 4000,
            "thinking": {"type": "adaptive"},
            "messages": [{"role": "user", "content": "생각해 보고 답해 주세요"}],
        },
    ).json()
    assert is_korean(response["content"][0]["thinking"])


# -- through the Session and the SDK --------------------------------------------------------


def test_session_offline_korean_and_code(tmp_path: Any) -> None:
    import claude_nb

    session = claude_nb.Session(offline=True)
    reply = session.ask("리스트의 최댓값을 찾는 함수를 작성해 주세요", history=False)
    assert reply.offline and is_korean(reply.text.split("```")[0])
    namespace = run_fresh(code_of(reply.text))
    assert namespace["find_max"]([3, 9, 2]) == 9
    data = json.loads(session.ask("Reply as JSON with keys a and b", history=False).text)
    assert list(data) == ["a", "b"]


def test_the_sdk_parses_teaching_replies() -> None:
    anthropic = pytest.importorskip("anthropic")
    with Emulator(require_key=False).serve() as base_url:
        sdk = anthropic.Anthropic(api_key="sk-test", base_url=base_url)
        message = sdk.messages.create(
            model=MODEL,
            max_tokens=2000,
            messages=[{"role": "user", "content": "Write a function `fibonacci(n)`"}],
        )
        assert "```python" in message.content[0].text
        with sdk.messages.stream(
            model=MODEL,
            max_tokens=2000,
            messages=[{"role": "user", "content": "JSON with keys x, y"}],
        ) as stream:
            final = stream.get_final_message()
        assert list(json.loads(final.content[0].text)) == ["x", "y"]


def test_image_facts_speak_the_prompts_language() -> None:
    import io

    from PIL import Image

    from claude_nb import Session

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (40, 90, 210)).save(buffer, format="PNG")
    session = Session(offline=True)
    korean = session.ask("이 그림을 설명해 주세요", attach=[buffer.getvalue()], history=False).text
    assert "40×30 px PNG; 주요 색: 파랑 100%" in korean and "dominant" not in korean
    english = session.ask("Describe this picture", attach=[buffer.getvalue()], history=False).text
    assert "dominant colours: blue 100%" in english
