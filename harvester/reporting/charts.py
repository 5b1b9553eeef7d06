"""Inline SVG charts for the HTML report, drawn in Python with no library.

The page must open with no network, so the charts are plain SVG markup:
lines with point markers for series over days, 100% stacked bars for shares,
and a heatmap for agent activity. Every chart is an ``<svg class="chart">``
whose data marks carry ``class="mark"`` and a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
WIDTH = 760
FONT = 'font-family="sans-serif" font-size="11" fill="#333"'

Series = dict[str, dict[date, float]]


@dataclass(frozen=True)
class Frame:
    """The drawing area of a chart inside its margins."""

    width: float
    height: float
    left: float = 56
    right: float = 160
    top: float = 16
    bottom: float = 28

    @property
    def plot_width(self) -> float:
        """Width of the area between the margins."""
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        """Height of the area between the margins."""
        return self.height - self.top - self.bottom


def color(index: int) -> str:
    """The palette color of the n-th series, cycling."""
    return PALETTE[index % len(PALETTE)]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is >= value (>= 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def svg(name: str, title: str, frame: Frame, body: Sequence[str]) -> str:
    """An ``<svg class="chart">`` element holding the given markup."""
    label = escape(title)
    return (
        f'<svg class="chart" data-chart="{escape(name)}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
        f'width="{frame.width:.0f}" height="{frame.height:.0f}" '
        f'viewBox="0 0 {frame.width:.0f} {frame.height:.0f}">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def empty_chart(name: str, title: str) -> str:
    """A chart that says it has no data yet."""
    frame = Frame(WIDTH, 60)
    text = f'<text x="{frame.left}" y="34" {FONT}>no data yet</text>'
    return svg(name, title, frame, [text])


def line_chart(name: str, title: str, series: Series) -> str:
    """One line per series over days, with a marker at every day.

    A series missing a day counts 0 there; a marker is drawn even for a
    single day, where a line would have no length.
    """
    days = sorted({day for points in series.values() for day in points})
    if not days:
        return empty_chart(name, title)

    frame = Frame(WIDTH, 260)
    top_value = nice_ceiling(max(max(p.values(), default=0) for p in series.values()))
    step = frame.plot_width / len(days)
    body = _value_axis(frame, top_value) + _day_axis(frame, days, step)
    for index, (label, points) in enumerate(sorted(series.items())):
        xy = [
            (
                frame.left + (position + 0.5) * step,
                frame.top + frame.plot_height * (1 - points.get(day, 0) / top_value),
            )
            for position, day in enumerate(days)
        ]
        tips = [f"{label} {day.isoformat()}: {points.get(day, 0):g}" for day in days]
        body += _polyline(xy, tips, color(index))
        body.append(_legend_entry(frame, index, label, color(index)))
    return svg(name, title, frame, body)


def _polyline(xy: list[tuple[float, float]], tips: list[str], stroke: str) -> list[str]:
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy)
    )
    marks = [f'<path d="{path}" fill="none" stroke="{stroke}" stroke-width="2"/>']
    marks.extend(
        f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{stroke}">'
        f"<title>{escape(tip)}</title></circle>"
        for (x, y), tip in zip(xy, tips, strict=True)
    )
    return marks


def _value_axis(frame: Frame, top_value: float) -> list[str]:
    lines = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = frame.top + frame.plot_height * (1 - fraction)
        lines.append(
            f'<line x1="{frame.left}" x2="{frame.left + frame.plot_width}" '
            f'y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
            f"{top_value * fraction:g}</text>"
        )
    return lines


def _day_axis(frame: Frame, days: list[date], step: float) -> list[str]:
    every = max(1, math.ceil(len(days) / 8))
    y = frame.top + frame.plot_height + 18
    return [
        f'<text x="{frame.left + (position + 0.5) * step:.1f}" y="{y:.1f}" '
        f'text-anchor="middle" {FONT}>{day.isoformat()}</text>'
        for position, day in enumerate(days)
        if position % every == 0
    ]


def _legend_entry(frame: Frame, index: int, label: str, fill: str) -> str:
    x = frame.width - frame.right + 16
    y = frame.top + index * 18
    return (
        f'<rect x="{x}" y="{y}" width="12" height="12" fill="{fill}"/>'
        f'<text x="{x + 18}" y="{y + 10}" {FONT}>{escape(label[:22])}</text>'
    )


def stacked_bars(name: str, title: str, shares: dict[str, dict[str, float]]) -> str:
    """One 100% bar per row, split into segments by category share.

    Args:
        shares: row label → category → share from 0 to 1.
    """
    if not shares:
        return empty_chart(name, title)

    categories = _categories_by_weight(shares)
    rows = sorted(shares)
    frame = Frame(WIDTH, 16 + 30 * len(rows) + 18 * len(categories), left=150)
    body = []
    for row_index, row in enumerate(rows):
        y = frame.top + row_index * 30
        body.append(
            f'<text x="{frame.left - 8}" y="{y + 15}" text-anchor="end" {FONT}>'
            f"{escape(row[:24])}</text>"
        )
        body += _bar_segments(frame, y, row, shares[row], categories)
    for index, category in enumerate(categories):
        body.append(_legend_entry(frame, index, category or "(none)", color(index)))
    return svg(name, title, frame, body)


def _categories_by_weight(shares: dict[str, dict[str, float]]) -> list[str]:
    weight: dict[str, float] = {}
    for row in shares.values():
        for category, share in row.items():
            weight[category] = weight.get(category, 0) + share
    return sorted(weight, key=lambda category: (-weight[category], category))


def _bar_segments(
    frame: Frame, y: float, row: str, shares: dict[str, float], categories: list[str]
) -> list[str]:
    x = frame.left
    segments = []
    for index, category in enumerate(categories):
        width = frame.plot_width * shares.get(category, 0)
        if width <= 0:
            continue
        tip = f"{row}: {category or '(none)'} {shares[category] * 100:.1f}%"
        segments.append(
            f'<rect class="mark" x="{x:.1f}" y="{y}" width="{width:.1f}" '
            f'height="22" fill="{color(index)}"><title>{escape(tip)}</title></rect>'
        )
        x += width
    return segments


def heatmap(name: str, title: str, cells: dict[tuple[str, date], float]) -> str:
    """A grid of rows by days, each cell shaded by its value.

    Args:
        cells: (row label, day) → value; absent cells are left blank.
    """
    if not cells:
        return empty_chart(name, title)

    rows = sorted({row for row, _ in cells})
    days = sorted({day for _, day in cells})
    frame = Frame(WIDTH, 16 + 18 * len(rows) + 28, left=150, right=16)
    step = frame.plot_width / len(days)
    top_value = max(cells.values()) or 1
    body = _day_axis(frame, days, step)
    for row_index, row in enumerate(rows):
        y = frame.top + row_index * 18
        body.append(
            f'<text x="{frame.left - 8}" y="{y + 12}" text-anchor="end" {FONT}>'
            f"{escape(row[:24])}</text>"
        )
        for position, day in enumerate(days):
            if (row, day) in cells:
                value = cells[row, day]
                body.append(
                    _cell(
                        frame.left + position * step,
                        y,
                        step,
                        value / top_value,
                        f"{row} {day.isoformat()}: {value:g}",
                    )
                )
    return svg(name, title, frame, body)


def _cell(x: float, y: float, width: float, intensity: float, tip: str) -> str:
    # From a pale to a deep blue, so an idle cell stays visible on white.
    lightness = 92 - 62 * intensity
    return (
        f'<rect class="mark" x="{x:.1f}" y="{y}" width="{max(width - 1, 1):.1f}" '
        f'height="16" fill="hsl(212, 60%, {lightness:.0f}%)">'
        f"<title>{escape(tip)}</title></rect>"
    )
