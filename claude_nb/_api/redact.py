"""The one rule for secrets in text claude_nb builds: the key never leaves, never shows.

A prompt can carry the API key without anyone meaning it to: ``{os.environ}`` interpolated,
a DataFrame of settings, a tool that returns its environment, a key typed into a cell. So
every text claude_nb writes from the user's objects (the request body, hence the history,
the dry run and its curl, the store and its exports; the bytes sent, as a last guard;
errors) goes through ``redact``, which replaces

* the configured key, exactly (``secrets``; keys shorter than ``MIN_SECRET_LENGTH`` are
  not secrets worth the name and would redact ordinary words), and
* anything shaped like an Anthropic key, ``sk-ant-`` and 10 or more of ``[A-Za-z0-9_-]``

with ``REDACTED`` (itself not key-shaped: redacting twice changes nothing) and counts them,
so the caller can say once that something was redacted (``redaction_note``).

Example:
    >>> redact("token=my-own-secret-value and more", ["my-own-secret-value"])
    ('token=sk-ant-...REDACTED and more', 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claude_nb._exceptions import KEY_SHAPE, REDACTED

__all__ = [
    "KEY_SHAPE",
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "redact",
    "redact_value",
    "redaction_note",
    "secrets_of",
]

MIN_SECRET_LENGTH = 8
"""A configured key shorter than this is not redacted as such (only by its shape)."""


def secrets_of(*keys: str | None) -> tuple[str, ...]:
    """The configured keys worth redacting exactly (None, empty and short ones dropped)."""
    return tuple(key for key in keys if key and len(key) >= MIN_SECRET_LENGTH)


def redact(text: str, secrets: Iterable[str] = ()) -> tuple[str, int]:
    """``text`` with every secret and key-shaped string replaced, and how many were.

    Args:
        text: Any text.
        secrets: Exact strings to replace (the configured key; see ``secrets_of``).
    """
    count = 0
    for secret in secrets:
        if secret and secret in text:
            count += text.count(secret)
            text = text.replace(secret, REDACTED)
    text, shaped = KEY_SHAPE.subn(REDACTED, text)
    return text, count + shaped


def _is_base64_source(value: dict[Any, Any]) -> bool:
    return value.get("type") == "base64" and isinstance(value.get("data"), str)


def redact_value(value: Any, secrets: Iterable[str] = ()) -> tuple[Any, int]:
    """A copy of a JSON-like value with every string (keys too) redacted, and the count.

    Dicts, lists and tuples are walked; base64 image and document ``data`` is left alone (its
    alphabet holds no ``-``, so no key can hide there, and it must stay byte-exact). When
    nothing was redacted the value itself is returned, uncopied.
    """
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        total, items = 0, []
        skip_data = _is_base64_source(value)
        for key, item in value.items():
            new_key, counted = redact(key, secrets) if isinstance(key, str) else (key, 0)
            total += counted
            if not (skip_data and key == "data"):
                item, counted = redact_value(item, secrets)
                total += counted
            items.append((new_key, item))
        return (dict(items), total) if total else (value, 0)
    if isinstance(value, (list, tuple)):
        total, parts = 0, []
        for item in value:
            item, counted = redact_value(item, secrets)
            total += counted
            parts.append(item)
        if not total:
            return value, 0
        return (tuple(parts) if isinstance(value, tuple) else parts), total
    return value, 0


def redaction_note(count: int) -> str:
    """``"redacted 1 secret from the request (an API key)"``, for the user, once."""
    if count == 1:
        return "redacted 1 secret from the request (an API key)"
    return f"redacted {count} secrets from the request (API keys)"
