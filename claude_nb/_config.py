"""Settings: one frozen value, resolved with one documented precedence.

Precedence, highest first:

1. explicit arguments (cell flags, ``Session(...)`` keywords);
2. ``%config ClaudeMagics.*`` traits;
3. environment: ``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``, ``CLAUDE_NB_MODEL``,
   ``CLAUDE_NB_OFFLINE``, ``CLAUDE_NB_HOME``, ``CLAUDE_NB_CASSETTE``, ``CLAUDE_NB_CASSETTE_MODE``,
   ``CLAUDE_NB_CASSETTE_SPEED``;
4. the ``DEFAULT_*`` constants below.

Offline mode (the in-process emulator) is used when ``offline`` resolves to true, or when it
is unset and there is neither an API key nor a base URL. ``CLAUDE_NB_OFFLINE=0`` turns a
missing key into a ``ConfigurationError`` that says what to set. A cassette (``cassette``, a
``.jsonl`` file; ``claude_nb._wire.cassette``) in ``replay`` or ``auto`` mode needs no key and is
never offline: it answers from the file, and never falls back to the emulator. ``record`` mode
sends to the API, so it needs a key (or a base URL).

The environment is read at call time through an injectable mapping, never at import.

``CLAUDE_NB_HOME`` (default ``~/.claude_nb``) is claude_nb's own directory (``home_dir``): the
history store lives there, and so does the user's price file ``prices.json`` (``price_file``,
read by ``read_price_file``; the shape of ``claude_nb/data/models.json``), which
``claude_nb._accounting.user_prices.default_price_table`` merges over the packaged prices.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from claude_nb._exceptions import ConfigurationError

__all__ = [
    "API_VERSIONS",
    "CASSETTE_MODES",
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_MODEL",
    "DEFAULT_READ_TIMEOUT",
    "OFFLINE_BASE_URL",
    "PRICE_FILE",
    "Settings",
    "home_dir",
    "price_file",
    "read_price_file",
    "resolve_settings",
]

DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_BASE_URL = "https://api.anthropic.com"
OFFLINE_BASE_URL = "http://emulator.invalid"
DEFAULT_API_VERSION = "2023-06-01"
API_VERSIONS = ("2023-06-01", "2026-10-21")
DEFAULT_MAX_TOKENS = 4096
DEFAULT_MAX_RETRIES = 2
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 600.0

PRICE_FILE = "prices.json"
"""The user's price overrides, in ``home_dir``."""

