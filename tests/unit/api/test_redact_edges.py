"""The redaction rule at its edges: the length a configured key needs, counts of repeats,
keys in dict keys and tuples, base64 data left byte-exact, and the note's wording."""

from __future__ import annotations

from claude_nb._api.redact import (
    MIN_SECRET_LENGTH,
    REDACTED,
    redact,
    redact_value,
    redaction_note,
    secrets_of,
)
from claude_nb.testing import canary_key

KEY = canary_key("abcdefghijklmnop")


def test_a_configured_key_needs_eight_characters() -> None:
    assert MIN_SECRET_LENGTH == 8
    assert secrets_of("1234567", None, "", "12345678") == ("12345678",)
    assert redact("a 12345678 b 12345678", secrets_of("12345678")) == (
        f"a {REDACTED} b {REDACTED}",
        2,
    )
    assert redact("a 1234567 b", secrets_of("1234567")) == ("a 1234567 b", 0)


def test_shapes_and_exact_keys_are_counted_once_each() -> None:
    assert redact(f"{KEY} and {KEY}") == (f"{REDACTED} and {REDACTED}", 2)
    assert redact(f"x {KEY}", [KEY, ""]) == (f"x {REDACTED}", 1)
    assert redact("sk-ant-short") == ("sk-ant-short", 0)  # under ten characters after sk-ant-
    assert redact("sk-ant-0123456789") == (REDACTED, 1)
    assert redact(REDACTED) == (REDACTED, 0)  # redacting twice changes nothing


def test_values_are_walked_keys_included_and_untouched_values_are_not_copied() -> None:
    value = {KEY: [KEY, ("x", KEY)], "n": 1, 2: "plain"}
    redacted, count = redact_value(value)
    assert redacted == {REDACTED: [REDACTED, ("x", REDACTED)], "n": 1, 2: "plain"}
    assert count == 3 and isinstance(redacted[REDACTED][1], tuple)
    clean = {"a": ["b", ("c",)]}
    assert redact_value(clean)[0] is clean
    assert redact_value(["a"])[0] == ["a"] and redact_value(("a",)) == (("a",), 0)
    assert redact_value(3) == (3, 0) and redact_value(None) == (None, 0)


def test_base64_data_stays_byte_exact_but_other_fields_are_redacted() -> None:
    source = {"type": "base64", "media_type": KEY, "data": KEY}
    redacted, count = redact_value(source)
    assert redacted == {"type": "base64", "media_type": REDACTED, "data": KEY} and count == 1
    text_source = {"type": "text", "data": KEY}
    assert redact_value(text_source) == ({"type": "text", "data": REDACTED}, 1)
    odd = {"type": "base64", "data": [KEY]}
    assert redact_value(odd) == ({"type": "base64", "data": [REDACTED]}, 1)


def test_the_note_counts_in_words() -> None:
    assert redaction_note(1) == "redacted 1 secret from the request (an API key)"
    assert redaction_note(2) == "redacted 2 secrets from the request (API keys)"


def test_the_configured_key_is_redacted_at_every_depth() -> None:
    secret = "plainsecret123"
    value = {secret: [secret, {"k": (secret,)}], "s": secret}
    redacted, count = redact_value(value, [secret])
    assert count == 4 and secret not in repr(redacted)
