"""The post-call survey (C15): both questions per operator and for the whole line, the response
rate, partial answers and the trend; one table row per survey.

The report reads the calls that arrived in the period (``calls.arrived_at``, indexed) and were
answered by an operator, or carry a survey answer, with their ``survey_responses`` row (unique
by call). Which operator: the one who answered the call (``calls.operator_id``), else the one
the survey stored (the queue member the caller spoke to). What counts (``reports.survey_figures``):

* offered — the caller reached the survey: the operator hung up first (``hangup_side`` =
  operator; the queue then sends the caller to the survey), or an answer was stored (after a
  transfer the employee's hang-up leads there too);
* complete — both answers stored; partial — some answer but not both (a caller who hangs up
  after the first question); not answered — offered, no answer.

The counts (:func:`survey_tally`) — one row per operator, and one per UTC hour of arrival for the
trend, spread over local days here — are sums of ``survey_counts``, which triggers keep by hour
and operator as calls and answers are written (``models.tables.report_counts``); a topic or
language filter, not among those counts, has them grouped from the period's calls instead.

The same report has a second channel, ``channel=messages``: the survey of written messages
(W12, ``reports.message_survey``), with its own figures and table, and a third,
``channel=visits``: the rating of personal visits (V13, the same report over ``visit_surveys``);
the default, ``calls``, is all of the above, unchanged by them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from call_card.labels import LANGUAGE_LABELS_RU, QUALITY_LABELS_RU, YES_NO_LABELS_RU
from models.exports import BATCH, batches
from models.rules.missed import CallOutcome
from models.rules.survey import AnswerReceived, QualityRating
from models.tables import Employee, Language, SurveyResponse
from models.tables.calls import Call, HangupSide
from models.tables.report_counts import SURVEY_MEASURES, SurveyCount
from models.topics import TOPIC_LABELS_RU, Topic
from reports.hours import HOUR_TEXT, hour_text_bounds, utc_hour
from reports.inputs import FilterValues, InputError, chosen, one_of
from reports.message_survey import (
    CHANNEL,
    Channel,
    MessageSurveyReport,
    visit_survey_report,
)
from reports.missed import NO_TOPIC, NO_TOPIC_LABEL_RU, TOPIC_CHOICES, topic_condition
from reports.period import Period
from reports.report import ReportSpec
from reports.survey_figures import (
    NO_OPERATOR_LABEL_RU,
    OperatorCounts,
    SurveyCounts,
    SurveyTally,
)
from reports.survey_sheets import tally_sheets
from reports.table import Column, Kind, Row, Sheet

OPERATOR, TOPIC, LANGUAGE = "operator", "topic", "language"
CALL_FILTERS = (OPERATOR, TOPIC, LANGUAGE)
CALLS_ONLY = (
    "Фильтры «оператор», «тема» и «язык» — только для звонков: чтобы увидеть опрос по "
    "письменным обращениям, снимите их."
)
NUMBER_MAX = 8  # employees.internal_number
COMPLETE_RU, PARTIAL_RU = "полностью", "частично"
LANGUAGE_CHOICES: dict[str, Language] = {language.value: language for language in Language}

COLUMNS: tuple[Column, ...] = (
    Column("Поступил", Kind.INSTANT, 18),
    Column("Оператор", Kind.TEXT, 30),
    Column("Внутренний номер", Kind.TEXT, 10),
    Column("Тема", Kind.TEXT, 30),
    Column("Язык", Kind.TEXT, 11),
    Column("Получен ли ответ на вопрос", Kind.TEXT, 18),
    Column("Оценка консультанта", Kind.TEXT, 22),
    Column("Опрос пройден", Kind.TEXT, 12),
    Column("Ответ дан", Kind.INSTANT, 18),
)


@dataclass(frozen=True, slots=True)
class SurveyFilters:
    """Empty sets: no filter. Operators by internal number; ``None`` among the topics: no
    topic chosen."""

    operators: frozenset[str] = frozenset()
    topics: frozenset[Topic | None] = frozenset()
    languages: frozenset[Language] = frozenset()


def survey_filters(values: FilterValues) -> SurveyFilters:
    return SurveyFilters(
        operators=_operator_numbers(values),
        topics=chosen(values, TOPIC, "тема", TOPIC_CHOICES),
        languages=chosen(values, LANGUAGE, "язык", LANGUAGE_CHOICES),
    )


def _operator_numbers(values: FilterValues) -> frozenset[str]:
    found = {value.strip() for value in values.get(OPERATOR, ()) if value.strip()}
    for number in sorted(found):
        if not (number.isdigit() and len(number) <= NUMBER_MAX):
            raise InputError(_unknown_operator(number), OPERATOR)
    return frozenset(found)


def check_operators(session: Session, values: FilterValues) -> None:
    """Every operator asked for is an employee of the line (``ReportSpec.check``)."""
    asked = _operator_numbers(values)
    if not asked:
        return
    known = set(
        session.execute(
            select(col(Employee.internal_number)).where(col(Employee.internal_number).in_(asked))
        ).scalars()
    )
    unknown = sorted(asked - known)
    if unknown:
        raise InputError(_unknown_operator(unknown[0]), OPERATOR)


def _unknown_operator(number: str) -> str:
    shown = number if len(number) <= 20 else number[:20] + "…"
    return (
        f"Неизвестное значение «{shown}» фильтра «оператор»: "
        "укажите внутренний номер сотрудника линии."
    )


@dataclass(frozen=True, slots=True)
class SurveyRow:
    arrived_at: datetime  # local
    operator: str
    operator_number: str
    topic: str
    language: str
    resolved: str
    quality: str
    completion: str
    answered_at: datetime  # local

    def cells(self) -> Row:
        return (
            self.arrived_at,
            self.operator,
            self.operator_number,
            self.topic,
            self.language,
            self.resolved,
            self.quality,
            self.completion,
            self.answered_at,
        )


@dataclass(frozen=True, slots=True)
class SurveyReport:
    """The report for one period and filters (a ``reports.report.ReportQuery``)."""

    period: Period
    filters: SurveyFilters
    tz: ZoneInfo
    columns: tuple[Column, ...] = COLUMNS

    def tally(self, session: Session) -> SurveyTally:
        return survey_tally(session, self)

    def page(self, session: Session, *, offset: int, limit: int) -> list[SurveyRow]:
        return list(survey_rows(session, self, offset=offset, limit=limit))

    def rows(self, session: Session) -> Iterator[Row]:
        return (row.cells() for row in survey_rows(session, self))

    def sheets(self, session: Session) -> list[Sheet]:
        return tally_sheets(self.tally(session), self.period, self.tz)

    def describe(self) -> str:
        f = self.filters
        parts = [f"since={self.period.since} until={self.period.until}"]
        for name, chosen_values in (
            (OPERATOR, list(f.operators)),
            (TOPIC, [t.value if t else NO_TOPIC for t in f.topics]),
            (LANGUAGE, [language.value for language in f.languages]),
        ):
            if chosen_values:
                parts.append(f"{name}={','.join(sorted(chosen_values))}")
        return " ".join(parts)


SurveyQuery = SurveyReport | MessageSurveyReport


def survey_report(period: Period, values: FilterValues, tz: ZoneInfo) -> SurveyQuery:
    """The calls' survey, or with ``channel=messages`` the written messages' (W12), with
    ``channel=visits`` the personal visits' (V13), which the calls' filters do not apply to:
    given with them, they are refused."""
    channel = one_of(values, CHANNEL, "канал", Channel, Channel.CALLS)
    if channel is Channel.CALLS:
        return SurveyReport(period, survey_filters(values), tz)
    if calls_filtered(values):
        raise InputError(CALLS_ONLY, CHANNEL)
    if channel is Channel.VISITS:
        return visit_survey_report(period, tz)
    return MessageSurveyReport(period, tz)


def calls_filtered(values: FilterValues) -> bool:
    """Whether any of the calls' filters is given a value."""
    return any(value.strip() for name in CALL_FILTERS for value in values.get(name, ()))


