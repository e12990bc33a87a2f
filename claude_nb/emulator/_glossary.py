# ruff: noqa: E501  (the glossary is data: one sentence triple per line)
"""A small bilingual glossary of programming, data and API terms for the teaching responder.

Each entry: a pattern that finds the term in English and one in Korean, the term's names, and
three short sentences in each language (no full stop inside a sentence, so they can be counted).
``_explain`` answers definitions ("What is an API key?", "토큰이 뭐예요?") and "explain X in N
sentences" from it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TERMS", "Term"]


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    english: str  # pattern (case-insensitive)
    korean: str  # pattern
    names: tuple[str, str]
    says: tuple[tuple[str, ...], tuple[str, ...]]


def _t(en: str, ko: str, names: str, en_says: str, ko_says: str) -> Term:
    english_name, korean_name = names.split("|")
    return Term(
        en,
        ko,
        (english_name, korean_name),
        (tuple(en_says.split(" | ")), tuple(ko_says.split(" | "))),
    )


TERMS: tuple[Term, ...] = (
    _t(
        r"\bapi\s+keys?\b",
        r"api\s*키|에이피아이\s*키",
        "API key|API 키",
        "An API key is a secret string that identifies you to an API and lets it bill your account | Anyone who has it can spend your credit, so keep it in an environment variable and never in a notebook, a commit or a screenshot | If a key leaks, revoke it in the console and create a new one",
        "API 키는 API에 나를 알리고 요금을 내 계정에 청구하게 하는 비밀 문자열입니다 | 키를 가진 사람은 누구나 내 크레딧을 쓸 수 있으니 노트북이나 커밋, 화면 캡처가 아니라 환경 변수에 두세요 | 키가 새어 나갔다면 콘솔에서 폐기하고 새 키를 만드세요",
    ),
    _t(
        r"\brate\s+limits?\b",
        r"속도\s*제한|레이트\s*리밋|요청\s*한도",
        "rate limit|속도 제한",
        "A rate limit caps how many requests or tokens you may send per minute | Going over it gives an HTTP 429 error with a retry-after header | Clients wait and retry with backoff instead of failing at once",
        "속도 제한은 1분에 보낼 수 있는 요청이나 토큰의 수를 정한 한도입니다 | 한도를 넘으면 retry-after 헤더가 붙은 HTTP 429 오류가 옵니다 | 클라이언트는 바로 실패하지 않고 잠시 기다렸다가 다시 시도합니다",
    ),
    _t(
        r"\bstatus\s+codes?\b",
        r"상태\s*코드",
        "status code|상태 코드",
        "An HTTP status code is the three-digit number at the start of every response | 200 means success, 4xx means the request was wrong and 5xx means the server failed | Read it before you read the body",
        "HTTP 상태 코드는 모든 응답 맨 앞에 오는 세 자리 숫자입니다 | 200은 성공, 4xx는 요청의 잘못, 5xx는 서버의 잘못을 뜻합니다 | 본문을 읽기 전에 상태 코드부터 확인하세요",
    ),
    _t(
        r"\b(?:http\s+)?headers?\b",
        r"(?:http\s*)?헤더",
        "HTTP header|HTTP 헤더",
        "An HTTP header is a name and value sent before the body of a request or response | Headers carry facts about the message, such as the API key, the content type or the API version | The body holds the data itself",
        "HTTP 헤더는 요청이나 응답의 본문 앞에 보내는 이름과 값의 쌍입니다 | API 키, 내용 형식, API 버전처럼 메시지에 대한 정보를 담습니다 | 데이터 자체는 본문에 들어갑니다",
    ),
    _t(
        r"\bhttp\b",
        r"\bhttp\b|에이치티티피",
        "HTTP|HTTP",
        "HTTP is the protocol a client and a server use to exchange requests and responses over the web | A request has a method such as GET or POST, a URL, headers and an optional body | The response has a status code, headers and a body",
        "HTTP는 클라이언트와 서버가 웹에서 요청과 응답을 주고받는 규약입니다 | 요청에는 GET이나 POST 같은 메서드, URL, 헤더, 그리고 필요하면 본문이 들어갑니다 | 응답에는 상태 코드, 헤더, 본문이 있습니다",
    ),
    _t(
        r"\bapis?\b",
        r"\bapi\b|에이피아이",
        "API|API",
        "An API is a set of rules that lets one program ask another for data or actions | A web API is called over HTTP with requests and answers in JSON | The Messages API, for example, takes a conversation and returns the model's reply",
        "API는 한 프로그램이 다른 프로그램에 데이터나 작업을 요청하는 규칙의 모음입니다 | 웹 API는 HTTP로 호출하고 요청과 응답을 JSON으로 주고받습니다 | 예를 들어 Messages API는 대화를 받아 모델의 답을 돌려줍니다",
    ),
    _t(
        r"\bprompt\s+caching\b|\bcach(?:e|ing)\b",
        r"프롬프트\s*캐싱|캐시|캐싱",
        "prompt caching|프롬프트 캐싱",
        "Prompt caching stores the start of a prompt on the server so the next request that repeats it is cheaper and faster | You mark the end of the reusable part with cache_control | Cached reads cost a fraction of normal input tokens, but writing the cache costs a little more",
        "프롬프트 캐싱은 프롬프트의 앞부분을 서버에 저장해 같은 앞부분을 다시 보내는 요청을 더 싸고 빠르게 만듭니다 | 재사용할 부분의 끝을 cache_control로 표시합니다 | 캐시 읽기는 일반 입력 토큰의 일부 가격이지만 캐시 쓰기는 조금 더 비쌉니다",
    ),
    _t(
        r"\bcontext\s+windows?\b",
        r"컨텍스트\s*(?:창|윈도)|문맥\s*창",
        "context window|컨텍스트 창",
        "The context window is the most text, in tokens, a model can read and write in one request | It holds the system prompt, the whole conversation and the reply | A long chat must be trimmed or summarised before it overflows",
        "컨텍스트 창은 모델이 한 번의 요청에서 읽고 쓸 수 있는 최대 토큰 수입니다 | 시스템 프롬프트, 전체 대화, 답이 모두 여기에 들어갑니다 | 대화가 길어지면 넘치기 전에 줄이거나 요약해야 합니다",
    ),
    _t(
        r"\bsystem\s+prompts?\b",
        r"시스템\s*프롬프트",
        "system prompt|시스템 프롬프트",
        "A system prompt is an instruction sent apart from the conversation that sets the model's role, tone and rules | It applies to every turn | Use it for lasting rules and the user message for the task at hand",
        "시스템 프롬프트는 대화와 따로 보내는 지시로 모델의 역할, 말투, 규칙을 정합니다 | 모든 턴에 적용됩니다 | 오래 지킬 규칙은 시스템 프롬프트에, 지금 할 일은 사용자 메시지에 쓰세요",
    ),
    _t(
        r"\bprompts?\b",
        r"프롬프트",
        "prompt|프롬프트",
        "A prompt is the text you send a model to ask for something | Clear prompts say who the answer is for, what form it takes and give an example | Small changes in a prompt can change the answer a lot",
        "프롬프트는 무언가를 요청하려고 모델에 보내는 글입니다 | 좋은 프롬프트는 누구를 위한 답인지, 어떤 형식인지 말하고 예시를 줍니다 | 프롬프트를 조금만 바꿔도 답이 크게 달라질 수 있습니다",
    ),
    _t(
        r"\btokens?\b",
        r"토큰",
        "token|토큰",
        "A token is a small piece of text, often part of a word, that a model reads and writes | Prices, limits and the context window are all counted in tokens | In English a token is roughly three quarters of a word",
        "토큰은 모델이 읽고 쓰는 작은 글 조각으로, 단어의 일부인 경우가 많습니다 | 요금, 한도, 컨텍스트 창이 모두 토큰 수로 계산됩니다 | 한국어는 같은 뜻이라도 영어보다 토큰이 더 많이 드는 편입니다",
    ),
    _t(
        r"\bstreaming\b|\bstreams?\b",
        r"스트리밍",
        "streaming|스트리밍",
        "Streaming sends the reply piece by piece as it is generated instead of all at once at the end | The API does it with server-sent events such as content_block_delta | Users see text sooner, though the total time is the same",
        "스트리밍은 답을 끝에 한꺼번에 보내지 않고 만들어지는 대로 조금씩 보내는 방식입니다 | API는 content_block_delta 같은 서버 전송 이벤트로 이를 보냅니다 | 전체 시간은 같아도 사용자는 글을 더 빨리 보게 됩니다",
    ),
    _t(
        r"\btemperature\b",
        r"온도|temperature",
        "temperature|temperature(온도)",
        "Temperature controls how random a model's word choices are | Low values such as 0 give focused, repeatable answers and higher values give more varied ones | Use low temperature for facts and extraction, higher for brainstorming",
        "temperature는 모델이 단어를 고를 때 얼마나 무작위로 고를지 정합니다 | 0처럼 낮으면 일정하고 집중된 답이, 높으면 다양한 답이 나옵니다 | 사실이나 추출에는 낮게, 아이디어를 낼 때는 높게 쓰세요",
    ),
    _t(
        r"\bmax[_\s]tokens\b",
        r"max[_\s]tokens|최대\s*토큰",
        "max_tokens|max_tokens",
        "max_tokens is the most tokens the model may write in its reply | When the reply reaches it, the text is cut and stop_reason is max_tokens | It caps cost, but set it high enough for a complete answer",
        "max_tokens는 모델이 답에 쓸 수 있는 최대 토큰 수입니다 | 답이 여기에 닿으면 글이 잘리고 stop_reason이 max_tokens가 됩니다 | 비용을 막아 주지만 답이 끝까지 나올 만큼 넉넉히 정하세요",
    ),
    _t(
        r"\btool\s+use\b|\btool\s+calling\b|\bfunction\s+calling\b",
        r"도구\s*사용|툴\s*사용|도구\s*호출",
        "tool use|도구 사용",
        "Tool use lets a model ask your code to run a function and give back the result | The model replies with a tool_use block, you run the tool and send a tool_result | The loop repeats until the model can answer",
        "도구 사용은 모델이 내 코드에 함수를 실행해 결과를 달라고 요청하는 방식입니다 | 모델이 tool_use 블록으로 답하면 도구를 실행해 tool_result로 돌려보냅니다 | 모델이 답할 수 있을 때까지 이 과정을 반복합니다",
    ),
    _t(
        r"\b(?:language\s+)?models?\b|\bllms?\b",
        r"언어\s*모델|모델|llm",
        "model|모델",
        "A language model is a program trained on a lot of text to predict the next token | Given a prompt it writes a continuation, which can be an answer, code or a summary | Models differ in speed, price and capability",
        "언어 모델은 많은 글로 학습해 다음 토큰을 예측하는 프로그램입니다 | 프롬프트를 받으면 답, 코드, 요약 같은 이어지는 글을 씁니다 | 모델마다 속도, 가격, 능력이 다릅니다",
    ),
    _t(
        r"\bjson\b",
        r"json|제이슨",
        "JSON|JSON",
        "JSON is a text format for data made of objects, arrays, strings, numbers, true, false and null | APIs use it for requests and responses | In Python json.loads reads it and json.dumps writes it",
        "JSON은 객체, 배열, 문자열, 숫자, true, false, null로 이루어진 데이터 텍스트 형식입니다 | API는 요청과 응답에 JSON을 씁니다 | 파이썬에서는 json.loads로 읽고 json.dumps로 씁니다",
    ),
    _t(
        r"\bdecorators?\b",
        r"데코레이터",
        "decorator|데코레이터",
        "A decorator is a function that takes a function and returns a new one that adds behaviour around it | You apply it with @name on the line above a def | Common uses are timing, logging, caching and checking arguments",
        "데코레이터는 함수를 받아 그 앞뒤에 동작을 더한 새 함수를 돌려주는 함수입니다 | def 위 줄에 @이름을 써서 적용합니다 | 시간 재기, 로그, 캐시, 인자 검사에 자주 씁니다",
    ),
    _t(
        r"\blist\s+comprehensions?\b|\bcomprehensions?\b",
        r"리스트\s*컴프리헨션|컴프리헨션|리스트\s*내포",
        "list comprehension|리스트 컴프리헨션",
        "A list comprehension builds a list in one expression, such as [x * x for x in numbers] | An if at the end keeps only some items | It is shorter than a loop with append and usually as fast",
        "리스트 컴프리헨션은 [x * x for x in numbers]처럼 한 식으로 리스트를 만드는 문법입니다 | 끝에 if를 붙이면 일부 항목만 남깁니다 | append를 쓰는 반복문보다 짧고 보통 빠르기도 비슷합니다",
    ),
    _t(
        r"\bgenerators?\b|\byield\b",
        r"제너레이터|생성기",
        "generator|제너레이터",
        "A generator is a function that uses yield to produce values one at a time | It keeps its place between values, so it can walk huge or endless sequences with little memory | Loop over it or call next on it",
        "제너레이터는 yield로 값을 하나씩 만들어 내는 함수입니다 | 값과 값 사이에 멈춘 자리를 기억해 크거나 끝없는 데이터도 적은 메모리로 다룹니다 | for로 돌리거나 next로 하나씩 꺼냅니다",
    ),
    _t(
        r"\brecursion\b|\brecursive\b",
        r"재귀",
        "recursion|재귀",
        "Recursion is when a function solves a problem by calling itself on a smaller part of it | Every recursive function needs a base case that stops the calls | Factorials, tree walks and nested lists are classic examples",
        "재귀는 함수가 문제의 더 작은 부분에 대해 자기 자신을 호출해 푸는 방법입니다 | 재귀 함수에는 호출을 멈추는 기저 사례가 꼭 있어야 합니다 | 팩토리얼, 트리 탐색, 중첩 리스트가 대표적인 예입니다",
    ),
    _t(
        r"\blambdas?\b",
        r"람다",
        "lambda|람다",
        "A lambda is a small anonymous function written in one expression, such as lambda x: x * 2 | It is handy as a key for sorted or max | For anything longer, a def with a name is clearer",
        "람다는 lambda x: x * 2처럼 한 식으로 쓰는 이름 없는 작은 함수입니다 | sorted나 max의 key로 쓰기 좋습니다 | 길어지면 이름 있는 def가 더 읽기 쉽습니다",
    ),
    _t(
        r"\bfunctions?\b",
        r"함수",
        "function|함수",
        "A function is a named block of code that takes inputs, does a job and returns a result | In Python you define one with def and call it with parentheses | Functions let you reuse and test code",
        "함수는 입력을 받아 일을 하고 결과를 돌려주는 이름 붙은 코드 묶음입니다 | 파이썬에서는 def로 정의하고 괄호를 붙여 호출합니다 | 함수를 쓰면 코드를 다시 쓰고 시험하기 쉬워집니다",
    ),
    _t(
        r"\bvariables?\b",
        r"변수",
        "variable|변수",
        "A variable is a name that refers to a value, such as count = 3 | In Python the name is bound with = and can later refer to another value | Good names make code easier to read",
        "변수는 count = 3처럼 값을 가리키는 이름입니다 | 파이썬에서는 =로 이름을 값에 묶고 나중에 다른 값을 가리키게 할 수 있습니다 | 이름을 잘 지으면 코드가 읽기 쉬워집니다",
    ),
    _t(
        r"\bdictionar(?:y|ies)\b|\bdicts?\b",
        r"딕셔너리|사전",
        "dictionary|딕셔너리",
        "A dictionary maps keys to values, such as {'name': 'Ada'} | Looking up a key is fast no matter how big the dictionary is | Keys must be hashable, such as strings, numbers or tuples",
        "딕셔너리는 {'name': 'Ada'}처럼 키를 값에 연결하는 자료형입니다 | 크기와 상관없이 키로 빠르게 찾을 수 있습니다 | 키는 문자열, 숫자, 튜플처럼 해시할 수 있어야 합니다",
    ),
    _t(
        r"\btuples?\b",
        r"튜플",
        "tuple|튜플",
        "A tuple is an ordered sequence like a list that cannot be changed after it is made | It is written with parentheses, such as (1, 2) | Tuples are good for fixed records and as dictionary keys",
        "튜플은 리스트처럼 순서가 있지만 만든 뒤에는 바꿀 수 없는 자료형입니다 | (1, 2)처럼 괄호로 씁니다 | 고정된 묶음이나 딕셔너리 키로 쓰기 좋습니다",
    ),
    _t(
        r"\blists?\b",
        r"리스트",
        "list|리스트",
        "A list is an ordered, changeable sequence of items, such as [1, 2, 3] | You can add with append, remove items and index from 0 | Lists can hold items of any type",
        "리스트는 [1, 2, 3]처럼 순서가 있고 바꿀 수 있는 항목의 모음입니다 | append로 더하고 항목을 지우며 0부터 번호로 꺼냅니다 | 어떤 자료형이든 담을 수 있습니다",
    ),
    _t(
        r"\bstrings?\b",
        r"문자열",
        "string|문자열",
        "A string is a sequence of characters, written in quotes such as 'hello' | Strings cannot be changed in place, so methods such as upper return new strings | f-strings put values into text",
        "문자열은 'hello'처럼 따옴표로 감싼 문자의 나열입니다 | 문자열은 그 자리에서 바꿀 수 없어 upper 같은 메서드는 새 문자열을 돌려줍니다 | f-문자열로 값을 글 안에 넣을 수 있습니다",
    ),
    _t(
        r"\bclass(?:es)?\b",
        r"클래스",
        "class|클래스",
        "A class is a blueprint for objects that bundles data with the functions that work on it | Each object made from it is an instance with its own attributes | __init__ sets up a new instance",
        "클래스는 데이터와 그 데이터를 다루는 함수를 묶은 객체의 설계도입니다 | 클래스로 만든 각 객체는 자기 속성을 가진 인스턴스입니다 | __init__이 새 인스턴스를 준비합니다",
    ),
    _t(
        r"\bloops?\b",
        r"반복문|루프",
        "loop|반복문",
        "A loop runs the same code several times | A for loop walks over the items of a sequence and a while loop repeats while a condition is true | break leaves a loop early",
        "반복문은 같은 코드를 여러 번 실행합니다 | for 문은 항목을 하나씩 돌고 while 문은 조건이 참인 동안 반복합니다 | break로 반복을 일찍 끝낼 수 있습니다",
    ),
    _t(
        r"\bexceptions?\b|\btry\s*/?\s*except\b",
        r"예외",
        "exception|예외",
        "An exception is an error raised while a program runs, such as ZeroDivisionError | try and except catch it so the program can recover | Catch the specific errors you expect, not every error",
        "예외는 ZeroDivisionError처럼 프로그램 실행 중에 일어나는 오류입니다 | try와 except로 잡으면 프로그램이 멈추지 않고 대처할 수 있습니다 | 모든 오류가 아니라 예상한 오류만 골라 잡으세요",
    ),
    _t(
        r"\bvirtual\s+environments?\b|\bvenv\b",
        r"가상\s*환경",
        "virtual environment|가상 환경",
        "A virtual environment is a folder with its own Python and packages, separate from the system | Create one with python -m venv and activate it | Each project can then pin its own versions",
        "가상 환경은 시스템과 분리된 자기만의 파이썬과 패키지를 가진 폴더입니다 | python -m venv로 만들고 활성화합니다 | 그러면 프로젝트마다 자기 버전을 고정할 수 있습니다",
    ),
    _t(
        r"\bmodules?\b|\bpackages?\b|\blibrar(?:y|ies)\b",
        r"모듈|패키지|라이브러리",
        "module|모듈",
        "A module is a Python file whose functions and classes you import into other code | A package is a folder of modules, often installed with pip | The standard library ships many modules, such as json and csv",
        "모듈은 다른 코드에서 import해 쓰는 함수와 클래스가 든 파이썬 파일입니다 | 패키지는 모듈을 모은 폴더로 보통 pip로 설치합니다 | 표준 라이브러리에는 json, csv 같은 모듈이 많이 들어 있습니다",
    ),
    _t(
        r"\bdata\s*frames?\b",
        r"데이터\s*프레임",
        "DataFrame|DataFrame(데이터프레임)",
        "A DataFrame is the pandas table: rows with an index and named columns, each of one type | You can filter rows, compute new columns and group and summarise | It reads CSV, Excel and SQL data",
        "DataFrame은 pandas의 표로, 인덱스가 붙은 행과 이름 있는 열로 이루어집니다 | 행을 거르고 새 열을 계산하고 그룹별로 요약할 수 있습니다 | CSV, 엑셀, SQL 데이터를 읽어 옵니다",
    ),
    _t(
        r"\bpandas\b",
        r"판다스|pandas",
        "pandas|pandas(판다스)",
        "pandas is the Python library for tables of data | Its main types are the Series, one column, and the DataFrame, a table | It reads files, cleans data and summarises it with groupby",
        "pandas는 표 형태의 데이터를 다루는 파이썬 라이브러리입니다 | 한 열인 Series와 표인 DataFrame이 핵심 자료형입니다 | 파일을 읽고 데이터를 정리하고 groupby로 요약합니다",
    ),
    _t(
        r"\bmedian\b",
        r"중앙값|중간값",
        "median|중앙값",
        "The median is the middle value when the data are sorted | With an even count it is the mean of the two middle values | Unlike the mean, a few extreme values barely move it",
        "중앙값은 데이터를 크기순으로 놓았을 때 가운데 값입니다 | 개수가 짝수이면 가운데 두 값의 평균입니다 | 평균과 달리 극단적인 값 몇 개에 거의 흔들리지 않습니다",
    ),
    _t(
        r"\bstandard\s+deviation\b|\bstd\b",
        r"표준\s*편차",
        "standard deviation|표준편차",
        "The standard deviation measures how far values typically lie from their mean | It is the square root of the variance, in the same units as the data | A small one means the values are close together",
        "표준편차는 값들이 평균에서 보통 얼마나 떨어져 있는지를 나타냅니다 | 분산의 제곱근이라 데이터와 단위가 같습니다 | 작을수록 값들이 서로 가깝게 모여 있습니다",
    ),
    _t(
        r"\bvariance\b",
        r"분산",
        "variance|분산",
        "The variance is the mean of the squared distances from the mean | It grows when values spread out | Its square root is the standard deviation",
        "분산은 평균에서 떨어진 거리를 제곱해 평균 낸 값입니다 | 값들이 퍼질수록 커집니다 | 분산의 제곱근이 표준편차입니다",
    ),
    _t(
        r"\bmeans?\b|\baverages?\b",
        r"평균",
        "mean|평균",
        "The mean is the sum of the values divided by how many there are | It uses every value, so one extreme value can pull it far | Report it with the median when the data are skewed",
        "평균은 값들의 합을 개수로 나눈 값입니다 | 모든 값을 쓰기 때문에 극단적인 값 하나에도 크게 움직입니다 | 데이터가 한쪽으로 치우쳤다면 중앙값과 함께 보고하세요",
    ),
    _t(
        r"\bp[\s-]?values?\b",
        r"p[\s-]?값|유의\s*확률",
        "p-value|p값",
        "A p-value is the chance of seeing data at least this extreme if the null hypothesis were true | A small p-value, often below 0.05, counts as evidence against the null hypothesis | It is not the chance that the hypothesis is true",
        "p값은 귀무가설이 참일 때 지금만큼 극단적인 데이터가 나올 확률입니다 | 보통 0.05보다 작으면 귀무가설에 반하는 증거로 봅니다 | 가설이 참일 확률을 뜻하지는 않습니다",
    ),
    _t(
        r"\bsql\b",
        r"\bsql\b|에스큐엘",
        "SQL|SQL",
        "SQL is the language for asking questions of relational databases | SELECT picks columns, FROM names the table, WHERE filters rows and ORDER BY sorts them | Python can run it with the sqlite3 module",
        "SQL은 관계형 데이터베이스에 질문하는 언어입니다 | SELECT는 열을, FROM은 표를 고르고 WHERE는 행을 거르며 ORDER BY는 정렬합니다 | 파이썬에서는 sqlite3 모듈로 실행할 수 있습니다",
    ),
    _t(
        r"\bkernels?\b",
        r"커널",
        "kernel|커널",
        "A kernel is the process that runs a notebook's code and keeps its variables | Restarting it clears every variable | Each notebook has its own kernel",
        "커널은 노트북의 코드를 실행하고 변수를 기억하는 프로세스입니다 | 커널을 다시 시작하면 모든 변수가 지워집니다 | 노트북마다 자기 커널이 있습니다",
    ),
    _t(
        r"\bnotebooks?\b|\bjupyter\b",
        r"노트북|주피터",
        "notebook|노트북",
        "A notebook mixes code cells, their output and text in one document | Cells run in a kernel one at a time, in the order you choose | Jupyter is the most common notebook tool",
        "노트북은 코드 셀, 그 출력, 설명 글을 한 문서에 담습니다 | 셀은 커널에서 내가 고른 순서대로 하나씩 실행됩니다 | 가장 널리 쓰이는 노트북 도구는 Jupyter입니다",
    ),
)