CASSETTE_MODES = ("record", "replay", "auto")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings; the key never shows in ``repr``.

    Attributes:
        api_key: The API key, or None (offline or keyless proxy).
        base_url: Where requests go (``OFFLINE_BASE_URL`` when offline).
        model: The default model.
        offline: True when requests go to the in-process emulator.
        api_version: The ``anthropic-version`` header.
        max_tokens: Default ``max_tokens``.
        max_retries: Retries after the first attempt.
        connect_timeout: Seconds to connect.
        read_timeout: Seconds between bytes while reading.
        betas: Names for the ``anthropic-beta`` header.
        offline_speed: Output tokens per second of the offline emulator (None: instant),
            so a class without keys still sees replies stream.
        cassette: A cassette file to record to and replay from, or None.
        cassette_mode: ``record``, ``replay`` or ``auto`` (replay what is recorded, record
            the rest when there is a key).
        cassette_speed: Replayed streams' pace: 1 as recorded, 2 twice as fast, 0 at once.
    """

    api_key: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    offline: bool = False
    api_version: str = DEFAULT_API_VERSION
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_retries: int = DEFAULT_MAX_RETRIES
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    betas: tuple[str, ...] = ()
    offline_speed: float | None = None
    cassette: str | None = None
    cassette_mode: str = "auto"
    cassette_speed: float = 1.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        if self.max_tokens < 0:
            raise ConfigurationError("max_tokens must be 0 or more")
        if self.offline_speed is not None and self.offline_speed <= 0:
            raise ConfigurationError("offline_speed must be a positive number of tokens/s")
        if self.cassette_mode not in CASSETTE_MODES:
            raise ConfigurationError(
                f"cassette_mode must be record, replay or auto (got {self.cassette_mode!r})"
            )
        if self.cassette_speed < 0:
            raise ConfigurationError("cassette_speed must be 0 (instant) or more")


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (got {value!r})")


def _clean_key(value: Any) -> Any:
    """The key without the newline a file or a paste leaves around it.

    A key with whitespace or a control character inside cannot be sent as a header (the
    HTTP library would refuse it and name its value): one error that does not show it.
    """
    if not isinstance(value, str):
        return value
    key = value.strip()
    if any(character.isspace() or not character.isprintable() for character in key):
        raise ConfigurationError(
            "the API key has a space, line break or control character inside it: copy it "
            "again from the Console (ANTHROPIC_API_KEY or api_key=)"
        )
    return key


def _first(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    return None


def resolve_settings(
    arguments: Mapping[str, Any] | None = None,
    traits: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from arguments > traits > environment > defaults.

    Args:
        arguments: Explicit values (cell flags, ``Session`` keywords); None means unset.
        traits: ``%config`` values; None or "" means unset.
        environ: The environment (``os.environ`` when None).

    Raises:
        ConfigurationError: ``CLAUDE_NB_OFFLINE=0`` (or ``offline=False``) with no key.
    """
    arguments = arguments or {}
    traits = traits or {}
    env = os.environ if environ is None else environ
    names = {f.name for f in fields(Settings)}
    unknown = set(arguments) - names
    if unknown:
        raise ConfigurationError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    def pick(name: str, env_name: str | None = None) -> Any:
        from_env = env.get(env_name) if env_name else None
        return _first(arguments.get(name), traits.get(name), from_env)

    api_key = _clean_key(pick("api_key", "ANTHROPIC_API_KEY"))
    base_url = pick("base_url", "ANTHROPIC_BASE_URL")
    offline_value = pick("offline", "CLAUDE_NB_OFFLINE")
    if isinstance(offline_value, str):
        offline_value = _parse_bool("CLAUDE_NB_OFFLINE", offline_value)
    cassette, cassette_mode = _cassette(pick)
    replays = cassette is not None and cassette_mode != "record"
    if offline_value is None:  # unset: offline exactly when there is neither key nor URL
        offline_value = api_key is None and base_url is None and not replays
    offline = bool(offline_value)
    if cassette is not None and cassette_mode == "record" and offline:
        raise ConfigurationError(
            "cassette_mode='record' sends to the API: set ANTHROPIC_API_KEY (offline, the "
            "emulator has no real replies to record)"
        )
    if not offline and api_key is None and base_url is None and not replays:
        raise ConfigurationError(
            "no API key: set ANTHROPIC_API_KEY (or pass api_key=...), "
            "or unset CLAUDE_NB_OFFLINE to use the offline emulator"
        )
    version = pick("api_version") or DEFAULT_API_VERSION
    values: dict[str, Any] = {
        "api_key": api_key,
        "base_url": OFFLINE_BASE_URL if offline else str(base_url or DEFAULT_BASE_URL).rstrip("/"),
        "model": pick("model", "CLAUDE_NB_MODEL") or DEFAULT_MODEL,
        "offline": offline,
        "api_version": version,
        "cassette": cassette,
        "cassette_mode": cassette_mode,
    }
    speed = pick("offline_speed", "CLAUDE_NB_OFFLINE_SPEED")
    if speed is not None:
        try:
            values["offline_speed"] = float(speed) or None  # 0 means instant
        except ValueError:
            raise ConfigurationError(
                f"CLAUDE_NB_OFFLINE_SPEED must be tokens per second (got {speed!r})"
            ) from None
    cassette_speed = pick("cassette_speed", "CLAUDE_NB_CASSETTE_SPEED")
    if cassette_speed is not None:
        try:
            values["cassette_speed"] = float(cassette_speed)
        except ValueError:
            raise ConfigurationError(
                f"CLAUDE_NB_CASSETTE_SPEED must be a number (got {cassette_speed!r})"
            ) from None
    for name in ("max_tokens", "max_retries", "connect_timeout", "read_timeout", "betas"):
        value = pick(name)
        if value is not None:
            values[name] = tuple(value) if name == "betas" else value
    return Settings(**values)


def _cassette(pick: Any) -> tuple[str | None, str]:
    """The cassette file (None: none) and its mode (default ``auto``), checked."""
    cassette = pick("cassette", "CLAUDE_NB_CASSETTE")
    mode = str(pick("cassette_mode", "CLAUDE_NB_CASSETTE_MODE") or "auto").strip().lower()
    if mode not in CASSETTE_MODES:
        raise ConfigurationError(f"cassette_mode must be record, replay or auto (got {mode!r})")
    return (os.fspath(cassette) if cassette is not None else None), mode


def home_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``CLAUDE_NB_HOME`` or ``~/.claude_nb`` (``~`` expanded).

    Args:
        environ: The environment (``os.environ`` when None).
    """
    env = os.environ if environ is None else environ
    return Path(env.get("CLAUDE_NB_HOME") or Path.home() / ".claude_nb").expanduser()


def price_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's price overrides are: ``<home>/prices.json``."""
    return home_dir(environ) / PRICE_FILE


def read_price_file(path: Path) -> dict[str, Any] | None:
    """A price file (the shape of models.json, e.g. ``price_file()``) parsed, or None if absent.

    Raises:
        ConfigurationError: The file exists but cannot be read or is not a JSON object.
    """
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"cannot read the price file {path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigurationError(f"the price file {path} must hold a JSON object")
    return data
