"""The default responder: deterministic, useful Markdown about what it received.

It says it is the offline emulator, echoes the last prompt (prose quoted; Markdown tables and
fenced code shown outside the quote, where they render), notes the system prompt, reports
real pixel facts for images, documents and Markdown tables, lists offered tools, and calls
tools the prompt names (input drawn from the prompt and the tool's schema). After tool
results it answers by quoting them. "write N words" (or paragraphs) makes a long answer.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from claude_nb.emulator._images import describe_image
from claude_nb.emulator._tool_input import draw_input

__all__ = ["OfflineResponder"]

LENGTH_HINT = re.compile(r"\b(\d{1,6})\s*(words?|paragraphs?|sentences?)\b", re.IGNORECASE)
FILLER = (
    "The offline emulator streams this sentence so you can watch tokens arrive",
    "Every word here is produced locally and deterministically",
    "Nothing is sent to Anthropic while claude_nb runs offline",
    "Set an API key to talk to the real model instead",
)
MAX_WORDS = 50000


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content or [] if isinstance(block, dict)]


def _quote(text: str, limit: int = 600) -> str:
    text = text.strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


TABLE_ROW = re.compile(r"^\s*\|")
TABLE_RULE = re.compile(r"\|?[\s:|-]+\|?")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
MAX_TABLE_LINES = 32
MAX_CODE_LINES = 40


def _runs(text: str) -> list[tuple[str, list[str]]]:
    """The prompt as runs of ``prose``, ``table`` (2+ ``|`` rows) and ``code`` (fenced) lines."""
    runs: list[tuple[str, list[str]]] = []
    lines = text.strip().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith(fence.group(1)):
                end += 1
            runs.append(("code", lines[index : end + 1]))
            index = end + 1
            continue
        end = index
        while end < len(lines) and TABLE_ROW.match(lines[end]):
            end += 1
        if end - index >= 2:
            runs.append(("table", [row.strip() for row in lines[index:end]]))
            index = end
            continue
        if runs and runs[-1][0] == "prose":
            runs[-1][1].append(line)
        else:
            runs.append(("prose", [line]))
        index += 1
    return runs


def _echo(text: str, limit: int = 600) -> list[str]:
    """The prompt for the answer: prose quoted, tables and code blocks outside the quote.

    A Markdown table or fence inside ``>`` renders as one run-on line in notebooks, so they
    are shown as they are (shortened), between the quoted prose.
    """
    parts: list[str] = []
    for kind, lines in _runs(text):
        if kind == "prose":
            prose = "\n".join(lines).strip()
            if prose:
                parts += [_quote(prose, limit), ""]
            continue
        cap = MAX_TABLE_LINES if kind == "table" else MAX_CODE_LINES
        shown = lines if len(lines) <= cap else lines[: cap - 1]
        if kind == "code" and len(shown) < len(lines):
            shown = [*shown, lines[0].strip()[:3]]  # close the fence
        parts += shown
        if len(lines) > cap:
            parts.append(f"*(… {len(lines) - cap + 1} more lines)*")
        parts.append("")
    return parts


def _tables(text: str) -> list[str]:
    found: list[str] = []
    for kind, rows in _runs(text):
        if kind != "table":
            continue
        body = [row for row in rows if not TABLE_RULE.fullmatch(row)]
        header = [cell.strip() for cell in body[0].strip().strip("|").split("|")]
        index = bool(header) and not header[0]  # pandas' unnamed index column
        columns = header[1:] if index else header
        fact = (
            f"a Markdown table with {len(body) - 1} rows and {len(columns)} columns "
            f"({', '.join(columns[:8])}{', …' if len(columns) > 8 else ''})"
        )
        found.append(fact + (" and an unnamed index column" if index else ""))
    return found


def _document_fact(block: dict[str, Any]) -> str:
    source = block.get("source") or {}
    title = block.get("title") or "untitled"
    kind = source.get("media_type") or source.get("type", "unknown")
    data = source.get("data")
    if source.get("type") == "base64" and isinstance(data, str):
        try:
            size = f"{len(base64.b64decode(data))} bytes"
        except (binascii.Error, ValueError):
            size = "unreadable data"
    elif isinstance(data, str):
        size = f"{len(data)} characters"
    else:
        size = "size unknown"
    return f"“{title}” ({kind}, {size})"


def _long_text(count: int, unit: str) -> str:
    words_wanted = min(MAX_WORDS, count * {"p": 80, "s": 14}.get(unit[0].lower(), 1))
    words: list[str] = []
    sentence = 0
    while len(words) < words_wanted:
        words.extend(f"{FILLER[sentence % len(FILLER)]}.".split())
        sentence += 1
    paragraphs = [" ".join(words[start : start + 80]) for start in range(0, words_wanted, 80)]
    paragraphs[-1] = " ".join(words[(len(paragraphs) - 1) * 80 : words_wanted])
    return "\n\n".join(paragraph[:1].upper() + paragraph[1:] for paragraph in paragraphs)


class OfflineResponder:
    """The offline stand-in for Claude: describes the request and calls named tools."""

    def respond(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer ``body`` deterministically."""
        messages = body.get("messages") or []
        last = _blocks(messages[-1].get("content")) if messages else []
        results = [block for block in last if block.get("type") == "tool_result"]
        if results:
            return self._answer_results(results, messages)
        prompt = "\n".join(block.get("text", "") for block in last if block.get("type") == "text")
        calls = self._tool_calls(body, prompt)
        content: list[dict[str, Any]] = []
        thinking = body.get("thinking") or {}
        if thinking.get("type") in ("enabled", "adaptive"):
            content.append({"type": "thinking", "thinking": self._thinking(prompt, calls)})
        if calls:
            names = ", ".join(f"`{call['name']}`" for call in calls)
            content.append({"type": "text", "text": f"(offline emulator) Calling {names}."})
            content.extend(calls)
            return {"content": content, "stop_reason": "tool_use"}
        content.append({"type": "text", "text": self._describe(body, prompt, last)})
        return {"content": content, "stop_reason": "end_turn"}

    def _thinking(self, prompt: str, calls: list[dict[str, Any]]) -> str:
        plan = "call " + ", ".join(c["name"] for c in calls) if calls else "describe the request"
        return f"The user wrote {len(prompt)} characters. Offline emulator: I will {plan}."

    def _tool_calls(self, body: dict[str, Any], prompt: str) -> list[dict[str, Any]]:
        tools = [tool for tool in body.get("tools") or [] if isinstance(tool, dict)]
        by_name = {str(tool.get("name")): tool for tool in tools}
        choice = body.get("tool_choice") or {}
        if not tools or choice.get("type") == "none":
            return []
        mentioned: list[tuple[int, str]] = []
        for name in by_name:
            spoken = re.escape(name) + "|" + re.escape(name.replace("_", " "))
            match = re.search(rf"(?<![\w-])(?:{spoken})(?![\w-])", prompt, re.IGNORECASE)
            if match:
                mentioned.append((match.start(), name))
        names = [name for _, name in sorted(mentioned)]
        if choice.get("type") == "tool" and choice.get("name") in by_name:
            names = [choice["name"]]
        elif choice.get("type") == "any" and not names:
            names = [next(iter(by_name))]
        if choice.get("disable_parallel_tool_use"):
            names = names[:1]
        return [
            {
                "type": "tool_use",
                "name": name,
                "input": draw_input(by_name[name].get("input_schema") or {}, prompt, set(by_name)),
            }
            for name in names
        ]

    def _answer_results(
        self, results: list[dict[str, Any]], messages: list[dict[str, Any]]
    ) -> dict[str, Any]:
        names: dict[str, str] = {}
        for message in messages:
            for block in _blocks(message.get("content")):
                if block.get("type") == "tool_use":
                    names[str(block.get("id"))] = str(block.get("name"))
        lines = ["(offline emulator) Here is what the tools returned:", ""]
        for result in results:
            content = result.get("content")
            if isinstance(content, list):
                content = "\n".join(
                    block.get("text", f"[{block.get('type')} block]") for block in _blocks(content)
                )
            name = names.get(str(result.get("tool_use_id")), "a tool")
            status = " reported an error" if result.get("is_error") else " returned"
            lines += [f"`{name}`{status}:", "", _quote(str(content or "(nothing)")), ""]
        return {"content": [{"type": "text", "text": "\n".join(lines).rstrip()}]}

    def _describe(self, body: dict[str, Any], prompt: str, last: list[dict[str, Any]]) -> str:
        model = body.get("model", "the model")
        parts = [
            f"**Offline emulator** (claude_nb): nothing left this machine; this is a "
            f"deterministic stand-in for `{model}`.",
            "",
        ]
        if prompt.strip():
            parts += ["You wrote:", "", *_echo(prompt)]
        system = body.get("system")
        if isinstance(system, list):
            system = " ".join(str(block.get("text", "")) for block in system)
        if system:
            parts.append(f"System prompt noted ({len(system)} characters): “{system[:120]}”.")
        for index, block in enumerate(b for b in last if b.get("type") == "image"):
            source = block.get("source") or {}
            fact = f"{source.get('type', 'unknown')} source (not fetched offline)"
            if source.get("type") == "base64":
                try:
                    fact = describe_image(base64.b64decode(source.get("data", "")))
                except (binascii.Error, ValueError):
                    fact = "unreadable base64 data"
            parts.append(f"- Image {index + 1}: {fact}.")
        for block in last:
            if block.get("type") == "document":
                parts.append(f"- Document: {_document_fact(block)}.")
        parts += [f"- Table: {table}." for table in _tables(prompt)]
        tools = [str(tool.get("name")) for tool in body.get("tools") or []]
        if tools:
            listed = ", ".join(f"`{name}`" for name in tools)
            parts.append(f"- Tools offered: {listed} (name one in the prompt to see a call).")
        hint = LENGTH_HINT.search(prompt)
        if hint:
            parts += ["", _long_text(int(hint.group(1)), hint.group(2))]
        return "\n".join(parts).strip()
