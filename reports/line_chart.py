"""Line charts of shares (0–100 %) drawn on the server, as ``reports.charts`` draws bars.

Each line is a path through its points; a point with no value (nothing to divide by) breaks
the line rather than dropping it to zero. Every point is a dot carrying its own figure in a
``<title>``; the chart names itself for screen readers and the page lists the figures in a
table under it. The template writes the shapes with classes from ``static/reports.css`` (no
inline style: the console's CSP forbids it).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.charts import (
    HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    WIDTH,
    Tick,
    label_stride,
)

PERCENT_TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True, slots=True)
class Point:
    label: str  # under the axis, when there is room ("05.10")
    name: str  # the point in full ("05.10.2026")
    values: tuple[float | None, ...]  # one per line, per cent


@dataclass(frozen=True, slots=True)
class Lines:
    key: str  # unique on the page: the chart's element ids derive from it
    title: str
    names: tuple[str, ...]  # the lines' names, in the order of Point.values
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    title: str  # "05.10.2026 — Доля ответивших: 75,0 %"


@dataclass(frozen=True, slots=True)
class LineShape:
    index: int  # the line's class modifier (chart__line--0, --1)
    name: str
    path: str  # SVG path data; "" when the line has no point
    dots: list[Dot]


@dataclass(frozen=True, slots=True)
class LineChartView:
    key: str
    title: str
    desc: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    lines: list[LineShape]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    names: tuple[str, ...]
    figures: list[tuple[str, list[str]]]  # (point's name, its values as text)
    empty: bool


def line_chart(lines: Lines, *, width: int = WIDTH, height: int = HEIGHT) -> LineChartView:
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    count = len(lines.points)
    band = (right - left) / count if count else 0.0
    xs = [left + band * (index + 0.5) for index in range(count)]

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / 100

    shapes: list[LineShape] = []
    for index, name in enumerate(lines.names):
        dots: list[Dot] = []
        steps: list[str] = []
        drawing = False
        for x, point in zip(xs, lines.points, strict=True):
            value = point.values[index]
            if value is None:
                drawing = False
                continue
            y = y_of(value)
            steps.append(f"{'L' if drawing else 'M'}{_r(x)},{_r(y)}")
            drawing = True
            dots.append(Dot(_r(x), _r(y), f"{point.name} — {name}: {percent_text(value)}"))
        shapes.append(LineShape(index, name, " ".join(steps), dots))
    every = label_stride(count, right - left)
    x_ticks = [
        Tick(_r(x), point.label)
        for index, (x, point) in enumerate(zip(xs, lines.points, strict=True))
        if index % every == 0 and point.label
    ]
    return LineChartView(
        key=lines.key,
        title=lines.title,
        desc=describe(lines),
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        lines=shapes,
        y_ticks=[Tick(_r(y_of(value)), f"{value} %") for value in PERCENT_TICKS],
        x_ticks=x_ticks,
        names=lines.names,
        figures=[
            (point.name, [percent_text(value) for value in point.values]) for point in lines.points
        ],
        empty=not any(shape.dots for shape in shapes),
    )


def percent_text(value: float | None) -> str:
    """``84,2 %``, or ``—`` for no share."""
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")


def describe(lines: Lines) -> str:
    """Each line's lowest and highest point, for screen readers."""
    said: list[str] = []
    for index, name in enumerate(lines.names):
        known = [(p.values[index], p.name) for p in lines.points if p.values[index] is not None]
        if not known:
            said.append(f"{name}: нет данных")
            continue
        low = min(known, key=lambda pair: pair[0] or 0.0)
        high = max(known, key=lambda pair: pair[0] or 0.0)
        said.append(
            f"{name}: от {percent_text(low[0])} ({low[1]}) до {percent_text(high[0])} ({high[1]})"
        )
    return f"{lines.title}. " + "; ".join(said) + "."


def _r(value: float) -> float:
    return round(value, 1)
