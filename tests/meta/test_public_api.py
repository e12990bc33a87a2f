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


def test_the_names_the_readme_uses_come_from_the_package() -> None:
    from claude_nb._accounting.pricing import UnpricedModelWarning
    from claude_nb._chat.widget import ChatWidget
    from claude_nb._session.reply import ToolLoopReply
    from claude_nb._tools.approval import ApprovalRequest, Approver, Denied, PromptApprover
    from claude_nb._tools.render import ToolCallEvent

    for name, value in {
        "ApprovalRequest": ApprovalRequest,
        "Approver": Approver,
        "ChatWidget": ChatWidget,
        "Denied": Denied,
        "PromptApprover": PromptApprover,
        "ToolCallEvent": ToolCallEvent,
        "ToolLoopReply": ToolLoopReply,
        "UnpricedModelWarning": UnpricedModelWarning,
    }.items():
        assert name in claude_nb.__all__
        assert getattr(claude_nb, name) is value, name
    assert issubclass(claude_nb.ToolLoopReply, claude_nb.Reply)
    assert issubclass(claude_nb.UnpricedModelWarning, UserWarning)


def test_reply_format_error_is_in_the_one_error_tree() -> None:
    from claude_nb._notebook.outputs import parse_json

    assert issubclass(claude_nb.ReplyFormatError, claude_nb.ClaudeNBError)
    assert issubclass(claude_nb.ReplyFormatError, ValueError)
    assert not issubclass(claude_nb.ReplyFormatError, claude_nb.APIError)
    try:
        parse_json("not json")
    except claude_nb.ClaudeNBError as error:
        assert type(error) is claude_nb.ReplyFormatError
    else:  # pragma: no cover
        raise AssertionError("parse_json accepted 'not json'")


def test_the_readme_and_notebooks_send_users_to_no_private_module() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    texts = [root / "README.md", *sorted((root / "notebooks").glob("*.ipynb"))]
    for path in texts:
        assert "claude_nb._" not in path.read_text(encoding="utf-8"), path


def test_the_tool_seams_of_ask_are_typed() -> None:
    for method in (claude_nb.Session.ask, claude_nb.Session.ask_async):
        annotations = {
            name: str(parameter.annotation)
            for name, parameter in inspect.signature(method).parameters.items()
        }
        assert annotations["tools"] == "ToolsArgument"
        assert annotations["approver"] == "Approver | None"
        assert annotations["on_tool_event"] == "Callable[[ToolCallEvent], None] | None"
