"""``python -m claude_nb.emulator``: first stdout line is the URL, --script and --open work,
SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx


def test_cli_script_open_and_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "turns.json"
    script.write_text(json.dumps(["scripted hello", {"content": [{"type": "text", "text": "2"}]}]))
    process = subprocess.Popen(
        [sys.executable, "-m", "claude_nb.emulator", "--open", "--script", str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        payload = {
            "model": "claude-opus-5",
            "max_tokens": 20,
            "messages": [{"role": "user", "content": "hi"}],
        }
        headers = {"anthropic-version": "2023-06-01"}  # no key: --open
        texts = [
            httpx.post(f"{base_url}/v1/messages", json=payload, headers=headers).json()["content"][
                0
            ]["text"]
            for _ in range(3)
        ]
        assert texts == ["scripted hello", "2", "2"]  # the last turn repeats
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
