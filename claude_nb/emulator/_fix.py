"""The teaching responder's answer to a ``%claude_fix`` request, so a class can rehearse it.

The request (``_api.notebook_context.read_fix_request``) gives the failing cell, its trimmed
traceback, the variables' types and shapes, the mode and the language. Common errors get a
correct explanation naming the line, and for the simple cases a fixed cell:

* ``ZeroDivisionError``: the divisor is checked first (NaN when it is 0);
* ``NameError``: a typo of a defined name is corrected, a usual module alias imported;
* ``KeyError``: a near key of the dict or frame is used, else ``.get``;
* ``TypeError``: ``str(...)`` around a number joined to text, ``int(...)`` around text added
  to a number;
* ``IndexError``: ``range(len(x) + 1)`` made ``range(len(x))``, an index one past the end
  made ``[-1]``;
* ``ModuleNotFoundError``: a typo of a common module corrected, else ``%pip install``.

``hint`` mode points at the problem with no code block; ``explain`` explains only.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from claude_nb._api.notebook_context import read_fix_request
from claude_nb.emulator._fix_lang import fix_say
from claude_nb.emulator._lang import say
from claude_nb.emulator._patterns import lazy

__all__ = ["fix_blocks", "fix_reply"]

ALIASES = {
    "np": "import numpy as np", "pd": "import pandas as pd", "plt": "import matplotlib.pyplot "
    "as plt", "sns": "import seaborn as sns", "math": "import math", "random": "import random",
    "os": "import os", "sys": "import sys", "json": "import json", "re": "import re",
    "time": "import time", "datetime": "import datetime", "statistics": "import statistics",
}
PIP_NAMES = {"sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "pillow",
             "yaml": "pyyaml", "bs4": "beautifulsoup4", "dateutil": "python-dateutil"}
COMMON_MODULES = ("numpy", "pandas", "matplotlib", "math", "random", "json", "os", "sys", "re",
                  "collections", "itertools", "datetime", "statistics", "seaborn", "scipy",
                  "sklearn", "requests", "string", "time", "pathlib", "functools")
_LINE = lazy(r"Cell In\[[^\]]*\], line (\d+)")
_DIVISION = lazy(r"(?:/{1,2}|%)\s*([A-Za-z_][\w.]*(?:\([^()]*\))?|\d+(?:\.\d*)?)")
_ASSIGN = lazy(r"^(\s*)([A-Za-z_][\w.\[\]'\"]*\s*[-+*/]?=)\s*(.+)$")
_DEFINED = lazy(r"^\s*(?:def|class)\s+(\w+)|^\s*(\w+)\s*(?::[^=]*)?=(?!=)|"
                      r"\bfor\s+(\w+)\s+in\b|\bimport\s+\w+\s+as\s+(\w+)", re.MULTILINE)


@dataclass
class _Diagnosis:
    explanation: list[str] = field(default_factory=list)
    hint: str = ""
    fix_intro: str = ""
    code: str | None = None


def _variables(lines: list[str]) -> dict[str, str]:
    pairs = (line.partition(":") for line in lines)
    return {name.strip(): rest.strip() for name, _, rest in pairs}


def _replace_line(code: str, number: int, new: str) -> str:
    lines = code.splitlines()
    lines[number - 1] = new
    return "\n".join(lines)


def _zero(code: str, number: int, text: str, korean: bool, d: _Diagnosis) -> None:
    match = _DIVISION.search(text)
    divisor = match.group(1) if match else "0"
    d.hint = fix_say("zero_hint", korean, divisor=divisor)
    if re.fullmatch(r"0+(?:\.0*)?", divisor):
        d.explanation.append(fix_say("zero_literal", korean))
        return
    d.explanation.append(fix_say("zero", korean, divisor=divisor))
    d.fix_intro = fix_say("zero_fix", korean)
    assign = _ASSIGN.match(text)
    indent = re.match(r"\s*", text).group(0)  # type: ignore[union-attr]  # always matches
    if assign:
        target = assign.group(2)
        new = (f"{indent}if {divisor} != 0:\n{indent}    {text.strip()}\n{indent}else:\n"
               f"{indent}    {target} float(\"nan\")")
    else:
        new = f'{indent}({text.strip()}) if {divisor} != 0 else float("nan")'
    d.code = _replace_line(code, number, new)


def _name(evalue: str, code: str, codes: list[str], known: dict[str, str], korean: bool,
          d: _Diagnosis) -> None:
    found = re.search(r"name '(\w+)' is not defined", evalue)
    if not found:
        return
    name = found.group(1)
    d.explanation.append(fix_say("name", korean, name=name))
    d.hint = fix_say("name_hint", korean, name=name)
    suggested = re.search(r"Did you mean: '(\w+)'", evalue)
    defined = {n for c in codes for m in _DEFINED.finditer(c) for n in m.groups() if n}
    defined |= {n for n, v in known.items() if v != "not defined"}
    defined.discard(name)
    close = difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.75)
    match = suggested.group(1) if suggested else (close[0] if close else None)
    if name in ALIASES and (match is None or match not in defined):
        d.explanation.append(fix_say("name_import", korean, name=name, statement=ALIASES[name]))
        d.code, d.fix_intro = f"{ALIASES[name]}\n\n{code}", fix_say("fixed", korean)
    elif match:
        d.explanation.append(fix_say("name_typo", korean, match=match))
        d.code = re.sub(rf"\b{re.escape(name)}\b", match, code)
        d.fix_intro = fix_say("fixed", korean)
    else:
        d.explanation.append(fix_say("name_define", korean, name=name))


def _key(evalue: str, text: str, number: int, code: str, known: dict[str, str], korean: bool,
         d: _Diagnosis) -> None:
    try:
        key = ast.literal_eval(evalue)
    except (ValueError, SyntaxError):
        key = evalue.strip("'\"")
    subscript = re.search(rf"(\w+)\[\s*({re.escape(repr(key))}|{re.escape(evalue)}|"
                          rf"\"{re.escape(str(key))}\")\s*\]", text)
    container = subscript.group(1) if subscript else "the mapping"
    d.explanation.append(fix_say("key", korean, container=container, key=repr(key)))
    d.hint = fix_say("key_hint", korean, key=repr(key), container=container)
    listed = re.search(r"(?:keys|columns): (.*)$", known.get(container, ""))
    keys: list[str] = []
    if listed:
        keys = [k.strip() for k in listed.group(1).split(",") if not k.strip().startswith("…")]
        d.explanation.append(fix_say("key_known", korean, keys=", ".join(f"`{k}`" for k in keys)))
    if not subscript:
        return
    plain = {k: k.strip("'\"") for k in keys}
    lowered = {v.lower(): k for k, v in plain.items()}
    close = difflib.get_close_matches(str(key), list(plain.values()), n=1, cutoff=0.6)
    match = lowered.get(str(key).lower()) or next((k for k, v in plain.items()
                                                   if close and v == close[0]), None)
    if match:
        d.explanation.append(fix_say("key_typo", korean, match=match))
        new = text.replace(subscript.group(0), f"{container}[{match}]")
    elif "dict" in known.get(container, "dict"):
        d.explanation.append(fix_say("key_get", korean, key=repr(key)))
        new = text.replace(subscript.group(0), f"{container}.get({key!r})")
    else:
        return
    d.code, d.fix_intro = _replace_line(code, number, new), fix_say("fixed", korean)


def _wrap_names(text: str, known: dict[str, str], kinds: tuple[str, ...], call: str) -> tuple[
        str, list[str]]:
    names = [n for n, v in known.items() if v.split(" ", 1)[0] in kinds
             and re.search(rf"\b{re.escape(n)}\b", text)]
    for name in names:
        text = re.sub(rf"(?<![\w.(]){re.escape(name)}\b(?!\s*\()", f"{call}({name})", text)
    return text, names


def _type(evalue: str, text: str, number: int, code: str, known: dict[str, str], korean: bool,
          d: _Diagnosis) -> None:
    d.hint = fix_say("type_hint", korean)
    if "can only concatenate str" in evalue:
        new, names = _wrap_names(text, known, ("int", "float"), "str")
        key, intro = "concat", "concat_fix"
    elif "unsupported operand type" in evalue and "'str'" in evalue:
        new, names = _wrap_names(text, known, ("str",), "int")
        key, intro = "operand", "operand_fix"
    else:
        d.explanation.append(fix_say("type", korean, evalue=evalue))
        return
    if not names:
        d.explanation.append(fix_say("type", korean, evalue=evalue))
        return
    d.explanation.append(fix_say(key, korean, names="`, `".join(names)))
    d.code, d.fix_intro = _replace_line(code, number, new), fix_say(intro, korean)


def _index(text: str, number: int, code: str, known: dict[str, str], korean: bool,
           d: _Diagnosis) -> None:
    d.hint = fix_say("index_hint", korean)
    ranged = re.search(r"range\((\s*(?:\d+\s*,\s*)?)len\((\w+)\)\s*\+\s*1\s*\)", code)
    subscript = re.search(r"(\w+)\[(\d+)\]", text)
    target = ranged.group(2) if ranged else subscript.group(1) if subscript else ""
    count = re.search(r"([\d,]+) items", known.get(target, ""))
    if count:
        size = int(count.group(1).replace(",", ""))
        d.explanation.append(fix_say("index", korean, name=target, count=size, last=size - 1))
    if ranged:
        d.explanation.append(fix_say("index_range", korean))
        d.code = code.replace(ranged.group(0), f"range({ranged.group(1)}len({target}))")
    elif subscript and count and int(subscript.group(2)) == size:
        d.code = _replace_line(code, number, text.replace(subscript.group(0), f"{target}[-1]"))
    else:
        d.explanation.append(fix_say("index_plain", korean))
        return
    d.fix_intro = fix_say("fixed", korean)


def _module(evalue: str, code: str, korean: bool, d: _Diagnosis) -> None:
    found = re.search(r"No module named '([\w.]+)'", evalue)
    module = (found.group(1) if found else "?").split(".")[0]
    d.hint = fix_say("module_hint", korean)
    close = difflib.get_close_matches(module, COMMON_MODULES, n=1, cutoff=0.8)
    if close and close[0] != module:
        d.explanation.append(fix_say("module_typo", korean, match=close[0]))
        d.code = re.sub(rf"\b{re.escape(module)}\b", close[0], code)
    else:
        package = PIP_NAMES.get(module, module)
        d.explanation.append(fix_say("module", korean, module=module))
        d.explanation.append(fix_say("module_pip", korean, package=package))
        d.code = f"%pip install {package}\n\n{code}"
    d.fix_intro = fix_say("fixed", korean)


def fix_reply(prompt: str) -> tuple[str, bool] | None:
    """The answer to a fix request and whether it is Korean, or None for other prompts."""
    request = read_fix_request(prompt)
    if request is None:
        return None
    mode, korean = str(request["mode"]), bool(request["korean"])
    code, error = str(request["code"]), str(request["error"])
    known = _variables([str(line) for line in request["variables"]])  # type: ignore[attr-defined]
    codes = [str(c) for c in request["codes"]]  # type: ignore[attr-defined]
    last = error.strip().splitlines()[-1] if error.strip() else "Error"
    ename, _, evalue = last.partition(": ")
    lines = _LINE.findall(error)
    number = int(lines[-1]) if lines else 0
    source = code.splitlines()
    text = source[number - 1] if 0 < number <= len(source) else ""
    d = _Diagnosis()
    if text:
        d.explanation.append(fix_say("where", korean, line=number, text=text.strip(),
                                     ename=ename, evalue=evalue))
    else:
        d.explanation.append(fix_say("where_nowhere", korean, ename=ename, evalue=evalue))
    if ename == "ZeroDivisionError" and text:
        _zero(code, number, text, korean, d)
    elif ename == "NameError":
        _name(evalue, code, codes, known, korean, d)
    elif ename == "KeyError" and text:
        _key(evalue, text, number, code, known, korean, d)
    elif ename == "TypeError" and text:
        _type(evalue, text, number, code, known, korean, d)
    elif ename == "IndexError" and text:
        _index(text, number, code, known, korean, d)
    elif ename == "ModuleNotFoundError":
        _module(evalue, code, korean, d)
    else:
        d.explanation.append(fix_say("other", korean))
    if mode == "hint":
        hint = d.hint or fix_say("other_hint", korean, line=number or 1)
        return f"{d.explanation[0]}\n\n{fix_say('hint', korean, text=hint)}", korean
    answer = " ".join(d.explanation)
    if mode == "explain":
        return answer, korean
    if d.code is None:
        return f"{answer}\n\n{fix_say('no_fix', korean)}", korean
    return f"{answer}\n\n{d.fix_intro}\n\n```python\n{d.code}\n```", korean


def fix_blocks(prompt: str) -> list[dict[str, Any]] | None:
    """The reply's text block (the marker line first) to a fix request, or None."""
    answer = fix_reply(prompt)
    if answer is None:
        return None
    text, korean = answer
    return [{"type": "text", "text": f"{say('marker', korean)}\n{text}"}]
