"""WCAG 2.1 contrast checks for organization themes. Pure Python."""

from __future__ import annotations

WHITE = "#ffffff"
BODY_TEXT = "#1b1f24"
AA_NORMAL = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"not a #RRGGBB colour: {hex_color!r}")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def theme_problems(primary: str, accent: str) -> list[tuple[str, str, float]]:
    """Why a (main, accent) colour pair cannot be used, as (field, code, ratio) triples.

    The main colour carries white text (header, buttons) and is the link colour on white
    and on the accent colour; the accent colour is a background for body text. Each of
    these pairs must reach the WCAG AA ratio for normal text, 4.5:1. Codes:
    ``primary_on_white``, ``text_on_accent``, ``primary_on_accent``.
    """
    try:
        relative_luminance(primary)
        relative_luminance(accent)
    except ValueError:
        return []  # format errors are reported by the field validators
    problems: list[tuple[str, str, float]] = []
    on_white = contrast_ratio(primary, WHITE)
    if on_white < AA_NORMAL:
        problems.append(("primary_color", "primary_on_white", on_white))
    text_on_accent = contrast_ratio(BODY_TEXT, accent)
    if text_on_accent < AA_NORMAL:
        problems.append(("accent_color", "text_on_accent", text_on_accent))
    elif on_white >= AA_NORMAL:
        pair = contrast_ratio(primary, accent)
        if pair < AA_NORMAL:
            problems.append(("accent_color", "primary_on_accent", pair))
    return problems
