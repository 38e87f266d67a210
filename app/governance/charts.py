"""Server-rendered SVG charts: no JavaScript, readable when printed, and each drawn beside the
table of its numbers so screen readers and inspectors get the same facts.

Colours come from CSS classes (.chart-s1 ...), never inline styles, to keep the strict CSP; the
same colours are also given as SVG presentation attributes, which CSS overrides on screen (dark
mode) and which the PDF renderer uses as they are.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from app.governance.figures import Figure

WIDTH, HEIGHT = 640, 260
PALETTE = {1: "#0b5d6b", 2: "#c7701a", 3: "#8e1b5a", 4: "#3c6e1f"}
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40


def _scale_max(values: list[float]) -> float:
    top = max([v for v in values if v is not None] + [1])
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step * 4
    return top


def _month_label(month: str) -> str:
    year, number = month.split("-")
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{names[int(number) - 1]} {year[2:]}"


def render_chart(fig: Figure) -> Markup:
    """An accessible SVG: role=img, a title and a description holding the reading."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    stacked = fig.chart == "stacked"
    if stacked:
        peaks = [
            sum(v or 0 for v in col) for col in zip(*(s.values for s in fig.series), strict=True)
        ]
    else:
        peaks = [v for s in fig.series for v in s.values if v is not None]
    top = 100 if fig.unit == "%" else _scale_max(peaks)
    count = max(len(fig.months), 1)
    slot = plot_w / count

    def y(value: float) -> float:
        return TOP + plot_h - (value / top) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-{fig.key}-title chart-{fig.key}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{fig.key}-title">{escape(fig.title)}</title>',
        f'<desc id="chart-{fig.key}-desc">{escape(fig.reading)}</desc>',
    ]
    for tick in range(5):
        value = top * tick / 4
        parts.append(
            f'<line class="chart-grid" stroke="#c9ccd1" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/>'
            f'<text class="chart-axis" font-size="12" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{int(value)}{escape(fig.unit)}</text>"
        )
    label_every = max(1, count // 6)
    for index, month in enumerate(fig.months):
        if index % label_every == 0:
            x = LEFT + slot * index + slot / 2
            parts.append(
                f'<text class="chart-axis" font-size="12" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{_month_label(month)}</text>'
            )
    parts.extend(_line_marks(fig, slot, y) if fig.chart == "line" else _bar_marks(fig, slot, y))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704  (every text part above is escaped)


def _bar_marks(fig: Figure, slot: float, y) -> list[str]:
    marks = []
    stacked = fig.chart == "stacked"
    bars = 1 if stacked else len(fig.series)
    width = slot * 0.7 / bars
    for index in range(len(fig.months)):
        base = 0.0
        for number, series in enumerate(fig.series, start=1):
            value = series.values[index] or 0
            offset = 0 if stacked else (number - 1) * width
            x = LEFT + slot * index + slot * 0.15 + offset
            low, high = (base, base + value) if stacked else (0, value)
            if value:
                marks.append(
                    f'<rect class="chart-s{number}" fill="{PALETTE[number]}" x="{x:.1f}" y="{y(high):.1f}" '
                    f'width="{width:.1f}" height="{y(low) - y(high):.1f}">'
                    f"<title>{escape(series.name)}, {escape(fig.months[index])}: {value}</title></rect>"
                )
            base = high if stacked else 0
    return marks


def _line_marks(fig: Figure, slot: float, y) -> list[str]:
    marks = []
    for number, series in enumerate(fig.series, start=1):
        points = [
            (LEFT + slot * i + slot / 2, y(v)) for i, v in enumerate(series.values) if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{py:.1f}" for x, py in points)
            marks.append(
                f'<polyline class="chart-line chart-s{number}" fill="none" '
                f'stroke="{PALETTE[number]}" stroke-width="3" points="{path}"/>'
            )
        marks.extend(
            f'<circle class="chart-s{number}" fill="{PALETTE[number]}" cx="{x:.1f}" cy="{py:.1f}" r="4"/>'
            for x, py in points
        )
    return marks
