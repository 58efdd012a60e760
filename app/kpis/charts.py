"""Server-rendered SVG charts: a KPI's trend per carrier against its target, and carriers side by side. Pure.

Plain SVG markup with presentation attributes only (no style attributes, no script), so the console's
Content-Security-Policy (style-src 'self') allows it and no JavaScript is needed to draw it.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 28
# Colour-blind-safe (Okabe-Ito), one per carrier in a stable order.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    return start if high == low else start + (value - low) * (end - start) / (high - low)


def _bounds(values: list[float], target: float | None, unit: str) -> tuple[float, float]:
    numbers = [*values, *([target] if target is not None else [])]
    if unit == "share":
        return min(min(numbers, default=0.0), 0.8), 1.0
    high = max(numbers, default=1.0) or 1.0
    return 0.0, high * 1.15


def _label(value: float, unit: str) -> str:
    return f"{100 * value:.0f}%" if unit == "share" else f"{value:.1f}".rstrip("0").rstrip(".")


def trend(title: str, unit: str, periods: list[str], series: dict[str, list[float | None]],
          target: float | None) -> str:
    """Return a line chart: one line per carrier over the periods, the target dashed."""
    values = [v for line in series.values() for v in line if v is not None]
    low, high = _bounds(values, target, unit)
    x_of = {p: _scale(i, 0, max(len(periods) - 1, 1), LEFT, WIDTH - RIGHT) for i, p in enumerate(periods)}

    def y(value: float) -> float:
        return _scale(value, low, high, HEIGHT - BOTTOM, TOP)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#555">{_label(tick, unit)}</text>')
    step = max(1, len(periods) // 8)
    for i, period in enumerate(periods):
        if i % step == 0:
            anchor = "start" if i == 0 else "end" if i == len(periods) - 1 else "middle"  # never cut at an edge
            parts.append(f'<text x="{x_of[period]:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="10" '
                         f'fill="#555">{escape(period)}</text>')
    if target is not None:
        parts.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target):.1f}" '
                     f'y2="{y(target):.1f}" stroke="#B00020" stroke-dasharray="5 4"/>')
    for index, (carrier, line) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        points = [(x_of[p], y(v)) for p, v in zip(periods, line, strict=True) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline class="series" points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"><title>{escape(carrier)}</title></polyline>')
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def comparison(title: str, unit: str, values: dict[str, float | None], target: float | None) -> str:
    """Return horizontal bars, one per carrier, with the target as a dashed line across them."""
    rows = list(values.items())
    height = TOP + BOTTOM + 26 * max(len(rows), 1)
    known = [v for _, v in rows if v is not None]
    low, high = (0.0, 1.0) if unit == "share" else _bounds(known, target, unit)
    start, end = 110, WIDTH - 60

    def x(value: float) -> float:
        return _scale(value, low, high, start, end)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" viewBox="0 0 {WIDTH} {height}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, (carrier, value) in enumerate(rows):
        top = TOP + 26 * index
        parts.append(f'<text x="{start - 8}" y="{top + 15}" text-anchor="end" font-size="12">{escape(carrier)}</text>')
        if value is None:
            parts.append(f'<text x="{start}" y="{top + 15}" font-size="12" fill="#777">no data</text>')
            continue
        parts.append(f'<rect class="bar" x="{start}" y="{top + 3}" width="{max(x(value) - start, 1):.1f}" '
                     f'height="18" fill="{COLOURS[index % len(COLOURS)]}"/><text x="{x(value) + 6:.1f}" '
                     f'y="{top + 16}" font-size="12">{_label(value, unit)}</text>')
    if target is not None:
        parts.append(f'<line class="target" x1="{x(target):.1f}" x2="{x(target):.1f}" y1="{TOP - 4}" '
                     f'y2="{height - BOTTOM + 8}" stroke="#B00020" stroke-dasharray="5 4"/>')
    parts.append("</svg>")
    return "".join(parts)
