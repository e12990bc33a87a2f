"""The ``anthropic-beta`` header: comma-separated names, checked against a known list.

The real service answers an unknown (or unauthorised) beta name with 400
``invalid_request_error`` (https://docs.anthropic.com/en/api/beta-headers). The emulator keeps
the names it knows as data (``KNOWN_BETAS``): current documented ones plus common public ones,
legacy names included (the service still accepts e.g. ``prompt-caching-2024-07-31`` as a
no-op). ``Emulator(accept_any_beta=True)`` (CLI ``--any-beta``) skips the check, for betas
newer than this list.
"""

from __future__ import annotations

from claude_nb.emulator._wire import invalid

__all__ = ["KNOWN_BETAS", "check_betas", "parse_betas"]

KNOWN_BETAS: frozenset[str] = frozenset(
    {
        # current, documented
        "fast-mode-2026-02-01",
        "thinking-binding-controls-2026-08-01",
        "output-300k-2026-03-24",
        "user-profiles",
        # current public betas
        "model-context-window-exceeded-2025-08-26",
        "files-api-2025-04-14",
        "interleaved-thinking-2025-05-14",
        "fine-grained-tool-streaming-2025-05-14",
        "context-1m-2025-08-07",
        "context-management-2025-06-27",
        "code-execution-2025-05-22",
        "code-execution-2025-08-25",
        "mcp-client-2025-04-04",
        "mcp-client-2025-11-20",
        "computer-use-2025-01-24",
        "computer-use-2025-11-24",
        "web-fetch-2025-09-10",
        "search-results-2025-06-09",
        "structured-outputs-2025-11-13",
        "skills-2025-10-02",
        "effort-2025-11-24",
        "advanced-tool-use-2025-11-20",
        "compact-2026-01-12",
        "token-efficient-tools-2025-02-19",
        "output-128k-2025-02-19",
        # legacy names, now general availability: still accepted
        "prompt-caching-2024-07-31",
        "pdfs-2024-09-25",
        "message-batches-2024-09-24",
        "token-counting-2024-11-01",
        "computer-use-2024-10-22",
    }
)
"""Beta names the emulator accepts (a sample of the public list; extend as betas ship)."""


def parse_betas(header: str) -> list[str]:
    """The names of an ``anthropic-beta`` header value (comma-separated, blanks ignored)."""
    return [name.strip() for name in header.split(",") if name.strip()]


def check_betas(header: str | None, *, accept_any: bool = False) -> list[str]:
    """Check an ``anthropic-beta`` header as the service does.

    Args:
        header: The header value, or None when absent.
        accept_any: Accept every name (the emulator's ``accept_any_beta`` option).

    Returns:
        The beta names, in header order.

    Raises:
        ApiError: 400 ``invalid_request_error`` naming every unknown value.
    """
    names = parse_betas(header or "")
    unknown = [name for name in names if name not in KNOWN_BETAS]
    if unknown and not accept_any:
        listed = ", ".join(f"`{name}`" for name in unknown)
        raise invalid(
            f"Unexpected value(s) {listed} for the `anthropic-beta` header. Please consult our "
            "documentation at docs.claude.com or try again without the header."
        )
    return names
