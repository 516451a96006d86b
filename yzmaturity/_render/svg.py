"""Dependency-free SVG charts for reports: a radar, horizontal bars, the level ladder, and cohort bars.

Each function returns an ``<svg>`` element as a string: well-formed XML that
can be inlined in HTML5 (no ``xmlns`` needed there, and no external resources:
no fonts, images or scripts).  Every text drawn comes from data and is escaped.
Sizes are in a ``viewBox``, so the charts scale with the page (and print).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["LEVEL_COLOURS", "Series", "bar", "bar_chart", "ladder", "radar", "stacked_bars"]

ACCENT = "#1f5fa8"
TARGET = "#d9731a"
BEFORE = "#8a94a0"
GRID = "#c9d1da"
TRACK = "#e8edf2"
INK = "#23303d"
MUTED = "#5d6b79"
# Maturity levels L0..L5 (and beyond, cycling): light to dark, one hue, readable in grey print.
LEVEL_COLOURS = ("#d6e4f3", "#a9c6e6", "#76a3d3", "#4a7fbd", "#1f5fa8", "#123f73")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(x: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _width(text: str) -> int:
    """Display width: CJK and full-width characters count as two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _wrap(text: str, width: int = 16, max_lines: int = 3) -> list[str]:
    """Split a label into lines of about ``width`` display columns (words kept whole where spaced)."""
    text = " ".join(text.split())
    if _width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    tokens = text.split(" ") if " " in text else list(text)
    sep = " " if " " in text else ""
    for token in tokens:
        candidate = f"{line}{sep}{token}" if line else token
        if line and _width(candidate) > width:
            lines.append(line)
            line = token
        else:
            line = candidate
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], (sep.join(lines[max_lines - 1 :]))[: width - 1] + "…"]
    return lines


def _fmt_value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


@dataclass(frozen=True)
class Series:
    """One polygon of a radar chart: a label, one value per axis (``None`` = undefined), a colour."""

    label: str
    values: Sequence[float | None]
    color: str = ACCENT
    dashed: bool = False
    fill_opacity: float = 0.18


def radar(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    max_value: float = 100.0,
    rings: Sequence[float] = (20, 40, 60, 80, 100),
    title: str = "",
    size: int = 520,
) -> str:
    """A radar (spider) chart: one axis per label, one ``<polygon class="series">`` per series.

    Grid rings are ``<path>`` elements, so the only polygons are the series.
    Undefined values are drawn at the centre and marked "n/a" in their tooltip.
    """
    n = len(axes)
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {n} axes")
    legend_h = 22 * max(1, len(series)) + 8
    width, height = size + 120, size + legend_h
    cx, cy = width / 2, size / 2 + 4
    r = size / 2 - 78

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        frac = max(0.0, min(1.0, value / max_value))
        return cx + r * frac * math.cos(angle), cy + r * frac * math.sin(angle)

    out = [
        f'<svg class="chart radar" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_e(title)}" font-family="sans-serif">',
        f"<title>{_e(title)}</title>",
    ]
    if n == 0:
        out.append(f'<text x="{_n(cx)}" y="{_n(cy)}" text-anchor="middle" fill="{MUTED}">—</text></svg>')
        return "".join(out)
    # grid rings and their values
    for ring in rings:
        pts = [point(i, ring) for i in range(n)]
        d = "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in pts) + " Z"
        out.append(f'<path class="grid" d="{d}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        x, y = point(0, ring)
        out.append(
            f'<text class="ring-label" x="{_n(x + 4)}" y="{_n(y + 4)}" font-size="11" fill="{MUTED}">'
            f"{_e(f'{ring:g}')}</text>"
        )
    # axes and their labels
    for i, label in enumerate(axes):
        x, y = point(i, max_value)
        out.append(
            f'<line class="axis" x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        angle = -math.pi / 2 + 2 * math.pi * i / n
        lx, ly = cx + (r + 16) * math.cos(angle), cy + (r + 16) * math.sin(angle)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        lines = _wrap(label)
        line_h = 15
        if sin < -0.3:
            ly -= line_h * (len(lines) - 1)
        elif sin > 0.3:
            ly += line_h * 0.8
        else:
            ly -= line_h * (len(lines) - 1) / 2 - 4
        spans = "".join(
            f'<tspan x="{_n(lx)}" dy="{0 if k == 0 else line_h}">{_e(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        out.append(
            f'<text class="axis-label" x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}" '
            f'font-size="15" fill="{INK}">{spans}</text>'
        )
    # series: polygon, then point markers with tooltips
    for k, s in enumerate(series):
        pts = [point(i, v or 0.0) for i, v in enumerate(s.values)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<polygon class="series" data-series="{k}" points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in pts)}" '
            f'fill="{_e(s.color)}" fill-opacity="{s.fill_opacity:g}" stroke="{_e(s.color)}" '
            f'stroke-width="2"{dash}><title>{_e(s.label)}</title></polygon>'
        )
        for i, ((x, y), v) in enumerate(zip(pts, s.values, strict=True)):
            fill = "#ffffff" if v is None else _e(s.color)
            out.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{fill}" stroke="{_e(s.color)}">'
                f"<title>{_e(s.label)} · {_e(axes[i])}: {_fmt_value(v)}</title></circle>"
            )
    # legend
    ly = size + 10
    for k, s in enumerate(series):
        y = ly + 22 * k
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<line x1="{_n(width / 2 - 120)}" y1="{_n(y)}" x2="{_n(width / 2 - 92)}" y2="{_n(y)}" '
            f'stroke="{_e(s.color)}" stroke-width="3"{dash}/>'
            f'<text class="legend" x="{_n(width / 2 - 84)}" y="{_n(y + 5)}" font-size="14" fill="{INK}">'
            f"{_e(s.label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def bar(
    value: float | None,
    *,
    target: float | None = None,
    before: float | None = None,
    max_value: float = 100.0,
    width: int = 240,
    height: int = 16,
    label: str = "",
) -> str:
    """A horizontal bar for one score: a track, the value, an optional earlier value and target tick."""

    def x(v: float) -> float:
        return max(0.0, min(1.0, v / max_value)) * width

    out = [
        f'<svg class="chart bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(label)}: {_fmt_value(value)}">',
        f'<rect class="track" x="0" y="0" width="{width}" height="{height}" rx="3" fill="{TRACK}"/>',
    ]
    if before is not None:
        out.append(
            f'<rect class="before" x="0" y="0" width="{_n(x(before))}" height="{height}" rx="3" '
            f'fill="{BEFORE}" fill-opacity="0.45"><title>{_fmt_value(before)}</title></rect>'
        )
    if value is not None:
        inset = height * 0.22 if before is not None else 0.0
        out.append(
            f'<rect class="value" x="0" y="{_n(inset)}" width="{_n(x(value))}" height="{_n(height - 2 * inset)}" '
            f'rx="3" fill="{ACCENT}"><title>{_fmt_value(value)}</title></rect>'
        )
    if target is not None:
        tx = min(max(x(target), 1.5), width - 1.5)
        out.append(
            f'<line class="target" x1="{_n(tx)}" y1="0" x2="{_n(tx)}" y2="{height}" stroke="{TARGET}" '
            f'stroke-width="3"><title>{_fmt_value(target)}</title></line>'
        )
    out.append("</svg>")
    return "".join(out)


