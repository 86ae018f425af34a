"""Server-rendered SVG charts of the Baromètre: no JavaScript, printable by WeasyPrint.

Each chart is decorative for screen readers beyond its title (`role="img"` with an
accessible name): the figures are always in the data table printed next to it. Colours
keep a 3:1 contrast with white; series are also told apart by markers and dashes, not by
colour alone.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f4e79", "#b3541e", "#2e7d32", "#6a1b9a", "#00695c", "#8d6e00", "#ad1457", "#37474f")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def _num(x: float) -> str:
    return f"{x:.1f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text part is escaped below
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT} '
        f'font-size="12"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scatter(
    points: list[tuple[str, float, float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_split: float,
    y_split: float,
    quadrant_labels: tuple[str, str, str, str],
    x_max: float = 100.0,
    y_max: float = 10.0,
) -> SafeString:
    """Importance (x) against performance (y), with the split lines and the four quadrant
    names (top-left, top-right, bottom-left, bottom-right). Points are numbered; the
    numbers refer to the rows of the data table."""
    w, h, left, top, right, bottom = 560, 380, 56, 20, 20, 48
    pw, ph = w - left - right, h - top - bottom

    def px(x: float) -> float:
        return left + pw * max(0.0, min(x, x_max)) / x_max

    def py(y: float) -> float:
        return top + ph * (1 - max(0.0, min(y, y_max)) / y_max)

    body = [
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" stroke="#555"/>',
        f'<line x1="{_num(px(x_split))}" y1="{top}" x2="{_num(px(x_split))}" y2="{top + ph}" '
        'stroke="#555" stroke-dasharray="4 3"/>',
        f'<line x1="{left}" y1="{_num(py(y_split))}" x2="{left + pw}" y2="{_num(py(y_split))}" '
        'stroke="#555" stroke-dasharray="4 3"/>',
    ]
    tl, tr, bl, br = (escape(q) for q in quadrant_labels)
    body += [
        f'<text x="{left + 6}" y="{top + 16}" fill="#333">{tl}</text>',
        f'<text x="{left + pw - 6}" y="{top + 16}" text-anchor="end" fill="#333">{tr}</text>',
        f'<text x="{left + 6}" y="{top + ph - 8}" fill="#333">{bl}</text>',
        f'<text x="{left + pw - 6}" y="{top + ph - 8}" text-anchor="end" fill="#333">{br}</text>',
        f'<text x="{left + pw / 2}" y="{h - 8}" text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="14" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + ph / 2})">{escape(y_label)}</text>',
    ]
    for k in range(0, 11, 2):
        y = y_max * k / 10
        body.append(f'<text x="{left - 6}" y="{_num(py(y) + 4)}" text-anchor="end">{y:g}</text>')
    step = 10 if x_max <= 50 else 20
    for x in range(0, int(x_max) + 1, step):
        body.append(f'<text x="{_num(px(x))}" y="{top + ph + 16}" text-anchor="middle">{x}</text>')
    for i, (label, x, y) in enumerate(points, start=1):
        cx, cy = _num(px(x)), _num(py(y))
        body.append(
            f'<g><title>{escape(label)}</title><circle cx="{cx}" cy="{cy}" r="11" '
            f'fill="{PALETTE[0]}"/><text x="{cx}" y="{_num(py(y) + 4)}" text-anchor="middle" '
            f'fill="#fff" font-weight="bold">{i}</text></g>'
        )
    return _svg(w, h, title, body)


def bars(
    rows: list[tuple[str, float | None, float | None]],
    *,
    title: str,
    series: tuple[str, str],
) -> SafeString:
    """Two horizontal bars per row on 0-100 (perceived, technical)."""
    row_h, left, w = 44, 220, 560
    h = 40 + row_h * len(rows) + 30
    pw = w - left - 50
    body = []
    for j, name in enumerate(series):
        x = left + j * 200
        body.append(
            f'<rect x="{x}" y="8" width="14" height="14" fill="{PALETTE[j]}"/>'
            f'<text x="{x + 20}" y="20">{escape(name)}</text>'
        )
    for i, (label, a, b) in enumerate(rows):
        y = 40 + i * row_h
        body.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{escape(_short(label))}</text>'
        )
        for j, value in enumerate((a, b)):
            yy = y + j * 17
            if value is None:
                body.append(f'<text x="{left + 4}" y="{yy + 12}">—</text>')
                continue
            length = pw * max(0.0, min(value, 100.0)) / 100
            body.append(
                f'<rect x="{left}" y="{yy}" width="{_num(length)}" height="14" '
                f'fill="{PALETTE[j]}"/><text x="{_num(left + length + 4)}" '
                f'y="{yy + 12}">{value:.0f}</text>'
            )
    axis_y = 40 + row_h * len(rows)
    body.append(f'<line x1="{left}" y1="36" x2="{left}" y2="{axis_y}" stroke="#555"/>')
    for k in (0, 50, 100):
        body.append(
            f'<text x="{_num(left + pw * k / 100)}" y="{axis_y + 16}" '
            f'text-anchor="middle">{k}</text>'
        )
    return _svg(w, h, title, body)


def lines(
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    title: str,
    y_max: float = 10.0,
) -> SafeString:
    """One line per series over the waves (gaps where a value is missing); series are
    numbered in the legend and distinguished by colour and dash pattern."""
    w, left, top, right = 560, 40, 20, 20
    legend_h = 18 * len(series)
    ph = 220
    h = top + ph + 30 + legend_h
    pw = w - left - right
    n = max(len(x_labels), 1)

    def px(i: int) -> float:
        return left + (pw * (i + 0.5) / n)

    def py(y: float) -> float:
        return top + ph * (1 - max(0.0, min(y, y_max)) / y_max)

    body = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fff" stroke="#555"/>']
    for k in range(0, 11, 2):
        y = y_max * k / 10
        body.append(f'<text x="{left - 6}" y="{_num(py(y) + 4)}" text-anchor="end">{y:g}</text>')
    for i, label in enumerate(x_labels):
        body.append(
            f'<text x="{_num(px(i))}" y="{top + ph + 16}" text-anchor="middle">'
            f"{escape(_short(label, 18))}</text>"
        )
    for s, (name, values) in enumerate(series):
        colour, dash = PALETTE[s % len(PALETTE)], DASHES[s % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dash_attr}/>'
                    )
                segment = []
                continue
            segment.append(f"{_num(px(i))},{_num(py(v))}")
            body.append(f'<circle cx="{_num(px(i))}" cy="{_num(py(v))}" r="3.5" fill="{colour}"/>')
        ly = top + ph + 34 + 18 * s
        body.append(
            f'<line x1="{left}" y1="{ly - 4}" x2="{left + 28}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/><text x="{left + 34}" y="{ly}">'
            f"{s + 1}. {escape(_short(name, 70))}</text>"
        )
    return _svg(w, h, title, body)
