"""``--web-search [MAX_USES]``, ``--web-fetch``, ``--file PATH``: the service's tools and files.

    %claude --web-search 3 What changed in pandas 3?    the web search server tool, 3 searches
    %claude --web-fetch Summarise https://example.com   the model may fetch the URL
    %claude --file report.pdf What are the key risks?   uploaded once (Files API), sent by id

Server tools join the cell's other tools (``tool_magics.cell_tools``); the service runs them,
so they never enter the tool loop. ``--file`` uploads through ``Session.upload`` (the same
bytes are uploaded once per session) and attaches the file by ``file_id``; ``--dry-run``
and ``--curl`` upload nothing and show where the id will go.
"""

from __future__ import annotations

import mimetypes
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from claude_nb._api.server_tools import web_fetch, web_search

if TYPE_CHECKING:
    from claude_nb._session.session import Session
    from claude_nb._session.tool_loop import ToolPlan

__all__ = ["file_options", "with_server_tools"]

DRY_RUN_ID = "file_(uploaded when sent)"


def with_server_tools(plan: ToolPlan, arguments: Namespace) -> ToolPlan:
    """``plan`` with the server tools ``--web-search`` and ``--web-fetch`` ask for.

    Raises:
        UsageError: ``--web-search`` with a count below 1.
    """
    specs = []
    searches = getattr(arguments, "web_search", None)
    try:
        if searches is not None:  # -1: the flag without a count
            specs.append(web_search(max_uses=None if searches == -1 else searches))
        if getattr(arguments, "web_fetch", False):
            specs.append(web_fetch())
    except ValueError:
        raise UsageError(
            f"--web-search takes a number of searches of at least 1, not {searches}"
        ) from None
    if not specs:
        return plan
    from claude_nb._session.tool_loop import ToolPlan  # loaded with the first request

    names = {spec.get("name") for spec in plan.specs}
    return ToolPlan(plan.registry, [*plan.specs, *(s for s in specs if s["name"] not in names)])


def file_options(arguments: Namespace, session: Session) -> dict[str, Any]:
    """``Session.ask``'s ``attach`` for ``--file`` (uploaded unless this is a dry run).

    Raises:
        ContentError: A file cannot be read or is over 500 MB (nothing was sent).
    """
    paths = getattr(arguments, "file", None) or []
    if not paths:
        return {}
    if arguments.dry_run or arguments.curl:
        from claude_nb._session.files import FileObject  # loaded with the first request

        files = []
        for path in paths:
            source = Path(path).expanduser()
            media = mimetypes.guess_type(source.name)[0] or "application/pdf"
            size = source.stat().st_size if source.exists() else 0
            files.append(FileObject(DRY_RUN_ID, source.name, size, media))
        return {"attach": files}
    return {"attach": [session.upload(path) for path in paths]}
