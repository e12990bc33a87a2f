"""The prompt flags' values, checked before anything is sent (one-line ``UsageError``).

Ranges the API would refuse (``--max-tokens -5``, ``--temperature 2``, ``--top-k 0``, a
thinking budget under 1024 or not below ``max_tokens``, ``--budget 0``) and flags the chosen
model does not take, from the model facts (``claude_nb.model_catalog()``): sampling flags
on a model whose ``sampling`` is "defaults only", ``--thinking N`` on a model that thinks
only adaptively, ``--max-tokens`` past the model's most output. Each message names the fix:
the flag to use instead, or models (newest first, active) that accept the flag.

Unknown models are checked for the ranges only; the API has the last word on them.
"""

from __future__ import annotations

import math
from argparse import Namespace
from typing import Any

from IPython.core.error import UsageError

from claude_nb._api.catalog import model_catalog
from claude_nb._api.models import model_info

__all__ = ["check_flags", "models_accepting"]

_SAMPLING = (("temperature", "--temperature"), ("top_p", "--top-p"), ("top_k", "--top-k"))


def models_accepting(feature: str, limit: int = 3) -> list[str]:
    """Active models, newest first, that take ``"sampling"`` flags or ``"thinking budget"``."""
    found = []
    for row in model_catalog().current():
        record = model_info(row["id"]) or {}
        if feature == "sampling":
            accepts = row["sampling"] != "defaults only"
        else:
            accepts = bool((record.get("thinking") or {}).get("enabled"))
        if accepts:
            found.append(str(row["id"]))
    return found[:limit]


def _number(name: str, value: Any, low: float, high: float | None = None) -> None:
    if value is None:
        return
    bad = not math.isfinite(value) or value < low or (high is not None and value > high)
    if bad:
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise UsageError(f"{name} must be {span} (got {value:g})")


def _sampling(params: dict[str, Any], model: str, record: dict[str, Any]) -> None:
    used = [flag for key, flag in _SAMPLING if key in params]
    if not used or not record.get("sampling_default_only"):
        return
    others = ", ".join(models_accepting("sampling")) or "none listed"
    raise UsageError(
        f"{model} takes no {'/'.join(used)} (sampling is fixed on it): drop the flag, or pick "
        f"a model that takes it with -m ({others}; see claude_nb.model_catalog(), 'sampling')"
    )


def _thinking(
    thinking: dict[str, Any], max_tokens: int, model: str, record: dict[str, Any]
) -> None:
    kind, rules = thinking["type"], record.get("thinking") or {}
    if kind == "enabled":
        budget = thinking["budget_tokens"]
        if budget >= max_tokens:
            raise UsageError(
                f"--thinking budget ({budget:,}) must be below max_tokens ({max_tokens:,}): "
                f"raise --max-tokens or lower the budget"
            )
        if rules and not rules.get("enabled"):
            others = ", ".join(models_accepting("thinking budget")) or "none listed"
            raise UsageError(
                f"{model} takes no thinking budget: use --thinking adaptive, or pick a model "
                f"that takes one with -m ({others})"
            )
    elif rules and not rules.get(kind, True):
        fix = "give a token budget, --thinking 2048" if kind == "adaptive" else "leave it out"
        raise UsageError(f"{model} does not take --thinking {kind}: {fix}")


def check_flags(
    arguments: Namespace, params: dict[str, Any], model: str, default_max_tokens: int
) -> None:
    """Refuse flag values the API would refuse, before anything is sent.

    Args:
        arguments: The parsed flags (``--budget``, ``--max-steps``, ``--df-budget``).
        params: ``args.request_params``'s body fields (flags and ``%config`` merged).
        model: The model the request goes to.
        default_max_tokens: ``max_tokens`` when neither the flag nor ``%config`` sets it.

    Raises:
        UsageError: One line naming the flag, the allowed values and the fix.
    """
    record = model_info(model) or {}
    source = "--max-tokens" if arguments.max_tokens is not None else "ClaudeMagics.max_tokens"
    max_tokens = params.get("max_tokens", default_max_tokens)
    _number(source, params.get("max_tokens"), 1)
    most = record.get("max_tokens")
    if most and max_tokens > most:
        raise UsageError(
            f"{source} {max_tokens:,} is more than {model} can write ({most:,} tokens at most)"
        )
    _number("--temperature", params.get("temperature"), 0, 1)
    _number("--top-p", params.get("top_p"), 0, 1)
    _number("--top-k", params.get("top_k"), 1)
    _number("--max-steps", getattr(arguments, "max_steps", None), 1)
    _number("--df-budget", getattr(arguments, "df_budget", None), 1)
    budget = getattr(arguments, "budget", None)
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise UsageError(f"--budget must be more than $0 (got {budget:g})")
    _sampling(params, model, record)
    if params.get("thinking"):
        _thinking(params["thinking"], max_tokens, model, record)
