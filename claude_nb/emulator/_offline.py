"""The default responder, a teacher: deterministic answers a class can check offline.

Every reply starts with one short line marking it as the emulator, in the prompt's language
(``_lang``), except a JSON reply, which is only the JSON value. In order: tool results are
quoted; tools the prompt names are called (input drawn from the prompt and the schema); a
``%claude_fix`` request gets its explanation and fixed cell (``_fix``); a JSON request gets JSON
(``_json_reply``); a code request one runnable ```` ```python ```` block (``_code_reply``); then
"N words" (``_words``), arithmetic, one label, few-shot examples (``_teach``), summaries and
questions about a given text (``_extract``); otherwise an honest note that echoes the prompt
(prose quoted; Markdown tables and fenced code shown outside the quote, where they render),
notes the system prompt and reports real pixel facts for images, documents and Markdown tables,
and the offered tools. docs/EMULATOR.md ("The teaching responder") lists every rule.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from typing import Any

from claude_nb.emulator._cite import cited_answer
from claude_nb.emulator._code_reply import CODE_SYSTEM, is_code_request
from claude_nb.emulator._extract import (
    SUMMARY,
    is_question,
    material,
    pdf_facts,
    question_about,
    sentences,
    shape_of,
    summary,
)
from claude_nb.emulator._fix import fix_blocks
from claude_nb.emulator._images import describe_image
from claude_nb.emulator._json_reply import JSON_WORD, is_json_request, json_reply, json_schema
from claude_nb.emulator._lang import reply_korean, say
from claude_nb.emulator._patterns import lazy
from claude_nb.emulator._teach import arithmetic, classify, few_shot, labels_in
from claude_nb.emulator._teach_more import teach_more
from claude_nb.emulator._tool_input import draw_input
from claude_nb.emulator._words import MAX_WORDS, long_text, words_wanted

__all__ = ["MAX_WORDS", "OfflineResponder"]


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content or [] if isinstance(block, dict)]


def _quote(text: str, limit: int = 600) -> str:
    text = text.strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


TABLE_ROW = lazy(r"^\s*\|")
TABLE_RULE = lazy(r"\|?[\s:|-]+\|?")
FENCE = lazy(r"^\s*(`{3,}|~{3,})")
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


def _text_of(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(str(block.get("text", "")) for block in blocks if block.get("type") == "text")


def _system_text(body: dict[str, Any]) -> str:
    system = body.get("system") or ""
    if isinstance(system, list):
        system = " ".join(str(block.get("text", "")) for block in system if isinstance(block, dict))
    extra = [
        _text_of(_blocks(message.get("content")))
        for message in body.get("messages") or []
        if message.get("role") == "system"
    ]
    return " ".join([str(system), *extra]).strip()


def _user_text(messages: list[dict[str, Any]]) -> str:
    """The latest user message that has text (a tool-result turn has none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            text = _text_of(_blocks(message.get("content")))
            if text.strip():
                return text
    return ""


def _unmarked(text: str) -> str:
    lines = text.strip().splitlines()
    if lines and lines[0].strip() in ("*(offline emulator)*", "*(오프라인 에뮬레이터)*"):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _examples(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Earlier (user text, assistant text) pairs, the emulator's own marker line dropped."""
    pairs: list[tuple[str, str]] = []
    for first, second in itertools.pairwise(messages):
        if first.get("role") == "user" and second.get("role") == "assistant":
            asked = _text_of(_blocks(first.get("content"))).strip()
            answered = _unmarked(_text_of(_blocks(second.get("content"))))
            if asked and answered:
                pairs.append((asked, answered))
    return pairs


class OfflineResponder:
    """The offline stand-in for Claude: a deterministic teacher (see the module docstring)."""

    def respond(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer ``body`` deterministically."""
        messages = body.get("messages") or []
        last = _blocks(messages[-1].get("content")) if messages else []
        system = _system_text(body)
        korean = reply_korean(_user_text(messages), system)
        results = [block for block in last if block.get("type") == "tool_result"]
        if results:
            return self._answer_results(results, messages, korean)
        prompt = _text_of(last)
        calls = self._tool_calls(body, prompt)
        content: list[dict[str, Any]] = []
        thinking = body.get("thinking") or {}
        if thinking.get("type") in ("enabled", "adaptive"):
            content.append({"type": "thinking", "thinking": self._thinking(prompt, calls, korean)})
        marker = say("marker", korean)
        if calls:
            names = ", ".join(f"`{call['name']}`" for call in calls)
            text = f"{marker}\n{say('calling', korean, names=names)}"
            content.append({"type": "text", "text": text})
            content.extend(calls)
            return {"content": content, "stop_reason": "tool_use"}
        # a %claude_fix request in its own language (``_fix``); quoted spans (``_cite``)
        if (cited := fix_blocks(prompt) or cited_answer(body, prompt, korean)) is not None:
            return {"content": content + cited, "stop_reason": "end_turn"}
        if self._wants_json(body, prompt, system):
            answer = json_reply(body, prompt, system, korean)
        else:
            answer = f"{marker}\n{self._teach(body, prompt, last, system, korean)}"
        content.append({"type": "text", "text": answer})
        return {"content": content, "stop_reason": "end_turn"}

    @staticmethod
    def _wants_json(body: dict[str, Any], prompt: str, system: str) -> bool:
        if json_schema(body) is not None:
            return True
        if JSON_WORD.search(system) and not CODE_SYSTEM.search(system):
            return True
        if is_code_request(prompt, system):
            return False
        return is_json_request(body, prompt, "")

    def _teach(
        self,
        body: dict[str, Any],
        prompt: str,
        last: list[dict[str, Any]],
        system: str,
        korean: bool,
    ) -> str:
        if (special := teach_more(body, prompt, last, system, korean)) is not None:
            return special  # SQL, templates, phrasebook, code, glossary ... (``_teach_more``)
        given, instruction = material(prompt, last)
        given = "\n".join(  # tables and code are described, not quoted as sentences
            line for kind, lines in _runs(given) if kind == "prose" for line in lines
        ).strip()
        wanted = words_wanted(prompt)
        if wanted and not (given and SUMMARY.search(instruction)):
            return long_text(prompt, wanted[0], wanted[1], korean)
        worked = arithmetic(prompt)
        if worked:
            return say("arithmetic", korean, expression=worked[0], value=worked[1])
        labels = labels_in(prompt)
        if labels:
            return classify(prompt, labels)
        followed = few_shot(_examples(body.get("messages") or []), prompt)
        if followed is not None:
            return followed
        shape = shape_of(system)
        role = [say("role", korean, role=shape.role)] if shape.role else []
        pdfs = [facts for facts in map(pdf_facts, last) if facts]
        if given and (SUMMARY.search(instruction) or is_question(instruction)):
            quoted = (
                summary(given, instruction + " " + system)
                if SUMMARY.search(instruction)
                else question_about(given, instruction, 1 if shape.one_sentence else 2)
            )
            if shape.one_sentence:
                quoted = quoted[:1]
            intro = say("summary" if SUMMARY.search(instruction) else "answer_from", korean)
            lines = [f"- {line}" if shape.bullets else f"> {line}" for line in quoted]
            facts = self._facts(body, prompt, last, korean, shape.one_sentence)
            return "\n".join([*role, intro, "", *lines, *(["", *facts] if facts else [])])
        if pdfs:
            notes = [say("pdf", korean, title=t, pages=p, size=s) for t, p, s in pdfs]
            return "\n".join([*role, *notes])
        return "\n".join([*role, *self._describe(body, prompt, last, system, korean)])

    def _thinking(self, prompt: str, calls: list[dict[str, Any]], korean: bool) -> str:
        names = ", ".join(call["name"] for call in calls)
        if korean:
            plan = f"{names}을(를) 호출하겠습니다" if calls else "요청에 맞춰 답하겠습니다"
        else:
            plan = f"call {names}" if calls else "answer the request as the teaching responder"
        return say("thinking", korean, n=len(prompt), plan=plan)

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
        self, results: list[dict[str, Any]], messages: list[dict[str, Any]], korean: bool
    ) -> dict[str, Any]:
        names: dict[str, str] = {}
        for message in messages:
            for block in _blocks(message.get("content")):
                if block.get("type") == "tool_use":
                    names[str(block.get("id"))] = str(block.get("name"))
        lines = [say("marker", korean), say("results", korean), ""]
        for result in results:
            content = result.get("content")
            if isinstance(content, list):
                content = "\n".join(
                    block.get("text", f"[{block.get('type')} block]") for block in _blocks(content)
                )
            name = names.get(str(result.get("tool_use_id")), "a tool")
            status = "tool_error" if result.get("is_error") else "returned"
            lines += [say(status, korean, name=name), "", _quote(str(content or "(nothing)")), ""]
        return {"content": [{"type": "text", "text": "\n".join(lines).rstrip()}]}

    def _describe(
        self,
        body: dict[str, Any],
        prompt: str,
        last: list[dict[str, Any]],
        system: str,
        korean: bool,
    ) -> list[str]:
        model = body.get("model", "the model")
        shape = shape_of(system)
        honest = say("honest", korean, model=model)
        if shape.one_sentence:
            gist = " ".join(prompt.split())[:120]
            parts = [f"{honest} “{gist}”." if gist else honest.rsplit(".", 1)[0] + "."]
        else:
            lead = sentences(honest) if shape.bullets else [honest]
            parts = [f"- {line}" if shape.bullets else line for line in lead] + [""]
            if prompt.strip():
                parts += _echo(prompt)
            if system:
                parts.append(say("system", korean, n=len(system), text=system[:120]))
        return parts + self._facts(body, prompt, last, korean, shape.one_sentence)

    @staticmethod
    def _facts(
        body: dict[str, Any], prompt: str, last: list[dict[str, Any]], korean: bool, brief: bool
    ) -> list[str]:
        """Bullets of facts: images (pixels), documents, Markdown tables, offered tools."""
        parts: list[str] = []
        for index, block in enumerate(b for b in last if b.get("type") == "image"):
            source = block.get("source") or {}
            kind = source.get("type", "unknown")
            fact = (
                f"{kind} 소스 (오프라인에서는 가져오지 않음)"
                if korean
                else (f"{kind} source (not fetched offline)")
            )
            if kind == "base64":
                try:
                    raw = base64.b64decode(source.get("data", ""))
                    fact = describe_image(raw, korean=korean)
                except (binascii.Error, ValueError):
                    fact = "읽을 수 없는 base64 데이터" if korean else "unreadable base64 data"
            parts.append("- " + say("image", korean, i=index + 1, fact=fact))
        for block in last:
            if block.get("type") == "document":
                parts.append("- " + say("document", korean, fact=_document_fact(block)))
        parts += ["- " + say("table", korean, fact=table) for table in _tables(prompt)]
        tools = [str(tool.get("name")) for tool in body.get("tools") or []]
        if tools and not brief:
            listed = ", ".join(f"`{name}`" for name in tools)
            parts.append("- " + say("tools", korean, names=listed))
        return parts
