"""Code requests for the teaching responder: detect them, pick a task, name it as asked.

A request is code when the user asks to write/create/implement... a function, code, script,
class (English), or 코드/함수/클래스... with 작성/만들/짜/구현... (Korean), or when the system
prompt asks for a (fenced) code block or only code (``-f code``). The answer is one
```` ```python ```` block: the best task of the library (all of a task's keywords in one
language must match; more keywords win; a function name in the prompt that shares a word with
the task's name adds two), renamed to the name the prompt gives (``fibonacci(n)``, "a function
called slugify", "`is_prime` 함수"), or a runnable skeleton labelled as such.
"""

from __future__ import annotations

import builtins
import keyword
import re

from claude_nb.emulator._code_how import HOW_TO, PROGRAMMING
from claude_nb.emulator._code_tasks import BASIC_TASKS, Task
from claude_nb.emulator._code_tasks_data import DATA_TASKS
from claude_nb.emulator._code_tasks_extra import EXTRA_TASKS
from claude_nb.emulator._code_tasks_more import MORE_TASKS, PANDAS_CSV
from claude_nb.emulator._lang import say
from claude_nb.emulator._patterns import lazy

__all__ = ["TASKS", "asked_names", "code_reply", "is_code_request", "pick_task"]


def _split(words: str) -> list[str]:
    return words.split()


TASKS: tuple[Task, ...] = BASIC_TASKS + MORE_TASKS + EXTRA_TASKS + DATA_TASKS

_VERB = (
    r"\b(?:write|create|make|implement|build|generate|give|show|code|produce|define|need|want|"
    r"provide|add|design|develop|program|craft|draft|sketch|help me (?:write|with))\w*\b"
)
_NOUN = (
    r"\b(?:functions?|code|script|program|class(?:es)?|snippet|method|endpoint|implementation|"
    r"decorator|generator|one-liner|regex|python|module|algorithm)\b"
    r"|\b[A-Za-z_][A-Za-z0-9_]*\([^()\n]{0,30}\)"
)
CODE_EN = lazy(
    rf"{_VERB}[^.?!\n]{{0,80}}?(?:{_NOUN})|\b(?:in|using|with)\s+python\b"
    r"|\bpython\s+(?:function|code|script|program|class)",
    re.IGNORECASE,
)
CODE_KO_NOUN = lazy(
    r"코드|함수|스크립트|프로그램|클래스|메서드|메소드|파이썬|데코레이터|알고리즘|python",
    re.IGNORECASE,
)
CODE_KO_VERB = lazy(r"작성|만들|짜\w*|구현|보여|알려|써\s*줘|써\s*주|코딩|생성|정의|짤")
CODE_SYSTEM = lazy(
    r"code\s*block|fenced\s+code|only\s+(?:the\s+|python\s+|valid\s+)*code|code\s+only|"
    r"just\s+(?:the\s+)?code|nothing\s+but\s+code|코드\s*블록|코드만",
    re.IGNORECASE,
)
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
NAMED = (
    lazy(rf"`({_IDENT})\s*(?:\([^`\n]*\))?`"),
    lazy(rf"(?<![\w.])({_IDENT})\([^()\n]{{0,40}}\)"),
    lazy(
        rf"\b(?:called|named|name\s+it|call\s+it|name\s+of)\s+[\"'`]?({_IDENT})", re.IGNORECASE
    ),
    lazy(rf"(?:이름은|이름이|이름을|이름:)\s*[\"'`]?({_IDENT})"),
    lazy(rf"(?<![\w.])[\"'`]?({_IDENT})[\"'`]?\s*(?:이?라는|함수|클래스|메서드)"),
    lazy(rf"\b(?:function|def|class|method)\s+({_IDENT})\b(?=\s*(?:\(|,|\.|:|$|that|which))"),
)
NOT_NAMES = frozenset(
    _split("""a an the that which to for in of with and or is are it this function class method code
    python script program def return print input called named e g i ie eg me my your list string
    number numbers text value values me please using use write make create""")
)
_STOP = frozenset(_split("a an the of given in into for to and or which that it its from with"))
_GENERIC = frozenset(_split("is to of get find by and from value values list number numbers data"))


def is_code_request(user_text: str, system: str) -> bool:
    """Whether the reply should be code (see the module docstring)."""
    if CODE_SYSTEM.search(system):
        return True
    prose = re.sub(r"```.*?(?:```|$)", " ", user_text, flags=re.DOTALL)
    if CODE_EN.search(prose):
        return True
    if HOW_TO.search(prose) and PROGRAMMING.search(prose) and pick_task(prose, []):
        return True  # "How do I merge two dicts in Python?": a task of the library
    return bool(CODE_KO_NOUN.search(prose) and CODE_KO_VERB.search(prose))


