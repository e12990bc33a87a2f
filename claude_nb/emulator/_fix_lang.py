"""The phrases of the emulator's ``%claude_fix`` answers, in English and Korean."""

from __future__ import annotations

__all__ = ["FIX_PHRASES", "fix_say"]

FIX_PHRASES: dict[str, tuple[str, str]] = {
    "where": ("Line {line} of the cell, `{text}`, raised `{ename}: {evalue}`.",
              "셀의 {line}번째 줄 `{text}`에서 `{ename}: {evalue}` 오류가 났습니다."),
    "where_nowhere": ("The cell raised `{ename}: {evalue}`.",
                      "셀에서 `{ename}: {evalue}` 오류가 났습니다."),
    "zero": ("It divides by `{divisor}`, which is 0 here: a number cannot be divided by zero.",
             "`{divisor}`(으)로 나누는데 그 값이 0입니다. 어떤 수도 0으로 나눌 수 없습니다."),
    "zero_fix": ("Check the divisor first, and give the result no value (NaN) when it is 0:",
                 "나누기 전에 나누는 수를 확인하고, 0이면 결과를 값 없음(NaN)으로 둡니다:"),
    "zero_literal": ("The divisor is the literal `0`: use the number you meant instead.",
                     "나누는 수가 `0` 그대로 적혀 있습니다. 의도한 수로 바꾸세요."),
    "zero_hint": ("Look at what `{divisor}` is worth when this line runs, and what should "
                  "happen when it is 0.",
                  "이 줄이 실행될 때 `{divisor}`의 값이 무엇인지, 0일 때 어떻게 해야 할지 "
                  "살펴보세요."),
    "name": ("`{name}` is used before anything defines it in this kernel.",
             "`{name}`이(가) 이 커널에서 정의되기 전에 사용되었습니다."),
    "name_typo": ("It looks like a typo of `{match}`, which is defined.",
                  "정의되어 있는 `{match}`의 오타로 보입니다."),
    "name_import": ("`{name}` is usually a module imported as `{statement}`; this kernel has "
                    "not imported it.",
                    "`{name}`은(는) 보통 `{statement}`(으)로 가져오는 모듈인데 이 커널에서는 "
                    "아직 가져오지 않았습니다."),
    "name_define": ("Define `{name}` first, or run the cell that defines it.",
                    "`{name}`을(를) 먼저 정의하거나, 정의하는 셀을 먼저 실행하세요."),
    "name_hint": ("Check the spelling of `{name}` and whether the cell that creates it has run.",
                  "`{name}`의 철자와, 그것을 만드는 셀이 실행되었는지 확인하세요."),
    "key": ("`{container}` has no key `{key}`.", "`{container}`에 `{key}` 키가 없습니다."),
    "key_known": ("Its keys are: {keys}.", "있는 키는 {keys}입니다."),
    "key_typo": ("You probably meant `{match}`.", "아마 `{match}`을(를) 뜻한 것 같습니다."),
    "key_get": ("`.get({key})` gives `None` instead of an error when the key is missing.",
                "`.get({key})`은(는) 키가 없으면 오류 대신 `None`을 돌려줍니다."),
    "key_hint": ("Compare the key `{key}` with the keys `{container}` really has.",
                 "`{key}` 키를 `{container}`에 실제로 있는 키들과 비교해 보세요."),
    "concat": ("Text (`str`) can only be joined with text; `{names}` is a number here.",
               "문자열(`str`)은 문자열과만 이어 붙일 수 있는데, 여기서 `{names}`은(는) "
               "숫자입니다."),
    "concat_fix": ("Turn the number into text with `str(...)`:",
                   "`str(...)`로 숫자를 문자열로 바꿉니다:"),
    "operand": ("The two sides of the operator have types that do not go together; `{names}` "
                "is text here.",
                "연산자 양쪽의 타입이 맞지 않습니다. 여기서 `{names}`은(는) 문자열입니다."),
    "operand_fix": ("Turn the text into a number with `int(...)`:",
                    "`int(...)`로 문자열을 숫자로 바꿉니다:"),
    "type": ("An operation got a value of a type it cannot use ({evalue}).",
             "연산이 쓸 수 없는 타입의 값을 받았습니다 ({evalue})."),
    "type_hint": ("Check the type of each value on that line (`type(x)`).",
                  "그 줄에 있는 값들의 타입을 확인해 보세요 (`type(x)`)."),
    "index": ("`{name}` has {count} items, so its valid indexes are 0 to {last}.",
              "`{name}`에는 항목이 {count}개 있으므로 쓸 수 있는 인덱스는 0부터 {last}까지입니다."),
    "index_range": ("`range(len(...) + 1)` goes one past the last index.",
                    "`range(len(...) + 1)`은 마지막 인덱스보다 하나 더 갑니다."),
    "index_plain": ("An index is past the end of the sequence (indexes start at 0).",
                    "인덱스가 시퀀스의 끝을 넘었습니다 (인덱스는 0부터 시작합니다)."),
    "index_hint": ("Count how many items there are and remember that indexes start at 0.",
                   "항목이 몇 개인지 세어 보고, 인덱스가 0부터 시작한다는 점을 기억하세요."),
    "module": ("The module `{module}` is not installed in this kernel's environment.",
               "`{module}` 모듈이 이 커널의 환경에 설치되어 있지 않습니다."),
    "module_pip": ("Install it with `%pip install {package}` (in the notebook, so it goes to "
                   "this kernel), then run the cell again.",
                   "`%pip install {package}`로 설치한 뒤(노트북 안에서 실행해야 이 커널에 "
                   "설치됩니다) 셀을 다시 실행하세요."),
    "module_typo": ("It looks like a typo of `{match}`.", "`{match}`의 오타로 보입니다."),
    "module_hint": ("Check the module's name, and whether it is installed (`%pip list`).",
                    "모듈 이름과 설치 여부(`%pip list`)를 확인하세요."),
    "other": ("Read the last line of the traceback: it names what went wrong.",
              "트레이스백의 마지막 줄이 무엇이 잘못되었는지 알려 줍니다."),
    "other_hint": ("Look at line {line} and the values it uses.",
                   "{line}번째 줄과 그 줄이 쓰는 값들을 살펴보세요."),
    "fixed": ("The corrected cell (it goes into the next cell; review it before running):",
              "고친 셀입니다 (다음 셀에 들어갑니다. 실행하기 전에 검토하세요):"),
    "no_fix": ("There is no safe automatic fix for this one; the explanation above says what "
               "to change.",
               "이 경우에는 안전한 자동 수정이 없습니다. 위 설명대로 고쳐 보세요."),
    "hint": ("**Hint:** {text}", "**힌트:** {text}"),
}


def fix_say(phrase: str, korean: bool, **values: object) -> str:
    """The phrase ``phrase`` in the answer's language, filled with ``values``."""
    english, hangul = FIX_PHRASES[phrase]
    return (hangul if korean else english).format(**values)
