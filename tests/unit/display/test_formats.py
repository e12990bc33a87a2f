"""``--format text`` outside a kernel: the plain-text surface, partial replies, terminal IPython.

The formats in a real kernel are ``tests/kernel/test_formats_kernel.py``'s.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from claude_nb._display.render import PlainDisplaySurface, reply_plain, surface_for


def test_format_text_surface_sends_plain_text_only():
    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            surface = surface_for(shell, "text")
            assert isinstance(surface, PlainDisplaySurface) and surface.plain
            assert not surface_for(shell, "markdown").plain
            surface.paint({"content": [{"type": "thinking", "thinking": "hm"}]}, streaming=True)
            surface.paint({"content": [{"type": "text", "text": "Hel"}]}, streaming=True)
            surface.show_final("Hello\n\n<sub>footer</sub>", "Hello\n\nfooter")
    finally:
        InteractiveShell.clear_instance()
    outputs = captured.outputs
    assert [output.update for output in outputs] == [False, True, True]
    assert [output.data for output in outputs] == [
        {"text/plain": " ▌"}, {"text/plain": "Hel ▌"}, {"text/plain": "Hello\n\nfooter"},
    ]


class _Reply:
    text = "Half a sent"

    def footer(self) -> str:
        return "model · 1 in / 2 out"


def test_plain_text_marks_a_partial_reply_like_the_markdown_does():
    assert reply_plain(_Reply()) == "Half a sent\n\nmodel · 1 in / 2 out"
    assert reply_plain(_Reply(), "interrupted") == (
        "Half a sent\n\n⏹ interrupted: the text above is partial\n\nmodel · 1 in / 2 out"
    )


def test_format_text_in_terminal_ipython_prints_plain_text(tmp_path: Path):
    code = (
        "ip = get_ipython(); ip.run_line_magic('load_ext', 'claude_nb'); "
        "value = ip.run_line_magic('claude', '-f text Say hello'); "
        "print('VALUE', type(value).__name__)"
    )
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                   "CLAUDE_NB_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-m", "IPython", "--quick", "--no-banner", "--colors=nocolor",
         "-c", code],
        capture_output=True, text=True, timeout=60, env=environment, check=True,
    )
    assert "> Say hello" in result.stdout  # the offline responder quotes the prompt
    assert "offline emulator\n" in result.stdout  # the footer line, as plain text
    assert "<sub>" not in result.stdout and "text/markdown" not in result.stdout
    assert "VALUE Reply" in result.stdout
