"""Executed cells as prompt content within a token budget (pure): ``--context N``, fixes.

::

    recorded cells --plan (budget)--> kept cells, each text output's cap, images or not
                   --render--------> text blocks in the tags of ``_api.notebook_context``,
                                     figures as image blocks where they were displayed
                   = NotebookContext(blocks, pieces (for --dry-run), notes (what was cut))

The plan keeps everything when it fits. Otherwise the text outputs share what the code,
errors and figures leave (the longest are cut first, to equal caps; each cut keeps the head
and the tail and says in the text how much was cut), then the oldest cells go, then the
figures. Secrets in code and outputs are redacted (``_api.redact``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from claude_nb._api.estimate import block_tokens, image_size, image_tokens, text_tokens
from claude_nb._api.notebook_context import cell_label, fix_instruction, section
from claude_nb._api.redact import redact, redaction_note
from claude_nb._content.cell_records import RecordedCell, RecordedOutput
from claude_nb._content.convert import ConvertedContent
from claude_nb._types import ContentBlock

__all__ = ["NotebookContext", "Piece", "context_content", "cut_text", "fix_content"]

MIN_OUTPUT_TOKENS = 60
"""Below this cap per output, older cells are left out rather than cut further."""
CELL_OVERHEAD = 12
HEADER = (
    "Cells the user ran in this notebook, oldest first. Each <cell> holds its <code> and what "
    "it printed (<stdout>, <stderr>), returned (<result>), displayed (<display>, figures as "
    "images) or raised (<error>)."
)


@dataclass(frozen=True)
class Piece:
    """One part of the context as ``--dry-run`` lists it: ``In[3] stdout`` ≈ 120 tokens."""

    label: str
    tokens: int
    note: str = ""


@dataclass
class NotebookContext:
    """Content blocks made of cells, the pieces they hold and notes on what was cut."""

    blocks: list[ContentBlock] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        """Estimated tokens of every block (the pieces and the tags around them)."""
        return sum(block_tokens(block) for block in self.blocks)

    def as_content(self) -> ConvertedContent:
        """These blocks and notes as request content."""
        return ConvertedContent(list(self.blocks), list(self.notes), token_estimate=self.tokens)

    def with_prompt(self, prompt: str | ConvertedContent) -> ConvertedContent:
        """These blocks, then the prompt's (its notes after these)."""
        if isinstance(prompt, ConvertedContent):
            blocks = list(self.blocks) + list(prompt.blocks or [_text(prompt.text or "")])
            notes, tokens = self.notes + list(prompt.notes), prompt.token_estimate
        else:
            blocks, notes = [*self.blocks, _text(prompt)], list(self.notes)
            tokens = text_tokens(prompt)
        return ConvertedContent(blocks=blocks, notes=notes, token_estimate=self.tokens + tokens)


def _text(text: str) -> ContentBlock:
    return {"type": "text", "text": text}


