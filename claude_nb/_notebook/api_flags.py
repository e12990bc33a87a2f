"""``--schema``, ``--cite`` and ``--cite-rows``: the cell flags of structured output and citations.

    %%claude --schema Movie -o movie     the reply is JSON of Movie's schema; the cell's value
                                         (and ``movie``) is a ``Movie``
    %%claude --cite                      the prompt's documents ({doc}, --image path.txt) are
                                         citable: the reply ends in numbered footnotes
    %%claude --cite-rows sales           each row of ``sales`` goes as a citable search result

The names are plain references in the notebook (``Movie``, ``models.Movie``, ``frames[0]``),
found as ``{name}`` interpolation finds them: nothing is evaluated. The schema goes in the
body as ``output_config``; the reply is parsed after it is shown, so a reply that does not
match is displayed in full and the error (``StructuredOutputError``, with ``.text``) follows.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from claude_nb._exceptions import ContentError, StructuredOutputError
from claude_nb._notebook.outputs import format_value

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from claude_nb._session.reply import Reply

__all__ = ["cell_value", "feature_options"]


def _lookup(flag: str, text: str, namespace: Mapping[str, Any]) -> Any:
    from claude_nb._content.interpolate import is_resolved, parse_reference, resolve_reference

    steps = parse_reference(text.strip())
    if steps is None:
        raise ContentError(f"{flag} takes a name such as Movie or frames[0], not {text!r}")
    value = resolve_reference(steps, namespace)
    if not is_resolved(value):
        raise ContentError(f"{flag} {text.strip()}: no such name in the notebook")
    return value


def feature_options(arguments: Namespace, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """``Session.ask`` keywords for the flags; the schema is kept on ``arguments``.

    Raises:
        ContentError: A name that is not in the notebook, or a type without a schema.
    """
    options: dict[str, Any] = {}
    arguments.output_spec = None
    if arguments.schema:  # loaded on use: %load_ext stays light
        from claude_nb._tools.output_schema import output_spec

        spec = output_spec(_lookup("--schema", arguments.schema, namespace))
        arguments.output_spec = spec
        options["output_config"] = {"format": spec.format}
    if arguments.cite:
        options["cite"] = True
    if arguments.cite_rows:
        options["cite_rows"] = {
            name.strip(): _lookup("--cite-rows", name, namespace) for name in arguments.cite_rows
        }
    return options


def cell_value(
    reply: Reply,
    arguments: Namespace,
    shell: InteractiveShell | None,
    namespace: dict[str, Any],
) -> Any:
    """The cell's value: with ``--schema`` the parsed reply (also in ``-o``), else per ``-f``.

    Raises:
        StructuredOutputError: The reply does not match the schema (the Reply is kept).
        ReplyFormatError: ``-f json`` and the reply is not JSON.
    """
    spec = getattr(arguments, "output_spec", None)
    if spec is None:
        return format_value(reply, arguments.format, shell, getattr(arguments, "diff_base", None))
    try:
        reply.parsed = spec.parse(reply.text, stop_reason=reply.stop_reason)
    except StructuredOutputError as error:
        error.reply = reply
        raise
    if arguments.out:
        namespace[arguments.out] = reply.parsed
    return reply.parsed
