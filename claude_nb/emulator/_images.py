"""Pixel facts about an image for the offline responder (PIL if importable, else the header)."""

from __future__ import annotations

import io
from typing import Any

from claude_nb._api.estimate import image_size

__all__ = ["describe_image"]

KOREAN_COLOURS = {
    "black": "검정",
    "white": "흰색",
    "grey": "회색",
    "light grey": "밝은 회색",
    "red": "빨강",
    "orange": "주황",
    "yellow": "노랑",
    "green": "초록",
    "blue": "파랑",
    "light blue": "하늘색",
    "purple": "보라",
    "pink": "분홍",
    "brown": "갈색",
}
KINDS = {
    "flat": (
        "mostly flat background with text or lines (a chart, diagram or document)",
        "배경이 대부분 단색이고 글자나 선이 있음 (차트, 도표 또는 문서)",
    ),
    "photo": ("photo-like (many distinct colours)", "사진에 가까움 (색이 아주 많음)"),
    "graphic": (
        "an illustration or graphic (few flat colours)",
        "일러스트나 그래픽 (단색 몇 가지)",
    ),
}

PALETTE: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "light grey": (200, 200, 200),
    "red": (220, 40, 40),
    "orange": (245, 150, 30),
    "yellow": (240, 220, 40),
    "green": (40, 160, 60),
    "blue": (40, 90, 210),
    "light blue": (140, 190, 240),
    "purple": (130, 60, 170),
    "pink": (240, 150, 190),
    "brown": (130, 80, 40),
}


def _colour_name(rgb: tuple[int, int, int]) -> str:
    return min(
        PALETTE,
        key=lambda name: sum(
            (channel - reference) ** 2
            for channel, reference in zip(rgb, PALETTE[name], strict=True)
        ),
    )


def _pixel_facts(raw: bytes, korean: bool = False) -> dict[str, Any] | None:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow is in the notebook extra
        return None
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.seek(0)
            small = image.convert("RGB")
            small.thumbnail((64, 64))
            colours = small.getcolors(64 * 64) or []
    except (OSError, ValueError, SyntaxError):
        return None
    total = sum(count for count, _ in colours) or 1
    shares: dict[str, int] = {}
    for count, rgb in colours:
        name = _colour_name(rgb)
        shares[name] = shares.get(name, 0) + count
    ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    top_share = ranked[0][1] / total if ranked else 0.0
    if top_share >= 0.6 and len(colours) <= 400:
        kind = "flat"
    elif len(colours) > 1200:
        kind = "photo"
    else:
        kind = "graphic"
    dominant = [
        f"{KOREAN_COLOURS[name] if korean else name} {round(100 * count / total)}%"
        for name, count in ranked[:3]
    ]
    return {"dominant": dominant, "kind": KINDS[kind][korean]}


def describe_image(raw: bytes, *, korean: bool = False) -> str:
    """One line of facts about an image: format, size, dominant colours, kind.

    Args:
        raw: The decoded image bytes.
        korean: Say it in Korean (the reply's language).
    """
    header = image_size(raw)
    if header is None:
        return "읽을 수 없는 이미지" if korean else "an image I could not read"
    media_type, width, height = header
    line = f"{width}×{height} px {media_type.split('/')[1].upper()}"
    facts = _pixel_facts(raw, korean)
    if facts is None:
        return line
    label = "주요 색" if korean else "dominant colours"
    return f"{line}; {label}: {', '.join(facts['dominant'])}; {facts['kind']}"