def ladder(
    levels: Sequence[tuple[int, str]],
    current: int,
    *,
    target: int | None = None,
    previous: int | None = None,
    here: str = "",
    before_label: str = "",
    title: str = "",
) -> str:
    """The level staircase L0..Ln: reached levels filled, the current one marked, the target outlined.

    ``previous`` marks an earlier level (progress reports) with ``before_label``.
    """
    n = max(1, len(levels))
    step_w, gap, base_h, rise, top = 108, 6, 34, 22, 40
    width = n * (step_w + gap)
    height = top + base_h + rise * (n - 1) + 52
    floor = top + base_h + rise * (n - 1)
    out = [
        f'<svg class="chart ladder" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_e(title)}" font-family="sans-serif">',
        f"<title>{_e(title)}</title>",
    ]
    for i, (number, name) in enumerate(levels):
        h = base_h + rise * i
        x0, y0 = i * (step_w + gap), floor - h
        if number < current:
            fill, stroke, ink = "#9cbbe0", "#9cbbe0", INK
        elif number == current:
            fill, stroke, ink = ACCENT, ACCENT, "#ffffff"
        else:
            fill, stroke, ink = TRACK, GRID, MUTED
        dash = ""
        if target is not None and number == target and number != current:
            stroke, dash = TARGET, ' stroke-dasharray="5 3" stroke-width="2.5"'
        cls = "step current" if number == current else "step"
        out.append(
            f'<rect class="{cls}" x="{_n(x0)}" y="{_n(y0)}" width="{step_w}" height="{h}" rx="4" '
            f'fill="{fill}" stroke="{stroke}"{dash}><title>L{number} {_e(name)}</title></rect>'
        )
        out.append(
            f'<text x="{_n(x0 + step_w / 2)}" y="{_n(y0 + 21)}" text-anchor="middle" font-size="15" '
            f'font-weight="bold" fill="{ink}">L{number}</text>'
        )
        lines = _wrap(name, 14, 2)
        spans = "".join(
            f'<tspan x="{_n(x0 + step_w / 2)}" dy="{0 if k == 0 else 14}">{_e(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        out.append(
            f'<text x="{_n(x0 + step_w / 2)}" y="{_n(floor + 18)}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{spans}</text>'
        )
        if number == current and here:
            out.append(
                f'<text class="here" x="{_n(x0 + step_w / 2)}" y="{_n(y0 - 10)}" text-anchor="middle" '
                f'font-size="13" font-weight="bold" fill="{ACCENT}">▼ {_e(here)}</text>'
            )
        if previous is not None and number == previous and number != current and before_label:
            out.append(
                f'<text class="previous" x="{_n(x0 + step_w / 2)}" y="{_n(y0 - 10)}" text-anchor="middle" '
                f'font-size="12" fill="{MUTED}">▽ {_e(before_label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _row_label(x: float, y: float, text: str, width: int = 24) -> str:
    """A right-aligned label of one bar row (long labels cut with an ellipsis, the whole in a tooltip)."""
    shown = _wrap(text, width, 1)[0]
    return (
        f'<text class="row-label" x="{_n(x)}" y="{_n(y)}" text-anchor="end" font-size="13" fill="{INK}">'
        f"<title>{_e(text)}</title>{_e(shown)}</text>"
    )


def stacked_bars(
    groups: Sequence[str],
    series: Sequence[tuple[str, str]],
    counts: Sequence[Sequence[int]],
    *,
    title: str = "",
    label_width: int = 190,
) -> str:
    """Horizontal stacked bars: one row per group, one segment per series (label, colour), counts as lengths.

    Every segment is a ``<rect class="seg">`` carrying ``data-group``,
    ``data-series`` and ``data-count``; the row total is written after the bar.
    Lengths share one scale (the largest row total fills the plot width).
    """
    if len(counts) != len(groups) or any(len(row) != len(series) for row in counts):
        raise ValueError(f"counts must be {len(groups)} rows of {len(series)} values")
    row_h, gap, top, plot_w = 22, 6, 34, 470
    totals = [sum(int(c) for c in row) for row in counts]
    scale = plot_w / max(max(totals, default=0), 1)
    width = label_width + plot_w + 70
    height = top + len(groups) * (row_h + gap) + 10
    out = [
        f'<svg class="chart stacked" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_e(title)}" font-family="sans-serif">',
        f"<title>{_e(title)}</title>",
    ]
    # legend: one swatch per series
    x = float(label_width)
    for k, (label, colour) in enumerate(series):
        out.append(
            f'<rect class="legend-swatch" data-series="{k}" x="{_n(x)}" y="6" width="14" height="14" '
            f'fill="{_e(colour)}" stroke="{GRID}"/><text class="legend" x="{_n(x + 18)}" y="18" '
            f'font-size="12" fill="{INK}">{_e(label)}</text>'
        )
        x += 32 + 8 * _width(label)
    for i, (group, row) in enumerate(zip(groups, counts, strict=True)):
        y = top + i * (row_h + gap)
        out.append(_row_label(label_width - 8, y + row_h * 0.7, group))
        x = float(label_width)
        for k, count in enumerate(row):
            w = int(count) * scale
            if count:
                out.append(
                    f'<rect class="seg" data-group="{i}" data-series="{k}" data-count="{int(count)}" '
                    f'x="{_n(x)}" y="{y}" width="{_n(w)}" height="{row_h}" fill="{_e(series[k][1])}">'
                    f"<title>{_e(group)} · {_e(series[k][0])}: {int(count)}</title></rect>"
                )
            x += w
        out.append(
            f'<text class="total" x="{_n(x + 6)}" y="{_n(y + row_h * 0.7)}" font-size="12" '
            f'fill="{MUTED}">{totals[i]}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    max_value: float | None = None,
    title: str = "",
    fmt: str = "{:.1f}",
    label_width: int = 230,
    colour: str = ACCENT,
) -> str:
    """Horizontal bars, one per label: ``<rect class="value" data-value=...>``, the value written after it."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    row_h, gap, top, plot_w = 20, 8, 8, 420
    top_value = max_value if max_value is not None else max([float(v) for v in values], default=0.0)
    scale = plot_w / (top_value if top_value > 0 else 1.0)
    width = label_width + plot_w + 70
    height = top + len(labels) * (row_h + gap) + 6
    out = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_e(title)}" font-family="sans-serif">',
        f"<title>{_e(title)}</title>",
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (row_h + gap)
        v = float(value)
        w = max(0.0, min(v, top_value)) * scale
        text = fmt.format(v)
        out.append(_row_label(label_width - 8, y + row_h * 0.72, label, 30))
        out.append(
            f'<rect class="track" x="{label_width}" y="{y}" width="{plot_w}" height="{row_h}" fill="{TRACK}"/>'
            f'<rect class="value" data-value="{_e(text)}" x="{label_width}" y="{y}" width="{_n(w)}" '
            f'height="{row_h}" fill="{_e(colour)}"><title>{_e(label)}: {_e(text)}</title></rect>'
            f'<text class="value-label" x="{_n(label_width + plot_w + 6)}" y="{_n(y + row_h * 0.72)}" '
            f'font-size="12" fill="{INK}">{_e(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