SURVEY = ReportSpec(
    name="survey",
    title="Опрос после консультации",
    file_stem="survey",
    filters=(CHANNEL, OPERATOR, TOPIC, LANGUAGE),
    query=survey_report,
    check=check_operators,
)


# --------------------------------------------------------------------------- queries


def _operator() -> ColumnElement[Any]:
    return func.coalesce(col(Call.operator_id), col(SurveyResponse.operator_id))


def _conditions(report: SurveyReport) -> list[ColumnElement[bool]]:
    start, end = report.period.bounds(report.tz)
    f = report.filters
    found: list[ColumnElement[bool]] = [
        col(Call.arrived_at) >= start,
        col(Call.arrived_at) < end,
        or_(col(Call.outcome) == CallOutcome.ANSWERED, col(SurveyResponse.id).is_not(None)),
    ]
    if f.operators:
        found.append(_operator().in_(_numbered(f.operators)))
    if f.topics:
        found.append(topic_condition(f.topics))
    if f.languages:
        found.append(col(Call.language).in_(sorted(f.languages)))
    return found


def _numbered(numbers: frozenset[str]) -> Any:
    """The ids of the employees with these internal numbers, as a subquery."""
    return (
        select(col(Employee.id))
        .where(col(Employee.internal_number).in_(sorted(numbers)))
        .scalar_subquery()
    )


