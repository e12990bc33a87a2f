"""``--dry-run``: the exact request a cell would send, with a token and cost estimate.

Nothing is sent: the token count is the documented local estimate (``claude_nb._api.estimate``,
the same one the emulator bills), and the cost is that estimate at the model's price; the most
it could cost is the budget's own ``worst_case_cost``. The key is shown redacted. Images and
tables in the prompt are listed with their token estimates and what was done to them (the
``ContentReport``); base64 data is shown by its length only.

``session.dry_run(prompt, **params)`` (``Session.dry_run``) and ``%%claude --dry-run`` build
the same ``DryRun``; ``DryRun.curl()`` writes it as a ``curl`` command (``_wire.curl``) that
sends exactly that body, the key read from ``$ANTHROPIC_API_KEY``. An offline session's
command goes to the real API (``DEFAULT_BASE_URL``): the emulator has no URL to send to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claude_nb._accounting.money import format_usd
from claude_nb._api.markup import markdown_dollars
from claude_nb._config import DEFAULT_BASE_URL
from claude_nb._wire.curl import KEY_VARIABLE, curl_command
from claude_nb._wire.request import MESSAGES_PATH

if TYPE_CHECKING:
    from claude_nb._content.attach import ContentReport

__all__ = ["DryRun", "build_dry_run", "dry_run"]


@dataclass(frozen=True)
class DryRun:
    """A request that was built but not sent.

    Attributes:
        url: Where it would go.
        headers: Its headers, the key redacted.
        request: The JSON body, exactly as it would be sent.
        input_tokens: The local estimate of its input tokens.
        input_cost: Dollars for those input tokens, or None when the model is unpriced.
        max_cost: The budget's worst case (``budget.worst_case_cost``: the prompt as a full
            cache write when it carries ``cache_control``, plus all of ``max_tokens``), or
            None when unpriced.
        offline: True when it would go to the offline emulator.
        content_report: The new turn's blocks (images with their tokens) and notes.
    """

    url: str
    headers: dict[str, str]
    request: dict[str, Any]
    input_tokens: int
    input_cost: float | None
    max_cost: float | None
    offline: bool
    content_report: ContentReport | None = None

    def summary(self) -> str:
        """One line: model, estimated input tokens and cost."""
        model = self.request.get("model")
        cost = format_usd(None)
        if self.input_cost is not None and self.max_cost is not None:
            most = format_usd(self.max_cost)
            cost = f"≈ {format_usd(self.input_cost)} input, at most {most} in all"
        where = " · offline emulator" if self.offline else ""
        images = self.content_report.summary() if self.content_report else ""
        images = f" ({images})" if images else ""
        return f"dry run · {model} · ≈ {self.input_tokens:,} input tokens{images} · {cost}{where}"

    def _repr_markdown_(self) -> str:
        from claude_nb._content.attach import elide_base64

        headers = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        body = json.dumps(elide_base64(self.request), indent=2, ensure_ascii=False)
        report = self.content_report
        listing = report.markdown() if report and (report.images or report.notes) else ""
        content = f"{listing}\n\n" if listing else ""
        return (
            f"**{markdown_dollars(self.summary())}**\n\n"
            f"{content}```http\nPOST {self.url}\n{headers}\n```\n\n"
            f"```json\n{body}\n```"
        )

    def __repr__(self) -> str:
        return f"<DryRun {self.summary()}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Plain text (terminal IPython): the summary, the request line, headers and body."""
        from claude_nb._content.attach import elide_base64

        headers = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        body = json.dumps(elide_base64(self.request), indent=2, ensure_ascii=False)
        report = self.content_report
        images = report and report.images
        listing = [f"- {fact}" for fact in report.blocks] if report and images else []
        listing += [f"- 📎 {note}" for note in (report.notes if report else ())]
        content = "\n".join(listing) + "\n\n" if listing else ""
        printer.text(f"{self.summary()}\n\n{content}POST {self.url}\n{headers}\n\n{body}")

    def curl(self, base_url: str | None = None) -> str:
        """The request as a copy-pasteable ``curl`` command (the key: ``$ANTHROPIC_API_KEY``).

        Args:
            base_url: Send it there instead (e.g. a local emulator); default: where the
                session sends, or the real API (``https://api.anthropic.com``) for an offline
                session, whose emulator runs in-process and has no URL.

        Returns:
            Comment lines, then the command; the body is in it exactly (base64 included).
        """
        url = self.url
        comments = [f"{self.summary()}; the key is read from ${KEY_VARIABLE}."]
        if base_url is not None:
            url = f"{base_url.rstrip('/')}{MESSAGES_PATH}"
        elif self.offline:
            url = f"{DEFAULT_BASE_URL}{MESSAGES_PATH}"
            comments.append(
                f"Offline session: this goes to the real API ({DEFAULT_BASE_URL}), "
                "billed to that key (the offline emulator has no URL)."
            )
        if self.request.get("stream"):
            comments.append("stream: true, so the reply arrives as server-sent events.")
        count, characters = _base64_sizes(self.request)
        if count:
            plural = "" if count == 1 else "s"
            comments.append(
                f"The body carries {count} base64 block{plural} "
                f"({characters:,} characters of base64)."
            )
        return curl_command(url, self.headers, self.request, comments=comments)


