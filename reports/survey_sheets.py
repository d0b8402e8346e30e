"""The survey report's figures as tables (C15): by operator with the whole line, along the period
and the totals. The page shows the first as its table of operators; the XLSX has all three as
further sheets. Shares are per cent with one decimal, empty when there is nothing to divide by.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from reports.period import Period
from reports.survey_figures import (
    WHOLE_LINE_LABEL_RU,
    Stretch,
    SurveyCounts,
    SurveyTally,
    stretches,
    weekly,
)
from reports.table import Column, Kind, Row, Sheet

OPERATOR_COLUMNS: tuple[Column, ...] = (
    Column("Оператор", Kind.TEXT, 30),
    Column("Внутренний номер", Kind.TEXT, 10),
    Column("Принято звонков", Kind.NUMBER, 10),
    Column("Опрос предложен", Kind.NUMBER, 10),
    Column("Ответили полностью", Kind.NUMBER, 11),
    Column("Частично", Kind.NUMBER, 10),
    Column("Не ответили", Kind.NUMBER, 10),
    Column("Доля ответивших, %", Kind.NUMBER, 11),
    Column("Ответ получен", Kind.NUMBER, 10),
    Column("Ответ не получен", Kind.NUMBER, 10),
    Column("Удовлетворен", Kind.NUMBER, 12),
    Column("Частично удовлетворен", Kind.NUMBER, 12),
    Column("Не удовлетворен", Kind.NUMBER, 12),
    Column("Доля удовлетворенных, %", Kind.NUMBER, 13),
)

TREND_COLUMNS: tuple[Column, ...] = (
    Column("С", Kind.DATE, 12),
    Column("По", Kind.DATE, 12),
    Column("Опрос предложен", Kind.NUMBER, 10),
    Column("Ответили", Kind.NUMBER, 10),
    Column("Доля ответивших, %", Kind.NUMBER, 11),
    Column("Оценок консультанта", Kind.NUMBER, 11),
    Column("Удовлетворен", Kind.NUMBER, 12),
    Column("Доля удовлетворенных, %", Kind.NUMBER, 13),
)


def counts_cells(counts: SurveyCounts) -> Row:
    """The figures of one operator or of the line, as OPERATOR_COLUMNS has them after the name."""
    return (
        counts.answered_calls,
        counts.offered,
        counts.complete,
        counts.partial,
        counts.not_responded,
        counts.response_rate,
        counts.resolved_yes,
        counts.resolved_no,
        counts.satisfied,
        counts.partly_satisfied,
        counts.not_satisfied,
        counts.satisfied_share,
    )


def operator_rows(tally: SurveyTally) -> list[Row]:
    """One row per operator, then the whole line."""
    rows: list[Row] = [(one.name, one.number, *counts_cells(one.counts)) for one in tally.operators]
    rows.append((WHOLE_LINE_LABEL_RU, "", *counts_cells(tally.line)))
    return rows


def trend_points(tally: SurveyTally, period: Period, tz: ZoneInfo) -> list[Stretch]:
    return stretches(tally.by_day(tz), period)


def trend_rows(points: list[Stretch]) -> list[Row]:
    return [
        (
            point.first,
            point.last,
            point.counts.offered,
            point.counts.responded,
            point.counts.response_rate,
            point.counts.ratings,
            point.counts.satisfied,
            point.counts.satisfied_share,
        )
        for point in points
    ]


def total_rows(line: SurveyCounts) -> list[Row]:
    return [
        (header.header, value)
        for header, value in zip(OPERATOR_COLUMNS[2:], counts_cells(line), strict=True)
    ]


def tally_sheets(tally: SurveyTally, period: Period, tz: ZoneInfo) -> list[Sheet]:
    trend_title = "По неделям" if weekly(period) else "По дням"
    return [
        Sheet("По операторам", OPERATOR_COLUMNS, operator_rows(tally)),
        Sheet(trend_title, TREND_COLUMNS, trend_rows(trend_points(tally, period, tz))),
        Sheet(
            "Итоги",
            (Column("Показатель", Kind.TEXT, 30), Column("Значение", Kind.NUMBER, 10)),
            total_rows(tally.line),
        ),
    ]
