"""Line charts of shares as SVG shapes: 0–100 % on the vertical scale, a point with nothing to
divide by breaks its line instead of dropping it to zero, words for screen readers."""

from __future__ import annotations

from reports.line_chart import Lines, Point, line_chart


def test_a_missing_share_breaks_the_line_and_the_scale_is_per_cent() -> None:
    lines = Lines(
        "trend",
        "Доли по дням",
        ("Доля ответивших", "Доля удовлетворенных"),
        (
            Point("05.10", "05.10.2026", (100.0, None)),
            Point("06.10", "06.10.2026", (None, None)),  # nothing offered that day
            Point("07.10", "07.10.2026", (50.0, 0.0)),
            Point("08.10", "08.10.2026", (0.0, 25.0)),
        ),
    )
    chart = line_chart(lines, width=440, height=140)
    top, bottom = chart.top, chart.bottom
    answered, satisfied = chart.lines
    xs = [dot.x for dot in answered.dots]
    assert [dot.y for dot in answered.dots] == [top, (top + bottom) / 2, bottom]
    assert answered.path == f"M{xs[0]},{top} M{xs[1]},{(top + bottom) / 2} L{xs[2]},{bottom}"
    assert satisfied.path == f"M{xs[1]},{bottom} L{xs[2]},{(3 * bottom + top) / 4}"
    assert answered.dots[1].title == "07.10.2026 — Доля ответивших: 50,0 %"
    assert [tick.label for tick in chart.y_ticks] == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    assert chart.figures[1] == ("06.10.2026", ["—", "—"])
    assert chart.desc == (
        "Доли по дням. Доля ответивших: от 0,0 % (08.10.2026) до 100,0 % (05.10.2026); "
        "Доля удовлетворенных: от 0,0 % (07.10.2026) до 25,0 % (08.10.2026)."
    )
    assert not chart.empty


def test_a_chart_without_any_share_says_so() -> None:
    chart = line_chart(Lines("trend", "Доли", ("Доля",), (Point("05.10", "05.10.2026", (None,)),)))
    assert chart.empty
    assert chart.lines[0].path == ""
    assert chart.desc == "Доли. Доля: нет данных."
