r"""claude_nb's own text in a rich output (Markdown or HTML), kept safe from maths typesetting.

JupyterLab, Notebook 7 and nbconvert's HTML typeset ``$…$`` with MathJax (VS Code with KaTeX)
in Markdown *and* HTML outputs, on the rendered page's text: a footer with two amounts
(``+$0.0007 to write · $0.0040``) became a formula. Neither ``\\$`` nor ``&#36;`` helps, since
both are a plain ``$`` again in the page the typesetter reads. A dollar sign alone in its own
element does: typesetters pair delimiters only within one run of text, so ``DOLLAR``
(``<span>&#36;</span>``) shows ``$`` everywhere (in a paragraph, a table cell, an HTML block)
and never opens a formula.

Only text claude_nb writes itself goes through here (footers, notes, tables, dry-run
summaries); the model's own text is shown as the model wrote it, maths included. Plain-text
outputs (``text/plain``, the terminal) keep the bare ``$``.

Typical use::

    f"<sub>{markdown_dollars(reply.footer())}</sub>"    # Markdown: code spans left alone
    f"<p>{html_dollars(html.escape(summary))}</p>"      # HTML (already escaped)
"""

from __future__ import annotations

import re

__all__ = ["DOLLAR", "html_dollars", "markdown_dollars"]

DOLLAR = "<span>&#36;</span>"
"""A ``$`` that no maths typesetter pairs with another one."""

_CODE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^(?P=fence)[`~]*[ \t]*$"  # a fenced block
    r"|(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`)",  # an inline code span
    re.MULTILINE | re.DOTALL,
)


def html_dollars(text: str) -> str:
    """Every ``$`` of an HTML fragment written as ``DOLLAR``."""
    return text.replace("$", DOLLAR)


def markdown_dollars(markdown: str) -> str:
    """Every ``$`` of Markdown outside code spans and fenced blocks written as ``DOLLAR``.

    Code is shown literally by every renderer (and never typeset), so a ``$`` there stays.
    """
    if "$" not in markdown:
        return markdown
    parts: list[str] = []
    position = 0
    for match in _CODE.finditer(markdown):
        parts.append(html_dollars(markdown[position : match.start()]))
        parts.append(match.group())
        position = match.end()
    parts.append(html_dollars(markdown[position:]))
    return "".join(parts)
