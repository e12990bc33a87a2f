"""``ClaudeMagics``: ``%%claude``, ``%claude`` and ``%claude_session/_cost/_tools/_chat``.

One cell, end to end::

    flags (args.py) -> interpolation (_content.interpolate) -> Session.ask(on_event=renderer)
        -> StreamRenderer (_display.render) repaints at a capped rate -> final exact repaint
        -> the Reply is the cell's value (shown once: the streamed output already shows it)

Per-kernel state (the ``Session``; the budget, history store and live cost view of
``cost_magics.Accounting``) lives on the ``ClaudeMagics`` instance IPython keeps in
``shell.magics_manager.registry``, where ``claude_nb.get_session()`` finds it. Defaults are
traitlets (``%config ClaudeMagics.model = "..."``); cell flags > ``%config`` > environment.

Adding a magic is one method with ``@magic_arguments()`` (plus ``@prompt_arguments`` for the
shared prompt flags); adding a prompt flag is one line in ``args.py``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from argparse import Namespace
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import magics_class, no_var_expand
from traitlets import Bool, Enum, Float, Integer, Unicode, default, observe

from claude_nb import _config
from claude_nb._display.errors import attach_readable_traceback
from claude_nb._display.history_view import HistoryView
from claude_nb._display.render import StreamRenderer, reply_markdown, reply_plain, surface_for
from claude_nb._display.throttle import DEFAULT_REPAINT_INTERVAL
from claude_nb._exceptions import ClaudeNBError, ContentError
from claude_nb._notebook import help_syntax, service_flags
from claude_nb._notebook.api_flags import cell_value, feature_options
from claude_nb._notebook.args import (
    argument,
    ask_options,
    cell_magic,
    line_magic,
    magic_arguments,
    parse_magic_line,
    prompt_arguments,
    request_params,
)
from claude_nb._notebook.cassette_traits import CASSETTE_TRAITS, CassetteTraits
from claude_nb._notebook.context_magics import NotebookContextMagics
from claude_nb._notebook.cost_magics import Accounting
from claude_nb._notebook.flag_checks import check_flags
from claude_nb._notebook.frontend import TERMINAL_CHAT, ReplyEcho, is_terminal_app
from claude_nb._notebook.outputs import finish_partial, offline_notice, print_curl

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._session.session import Prompt, Session

__all__ = ["ClaudeMagics", "load_extension", "unload_extension"]

_CONNECTION_TRAITS = ("base_url", "offline", "max_retries", "read_timeout", "offline_speed",
                      *CASSETTE_TRAITS)
_REPLY_CLASS = ("claude_nb._session.reply", "Reply")


@magics_class
class ClaudeMagics(CassetteTraits, NotebookContextMagics):
    """Talk to Claude from notebook cells; holds the kernel's ``Session``."""

    model = Unicode(help="Default model for %%claude (default: CLAUDE_NB_MODEL, else the "
                    "package default).").tag(config=True)
    system = Unicode(None, allow_none=True, help="System prompt of a new session.").tag(
        config=True
    )
    max_tokens = Integer(_config.DEFAULT_MAX_TOKENS, allow_none=True, help="Default "
                         "max_tokens.").tag(config=True)
    base_url = Unicode("", help="API base URL (empty: ANTHROPIC_BASE_URL or the API).").tag(
        config=True
    )
    offline = Bool(None, allow_none=True, help="Force (True) or forbid (False) the offline "
                   "emulator; None: offline when there is no key.").tag(config=True)
    max_retries = Integer(_config.DEFAULT_MAX_RETRIES, allow_none=True, help="Retries after the "
                          "first attempt.").tag(config=True)
    read_timeout = Float(_config.DEFAULT_READ_TIMEOUT, allow_none=True, help="Seconds to wait "
                         "between bytes.").tag(config=True)
    offline_speed = Float(None, allow_none=True, help="Tokens per second the offline "
                          "emulator streams at (None: CLAUDE_NB_OFFLINE_SPEED, else instant), "
                          "so replies visibly stream without a key.").tag(config=True)
    repaint_interval = Float(DEFAULT_REPAINT_INTERVAL, help="Seconds between repaints while "
                             "streaming (the final repaint is always exact).").tag(config=True)
    repr_limit = Integer(4000, help="Characters of repr() for an interpolated object.").tag(
        config=True
    )
    df_as = Enum(("text", "image"), "text", help="DataFrames in a prompt as Markdown text "
                 "or as a table image.").tag(config=True)
    df_budget = Integer(2000, help="Estimated tokens a DataFrame's text may take.").tag(
        config=True
    )
    cache = Bool(True, help="Automatic prompt-cache breakpoints (--no-cache: one cell).").tag(
        config=True
    )
    cache_ttl = Enum(("5m", "1h"), "5m", help="TTL of the automatic breakpoints.").tag(
        config=True
    )
    budget_usd = Float(None, allow_none=True, help="Refuse calls that could take the session "
                       "past this many dollars (warns once at 80%).").tag(config=True)
    persist = Bool(True, help="Save every call to CLAUDE_NB_HOME/history.sqlite (default "
                   "~/.claude_nb) for %claude_session list/resume/export.").tag(config=True)
    max_steps = Integer(10, help="API calls one cell's tool loop may make.").tag(config=True)
    confirm_tools = Bool(False, help="Ask before each tool call (as --confirm).").tag(
        config=True
    )

    @default("model")
    def _model_default(self) -> str:  # shown by %config ClaudeMagics: the model in force
        return os.environ.get("CLAUDE_NB_MODEL") or _config.DEFAULT_MODEL

    def __init__(self, shell: InteractiveShell | None = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._session: Session | None = None
        self.echo = ReplyEcho(shell)  # the reply streamed this cell is not shown again
        self._offline_notice_shown = False
        self.last_renderer: StreamRenderer | None = None
        self.accounting = Accounting(self)
        self._removed_tools: set[str] = set()  # not rediscovered from @tool (see tool_magics)

    # ----------------------------------------------------------------- session
    @property
    def session(self) -> Session:
        """The kernel's ``claude_nb.Session`` (created on first use)."""
        if self._session is None:
            self._session = self.new_session()
        return self._session

    def new_session(self) -> Session:
        """A new ``Session`` from the traits, with the budget, store and live cost hooked."""
        from claude_nb._session.session import Session

        session = Session(
            base_url=self.base_url or None,
            model=self.model or None,
            offline=self.offline,
            system=self.system,
            max_retries=self.max_retries,
            read_timeout=self.read_timeout,
            offline_speed=self.offline_speed,
            **self.cassette_arguments(),
            cache=self.cache,
            cache_ttl=self.cache_ttl,  # type: ignore[arg-type]  # an Enum of the two TTLs
        )
        self.accounting.attach(session)
        return session

    @observe(*_CONNECTION_TRAITS)
    def _connection_changed(self, change: dict[str, Any]) -> None:
        """Rebuild the session on its next use, keeping the conversation."""
        old = self._session
        if old is None:
            return
        self._session = None
        new = self.session
        new.history[:] = old.history
        new.system = old.system
        new.tools = old.tools
        new._clients.keep_emulator(old._clients)  # offline: its batches and cache go on
        self.accounting.adopt(new, old)
        old.close()

    @observe("cache", "cache_ttl")
    def _cache_changed(self, change: dict[str, Any]) -> None:
        if self._session is not None:
            setattr(self._session, change["name"], change["new"])

    def close(self) -> None:
        """Close the session's HTTP clients and the history store (on ``%unload_ext``)."""
        self.accounting.close()
        if self._session is not None:
            self._session.close()
            self._session = None

    # ----------------------------------------------------------------- magics
    @magic_arguments("%claude")  # the usage line's name: %%claude
    @prompt_arguments
    @cell_magic("claude")
    @no_var_expand
    def claude_cell(self, line: str, cell: str) -> Any:
        """Send the cell (the prompt) to Claude and stream the reply as Markdown.

        ``{name}`` in the prompt is replaced by that variable when it is a plain reference
        that exists (use --raw to send the braces as written). The cell's value is the Reply.
        """
        arguments, rest = parse_magic_line(self.claude_cell, line)
        if rest:
            raise UsageError(f"unexpected text after the flags: {rest!r} (the prompt is the cell)")
        return self._ask(arguments, cell)

    @magic_arguments("claude")
    @prompt_arguments
    @line_magic("claude")
    @no_var_expand
    def claude_line(self, line: str) -> Any:
        """Send one line to Claude: ``%claude [flags] PROMPT``."""
        arguments, prompt = parse_magic_line(self.claude_line, line)
        return self._ask(arguments, prompt)

    @magic_arguments()
    @argument("action", nargs="?", default="show", choices=(
        "show", "reset", "undo", "system", "list", "resume", "export"))
    @argument("text", nargs="*", help="system: the new system prompt; resume: a session id "
              "(default: the latest); export: a .json or .md path (and an id).")
    @line_magic("claude_session")
    def claude_session(self, line: str) -> Any:
        """Show the conversation, or change or save it.

        Actions: ``reset``, ``undo`` (the last exchange), ``system TEXT``, ``list`` (saved
        sessions), ``resume [ID]`` (after a restart), ``export PATH.json|PATH.md [ID]``.
        """
        arguments = self.claude_session.parser.parse_argstring(line)
        session = self.session
        if arguments.action in ("list", "resume", "export"):
            from claude_nb._notebook.cost_magics import session_action

            return session_action(self.accounting, session, arguments.action, arguments.text)
        if arguments.action == "reset":
            session.reset()
        elif arguments.action == "undo":
            if not session.history:
                raise UsageError("nothing to undo: the conversation is empty")
            session.undo()
        elif arguments.action == "system":
            text = line.split("system", 1)[1].strip()
            session.system = text or None
        return HistoryView(session.history, session.system)

    @magic_arguments()
    @argument("--live", action="store_true", help="Update the table and chart in place after "
              "every later call.")
    @argument("--compare", nargs="*", metavar="MODEL", help="What these calls would cost on "
              "each model (default: every current priced model), tokens as recorded.")
    @line_magic("claude_cost")
    def claude_cost(self, line: str) -> Any:
        """The session's cost: a table per call (tokens by kind, cost, cache hits) and a chart.

        ``--compare [MODEL ...]``: the same calls re-priced on other models (table and bars).
        """
        arguments = self.claude_cost.parser.parse_argstring(line)
        return self.accounting.show_cost(self.session, arguments.live, arguments.compare)

    @magic_arguments()
    @argument("--new", action="store_true", help="Chat in a new session with its own history "
              "(the kernel's session is left as it is).")
    @line_magic("claude_chat")
    def claude_chat(self, line: str) -> Any:
        """A chat widget in the cell, bound to the kernel's session (the one %%claude uses).

        Streaming with Stop, model picker, system prompt, image attachments, tool calls
        (Approve/Deny when ``%config ClaudeMagics.confirm_tools = True`` or its checkbox is
        ticked) and the session's cost. Same as ``claude_nb.chat()``.
        """
        arguments = self.claude_chat.parser.parse_argstring(line)
        if is_terminal_app(self.shell):
            raise UsageError(TERMINAL_CHAT)
        from claude_nb._notebook.kernel import chat

        return chat(new=arguments.new)

    @magic_arguments()
    @argument("names", nargs="*", help="Functions of the notebook to offer as tools.")
    @argument("--remove", action="append", metavar="NAME", help="Remove a tool (repeatable).")
    @argument("--clear", action="store_true", help="Remove every tool.")
    @line_magic("claude_tools")
    def claude_tools(self, line: str) -> Any:
        """Register tools: ``%claude_tools f g``; alone, list the tools and their schemas.

        Tools registered by name resolve the name at call time (redefine ``f`` freely);
        ``@claude_nb.tool`` functions are registered by every ``%%claude``.
        """
        from claude_nb._notebook.tool_magics import tools_command

        arguments = self.claude_tools.parser.parse_argstring(line)
        session = self.session
        return tools_command(session.tools, arguments, self._user_ns, self._removed_tools)

    # ----------------------------------------------------------------- internals
    @property
    def _user_ns(self) -> dict[str, Any]:
        if self.shell is None:
            raise UsageError("ClaudeMagics needs an IPython shell")
        return self.shell.user_ns  # type: ignore[no-any-return]

    def _content(self, prompt: str, arguments: Namespace, model: str | None) -> Prompt:
        from claude_nb._content.attach import cell_content, content_options

        df_as, df_budget = arguments.df_as or self.df_as, arguments.df_budget or self.df_budget
        options = content_options(model, df_as=df_as, df_budget=df_budget)
        return self.with_context(cell_content(
            prompt, self.context_namespace(), options=options, images=arguments.image or (),
            raw=arguments.raw, repr_limit=self.repr_limit,
        ), prompt, arguments)

    def _ask(self, arguments: Namespace, prompt: str) -> Any:
        prompt = prompt.strip()
        if not prompt:
            raise UsageError("empty prompt: write it in the cell (or after %claude)")
        from claude_nb._notebook.tool_magics import cell_tools

        options = ask_options(arguments)
        try:
            session = self.session
            params = request_params(arguments, self.model, self.max_tokens, session.system)
            tools = cell_tools(
                session.tools, arguments, self._user_ns, self._removed_tools,
                max_steps=self.max_steps, confirm=self.confirm_tools,
            )
            model = params.get("model") or session.settings.model
            check_flags(arguments, params, model, session.settings.max_tokens)
            options.update(feature_options(arguments, self._user_ns))  # --schema, --cite
            options.update(service_flags.file_options(arguments, session))  # --file: uploaded
            content = self._content(prompt, arguments, model)
            if arguments.new:
                session.reset()
            if arguments.dry_run or arguments.curl:
                dry = session.dry_run(content, tools=tools.plan, **options, **params)
                return print_curl(dry) if arguments.curl else dry
        except ContentError as error:
            raise UsageError(str(error)) from None
        except ClaudeNBError as error:
            raise attach_readable_traceback(error) from None
        self._offline_notice(session, prompt)
        renderer = StreamRenderer(
            surface_for(self.shell, arguments.format), repaint_interval=self.repaint_interval
        )
        self.last_renderer = renderer
        try:
            with self.accounting.cell(session, arguments.budget):
                reply = session.ask(content, **tools.ask_options(renderer), **options, **params)
        except KeyboardInterrupt:
            finish_partial(renderer, session, "interrupted")
            raise attach_readable_traceback(
                KeyboardInterrupt("stopped: the partial reply is kept, its usage recorded")
            ) from None
        except ContentError as error:  # the request's images were refused: nothing was sent
            raise UsageError(str(error)) from None
        except ClaudeNBError as error:
            finish_partial(renderer, session, "error")
            raise attach_readable_traceback(error) from None
        status = "interrupted" if getattr(reply, "interrupted", False) else None
        renderer.finish(reply_markdown(reply, status), reply_plain(reply, status))
        self.echo.mark(reply)
        if arguments.out:
            self._user_ns[arguments.out] = reply
        try:
            return cell_value(reply, arguments, self.shell, self._user_ns)
        except ClaudeNBError as error:
            raise attach_readable_traceback(error) from None

    def _offline_notice(self, session: Session, prompt: str = "") -> None:
        if session.offline and not self._offline_notice_shown:
            self._offline_notice_shown = True
            print(offline_notice(prompt))



def load_extension(shell: InteractiveShell) -> None:
    """Register ``ClaudeMagics``, the Reply display hook and ``%claude ...?`` (``%load_ext``)."""
    registry = shell.magics_manager.registry
    if "ClaudeMagics" in registry:
        return
    magics = ClaudeMagics(shell)
    shell.register_magics(magics)
    help_syntax.install(shell)
    magics.echo.install()
    if shell.display_formatter is not None:
        formatter = shell.display_formatter.ipython_display_formatter
        formatter.for_type_by_name(*_REPLY_CLASS, magics.echo.display)


def unload_extension(shell: InteractiveShell) -> None:
    """Close clients, remove the magics and the display hook (``%unload_ext claude_nb``)."""
    magics = shell.magics_manager.registry.pop("ClaudeMagics", None)
    if magics is None:
        return
    magics.close()
    help_syntax.uninstall(shell)
    magics.echo.uninstall()
    for kind, names in magics.magics.items():  # {"line": {name: method}, "cell": {...}}
        for name in names:
            shell.magics_manager.magics[kind].pop(name, None)
    if magics in getattr(shell, "configurables", []):
        shell.configurables.remove(magics)
    if shell.display_formatter is None:
        return
    formatter = shell.display_formatter.ipython_display_formatter
    with contextlib.suppress(KeyError):
        formatter.pop(".".join(_REPLY_CLASS))
    if "claude_nb._session.reply" in sys.modules:
        from claude_nb._session.reply import Reply

        formatter.type_printers.pop(Reply, None)
