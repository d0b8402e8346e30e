"""Bar charts as SVG shapes: bars in proportion on a scale of round steps, labels that fit
under the axis, and words for screen readers."""

from __future__ import annotations

import pytest

from reports.charts import (
    LABEL_PX,
    Bar,
    Series,
    Stack,
    StackedSeries,
    bar_chart,
    nice_step,
    stacked_chart,
)


@pytest.mark.parametrize(
    ("peak", "step"),
    [(0, 1), (4, 1), (5, 2), (8, 2), (9, 5), (20, 5), (40, 10), (41, 20), (999, 500)],
)
def test_the_scale_goes_in_round_steps(peak: int, step: int) -> None:
    assert nice_step(peak) == step


def _series(*values: int) -> Series:
    bars = tuple(
        Bar(label=f"{day:02d}.10", name=f"{day:02d}.10.2026", value=value)
        for day, value in enumerate(values, start=1)
    )
    return Series("by-day", "Пропущенные звонки по дням", bars)


def test_bars_stand_in_proportion_on_the_scale() -> None:
    chart = bar_chart(_series(0, 5, 10, 3))
    plot = chart.bottom - chart.top
    assert [bar.height for bar in chart.bars] == [
        0.0,
        round(plot / 2, 1),
        plot,
        round(plot * 0.3, 1),
    ]
    assert all(bar.y + bar.height == pytest.approx(chart.bottom, abs=0.1) for bar in chart.bars)
    assert [tick.label for tick in chart.y_ticks] == ["0", "5", "10"]
    assert [bar.title for bar in chart.bars][1] == "02.10.2026: 5"
    assert [bar.value_label for bar in chart.bars] == ["", "5", "10", "3"]  # no "0" label
    assert [tick.label for tick in chart.x_ticks] == ["01.10", "02.10", "03.10", "04.10"]
    assert chart.figures == [
        ("01.10.2026", 0),
        ("02.10.2026", 5),
        ("03.10.2026", 10),
        ("04.10.2026", 3),
    ]
    assert chart.desc == "Пропущенные звонки по дням: всего 18, больше всего — 03.10.2026 (10)."


def test_a_year_of_days_thins_its_labels_and_drops_the_figures_on_bars() -> None:
    chart = bar_chart(_series(*([1] * 366)))
    room = (chart.right - chart.left) / LABEL_PX
    assert 0 < len(chart.x_ticks) <= room
    gaps = {
        round(b.position - a.position, 1)
        for a, b in zip(chart.x_ticks, chart.x_ticks[1:], strict=False)
    }
    assert min(gaps) >= LABEL_PX
    assert all(bar.value_label == "" for bar in chart.bars)
    assert len(chart.figures) == 366  # every figure stays in the table under the chart


def test_a_chart_without_calls_says_so() -> None:
    chart = bar_chart(_series(0, 0))
    assert chart.desc == "Пропущенные звонки по дням: звонков нет."
    assert chart.total == 0
    assert [tick.label for tick in chart.y_ticks] == ["0", "1"]
    assert bar_chart(Series("empty", "Нет данных", ())).bars == []


def test_stacked_bars_put_their_parts_one_on_another() -> None:
    series = StackedSeries(
        key="by-day",
        title="Заявки по дням",
        parts=(("kept", "В срок"), ("missed", "Срок нарушен")),
        stacks=(
            Stack("05.10", "05.10.2026", (6, 4)),
            Stack("06.10", "06.10.2026", (0, 5)),
            Stack("07.10", "07.10.2026", (0, 0)),
        ),
        noun="Заявок",
    )
    chart = stacked_chart(series)
    plot = chart.bottom - chart.top  # the scale goes to 10: the first stack fills it
    kept, missed, late_only = chart.bars
    assert (kept.part, kept.height, kept.y + kept.height) == (
        "kept",
        round(plot * 0.6, 1),
        chart.bottom,
    )
    assert (missed.part, missed.y, missed.y + missed.height) == ("missed", chart.top, kept.y)
    assert (late_only.part, late_only.height) == ("missed", round(plot / 2, 1))
    assert [bar.value_label for bar in chart.bars] == ["", "10", "5"]  # the stack's total, on top
    assert missed.title == "05.10.2026, срок нарушен: 4"
    assert chart.desc == "Заявки по дням: всего 15 (в срок 6, срок нарушен 9)."
    assert chart.figures[:2] == [("05.10.2026, в срок", 6), ("05.10.2026, срок нарушен", 4)]
    assert len(chart.figures) == 6  # every part of every day, zeros too
    assert (chart.noun, chart.empty, chart.legend) == ("Заявок", "Заявок нет", list(series.parts))
