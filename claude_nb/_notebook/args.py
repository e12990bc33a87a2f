"""Flag definitions and parsing for the ``%claude`` / ``%%claude`` magics.

The flags every prompt magic shares are bundled in one decorator, ``prompt_arguments``, in
the manner of ``IPython/core/magics/script.py : script_args``, so a new magic (or a new flag
such as ``--image`` or ``--tools``) is one more ``argument(...)`` line here.

A line magic's prompt is free text (apostrophes, dashes, braces), so it is not fed to
``shlex``: ``split_options`` reads leading option tokens one at a time and stops at the first
word that is not a flag (or after ``--``); the rest of the line, untouched, is the prompt.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any, TypeVar, cast

from IPython.core import magic as ipython_magic
from IPython.core import magic_arguments as ipython_magic_arguments
from IPython.core.error import UsageError

from claude_nb._api.formats import FORMAT_INSTRUCTIONS, with_format_instruction

__all__ = [
    "OUTPUT_FORMATS",
    "argument",
    "ask_options",
    "cell_magic",
    "line_magic",
    "magic_arguments",
    "parse_magic_line",
    "prompt_arguments",
    "request_params",
    "split_options",
]

OUTPUT_FORMATS = ("markdown", "text", "code", "json")

FunctionType = TypeVar("FunctionType", bound=Callable[..., Any])
Decorator = Callable[[FunctionType], FunctionType]

# IPython's decorators are untyped; these typed names keep strict mypy on the magics.
argument: Callable[..., Decorator[Any]] = ipython_magic_arguments.argument
magic_arguments: Callable[..., Decorator[Any]] = ipython_magic_arguments.magic_arguments


def cell_magic(name: str) -> Decorator[Any]:
    """``IPython.core.magic.cell_magic(name)``, typed."""
    return cast("Decorator[Any]", ipython_magic.cell_magic(name))


def line_magic(name: str) -> Decorator[Any]:
    """``IPython.core.magic.line_magic(name)``, typed."""
    return cast("Decorator[Any]", ipython_magic.line_magic(name))

_PROMPT_ARGUMENTS = (
    argument("-m", "--model", help="Model id (default: %%config ClaudeMagics.model)."),
    argument("-s", "--system", help="System prompt for this request."),
    argument("--max-tokens", type=int, dest="max_tokens", help="Most tokens to generate."),
    argument(
        "--temperature", type=float,
        help="Sampling temperature (0.0-1.0). --temperature/--top-p/--top-k only on models "
        "whose claude_nb.model_catalog() 'sampling' lists them (Claude 4.6 and older, e.g. "
        "claude-sonnet-4-6); the 4.7+ and 5.x models keep the defaults and refuse them.",
    ),
    argument("--top-p", type=float, dest="top_p", help="Nucleus sampling."),
    argument("--top-k", type=int, dest="top_k", help="Top-k sampling."),
    argument(
        "--stop", action="append", dest="stop", metavar="TEXT",
        help="A stop sequence (repeat for more).",
    ),
    argument(
        "--thinking", metavar="BUDGET",
        help="Extended thinking: 'adaptive' (the 5.x, 4.7+ and 4.6 models), or a token "
        "budget >= 1024 and below max_tokens (Claude 4.6 and older only).",
    ),
    argument("-o", "--out", metavar="NAME", help="Also store the Reply in this variable."),
    argument(
        "-f", "--format", choices=OUTPUT_FORMATS, default="markdown",
        help="markdown (default), text (plain text output), code (reply's code into the next "
        "cell), json (the value is the parsed reply). code and json append one sentence to the "
        "system prompt asking for that format (see --dry-run).",
    ),
    argument(
        "--schema", metavar="NAME", help="Structured output: a dataclass, TypedDict, pydantic "
        "model or JSON Schema dict of the notebook; the cell's value (and -o) is the parsed reply.",
    ),
    argument("--cite", action="store_true", help="Documents in the prompt are citable: the "
             "reply's footnotes quote the cited spans."),
    argument("--cite-rows", action="append", dest="cite_rows", metavar="DF", help="Send a "
             "DataFrame's rows as citable search results (repeatable)."),
    argument("--new", action="store_true", help="Start a fresh conversation first."),
    argument(
        "--no-history", action="store_true", dest="no_history",
        help="One-shot: send no history and record none.",
    ),
    argument(
        "--no-stream", action="store_true", dest="no_stream", help="Wait for the whole reply."
    ),
    argument("--raw", action="store_true", help="No {name} interpolation."),
    argument(
        "--context", type=int, metavar="N", help="Send the last N executed cells (code, printed "
        "output, results, figures, errors) before the prompt, within %%config "
        "ClaudeMagics.context_budget (default: ClaudeMagics.context_cells).",
    ),
    argument(
        "--image", action="append", metavar="NAME",
        help="Send this object (figure, image, array, DataFrame, path, URL) before the prompt; "
        "a plain name like {name}, never evaluated (repeat for more).",
    ),
    argument(
        "--df-as", choices=("text", "image"), dest="df_as",
        help="DataFrames as Markdown text or a table image (default: %%config ClaudeMagics.df_as).",
    ),
    argument(
        "--df-budget", type=int, dest="df_budget", metavar="TOKENS",
        help="Tokens a DataFrame's text may take (default: %%config ClaudeMagics.df_budget).",
    ),
    argument(
        "--dry-run", action="store_true", dest="dry_run",
        help="Show the exact request (key redacted), token estimate and cost; send nothing.",
    ),
    argument(
        "--curl", action="store_true",
        help="Print the request as a copy-pasteable curl command (key: $ANTHROPIC_API_KEY; "
        "offline: to the real API's URL); send nothing (implies --dry-run).",
    ),
    argument(
        "--no-cache", action="store_true", dest="no_cache",
        help="No automatic prompt-cache breakpoints for this request.",
    ),
    argument(
        "--budget", type=float, metavar="USD",
        help="Refuse the call if the session could pass this many dollars "
        "(default: %%config ClaudeMagics.budget_usd).",
    ),
    argument("--tools", metavar="A,B", help="Offer only these registered tools (by name)."),
    argument("--no-tools", action="store_true", dest="no_tools", help="Offer no tools."),
    argument("--web-search", nargs="?", const=-1, type=int, dest="web_search", metavar="MAX_USES",
             help="Offer web search (run by the service, $10 per 1,000 searches; offline: a "
             "sample corpus); MAX_USES caps the searches."),
    argument("--web-fetch", action="store_true", dest="web_fetch",
             help="Offer web fetch: the model may fetch a URL named in the conversation."),
    argument("--file", action="append", metavar="PATH", help="Upload this file once (Files "
             "API) and send it by file_id (repeat for more)."),
    argument(
        "--max-steps", type=int, dest="max_steps", metavar="N",
        help="API calls the tool loop may make (default: %%config ClaudeMagics.max_steps).",
    ),
    argument(
        "--confirm", action="store_true",
        help="Ask before each tool call: y / n / a (all this cell).",
    ),
)


def prompt_arguments(function: FunctionType) -> FunctionType:
    """Add the flags every prompt magic shares (model, sampling, output, history...)."""
    for decorator in reversed(_PROMPT_ARGUMENTS):
        function = decorator(function)
    return function


def _action(parser: argparse.ArgumentParser, flag: str) -> Any:
    name = flag.split("=", 1)[0]
    action = parser._option_string_actions.get(name)
    if action is None:
        matches = [
            known for option, known in parser._option_string_actions.items()
            if option.startswith(name) and option.startswith("--")
        ]
        action = matches[0] if len(matches) == 1 else None
    return action


def _takes_value(parser: argparse.ArgumentParser, flag: str) -> bool:
    action = _action(parser, flag)
    return action is not None and action.nargs != 0 and "=" not in flag


def split_options(line: str, parser: argparse.ArgumentParser) -> tuple[list[str], str]:
    """Split leading option tokens from free text.

    Args:
        line: The magic's line, e.g. ``-m claude-haiku-5-5 What's new?``.
        parser: The magic's parser (to know which flags take a value).

    Returns:
        The option tokens (for ``parser.parse_args``) and the rest of the line as written.

    Raises:
        UsageError: A quoted option value is not closed.
    """
    tokens: list[str] = []
    position = 0
    expecting_value = optional = False
    while True:
        stripped = line[position:].lstrip()
        position = len(line) - len(stripped)
        if optional and not (stripped.split() or [""])[0].isdigit():
            expecting_value = False  # --web-search [N] without N: the prompt or a flag follows
        if not stripped or (not expecting_value and not stripped.startswith("-")):
            break
        lexer = shlex.shlex(stripped, posix=True, punctuation_chars=False)
        lexer.whitespace_split = True
        lexer.commenters = ""
        try:
            token = lexer.get_token()
        except ValueError as error:
            raise UsageError(f"cannot read the options: {error}") from None
        if token is None:
            break
        position += lexer.instream.tell()  # type: ignore[attr-defined]  # a StringIO
        if not expecting_value and token == "--":
            break
        tokens.append(token)
        expecting_value = not expecting_value and _takes_value(parser, token)
        optional = expecting_value and _action(parser, token).nargs == "?"
    return tokens, line[position:].strip()


def parse_magic_line(
    magic_function: Callable[..., Any], line: str
) -> tuple[argparse.Namespace, str]:
    """Parse a magic's line into flags and the free text after them.

    Args:
        magic_function: A method decorated with ``magic_arguments`` (it carries ``.parser``).
        line: The line after the magic's name.

    Returns:
        The parsed flags and the free text after them.

    Raises:
        UsageError: Unknown flag, bad value, or an invalid ``--out`` name.
    """
    parser = magic_function.parser  # type: ignore[attr-defined]
    tokens, rest = split_options(line, parser)
    arguments = parser.parse_args(tokens)
    out = getattr(arguments, "out", None)
    if out is not None and not out.isidentifier():
        raise UsageError(f"--out needs a Python name, not {out!r}")
    return arguments, rest


def _thinking(value: str | None, max_tokens: int | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if value in ("adaptive", "disabled"):
        return {"type": value}
    try:
        budget = int(value)
    except ValueError:
        raise UsageError(f"--thinking takes a token budget or 'adaptive', not {value!r}") from None
    if budget < 1024:
        raise UsageError(f"--thinking budget must be at least 1024 tokens (got {budget})")
    if max_tokens is not None and budget >= max_tokens:
        raise UsageError(f"--thinking budget ({budget}) must be below --max-tokens ({max_tokens})")
    return {"type": "enabled", "budget_tokens": budget}


def request_params(
    arguments: argparse.Namespace,
    model: str | None = None,
    max_tokens: int | None = None,
    system: Any = None,
) -> dict[str, Any]:
    """The API body fields the flags set (unset flags are left out).

    ``-f json`` / ``-f code`` append their instruction (``claude_nb._api.formats``) to the
    system prompt: the cell's ``-s``, else ``system`` (the session's), which is not changed.

    Args:
        arguments: Parsed flags.
        model: The model when ``-m`` is not given (``%config ClaudeMagics.model``).
        max_tokens: ``max_tokens`` when ``--max-tokens`` is not given.
        system: The session's system prompt.

    Returns:
        Keyword arguments for ``Session.ask`` / ``Session.build_request``.
    """
    cell_system = arguments.system
    if FORMAT_INSTRUCTIONS.get(arguments.format):
        cell_system = with_format_instruction(cell_system or system, arguments.format)
    params: dict[str, Any] = {
        "model": arguments.model or model or None,
        "system": cell_system,
        "max_tokens": arguments.max_tokens if arguments.max_tokens is not None else max_tokens,
        "temperature": arguments.temperature,
        "top_p": arguments.top_p,
        "top_k": arguments.top_k,
        "stop_sequences": arguments.stop,
        "thinking": _thinking(arguments.thinking, arguments.max_tokens),
    }
    return {name: value for name, value in params.items() if value is not None}


def ask_options(arguments: argparse.Namespace) -> dict[str, Any]:
    """``Session.ask``'s options the flags set: ``history``, ``stream``, ``cache``."""
    options: dict[str, Any] = {"history": not arguments.no_history}
    options["stream"] = not arguments.no_stream
    if arguments.no_cache:
        options["cache"] = False
    return options