def cut_text(text: str, tokens: int, total: int | None = None) -> tuple[str, int]:
    """``text`` within ``tokens``: head and tail kept, a visible line where it was cut.

    Args:
        text: The text (already bounded by the recorder, perhaps).
        tokens: The most tokens it may take.
        total: Characters the output had in all (more than ``len(text)`` when the recorder
            already kept only its head and tail).

    Returns:
        The text, and how many of the ``total`` characters were left out (0: whole).
    """
    total = max(total or 0, len(text))
    if text_tokens(text) <= tokens and total == len(text):
        return text, 0
    ratio = max(1.0, len(text.encode("utf-8", "surrogatepass")) / max(1, len(text)))
    keep = max(0, int((tokens * 4 - 90) / ratio))
    keep = min(keep, len(text))
    head, tail = text[: keep * 2 // 3], text[len(text) - keep // 3 :] if keep >= 3 else ""
    cut = total - len(head) - len(tail)
    marker = f"[… {cut:,} of {total:,} characters cut here to fit the context budget …]"
    return f"{head}\n{marker}\n{tail}".strip("\n"), cut


def _water(sizes: Sequence[int], room: int) -> int | None:
    """The cap that makes ``sizes`` fit ``room`` (None: they fit whole)."""
    if sum(sizes) <= room:
        return None
    remaining = max(0, room)
    ordered = sorted(sizes)
    for index, size in enumerate(ordered):
        share = remaining // (len(ordered) - index)
        if size > share:
            return share
        remaining -= size
    return None  # pragma: no cover - the sum check above returns first


def _image_cost(output: RecordedOutput) -> tuple[int, str]:
    import base64

    media, data = output.image or ("", "")
    try:
        facts = image_size(base64.b64decode(data[:65536] + "=" * (-len(data[:65536]) % 4)))
    except ValueError:
        facts = None
    if facts is None:
        return image_tokens(1000, 1000), media.split("/")[-1].upper()
    kind, width, height = facts
    return image_tokens(width, height), f"{width}×{height} {kind.upper()}"


def _texts(cell: RecordedCell) -> list[tuple[str, str, int]]:
    """A cell's text outputs: (kind, text, total characters), its error last."""
    texts = [(o.kind, o.text, o.total) for o in cell.outputs if o.image is None and o.text]
    if cell.error is not None:
        texts.append(("error", cell.error.traceback, len(cell.error.traceback)))
    return texts


def _fixed(cells: Sequence[RecordedCell], images: bool) -> int:
    cost = sum(text_tokens(cell.source) + CELL_OVERHEAD for cell in cells)
    if images:
        cost += sum(_image_cost(o)[0] for cell in cells for o in cell.outputs if o.image)
    return cost


def _plan(
    cells: Sequence[RecordedCell], budget: int
) -> tuple[list[RecordedCell], bool, int | None]:
    kept, images = list(cells), True
    while True:
        sizes = [text_tokens(text) for cell in kept for _, text, _ in _texts(cell)]
        room = budget - _fixed(kept, images)
        cap = _water(sizes, room)
        if room >= 0 and (cap is None or cap >= MIN_OUTPUT_TOKENS):
            return kept, images, cap
        if len(kept) > 1:
            kept.pop(0)
        elif images and any(o.image for o in kept[0].outputs):
            images = False
        else:
            return kept, images, MIN_OUTPUT_TOKENS if sizes else None


class _Writer:
    """Parts in order (text and image blocks), pieces and notes, secrets redacted."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.parts: list[str | ContentBlock] = []
        self.pieces: list[Piece] = []
        self.notes: list[str] = []
        self.secrets = tuple(secrets)
        self.redacted = 0

    def text(self, text: str, label: str = "", note: str = "") -> None:
        text, count = redact(text, self.secrets)
        self.redacted += count
        self.parts.append(text)
        if label:
            self.pieces.append(Piece(label, text_tokens(text), note))

    def cell(
        self, cell: RecordedCell, cap: int | None, images: bool, tag: str = "cell"
    ) -> None:
        label = cell_label(cell.execution_count)
        n = cell.execution_count if cell.execution_count is not None else ""
        self.text(f'<{tag} n="{n}">\n')
        self.text(section("code", cell.source) + "\n", f"{label} code")
        for output in cell.outputs:
            if output.image is not None:
                self._image(output, label, images)
        for kind, text, total in _texts(cell):
            kept, cut = cut_text(text, cap, total) if cap is not None else (text, 0)
            if cut:
                self.notes.append(f"{label} {kind} cut: {total:,} → {total - cut:,} characters "
                                  "(context budget)")
            self.text(section(kind, kept) + "\n", f"{label} {kind}", self._cut_note(cut))
        self.text(f"</{tag}>\n")

    @staticmethod
    def _cut_note(cut: int) -> str:
        return f"{cut:,} characters cut" if cut else ""

    def _image(self, output: RecordedOutput, label: str, images: bool) -> None:
        tokens, detail = _image_cost(output)
        if not images:
            self.text(f"<display>[a figure ({detail}) left out: context budget]</display>\n")
            self.notes.append(f"{label} figure left out (context budget)")
            return
        media, data = output.image or ("image/png", "")
        self.text(f"<display>figure {detail}, the image below</display>\n")
        block: ContentBlock = {
            "type": "image", "source": {"type": "base64", "media_type": media, "data": data},
        }
        self.parts.append(block)
        self.pieces.append(Piece(f"{label} figure {detail}", tokens))

    def result(self) -> NotebookContext:
        blocks: list[ContentBlock] = []
        buffer: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                buffer.append(part)
                continue
            if buffer:
                blocks.append(_text("".join(buffer)))
                buffer = []
            blocks.append(part)
        if buffer:
            blocks.append(_text("".join(buffer)))
        notes = self.notes + ([redaction_note(self.redacted)] if self.redacted else [])
        return NotebookContext(blocks, self.pieces, notes)


def _write_cells(
    writer: _Writer, cells: Sequence[RecordedCell], budget: int, wanted: int
) -> None:
    kept, images, cap = _plan(cells, budget - text_tokens(HEADER) - 2 * CELL_OVERHEAD)
    left_out = len(cells) - len(kept) + max(0, wanted - len(cells))
    header = HEADER
    if left_out:
        header += f" ({len(kept)} of the {wanted} cells asked for: older ones " + (
            "did not fit the context budget)" if len(cells) > len(kept) else "were not recorded)"
        )
        writer.notes.append(f"context: {len(kept)} of {wanted} cells")
    writer.text(f"<notebook_cells>\n{header}\n")
    for cell in kept:
        writer.cell(cell, cap, images)
    writer.text("</notebook_cells>\n\n")


def context_content(
    cells: Sequence[RecordedCell], budget: int, *, wanted: int | None = None,
    secrets: Iterable[str] = (),
) -> NotebookContext:
    """The last executed cells (oldest first) as content within ``budget`` tokens.

    Args:
        cells: The cells to send, oldest first.
        budget: Estimated tokens they may take in all.
        wanted: How many cells were asked for (a note says when fewer were recorded).
        secrets: Exact strings to redact besides key-shaped ones.
    """
    writer = _Writer(secrets)
    if cells:
        _write_cells(writer, cells, budget, wanted or len(cells))
    elif wanted:
        writer.notes.append("context: no executed cells recorded yet")
    return writer.result()


def fix_content(
    failing: RecordedCell, before: Sequence[RecordedCell], *, variables: Sequence[str],
    mode: str, korean: bool, note: str, budget: int, secrets: Iterable[str] = (),
) -> NotebookContext:
    """A fix request: cells before (within the budget), the failing cell, its variables.

    The failing cell's code and error go in whole (its printed output shares the budget);
    ``note`` is the user's words after ``%claude_fix``; the request ends with the mode's
    instruction (``_api.notebook_context.fix_instruction``).
    """
    writer = _Writer(secrets)
    own = text_tokens(failing.source) + text_tokens(failing.error.traceback if failing.error
                                                       else "")
    if before:
        _write_cells(writer, before, max(0, budget - own), len(before))
    quiet = RecordedCell(failing.execution_count, failing.source, [], failing.error)
    outputs = [o for o in failing.outputs if o.image is None and o.text]
    writer.text(f'<failing_cell n="{failing.execution_count or ""}">\n')
    writer.text(section("code", quiet.source) + "\n", f"{cell_label(quiet.execution_count)} code")
    error = failing.error.traceback if failing.error else ""
    writer.text(section("error", error) + "\n", f"{cell_label(quiet.execution_count)} error")
    for output in outputs:
        kept, cut = cut_text(output.text, max(MIN_OUTPUT_TOKENS, budget // 8), output.total)
        writer.text(section(output.kind, kept) + "\n",
                    f"{cell_label(quiet.execution_count)} {output.kind}", _Writer._cut_note(cut))
    writer.text("</failing_cell>\n\n")
    if variables:
        writer.text(section("variables", "\n".join(variables)) + "\n\n", "variables")
    if note:
        writer.text(section("user_note", note) + "\n\n", "your note")
    writer.text(fix_instruction(mode, korean), f"instruction ({mode})")
    return writer.result()
