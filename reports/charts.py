"""Bar charts drawn on the server: a series of counts becomes the shapes of an SVG.

No script and no style attribute (the console's CSP forbids inline style): the template
``report_macros.html`` writes these shapes as SVG elements with classes from
``static/reports.css``. A chart names itself for screen readers (``<title>``, ``<desc>`` with
the total and the peak) and every bar says its own figure; the page also lists the figures in
a table under the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 960, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 8, 18, 26
LABEL_PX = 46  # room one label under the axis needs ("05.10", "12:00")
VALUE_LABEL_MIN_BAR_PX = 16  # narrower bars carry no figure above them
Y_TICKS = 4


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # under the axis, when there is room ("05.10", "9")
    name: str  # the bar in full ("05.10.2026, пн", "9:00–10:00")
    value: int


@dataclass(frozen=True, slots=True)
class Series:
    key: str  # unique on the page: the chart's element ids derive from it
    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class BarShape:
    x: float
    y: float
    width: float
    height: float
    value: int
    title: str  # "05.10.2026, пн: 12"
    value_label: str  # "" when the bar is too narrow to carry its figure
    centre: float
    part: str = ""  # a stacked bar's segment: its class modifier (chart__bar--kept)


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class ChartView:
    key: str
    title: str
    desc: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[BarShape]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    figures: list[tuple[str, int]]  # (bar's name, value) for the table under the chart
    total: int
    legend: list[tuple[str, str]] = field(default_factory=list)  # (part, label), stacked only
    noun: str = "Звонков"  # the figures' column: what is counted
    empty: str = "Звонков нет"


@dataclass(frozen=True, slots=True)
class Stack:
    """A stacked bar: its parts' counts, bottom first, in the order of the chart's parts."""

    label: str
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StackedSeries:
    key: str
    title: str
    parts: tuple[tuple[str, str], ...]  # (class modifier, label), bottom first
    stacks: tuple[Stack, ...]
    noun: str  # "Заявок"


def bar_chart(series: Series, *, width: int = WIDTH, height: int = HEIGHT) -> ChartView:
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    values = [bar.value for bar in series.bars]
    peak = max(values, default=0)
    step = nice_step(peak)
    scale_top = max(step, math.ceil(peak / step) * step)
    band = (right - left) / len(series.bars) if series.bars else 0.0
    bar_width = max(1.0, band * 0.8)
    show_values = bar_width >= VALUE_LABEL_MIN_BAR_PX
    shapes: list[BarShape] = []
    for index, bar in enumerate(series.bars):
        bar_height = (bottom - top) * bar.value / scale_top
        x = left + index * band + (band - bar_width) / 2
        shapes.append(
            BarShape(
                x=_r(x),
                y=_r(bottom - bar_height),
                width=_r(bar_width),
                height=_r(bar_height),
                value=bar.value,
                title=f"{bar.name}: {bar.value}",
                value_label=str(bar.value) if show_values and bar.value else "",
                centre=_r(x + bar_width / 2),
            )
        )
    y_ticks = [
        Tick(_r(bottom - (bottom - top) * value / scale_top), str(value))
        for value in range(0, scale_top + 1, step)
    ]
    every = label_stride(len(series.bars), right - left)
    x_ticks = [
        Tick(shape.centre, bar.label)
        for index, (shape, bar) in enumerate(zip(shapes, series.bars, strict=True))
        if index % every == 0 and bar.label
    ]
    return ChartView(
        key=series.key,
        title=series.title,
        desc=describe(series),
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=shapes,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        figures=[(bar.name, bar.value) for bar in series.bars],
        total=sum(values),
    )


def stacked_chart(series: StackedSeries, *, width: int = WIDTH, height: int = HEIGHT) -> ChartView:
    """Bars of parts one on another (kept below missed); each segment its own shape, the
    stack's total above it."""
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    totals = [sum(stack.values) for stack in series.stacks]
    peak = max(totals, default=0)
    step = nice_step(peak)
    scale_top = max(step, math.ceil(peak / step) * step)
    band = (right - left) / len(series.stacks) if series.stacks else 0.0
    bar_width = max(1.0, band * 0.8)
    show_values = bar_width >= VALUE_LABEL_MIN_BAR_PX
    shapes: list[BarShape] = []
    centres: list[float] = []
    figures: list[tuple[str, int]] = []
    for index, (stack, total) in enumerate(zip(series.stacks, totals, strict=True)):
        x = left + index * band + (band - bar_width) / 2
        centres.append(_r(x + bar_width / 2))
        base = bottom
        drawn = [
            (part, label, value)
            for (part, label), value in zip(series.parts, stack.values, strict=True)
        ]
        for number, (part, label, value) in enumerate(drawn):
            figures.append((f"{stack.name}, {label.lower()}", value))
            if not value:
                continue
            segment = (bottom - top) * value / scale_top
            base -= segment
            last = not any(later for _, _, later in drawn[number + 1 :])
            shapes.append(
                BarShape(
                    x=_r(x),
                    y=_r(base),
                    width=_r(bar_width),
                    height=_r(segment),
                    value=value,
                    title=f"{stack.name}, {label.lower()}: {value}",
                    value_label=str(total) if show_values and last else "",
                    centre=_r(x + bar_width / 2),
                    part=part,
                )
            )
    y_ticks = [
        Tick(_r(bottom - (bottom - top) * value / scale_top), str(value))
        for value in range(0, scale_top + 1, step)
    ]
    every = label_stride(len(series.stacks), right - left)
    x_ticks = [
        Tick(centre, stack.label)
        for index, (centre, stack) in enumerate(zip(centres, series.stacks, strict=True))
        if index % every == 0 and stack.label
    ]
    total = sum(totals)
    parts = ", ".join(
        f"{label.lower()} {sum(stack.values[n] for stack in series.stacks)}"
        for n, (_, label) in enumerate(series.parts)
    )
    desc = f"{series.title}: всего {total} ({parts})." if total else f"{series.title}: нет."
    return ChartView(
        key=series.key,
        title=series.title,
        desc=desc,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=shapes,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        figures=figures,
        total=total,
        legend=list(series.parts),
        noun=series.noun,
        empty=f"{series.noun} нет",
    )


def nice_step(peak: int, ticks: int = Y_TICKS) -> int:
    """A whole step of 1, 2 or 5 times a power of ten giving about ``ticks`` grid lines."""
    if peak <= ticks:
        return 1
    raw = peak / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    raise AssertionError("unreachable: 10 × magnitude ≥ raw")


def label_stride(count: int, plot_width: float) -> int:
    """Every how many bars a label fits under the axis."""
    if count == 0:
        return 1
    room = max(1, int(plot_width // LABEL_PX))
    return max(1, math.ceil(count / room))


def describe(series: Series) -> str:
    total = sum(bar.value for bar in series.bars)
    if total == 0:
        return f"{series.title}: звонков нет."
    peak = max(series.bars, key=lambda bar: bar.value)
    return f"{series.title}: всего {total}, больше всего — {peak.name} ({peak.value})."


def _r(value: float) -> float:
    return round(value, 1)
