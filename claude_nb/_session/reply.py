"""``Reply``: what one ``Session.ask`` call produced, finished, failed or interrupted.

``ToolLoopReply`` is the ``Reply`` of an ask with tools (``claude_nb._session.tool_loop``):
the final answer, every step, and the tool calls, with usage and cost added up.

A reply renders itself in a notebook (``_repr_markdown_``): the text, then one footer line
with the model, tokens, cache reads and writes (and the money caching saved, or what a write
cost extra, against sending the prompt uncached), cost, time to first token, total time, and
"offline emulator" when it came from the emulator ("replayed from lesson1.cassette.jsonl" when
a cassette answered: priced as simulated, as offline). It holds the request body (never the
headers), so no reply can show an API key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claude_nb._api.cache_diagnostics import cache_miss_note
from claude_nb._api.citations import number_citations
from claude_nb._api.formats import extract_code
from claude_nb._api.markup import markdown_dollars
from claude_nb._api.server_tools import web_search_requests
from claude_nb._api.stop_reasons import stop_note
from claude_nb._wire.stream import message_text

if TYPE_CHECKING:
    from claude_nb._accounting.pricing import PriceTable
    from claude_nb._content.attach import ContentReport
    from claude_nb._tools.render import ToolCallEvent

__all__ = ["Reply", "ToolLoopReply"]


def _cache_saved(reply: Reply) -> str:
    """``, saved $x`` (or ``, +$x to write``) against sending the prompt uncached."""
    from claude_nb._accounting.money import format_saving
    from claude_nb._accounting.pricing import cache_savings

    saving = cache_savings(reply.usage, reply.model, table=reply.price_table())
    text = format_saving(saving)
    if text in ("", "-"):
        return ""
    return f", saved {text}" if saving is not None and saving > 0 else f", {text}"


@dataclass(eq=False)
class Reply:
    """One call's outcome.

    Attributes:
        message: The final message (API shape: content blocks, usage...); for a failed call,
            what had arrived (``{}`` when nothing did).
        model: The model that answered (or was asked).
        request: The JSON body that was sent (no headers).
        offline: True when the offline emulator answered (or a cassette: nothing was spent).
        replayed: The cassette file a replayed answer came from, or None.
        request_id: The API's request id, when known.
        time_to_first_token: Seconds from the call to the first content delta (None when
            nothing was streamed).
        duration: Seconds the whole call took, retries included.
        retries: Retries made before the outcome.
        interrupted: True when the call was stopped (KeyboardInterrupt, a cancelled task).
        error: The exception that ended the call, or None.
        content_report: What was done to the prompt's images and tables (notes) and what
            its blocks cost; its summary ("2 images ≈ 3,100 tokens") is in the footer.
        prices: The price table of the session that made the reply (its ledger's), so
            ``cost`` and the footer agree with the ledger; None: the default table.
        batch: Answered through the Message Batches API (priced at the batch rate).
        estimated_output_tokens: A stopped call's output tokens estimated from its delivered
            text (its usage fell short of it), or None: ``usage`` reports them, marked ``~``.
        parsed: With ``ask(..., output=Model)``: the reply's JSON as a ``Model`` (a dict for a
            JSON Schema dict); None otherwise (``claude_nb._tools.output_schema``).
    """

    message: dict[str, Any]
    model: str
    request: dict[str, Any] = field(repr=False)
    offline: bool = False
    replayed: str | None = None
    request_id: str | None = None
    time_to_first_token: float | None = None
    duration: float = 0.0
    retries: int = 0
    interrupted: bool = False
    error: BaseException | None = None
    content_report: ContentReport | None = field(default=None, repr=False)
    prices: PriceTable | None = field(default=None, repr=False)
    batch: bool = False
    estimated_output_tokens: int | None = None
    parsed: Any = None

    @property
    def text(self) -> str:
        """The text of the reply's text blocks, joined."""
        return message_text(self.message)

    @property
    def code(self) -> str:
        """The reply's fenced code blocks joined by a blank line, else the whole text.

        The extraction ``%%claude -f code`` uses (``claude_nb._api.formats.extract_code``):
        ``exec(reply.code, namespace)`` runs what the model wrote.
        """
        return extract_code(self.text)

    @property
    def citations(self) -> list[dict[str, Any]]:
        """The distinct citations of the text blocks, numbered from 1 in this order."""
        return number_citations(self.message.get("content") or []).citations

    @property
    def cited_text(self) -> str:
        """The text with each cited span followed by its footnote numbers (``[1]``)."""
        return number_citations(self.message.get("content") or []).text(markdown=False)

    def footnotes_markdown(self) -> str:
        """The citations as numbered Markdown footnotes: the quoted span and its source."""
        return number_citations(self.message.get("content") or []).footnotes_markdown()

    def footnotes_plain(self) -> str:
        """The citations as numbered plain-text footnotes (``""`` when nothing was cited)."""
        return number_citations(self.message.get("content") or []).footnotes_plain()

    @property
    def usage(self) -> dict[str, Any]:
        """The ``usage`` object (``{}`` when none arrived).

        A stopped call's output tokens are the estimate of its delivered text when the
        stream's own count fell short of it (``usage_estimated``).
        """
        usage = dict(self.message.get("usage") or {})
        if self.estimated_output_tokens is not None:
            usage["output_tokens"] = self.estimated_output_tokens
        return usage

    @property
    def usage_estimated(self) -> bool:
        """The output tokens (and so the cost) are an estimate (see ``usage``)."""
        return self.estimated_output_tokens is not None

    @property
    def stop_reason(self) -> str | None:
        """Why the model stopped (None for failed or interrupted calls)."""
        value = self.message.get("stop_reason")
        return str(value) if value is not None else None

    @property
    def stop_note(self) -> str | None:
        """Why the reply stopped early and what to change, or None when it ended on its own.

        ``max_tokens``, a stop sequence, a refusal... (``claude_nb._api.stop_reasons``).
        """
        return stop_note(self.message, self.request)

    @property
    def cost(self) -> float | None:
        """Estimated dollars for the usage (None when the model is unpriced)."""
        from claude_nb._accounting.pricing import usage_cost

        return usage_cost(self.usage, self.model, table=self.price_table(), batch=self.batch)

    def price_table(self) -> PriceTable:
        """The prices of the session that made this reply (its ledger's), else the default."""
        if self.prices is not None:
            return self.prices
        from claude_nb._accounting.user_prices import default_price_table

        return default_price_table()

    def footer(self) -> str:
        """The one-line summary shown under the text."""
        usage = self.usage
        approx = "~" if self.usage_estimated else ""
        parts = [
            self.model,
            f"{usage.get('input_tokens') or 0:,} in / "
            f"{approx}{usage.get('output_tokens') or 0:,} out",
        ]
        if self.content_report is not None and self.content_report.summary():
            parts.append(self.content_report.summary())
        read = usage.get("cache_read_input_tokens") or 0
        write = usage.get("cache_creation_input_tokens") or 0
        if read or write:
            parts.append(f"cache read {read:,} / write {write:,}{_cache_saved(self)}")
        parts += [note for note in (cache_miss_note(self.message, self.request),) if note]
        searches = web_search_requests(usage)  # $10 per 1,000, in the cost
        parts += [f"{searches} web search{'es' if searches > 1 else ''}"] if searches else []
        from claude_nb._accounting.money import format_usd

        parts.append(f"{approx}{format_usd(self.cost)}{' (estimated)' if approx else ''}")
        if self.time_to_first_token is not None:
            parts.append(f"first token {self.time_to_first_token:.2f} s")
        parts.append(f"{self.duration:.2f} s")
        if self.retries:
            parts.append(f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}")
        if self.interrupted:
            parts.append("interrupted")
        elif self.error is not None:
            parts.append(f"failed: {type(self.error).__name__}")
        if self.replayed:
            parts.append(f"replayed from {self.replayed}")
        elif self.offline:
            parts.append("offline emulator")
        return " · ".join(parts)

    def footer_markdown(self) -> str:
        """The footer as a small Markdown line, its ``$`` kept from maths typesetting."""
        return f"<sub>{markdown_dollars(self.footer())}</sub>"

    def notes_markdown(self) -> str:
        """The content notes ("downscaled ...") as a small Markdown line, or ``""``."""
        return self.content_report.notes_markdown() if self.content_report else ""

    def _repr_markdown_(self) -> str:
        notes = self.notes_markdown()
        stop = [f"*{markdown_dollars(self.stop_note)}*"] if self.stop_note else []
        numbered = number_citations(self.message.get("content") or [])
        footnotes = [numbered.footnotes_markdown()] if numbered.citations else []
        parts = [numbered.text(markdown=True), *footnotes, *stop, *([notes] if notes else [])]
        return "\n\n".join([*parts, self.footer_markdown()])

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"Reply({preview!r}, {self.footer()})"