def asked_names(text: str) -> list[str]:
    """Function or class names the prompt asks for, in order of appearance."""
    found: list[tuple[int, str]] = []
    for index, pattern in enumerate(NAMED):
        for match in pattern.finditer(text):
            name = match.group(1)
            plain = name.isalpha() and name.islower()
            if name.lower() in NOT_NAMES or keyword.iskeyword(name):
                continue
            if index >= 5 and plain:  # "function foo" only when foo looks like code
                continue
            if index == 1 and name in dir(builtins):
                continue
            found.append((match.start(1), name))
    names: list[str] = []
    for _, name in sorted(found):
        if name not in names:
            names.append(name)
    return names[:5]


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").lower()
    return {word for word in spaced.split() if word not in _GENERIC}


def pick_task(text: str, names: list[str]) -> Task | None:
    """The best task for ``text`` (see the module docstring), or None."""
    spoken = text + " " + " ".join(name.replace("_", " ") for name in names)
    best: tuple[int, int, Task] | None = None
    for order, task in enumerate(TASKS):
        score = 0
        for patterns in (task.english, task.korean):
            if patterns and all(re.search(p, spoken, re.IGNORECASE) for p in patterns):
                score = max(score, len(patterns))
        if names and (_words(names[0]) & _words(task.name)):
            score += 2
        if score and (best is None or (score, -order) > (best[0], best[1])):
            best = (score, -order, task)
    return best[2] if best else None


def _name_task(code: str, task: Task, name: str) -> str:
    if name == task.name or re.search(rf"\bdef {re.escape(name)}\b|\bclass {name}\b", code):
        return code
    if re.search(rf"(?<![\w.]){re.escape(name)}\b", code):
        return f"{code}\n{name} = {task.name}  # the name you asked for\n"
    return re.sub(rf"(?<![\w.]){re.escape(task.name)}\b", name, code)


def _summary(text: str) -> str:
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line[:90] + (" …" if len(line) > 90 else "")


def _derived_name(text: str) -> str:
    match = re.search(
        r"\b(?:function|method|code|script|program)\s+(?:that|which|to|for)\s+([A-Za-z ]+)",
        text,
        re.IGNORECASE,
    )
    words = [w.lower() for w in (match.group(1).split() if match else []) if w.lower() not in _STOP]
    if words and words[0].endswith("s") and not words[0].endswith("ss") and len(words[0]) > 3:
        words[0] = words[0][:-1]
    name = "_".join(words[:3])
    return name if name.isidentifier() and not keyword.iskeyword(name) else "solution"


def _stub(name: str, wants_class: bool) -> str:
    if name[:1].isupper() and wants_class:
        return (
            f'class {name}:\n    """Skeleton: add the attributes and methods."""\n\n'
            "    def __init__(self, *args, **kwargs):\n"
            "        self.args = args\n        self.kwargs = kwargs\n"
        )
    return (
        f'def {name}(*args, **kwargs):\n    """Skeleton: fill in the body."""\n'
        "    # TODO: your code here\n    return None\n"
    )


def skeleton(text: str, names: list[str]) -> str:
    """A runnable skeleton defining ``names`` (or a name drawn from the prompt)."""
    wants_class = bool(re.search(r"\bclass\b|클래스", text, re.IGNORECASE))
    names = names or [_derived_name(text)]
    header = (
        "# Skeleton from the offline emulator: no worked answer offline for this request:\n"
        f"# {_summary(text)}\n"
    )
    stubs = "\n\n".join(_stub(name, wants_class) for name in names)
    return f"{header}\n\n{stubs}\n\nprint({names[0]}())  # fill in the body first\n"


def code_reply(text: str, korean: bool) -> str:
    """The prose line(s) and the one ```` ```python ```` block answering ``text``."""
    names = asked_names(text)
    task = pick_task(text, names)
    if task is None:
        body = skeleton(text, names)
        prose = say("skeleton", korean)
    else:
        code = task.code
        if task.key == "load_csv" and re.search(r"pandas|판다스|dataframe", text, re.IGNORECASE):
            code = PANDAS_CSV
        if names:
            code = _name_task(code, task, names[0])
            extra = [n for n in names[1:] if not re.search(rf"\b{re.escape(n)}\b", code)]
            if extra:
                wants_class = bool(re.search(r"\bclass\b|클래스", text, re.IGNORECASE))
                code += "\n\n" + "\n\n".join(_stub(name, wants_class) for name in extra)
        body = code
        prose = say("code", korean, what=task.what[1 if korean else 0])
        if names and names[0] != task.name:
            prose += " " + say("code_named", korean, name=names[0])
    return f"{prose}\n\n```python\n{body.rstrip()}\n```"
