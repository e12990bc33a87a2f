"""``session.dry_run(...)`` and ``DryRun.curl()``: the printed command, run by bash and curl.

The emulator runs as a real subprocess (``emulator_server``: it requires a key), the command
reads the key from ``$ANTHROPIC_API_KEY`` set only in bash's environment, and its reply must
be the one the session's own ask gets for the same request. A bash function named ``curl``
that prints its stdin shows the body the here-document carries, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from claude_nb import Session
from claude_nb._session.dry_run import DryRun
from claude_nb._wire.sse import decode_all
from claude_nb.testing import canary_key

CANARY = canary_key("7f3c-NEVER-PRINTED", kind="canary")

# Quotes of both kinds, $ and backticks, backslashes, newlines, a bare JSON line, Korean.
TRICKY = (
    "Say \"hi\" and 'bye' for $HOME `whoami` $(id) \\n \\\\ C:\\temp\n"
    "JSON\n안녕하세요, 세상! 😀\ttab EOF\n'JSON'"
)

needs_curl = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None, reason="needs bash and curl"
)


def run_bash(script: str) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ANTHROPIC_API_KEY": CANARY}
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode("utf-8")


def sse_text(payload: str) -> str:
    text = []
    for event in decode_all(payload):
        data: dict[str, Any] = json.loads(event.data)
        delta = data.get("delta") or {}
        if data.get("type") == "content_block_delta" and delta.get("type") == "text_delta":
            text.append(delta["text"])
    return "".join(text)


def test_the_command_never_holds_the_key_and_names_the_variable(emulator_server: str) -> None:
    with Session(base_url=emulator_server, api_key=CANARY) as session:
        dry = session.dry_run(TRICKY, max_tokens=50)
        command = dry.curl()
    assert isinstance(dry, DryRun) and dry.request["stream"] is True
    assert CANARY not in command and CANARY not in repr(dry) and CANARY not in str(dry.headers)
    assert '-H "x-api-key: $ANTHROPIC_API_KEY"' in command
    assert f"curl {emulator_server}/v1/messages" in command
    assert "-H 'anthropic-version: 2023-06-01'" in command
    assert "-H 'content-type: application/json'" in command
    assert "--data-binary @- <<'JSON'" in command and command.endswith("\nJSON\n")
    assert command.startswith("# dry run · claude-sonnet-5-5")


@needs_curl
def test_the_heredoc_carries_the_exact_body(emulator_server: str) -> None:
    with Session(base_url=emulator_server, api_key=CANARY) as session:
        session.history[:] = [
            {"role": "user", "content": "earlier"},
            {"role": "assistant", "content": "noted \\ $x"},
        ]
        dry = session.dry_run(TRICKY, system="Sys 'quoted' $VAR", max_tokens=64, stream=False)
    body = run_bash("curl() { cat; }\n" + dry.curl())  # a function: prints the stdin curl gets
    assert json.loads(body) == dry.request
    assert json.loads(body)["messages"][-1]["content"] == TRICKY


@needs_curl
def test_curl_gets_the_reply_the_session_gets(emulator_server: str) -> None:
    with Session(base_url=emulator_server, api_key=CANARY) as session:
        dry = session.dry_run(TRICKY, max_tokens=200, stream=False)
        reply = session.ask(TRICKY, max_tokens=200, stream=False, history=True)
    assert dry.request == reply.request
    message = json.loads(run_bash(dry.curl()))
    assert message["type"] == "message"
    assert "".join(block["text"] for block in message["content"]) == reply.text


@needs_curl
def test_a_streamed_request_prints_events_with_the_same_text(emulator_server: str) -> None:
    with Session(base_url=emulator_server, api_key=CANARY) as session:
        dry = session.dry_run("What is 17 * 3?", max_tokens=100)
        reply = session.ask("What is 17 * 3?", max_tokens=100)
    command = dry.curl()
    assert " -N " in command.replace("\n", " ") and "server-sent events" in command
    assert sse_text(run_bash(command)) == reply.text and reply.text


@needs_curl
def test_base_url_sends_it_elsewhere(emulator_server: str) -> None:
    session = Session(offline=True)
    dry = session.dry_run("hello", max_tokens=30, stream=False)
    message = json.loads(run_bash(dry.curl(base_url=emulator_server + "/")))
    assert message["role"] == "assistant"


def test_offline_commands_go_to_the_real_api_and_say_so() -> None:
    session = Session(offline=True)
    dry = session.dry_run("hello")
    command = dry.curl()
    assert dry.offline and "emulator.invalid" in dry.url
    assert "curl https://api.anthropic.com/v1/messages" in command
    assert "emulator.invalid" not in command
    assert "# Offline session: this goes to the real API (https://api.anthropic.com)" in command
    assert '"x-api-key: $ANTHROPIC_API_KEY"' in command


def test_images_stay_in_the_body_and_their_size_is_noted() -> None:
    import io

    image = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    image.new("RGB", (20, 10), "red").save(buffer, format="PNG")
    session = Session(offline=True)
    dry = session.dry_run("What is this?", attach=[buffer.getvalue()], stream=False)
    (block,) = [b for b in dry.request["messages"][-1]["content"] if b["type"] == "image"]
    data = block["source"]["data"]
    command = dry.curl()
    assert data in command
    assert f"# The body carries 1 base64 block ({len(data):,} characters of base64)." in command


def test_betas_are_copied() -> None:
    from claude_nb._wire.curl import curl_command

    command = curl_command(
        "http://x/v1/messages",
        {"anthropic-beta": "a-1,b-2", "x-api-key": CANARY, "user-agent": "u"},
        {"model": "m"},
    )
    assert "-H 'anthropic-beta: a-1,b-2'" in command
    assert CANARY not in command and "user-agent" not in command


def test_a_body_line_equal_to_the_terminator_picks_another() -> None:
    from claude_nb._wire.curl import _terminator

    assert _terminator(["{", "JSON", "}"]) == "JSON_END"
    assert _terminator(["{", "}"]) == "JSON"