def _sum_usage(usages: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Numbers added key by key (nested objects too); other values keep the last one."""
    total: dict[str, Any] = {}
    for usage in usages:
        for key, value in usage.items():
            if isinstance(value, bool) or value is None:
                total.setdefault(key, value)
            elif isinstance(value, (int, float)):
                total[key] = (total.get(key) or 0) + value
            elif isinstance(value, Mapping):
                total[key] = _sum_usage([total.get(key) or {}, value])
            else:
                total[key] = value
    return total


@dataclass(eq=False)
class ToolLoopReply(Reply):
    """A ``Reply`` for an ask with tools: the final answer plus every step.

    ``message``, ``text`` and ``stop_reason`` are the last step's (the final answer);
    ``usage``, ``cost`` and ``retries`` add up every step; ``duration`` is the whole loop,
    tools included; ``time_to_first_token`` is the first step's.

    Attributes:
        steps: One ``Reply`` per API call, in order (a failed or interrupted last one too).
        tool_calls: The ``"end"`` event of every tool call, in order (refused and not-run
            calls included).
        note: Why the loop stopped early (step cap, cut reply), or None.
    """

    steps: list[Reply] = field(default_factory=list, repr=False)
    tool_calls: list[ToolCallEvent] = field(default_factory=list, repr=False)
    note: str | None = None

    @property
    def usage(self) -> dict[str, Any]:
        """Usage added up over the steps."""
        return _sum_usage(step.usage for step in self.steps)

    @property
    def usage_estimated(self) -> bool:
        """Some step's output tokens are an estimate."""
        return any(step.usage_estimated for step in self.steps)

    @property
    def cost(self) -> float | None:
        """Dollars over the steps (None when any step is unpriced)."""
        costs = [step.cost for step in self.steps]
        return None if any(cost is None for cost in costs) else sum(c or 0.0 for c in costs)

    def footer(self) -> str:
        """The reply's footer with the steps and tool calls counted after the model."""
        model, _, rest = super().footer().partition(" · ")
        steps, calls = len(self.steps), len(self.tool_calls)
        counted = f"{steps} step{'s' * (steps != 1)}, {calls} tool call{'s' * (calls != 1)}"
        return " · ".join(part for part in (model, counted, rest) if part)

    def _repr_markdown_(self) -> str:
        notes = [note for note in (self.note, self.stop_note) if note]
        parts = [self.text, *(f"*{markdown_dollars(note)}*" for note in notes)]
        return "\n\n".join([*parts, self.footer_markdown()])
