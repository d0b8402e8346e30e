"""«Опрос после консультации» (C15, ``reports.survey``): the form with operators, topics and
languages, the line's totals, the trend of the response rate and the satisfied share, the
figures per operator and the surveys a page at a time (``templates/report_survey.html``).

The form's «Канал» chooses the written messages' survey instead (W12,
``agent_console.screens.message_survey``); the calls' filters are then folded away.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from agent_console.deps import Backend
from agent_console.report_pages import (
    ChoiceGroup,
    Fact,
    FactGroup,
    TableView,
    choice_group,
    table_view,
)
from agent_console.report_screen import Body, Choices, ReportScreen, rows_shown
from agent_console.screens.message_survey import message_survey_body
from call_card.labels import LANGUAGE_LABELS_RU
from models.tables import Employee, EmployeeRole, Language, Role
from reports.inputs import FilterValues
from reports.line_chart import LineChartView, Lines, Point, line_chart, percent_text
from reports.message_survey import CHANNEL, CHANNEL_LABELS_RU, Channel, MessageSurveyReport
from reports.missed import TOPIC_CHOICE_LABELS_RU
from reports.period import Period
from reports.report import ReportSpec
from reports.survey import (
    CALL_FILTERS,
    LANGUAGE,
    OPERATOR,
    SURVEY,
    TOPIC,
    SurveyQuery,
    SurveyReport,
    calls_filtered,
    survey_report,
)
from reports.survey_figures import Stretch, SurveyCounts, counted_text, weekly
from reports.survey_sheets import OPERATOR_COLUMNS, operator_rows, trend_points

TREND_WIDTH, TREND_HEIGHT = 1250, 190  # the page's full width at 1366×768, text at its size
RESPONSE_RATE_RU, SATISFIED_SHARE_RU = "Доля ответивших", "Доля удовлетворенных"


@dataclass(frozen=True, slots=True)
class SurveyExtra:
    """The survey's own part of the page: the trend as lines, the figures per operator."""

    trend: LineChartView
    operators: TableView


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyScreen(ReportScreen[SurveyQuery]):
    spec: ReportSpec = SURVEY
    unit: str = "опросов"
    template: str = "report_survey.html"

    def choices(self, session: Session) -> Choices:
        """Every operator of the line (former ones too: their surveys stay)."""
        people = session.execute(
            select(col(Employee.internal_number), col(Employee.full_name))
            .join(EmployeeRole, col(EmployeeRole.employee_id) == col(Employee.id))
            .where(col(EmployeeRole.role) == Role.OPERATOR)
            .order_by(col(Employee.full_name), col(Employee.internal_number))
        )
        return {number: f"{name} ({number})" for number, name in people}

    def made(
        self, session: Session, period: Period, values: FilterValues, backend: Backend
    ) -> SurveyQuery:
        report = survey_report(period, values, backend.settings.tz)
        SURVEY.check(session, values)
        return report

    def groups(
        self, values: FilterValues, choices: Choices, invalid: str
    ) -> tuple[list[ChoiceGroup], list[ChoiceGroup]]:
        languages = {language.value: LANGUAGE_LABELS_RU[language] for language in Language}
        channel = choice_group(
            values,
            CHANNEL,
            "Канал",
            {key.value: label for key, label in CHANNEL_LABELS_RU.items()},
            kind="radio",
            default=Channel.CALLS.value,
            invalid=invalid,
        )
        calls = [
            choice_group(values, OPERATOR, "Оператор", choices, invalid=invalid),
            choice_group(values, TOPIC, "Тема", TOPIC_CHOICE_LABELS_RU, invalid=invalid),
            choice_group(values, LANGUAGE, "Язык", languages, invalid=invalid),
        ]
        messages = any(o.checked and o.value != Channel.CALLS for o in channel.options)
        if messages and not calls_filtered(values) and invalid not in CALL_FILTERS:
            return [channel], []  # nothing of the calls' to choose
        return [channel], calls

    def body(
        self,
        session: Session,
        values: FilterValues,
        query: SurveyQuery,
        number: int,
        choices: Choices,
    ) -> Body:
        if isinstance(query, MessageSurveyReport):
            return message_survey_body(session, values, query, number)
        return _calls_body(session, values, query, number, choices)


def _calls_body(
    session: Session, values: FilterValues, query: SurveyReport, number: int, choices: Choices
) -> Body:
    period = query.period
    tally = query.tally(session)
    line = tally.line
    shown = rows_shown(values, number, line.responded)
    rows = query.page(session, offset=shown.offset, limit=shown.limit)
    # The line's operators, and whoever else answered calls in the period (a former one).
    seen = {one.number: f"{one.name} ({one.number})" for one in tally.operators if one.number}
    operators = sorted({**choices, **seen}.items(), key=lambda kv: kv[1])
    trend = _trend(period, trend_points(tally, period, query.tz))
    return Body(
        facts=_facts(line),
        extra=SurveyExtra(
            trend=line_chart(trend, width=TREND_WIDTH, height=TREND_HEIGHT),
            operators=table_view(
                f"По операторам за {period.label()}", OPERATOR_COLUMNS, operator_rows(tally)
            ),
        ),
        table=table_view(f"Опросы за {period.label()}", query.columns, [r.cells() for r in rows]),
        total=line.responded,
        page=shown.page,
        choices=dict(operators),
    )


def _facts(line: SurveyCounts) -> list[FactGroup]:
    return [
        FactGroup(
            "Итого",
            [
                Fact("Принято звонков", str(line.answered_calls)),
                Fact("Опрос предложен", str(line.offered)),
                Fact("Ответили полностью", str(line.complete)),
                Fact("Частично (только первый вопрос)", str(line.partial)),
                Fact("Не ответили", str(line.not_responded)),
                Fact(RESPONSE_RATE_RU, percent_text(line.response_rate)),
            ],
        ),
        FactGroup(
            "Получен ли ответ на вопрос",
            [
                Fact("Да", counted_text(line.resolved_yes, line.resolved_answers)),
                Fact("Нет", counted_text(line.resolved_no, line.resolved_answers)),
            ],
        ),
        FactGroup(
            "Оценка консультанта",
            [
                Fact("Удовлетворен", counted_text(line.satisfied, line.ratings)),
                Fact("Частично удовлетворен", counted_text(line.partly_satisfied, line.ratings)),
                Fact("Не удовлетворен", counted_text(line.not_satisfied, line.ratings)),
                Fact(SATISFIED_SHARE_RU, percent_text(line.satisfied_share)),
            ],
        ),
    ]


def _trend(period: Period, points: list[Stretch]) -> Lines:
    step = "по неделям" if weekly(period) else "по дням"
    return Lines(
        key="survey-trend",
        title=f"{RESPONSE_RATE_RU} и {SATISFIED_SHARE_RU.lower()} {step}, {period.label()}",
        names=(RESPONSE_RATE_RU, SATISFIED_SHARE_RU),
        points=tuple(
            Point(p.label, p.name, (p.counts.response_rate, p.counts.satisfied_share))
            for p in points
        ),
    )
