from __future__ import annotations

import inspect

import claude_nb


def test_all_is_sorted_and_equals_the_public_names() -> None:
    helpers = {"annotations", "importlib", "TYPE_CHECKING", "Any"}
    public = {
        name
        for name in dir(claude_nb)
        if not name.startswith("_")
        and name not in helpers
        and not inspect.ismodule(getattr(claude_nb, name))  # loaded subpackages (emulator)
    }
    assert claude_nb.__all__ == sorted(claude_nb.__all__)
    assert set(claude_nb.__all__) == public


def test_every_exported_name_resolves() -> None:
    for name in claude_nb.__all__:
        assert getattr(claude_nb, name) is not None


def test_session_surface_from_the_architecture_contract() -> None:
    session = claude_nb.Session(environ={})
    for name in (
        "settings",
        "offline",
        "history",
        "system",
        "ask",
        "ask_async",
        "build_request",
        "count_tokens",
        "list_models",
        "reset",
        "undo",
        "close",
        "on_call",
        "on_history",
        "before_send",
        "tools",
        "ledger",
        "last_reply",
    ):
        assert hasattr(session, name), name
    for name in (
        "text",
        "message",
        "usage",
        "stop_reason",
        "model",
        "request_id",
        "offline",
        "time_to_first_token",
        "duration",
        "retries",
        "interrupted",
        "error",
        "request",
        "cost",
        "_repr_markdown_",
    ):
        assert hasattr(claude_nb.Reply, name) or name in claude_nb.Reply.__dataclass_fields__, name
