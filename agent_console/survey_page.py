"""The page «Опрос после консультации» (C15), built from the report's figures: the form with
operators, topics and languages, the line's totals, the trend of the response rate and the
satisfied share, the figures per operator and the surveys a page at a time
(``templates/report_survey.html``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from agent_console.navigation import Link
from agent_console.report_pages import (
    PAGE_ROWS,
    PRINT,
    PRINT_ROWS,
    SINCE,
    UNTIL,
    Fact,
    FactGroup,
    ReportForm,
    ReportPage,
    TableView,
    choice_group,
    href,
    pager,
    pages_of,
    printing,
    table_view,
)
from call_card.labels import LANGUAGE_LABELS_RU
from models.tables import Employee, EmployeeRole, Language, Role
from reports.inputs import FilterValues, single
from reports.line_chart import LineChartView, Lines, Point, line_chart, percent_text
from reports.missed import TOPIC_CHOICE_LABELS_RU
from reports.period import Period
from reports.survey import LANGUAGE, OPERATOR, SURVEY, TOPIC, SurveyReport
from reports.survey_figures import Stretch, SurveyCounts, counted_text, weekly
from reports.survey_sheets import OPERATOR_COLUMNS, operator_rows, trend_points

PATH = f"/reports/{SURVEY.name}"
TREND_WIDTH, TREND_HEIGHT = 1250, 190  # the page's full width at 1366×768, text at its size
RESPONSE_RATE_RU, SATISFIED_SHARE_RU = "Доля ответивших", "Доля удовлетворенных"


@dataclass(frozen=True, slots=True)
class SurveyPage(ReportPage):
    trend: LineChartView | None = None
    operators: TableView | None = None


def operator_labels(session: Session) -> dict[str, str]:
    """Every operator of the line (former ones too: their surveys stay), by internal number."""
    people = session.execute(
        select(col(Employee.internal_number), col(Employee.full_name))
        .join(EmployeeRole, col(EmployeeRole.employee_id) == col(Employee.id))
        .where(col(EmployeeRole.role) == Role.OPERATOR)
        .order_by(col(Employee.full_name), col(Employee.internal_number))
    )
    return {number: f"{name} ({number})" for number, name in people}


def survey_form(
    values: FilterValues,
    operators: dict[str, str],
    *,
    period: Period | None = None,
    invalid: str = "",
) -> ReportForm:
    """The form as sent (with the period the report covers, once it is understood)."""
    languages = {language.value: LANGUAGE_LABELS_RU[language] for language in Language}
    return ReportForm(
        action=PATH,
        since=period.since.isoformat() if period else single(values, SINCE) or "",
        until=period.until.isoformat() if period else single(values, UNTIL) or "",
        radios=[],
        checkboxes=[
            choice_group(values, OPERATOR, "Оператор", operators, invalid=invalid),
            choice_group(values, TOPIC, "Тема", TOPIC_CHOICE_LABELS_RU, invalid=invalid),
            choice_group(values, LANGUAGE, "Язык", languages, invalid=invalid),
        ],
        invalid=invalid,
    )


def survey_view(
    session: Session, values: FilterValues, report: SurveyReport, number: int
) -> SurveyPage:
    period = report.period
    tally = report.tally(session)
    line = tally.line
    shown_print = printing(values)
    number = min(number, pages_of(line.responded))
    offset, limit = (0, PRINT_ROWS) if shown_print else ((number - 1) * PAGE_ROWS, PAGE_ROWS)
    rows = report.page(session, offset=offset, limit=limit)
    # The line's operators, and whoever else answered calls in the period (a former operator).
    seen = {one.number: f"{one.name} ({one.number})" for one in tally.operators if one.number}
    operators = dict(sorted((operator_labels(session) | seen).items(), key=lambda kv: kv[1]))
    form = survey_form(values, operators, period=period)
    return SurveyPage(
        title=SURVEY.title,
        form=form,
        period=period.label(),
        filters=[
            Fact(group.legend, ", ".join(o.label for o in group.options if o.checked) or "Все")
            for group in form.checkboxes
        ],
        facts=_facts(line),
        trend=line_chart(
            _trend(period, trend_points(tally, period, report.tz)),
            width=TREND_WIDTH,
            height=TREND_HEIGHT,
        ),
        operators=table_view(
            f"По операторам за {period.label()}", OPERATOR_COLUMNS, operator_rows(tally)
        ),
        table=table_view(f"Опросы за {period.label()}", report.columns, [r.cells() for r in rows]),
        pager=None if shown_print else pager(PATH, values, number, line.responded),
        downloads=[
            Link(href(f"{PATH}.xlsx", values), "Скачать XLSX"),
            Link(href(f"{PATH}.csv", values), "Скачать CSV"),
        ],
        print_href=href(PATH, values, **{PRINT: "1"}),
        back_href=href(PATH, values),
        printing=shown_print,
        note=(
            f"Показаны первые {PRINT_ROWS} опросов из {line.responded}; все — в XLSX или CSV."
            if shown_print and line.responded > PRINT_ROWS
            else ""
        ),
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
