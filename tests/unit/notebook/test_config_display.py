"""What ``%config ClaudeMagics``, ``%claude?`` and ``%claude_session resume`` say is what holds."""

from __future__ import annotations

from IPython.utils.capture import capture_output

from claude_nb._config import DEFAULT_MAX_RETRIES, DEFAULT_MAX_TOKENS, DEFAULT_READ_TIMEOUT


def _out(shell, cell):
    with capture_output() as captured:
        result = shell.run_cell(cell)
    return result, captured.stdout


def test_config_shows_the_defaults_in_force(shell, monkeypatch):
    _, text = _out(shell, "%config ClaudeMagics")
    for name, value in [
        ("model", "'claude-sonnet-5-5'"),
        ("max_tokens", str(DEFAULT_MAX_TOKENS)),
        ("max_retries", str(DEFAULT_MAX_RETRIES)),
        ("read_timeout", str(DEFAULT_READ_TIMEOUT)),
    ]:
        section = text.split(f"ClaudeMagics.{name}=", 1)[1].split("ClaudeMagics.", 1)[0]
        assert f"Current: {value}" in section, section
    session = shell.magics_manager.registry["ClaudeMagics"].session
    assert session.settings.max_tokens == DEFAULT_MAX_TOKENS
    assert session.settings.max_retries == DEFAULT_MAX_RETRIES


def test_the_model_default_follows_the_environment(monkeypatch):
    monkeypatch.setenv("CLAUDE_NB_MODEL", "claude-haiku-5-5")
    from claude_nb._notebook.magics import ClaudeMagics

    assert ClaudeMagics().model == "claude-haiku-5-5"


def test_help_names_the_magics_that_exist(shell):
    _, line = _out(shell, "%claude?")
    _, cell = _out(shell, "%%claude?")
    assert "%claude [-m MODEL]" in line and "%%claude [-m MODEL]" in cell
    assert "claude_line" not in line + cell and "claude_cell" not in line + cell
    flat = " ".join(line.split())
    assert "model_catalog() 'sampling'" in flat and "claude-sonnet-4-6" in flat
    assert "'adaptive' (the 5.x" in flat


def test_resume_prints_one_readable_line(shell):
    _out(shell, "%claude remember 42")
    shell.run_line_magic("unload_ext", "claude_nb")
    shell.run_line_magic("load_ext", "claude_nb")
    _, text = _out(shell, "%claude_session resume")
    assert "resumed session" in text and "<Ledger" not in text
    assert "1 call, $" in text
