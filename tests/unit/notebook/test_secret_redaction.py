"""The API key never goes into a prompt, a dry run, the store, an export or an error.

A canary key is ANTHROPIC_API_KEY and the kernel's magics talk over HTTP to a local emulator
that records every body byte for byte. ``{os.environ}`` (and a mapping holding the key, and a
key typed into the cell) go through a real ``%%claude`` cell in a real InteractiveShell: what
the emulator received, the dry run, its curl, the SQLite store's bytes, the exports and the
error shown hold no trace of the canary, and the user is told once that something was
redacted. The Python API and a tool returning its environment are checked the same way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from test_magics import magics, run

from claude_nb import APIError, ContentError, Session
from claude_nb._api.redact import redact, redact_value
from claude_nb.emulator import Emulator
from claude_nb.emulator._server import running_server
from claude_nb.emulator._wire import EmulatorResponse
from claude_nb.testing import canary_key

CANARY = canary_key("CANARY") + "x7Q_" * 20 + "-AAend"
MARK = "CANARY"
TYPED = canary_key("TYPEDbyHANDinTHEcell0123456789", "admin01")


class Recorded:
    def __init__(self, base_url: str, bodies: list[bytes]) -> None:
        self.base_url, self.bodies = base_url, bodies


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorded]:
    bodies: list[bytes] = []
    emulator = Emulator()  # requires a key, as the API does

    def handler(method: str, target: str, headers: Mapping[str, str], body: bytes) -> Any:
        bodies.append(body)
        return emulator.handle(method, target, headers, body)

    with running_server(handler, "127.0.0.1", 0) as base_url:
        monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
        yield Recorded(base_url, bodies)


def _clean(text: str | bytes) -> bool:
    data = text.encode() if isinstance(text, str) else text
    return MARK.encode() not in data and b"TYPEDbyHAND" not in data


def _shown(captured: Any) -> str:
    parts = [captured.stdout, captured.stderr]
    for output in captured.outputs:
        parts += [str(value) for value in output.data.values()]
    return "\n".join(parts)


PROMPT = "Summarise {os.environ} and {settings} (also " + TYPED + ")"


def test_a_cell_interpolating_the_environment_sends_and_shows_no_key(
    shell: InteractiveShell, served: Recorded, tmp_path: Path
) -> None:
    shell.run_cell("import os")
    shell.user_ns["settings"] = {"ANTHROPIC_API_KEY": os.environ["ANTHROPIC_API_KEY"]}
    assert CANARY in repr(os.environ)  # the prompt would carry it

    dry, captured = run(shell, f"%%claude --dry-run\n{PROMPT}\n")
    assert dry.error_in_exec is None
    shown = [_shown(captured), repr(dry.result), dry.result._repr_markdown_()]
    shown.append(json.dumps(dry.result.request))
    assert all(_clean(text) for text in shown)
    assert "redacted 3 secrets from the request" in dry.result._repr_markdown_()

    curl, captured = run(shell, f"%%claude --dry-run --curl\n{PROMPT}\n")
    assert curl.error_in_exec is None and "curl " in _shown(captured) + repr(curl.result)
    assert _clean(_shown(captured)) and _clean(repr(curl.result))

    result, captured = run(shell, f"%%claude\n{PROMPT}\n")
    assert result.error_in_exec is None and result.result.text
    assert served.bodies and all(_clean(body) for body in served.bodies)
    assert b"sk-ant-...REDACTED" in served.bodies[-1]
    assert _clean(_shown(captured)) and "redacted 3 secrets" in _shown(captured)
    session = magics(shell).session
    assert _clean(json.dumps(session.history)) and _clean(json.dumps(result.result.request))

    run(shell, "%%claude\nand now?\n")  # the history (redacted) goes again: no new note
    assert all(_clean(body) for body in served.bodies)
    assert "redacted" not in (magics(shell).session.last_reply.notes_markdown())

    for name in ("talk.md", "talk.json"):
        exported, captured = run(shell, f"%claude_session export {tmp_path / name}")
        assert exported.error_in_exec is None, exported.error_in_exec
        assert _clean((tmp_path / name).read_bytes())
    store = Path(os.environ["CLAUDE_NB_HOME"])
    files = list(store.glob("history.sqlite*"))
    assert files and all(_clean(path.read_bytes()) for path in files)


def test_an_error_never_shows_the_key(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    def echo(method: str, target: str, headers: Mapping[str, str], body: bytes) -> Any:
        # a proxy that echoes what it got, the key header included
        message = f"bad request {dict(headers)} {body.decode()}"
        error = {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
        return EmulatorResponse(
            400, [("content-type", "application/json")], json.dumps(error).encode()
        )

    with running_server(echo, "127.0.0.1", 0) as base_url:
        monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
        shell.user_ns["settings"] = {"key": CANARY}
        result, captured = run(shell, "%%claude\nlook at {settings}\n")
        error = result.error_in_exec
        assert error is not None
        assert _clean(str(error)) and _clean(repr(error)) and _clean(_shown(captured))
        assert isinstance(error, APIError) or "bad request" in str(error)
        session = magics(shell).session
        with pytest.raises(APIError) as caught:
            session.ask("look at " + CANARY)
        assert _clean(str(caught.value)) and _clean(json.dumps(caught.value.body))


def test_the_python_api_redacts_prompts_and_tool_results(served: Recorded) -> None:
    def environment() -> str:
        """Return the process environment."""
        return repr(dict(os.environ))

    with Session() as session:  # the key and the URL from the environment
        reply = session.ask(f"what is in {dict(os.environ)}?", max_tokens=30)
        assert reply.content_report is not None
        assert "redacted 1 secret from the request (an API key)" in reply.content_report.notes
        assert _clean(json.dumps(session.dry_run(f"again {CANARY}").request))
        session.count_tokens(f"count {CANARY}")
        with pytest.raises(ContentError) as refused:  # a str attachment is read as a path
            session.ask("read this", attach=[CANARY])
        assert _clean(str(refused.value)) and "no such file" in str(refused.value)
        session.history.append({"role": "user", "content": f"typed into the history {CANARY}"})
        session.history.append({"role": "assistant", "content": "ok"})
        session.tools.register(environment)
        kept = len(session.history)
        reply = session.ask("call the environment tool", max_tokens=200)
        results = [
            block
            for turn in session.history[kept:]
            if isinstance(turn["content"], list)
            for block in turn["content"]
            if block.get("type") == "tool_result"
        ]
        assert results and len(reply.steps) == 2  # the tool ran; its result went back
        assert _clean(json.dumps(session.history[kept:]))
    assert served.bodies and all(_clean(body) for body in served.bodies)


def test_redact_is_one_rule() -> None:
    assert redact(f"a {CANARY} b") == ("a sk-ant-...REDACTED b", 1)
    assert redact("custom-secret-123 and again custom-secret-123", ["custom-secret-123"]) == (
        "sk-ant-...REDACTED and again sk-ant-...REDACTED",
        2,
    )
    assert redact("sk-ant-...REDACTED")[1] == 0  # idempotent
    assert redact("sk-ant-short") == ("sk-ant-short", 0)
    image = {"type": "base64", "media_type": "image/png", "data": "abc"}
    body = {"messages": [{"content": [{"type": "text", "text": CANARY}, {"source": image}]}]}
    redacted, count = redact_value(body)
    assert count == 1 and redacted["messages"][0]["content"][1]["source"] is image
    assert redact_value(image) == (image, 0)
