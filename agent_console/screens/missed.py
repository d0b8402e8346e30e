"""«Пропущенные звонки» (C13, ``reports.missed``): the counts by reason and by callback state,
a chart along the period (by day, or by hour for a week at most) and one by hour of the day,
the calls 200 to a page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from agent_console.deps import Backend
from agent_console.report_pages import ChoiceGroup, Fact, FactGroup, choice_group, table_view
from agent_console.report_screen import Body, Choices, ReportScreen, rows_shown
from models.rules.missed import MISSED_REASON_LABELS_RU, MissedReason
from reports.charts import bar_chart
from reports.hours import TIMELINE_LABELS_RU, Timeline, hour_of_day_series, timeline_series
from reports.inputs import FilterValues, one_of
from reports.missed import (
    CALLBACK,
    CALLBACK_STATE_LABELS_RU,
    MISSED,
    REASON,
    SHORT,
    SHORT_CALLS_LABELS_RU,
    TOPIC,
    TOPIC_CHOICE_LABELS_RU,
    CallbackState,
    MissedReport,
    ShortCalls,
    missed_report,
)
from reports.period import Period, check_hourly
from reports.report import ReportSpec

CHART = "chart"
HOURS_WIDTH = 480  # the chart by hour of the day stands beside the one along the period
WHAT = "Пропущенные звонки"


@dataclass(frozen=True, slots=True, kw_only=True)
class MissedScreen(ReportScreen[MissedReport]):
    short_call_threshold_s: float
    spec: ReportSpec = MISSED
    unit: str = "звонков"
    page_only: tuple[str, ...] = (CHART,)

    def made(
        self, session: Session, period: Period, values: FilterValues, backend: Backend
    ) -> MissedReport:
        return missed_report(period, values, backend.settings.tz)

    def groups(
        self, values: FilterValues, choices: Choices, invalid: str
    ) -> tuple[list[ChoiceGroup], list[ChoiceGroup]]:
        reasons = {reason.value: MISSED_REASON_LABELS_RU[reason] for reason in MissedReason}
        callbacks = {state.value: CALLBACK_STATE_LABELS_RU[state] for state in CallbackState}
        shorts = {short.value: SHORT_CALLS_LABELS_RU[short] for short in ShortCalls}
        timelines = {timeline.value: TIMELINE_LABELS_RU[timeline] for timeline in Timeline}
        short_legend = f"Короткие (меньше {self.short_call_threshold_s:g} с)"
        return [
            choice_group(
                values, CHART, "График", timelines, kind="radio", default="day", invalid=invalid
            ),
            choice_group(
                values, SHORT, short_legend, shorts, kind="radio", default="all", invalid=invalid
            ),
        ], [
            choice_group(values, REASON, "Причина", reasons, invalid=invalid),
            choice_group(values, TOPIC, "Тема", TOPIC_CHOICE_LABELS_RU, invalid=invalid),
            choice_group(values, CALLBACK, "Обратный звонок", callbacks, invalid=invalid),
        ]

    def body(
        self,
        session: Session,
        values: FilterValues,
        query: MissedReport,
        number: int,
        choices: Choices,
    ) -> Body:
        tz, period = query.tz, query.period
        timeline = one_of(values, CHART, "график", Timeline, Timeline.DAY)
        if timeline is Timeline.HOUR:
            check_hourly(period)
        tally = query.tally(session)
        shown = rows_shown(values, number, tally.total)
        rows = query.page(session, offset=shown.offset, limit=shown.limit)
        return Body(
            facts=[
                FactGroup(
                    "Итого",
                    [
                        Fact("Пропущено", str(tally.total)),
                        Fact("Из них коротких", str(tally.short)),
                    ],
                ),
                FactGroup(
                    "По причинам",
                    [
                        Fact(MISSED_REASON_LABELS_RU[r], str(tally.by_reason[r]))
                        for r in MissedReason
                    ],
                ),
                FactGroup(
                    "Обратный звонок",
                    [
                        Fact(CALLBACK_STATE_LABELS_RU[s], str(tally.by_callback[s]))
                        for s in CallbackState
                    ],
                ),
            ],
            charts=[
                bar_chart(timeline_series(tally.hours, period, tz, timeline, WHAT)),
                bar_chart(hour_of_day_series(tally.hours, period, tz, WHAT), width=HOURS_WIDTH),
            ],
            table=table_view(
                f"{WHAT} за {period.label()}", query.columns, [row.cells() for row in rows]
            ),
            total=tally.total,
            page=shown.page,
        )
