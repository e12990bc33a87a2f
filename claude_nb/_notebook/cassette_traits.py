"""The ``%config ClaudeMagics.cassette*`` traits (``ClaudeMagics`` inherits them).

``%config ClaudeMagics.cassette = "lesson1.cassette.jsonl"`` makes the kernel's session record
to and replay from that file (``claude_nb._wire.cassette``); ``cassette_mode`` is ``record``,
``replay`` or ``auto``; ``cassette_speed`` how fast replayed streams go (0: at once). Empty or
None: the environment (``CLAUDE_NB_CASSETTE``, ``CLAUDE_NB_CASSETTE_MODE``,
``CLAUDE_NB_CASSETTE_SPEED``) decides. Changing one rebuilds the session, keeping the
conversation (``ClaudeMagics._connection_changed``).
"""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics
from traitlets import Enum, Float, Unicode

__all__ = ["CASSETTE_TRAITS", "CassetteTraits"]

CASSETTE_TRAITS = ("cassette", "cassette_mode", "cassette_speed")


class CassetteTraits(Magics):
    """The cassette settings of ``ClaudeMagics``."""

    cassette = Unicode(
        "",
        help="A cassette file (JSON lines) to record Claude's replies to "
        "and replay them from, without a key (empty: CLAUDE_NB_CASSETTE).",
    ).tag(config=True)
    cassette_mode = Enum(
        ("record", "replay", "auto"),
        None,
        allow_none=True,
        help="record: "
        "send and record; replay: answer from the file only, no key; auto "
        "(default): replay what is recorded, record the rest with a key.",
    ).tag(config=True)
    cassette_speed = Float(
        None,
        allow_none=True,
        help="Replayed streams' pace: 1 as recorded (default), 2 twice as fast, 0 at once.",
    ).tag(config=True)

    def cassette_arguments(self) -> dict[str, Any]:
        """The ``Session`` keywords of these traits (None: unset)."""
        return {
            "cassette": self.cassette or None,
            "cassette_mode": self.cassette_mode,
            "cassette_speed": self.cassette_speed,
        }