def _survey_join() -> ColumnElement[bool]:
    return col(SurveyResponse.call_id) == col(Call.id)


def _counted(condition: ColumnElement[bool]) -> Any:
    return func.count(case((condition, 1)))


def _measures() -> list[Any]:
    """The columns of :class:`SurveyCounts`, in its order, as counts over the group."""
    resolved, quality = col(SurveyResponse.answer_received), col(SurveyResponse.quality)
    has_survey = col(SurveyResponse.id).is_not(None)
    both = and_(resolved.is_not(None), quality.is_not(None))
    some = or_(resolved.is_not(None), quality.is_not(None))
    answered = col(Call.outcome) == CallOutcome.ANSWERED
    return [
        _counted(answered),
        _counted(or_(has_survey, and_(answered, col(Call.hangup_side) == HangupSide.OPERATOR))),
        _counted(both),
        _counted(and_(some, ~both)),
        _counted(resolved == AnswerReceived.YES),
        _counted(resolved == AnswerReceived.NO),
        _counted(quality == QualityRating.SATISFIED),
        _counted(quality == QualityRating.PARTLY_SATISFIED),
        _counted(quality == QualityRating.NOT_SATISFIED),
    ]


def survey_tally(session: Session, report: SurveyReport) -> SurveyTally:
    """The counts by operator and by hour of arrival: sums of the counts the database keeps by
    hour and operator (``models.tables.report_counts``), or, with a topic or language filter
    (not among those counts), grouped from the calls."""
    f = report.filters
    if f.topics or f.languages:
        by_operator, by_hour = _grouped_calls(session, report)
    else:
        by_operator, by_hour = _summed_counts(session, report)
    return SurveyTally(_operator_rows(session, by_operator), by_hour)