def build_dry_run(
    session: Any, request: dict[str, Any], content_report: ContentReport | None = None
) -> DryRun:
    """Describe ``request`` as ``session`` would send it.

    Args:
        session: The ``claude_nb.Session`` (its settings; its ledger's prices).
        request: The body from ``session.build_request(...)``.
        content_report: The report from ``session.prepare_request(...)``, if any.

    Returns:
        The dry run, ready to display.
    """
    from claude_nb._accounting.budget import worst_case_cost
    from claude_nb._accounting.pricing import TokenCounts
    from claude_nb._accounting.user_prices import default_price_table
    from claude_nb._api.estimate import estimate_input_tokens
    from claude_nb._api.models import model_info
    from claude_nb._wire.request import build_headers, redact

    settings = session.settings
    model = request.get("model")
    high_res = bool((model_info(str(model)) or {}).get("high_res_vision"))  # as the API bills
    input_tokens = estimate_input_tokens(request, high_res=high_res)
    ledger = getattr(session, "ledger", None)  # the session's prices, the user's included
    prices = ledger.prices if ledger is not None else default_price_table()
    input_cost = prices.cost(TokenCounts(input=input_tokens), model)
    headers = redact(build_headers(settings, stream=bool(request.get("stream"))))
    return DryRun(
        url=f"{settings.base_url}/v1/messages",
        headers=headers,
        request=request,
        input_tokens=input_tokens,
        input_cost=None if input_cost is None else input_cost.total,
        max_cost=worst_case_cost(request, table=prices),  # what the budget checks against
        offline=bool(settings.offline),
        content_report=content_report,
    )


def _base64_sizes(value: Any) -> tuple[int, int]:
    """How many base64 sources the body holds, and their characters in all."""
    if isinstance(value, list):
        sizes = [_base64_sizes(item) for item in value]
        return sum(size[0] for size in sizes), sum(size[1] for size in sizes)
    if isinstance(value, dict):
        if value.get("type") == "base64" and isinstance(value.get("data"), str):
            return 1, len(value["data"])
        return _base64_sizes(list(value.values()))
    return 0, 0


def dry_run(session: Any, prompt: Any = None, **options: Any) -> DryRun:
    """``Session.dry_run``: ``session.prepare_request(prompt, **options)``, described.

    Args:
        session: The ``claude_nb.Session``.
        prompt: What ``ask`` would take (None: the history as is).
        **options: ``prepare_request``'s keywords (``history``, ``stream``, ``attach``,
            ``cache``, ``tools``) and body fields (``max_tokens``, ``system``...).
    """
    prepared = session.prepare_request(prompt, **options)
    return build_dry_run(session, prepared.body, prepared.report)
