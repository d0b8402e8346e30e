"""Bar charts as SVG shapes: bars in proportion on a scale of round steps, labels that fit
under the axis, and words for screen readers."""

from __future__ import annotations

import pytest

from reports.charts import LABEL_PX, Bar, Series, bar_chart, nice_step


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