def _summed_counts(
    session: Session, report: SurveyReport
) -> tuple[dict[int | None, SurveyCounts], dict[datetime, SurveyCounts]]:
    first, past = hour_text_bounds(report.period, report.tz)
    conditions = [col(SurveyCount.hour) >= first, col(SurveyCount.hour) < past]
    if report.filters.operators:
        conditions.append(col(SurveyCount.operator_id).in_(_numbered(report.filters.operators)))
    sums = [func.sum(getattr(SurveyCount, name)) for name in SURVEY_MEASURES]
    operator, hour = col(SurveyCount.operator_id), col(SurveyCount.hour)
    by_operator = {
        key or None: SurveyCounts(*counts)
        for key, *counts in session.execute(
            select(operator, *sums).where(*conditions).group_by(operator)
        )
    }
    by_hour = {
        _hour(text): SurveyCounts(*counts)
        for text, *counts in session.execute(select(hour, *sums).where(*conditions).group_by(hour))
    }
    return by_operator, by_hour


def _grouped_calls(
    session: Session, report: SurveyReport
) -> tuple[dict[int | None, SurveyCounts], dict[datetime, SurveyCounts]]:
    conditions = _conditions(report)
    operator = _operator()
    by_operator = (
        select(operator, *_measures())
        .select_from(Call)
        .outerjoin(SurveyResponse, _survey_join())
        .where(*conditions)
        .group_by(operator)
    )
    hour = utc_hour(col(Call.arrived_at), session.get_bind().dialect.name)
    hourly = (
        select(hour, *_measures())
        .select_from(Call)
        .outerjoin(SurveyResponse, _survey_join())
        .where(*conditions)
        .group_by(hour)
    )
    return (
        {row[0]: SurveyCounts(*row[1:]) for row in session.execute(by_operator)},
        {_hour(text): SurveyCounts(*counts) for text, *counts in session.execute(hourly)},
    )


def _hour(text: str) -> datetime:
    return datetime.strptime(text, HOUR_TEXT).replace(tzinfo=UTC)


def _operator_rows(
    session: Session, counted: dict[int | None, SurveyCounts]
) -> list[OperatorCounts]:
    people = {
        person.id: person
        for person in session.execute(
            select(Employee).where(col(Employee.id).in_([i for i in counted if i is not None]))
        ).scalars()
    }
    operators = [
        OperatorCounts(
            key,
            people[key].full_name if key in people else NO_OPERATOR_LABEL_RU,
            people[key].internal_number if key in people else "",
            counts,
        )
        for key, counts in counted.items()
    ]
    operators.sort(key=lambda one: (one.operator_id is None, one.name, one.number))
    return operators


def survey_rows(
    session: Session, report: SurveyReport, *, offset: int = 0, limit: int | None = None
) -> Iterator[SurveyRow]:
    """One row per survey with an answer, in order of the call's arrival."""
    resolved, quality = col(SurveyResponse.answer_received), col(SurveyResponse.quality)
    query = (
        select(
            col(Call.arrived_at),
            col(Employee.full_name),
            col(Employee.internal_number),
            col(Call.topic),
            col(Call.language),
            resolved,
            quality,
            col(SurveyResponse.created_at),
        )
        .select_from(Call)
        .join(SurveyResponse, _survey_join())
        .outerjoin(Employee, col(Employee.id) == _operator())
        .where(*_conditions(report), or_(resolved.is_not(None), quality.is_not(None)))
        .order_by(col(Call.arrived_at), col(Call.id))
        .offset(offset)
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    tz = report.tz
    for batch in batches(session.execute(query)):
        for arrived_at, name, number, topic, language, answer, rating, answered_at in batch:
            yield SurveyRow(
                arrived_at=arrived_at.astimezone(tz),
                operator=name or NO_OPERATOR_LABEL_RU,
                operator_number=number or "",
                topic=TOPIC_LABELS_RU[topic] if topic else NO_TOPIC_LABEL_RU,
                language=LANGUAGE_LABELS_RU[language] if language else "",
                resolved=_yes_no(answer),
                quality=QUALITY_LABELS_RU[rating] if rating else "",
                completion=COMPLETE_RU if answer and rating else PARTIAL_RU,
                answered_at=answered_at.astimezone(tz),
            )


def _yes_no(answer: AnswerReceived | None) -> str:
    return YES_NO_LABELS_RU[answer] if answer is not None else ""
