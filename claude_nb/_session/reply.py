"""``Reply``: what one ``Session.ask`` call produced, finished, failed or interrupted.

A reply renders itself in a notebook (``_repr_markdown_``): the text, then one footer line
with the model, tokens, cache reads and writes (and the money caching saved, or what a write
cost extra, against sending the prompt uncached), cost, time to first token, total time, and
"offline emulator" when it came from the emulator. It holds the request body (never the
headers), so no reply can show an API key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claude_nb._wire.stream import message_text

if TYPE_CHECKING:
    from claude_nb._content.attach import ContentReport

__all__ = ["Reply"]


def _cache_saved(reply: Reply) -> str:
    """``, saved $x`` (or ``, +$x to write``) against sending the prompt uncached."""
    from claude_nb._accounting.cache_plan import cache_savings

    saving = cache_savings(reply.usage, reply.model)
    if saving is None or abs(saving) < 0.00005:
        return ""
    return f", saved ${saving:.4f}" if saving > 0 else f", +${-saving:.4f} to write"


@dataclass(eq=False)
class Reply:
    """One call's outcome.

    Attributes:
        message: The final message (API shape: content blocks, usage...); for a failed call,
            what had arrived (``{}`` when nothing did).
        model: The model that answered (or was asked).
        request: The JSON body that was sent (no headers).
        offline: True when the offline emulator answered.
        request_id: The API's request id, when known.
        time_to_first_token: Seconds from the call to the first content delta (None when
            nothing was streamed).
        duration: Seconds the whole call took, retries included.
        retries: Retries made before the outcome.
        interrupted: True when the call was stopped (KeyboardInterrupt).
        error: The exception that ended the call, or None.
        content_report: What was done to the prompt's images and tables (notes) and what
            its blocks cost; its summary ("2 images ≈ 3,100 tokens") is in the footer.
    """

    message: dict[str, Any]
    model: str
    request: dict[str, Any] = field(repr=False)
    offline: bool = False
    request_id: str | None = None
    time_to_first_token: float | None = None
    duration: float = 0.0
    retries: int = 0
    interrupted: bool = False
    error: BaseException | None = None
    content_report: ContentReport | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The text of the reply's text blocks, joined."""
        return message_text(self.message)

    @property
    def usage(self) -> dict[str, Any]:
        """The ``usage`` object (``{}`` when none arrived)."""
        return dict(self.message.get("usage") or {})

    @property
    def stop_reason(self) -> str | None:
        """Why the model stopped (None for failed or interrupted calls)."""
        value = self.message.get("stop_reason")
        return str(value) if value is not None else None

    @property
    def cost(self) -> float | None:
        """Estimated dollars for the usage (None when the model is unpriced)."""
        from claude_nb._accounting.pricing import usage_cost

        return usage_cost(self.usage, self.model)

    def footer(self) -> str:
        """The one-line summary shown under the text."""
        usage = self.usage
        parts = [
            self.model,
            f"{usage.get('input_tokens') or 0:,} in / {usage.get('output_tokens') or 0:,} out",
        ]
        if self.content_report is not None and self.content_report.summary():
            parts.append(self.content_report.summary())
        read = usage.get("cache_read_input_tokens") or 0
        write = usage.get("cache_creation_input_tokens") or 0
        if read or write:
            parts.append(f"cache read {read:,} / write {write:,}{_cache_saved(self)}")
        cost = self.cost
        parts.append("unpriced" if cost is None else f"${cost:.4f}")
        if self.time_to_first_token is not None:
            parts.append(f"first token {self.time_to_first_token:.2f} s")
        parts.append(f"{self.duration:.2f} s")
        if self.retries:
            parts.append(f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}")
        if self.interrupted:
            parts.append("interrupted")
        elif self.error is not None:
            parts.append(f"failed: {type(self.error).__name__}")
        if self.offline:
            parts.append("offline emulator")
        return " · ".join(parts)

    def notes_markdown(self) -> str:
        """The content notes ("downscaled ...") as a small Markdown line, or ``""``."""
        return self.content_report.notes_markdown() if self.content_report else ""

    def _repr_markdown_(self) -> str:
        notes = self.notes_markdown()
        return "\n\n".join([self.text, *([notes] if notes else []), f"<sub>{self.footer()}</sub>"])

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"Reply({preview!r}, {self.footer()})"
