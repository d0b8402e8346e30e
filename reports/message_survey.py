"""The written messages' survey (W12) in the survey report: the report's «Письменные обращения»
channel (``reports.survey``; the calls' figures are untouched by it).

For a period of the line's local days it counts the survey links issued (``issued_at``) and how
many of them are answered, and the answers received (``answered_at``, indexed) by question
(``reports.message_survey_figures``); its table is one row per answer received in the period,
in the order they came, with the message's number and the client's comment — the list the
supervisor reads (the page escapes it, the CSV quotes what a spreadsheet would run).

The rating of personal visits (V13) is the same survey in ``visit_surveys``: the report's
«Личный приём» channel is this report over :data:`VISITS` (:func:`visit_survey_report`), its
table naming the employee who received and the visit's time; «links sent» counts the letters
only, the answers include those an employee recorded at the reception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from call_card.labels import QUALITY_LABELS_RU, YES_NO_LABELS_RU
from models.exports import BATCH, batches
from models.tables import Employee, MessageSurvey, VisitBooking, VisitSurvey, WrittenMessage
from reports.message_survey_figures import (
    AnswerCount,
    MessageSurveyCounts,
    figure_rows,
    message_survey_tally,
)
from reports.period import Period
from reports.table import Column, Kind, Row, Sheet

CHANNEL = "channel"


class Channel(StrEnum):
    CALLS = "calls"
    MESSAGES = "messages"
    VISITS = "visits"


CHANNEL_LABELS_RU: dict[Channel, str] = {
    Channel.CALLS: "Звонки",
    Channel.MESSAGES: "Письменные обращения",
    Channel.VISITS: "Личный приём",
}

COLUMNS: tuple[Column, ...] = (
    Column("Обращение", Kind.TEXT, 18),
    Column("Обращение поступило", Kind.INSTANT, 18),
    Column("Ссылка отправлена", Kind.INSTANT, 18),
    Column("Ответ на опрос дан", Kind.INSTANT, 18),
    Column("Получен ли ответ на вопрос", Kind.TEXT, 18),
    Column("Оценка работы с обращением", Kind.TEXT, 22),
    Column("Комментарий", Kind.TEXT, 60),
)
VISIT_COLUMNS: tuple[Column, ...] = (
    Column("Принимал(а)", Kind.TEXT, 24),
    Column("Время приёма", Kind.INSTANT, 18),
    Column("Ссылка отправлена или оценка записана", Kind.INSTANT, 18),
    Column("Ответ на опрос дан", Kind.INSTANT, 18),
    Column("Получен ли ответ на вопрос", Kind.TEXT, 18),
    Column("Оценка приёма", Kind.TEXT, 22),
    Column("Комментарий", Kind.TEXT, 60),
)
TOTALS_COLUMNS: tuple[Column, ...] = (
    Column("Показатель", Kind.TEXT, 34),
    Column("Значение", Kind.NUMBER, 10),
)


@dataclass(frozen=True, slots=True)
class SurveySource:
    """Where one channel's survey rows are and what names the subject of each."""

    channel: Channel
    table: type[MessageSurvey] | type[VisitSurvey]
    joins: tuple[tuple[Any, Any], ...]  # (table, on) from the survey row to the subject
    number: Any  # the subject's label: a message's number, the employee who received
    dated: Any  # the subject's instant: the message's arrival, the visit's start
    links_only: bool  # «links sent» counts only rows with a link (a visit: not on the spot)
    caption_ru: str  # «Ответы на опрос по … за <период>»
    no_answers_ru: str
    quality_ru: str  # the quality question's heading in the figures


MESSAGES: Final = SurveySource(
    channel=Channel.MESSAGES,
    table=MessageSurvey,
    joins=((WrittenMessage, col(WrittenMessage.id) == col(MessageSurvey.message_id)),),
    number=col(WrittenMessage.number),
    dated=col(WrittenMessage.received_at),
    links_only=False,
    caption_ru="Ответы на опрос по письменным обращениям",
    no_answers_ru="За этот период ответов на опрос по письменным обращениям нет.",
    quality_ru="Оценка работы с обращением",
)
VISITS: Final = SurveySource(
    channel=Channel.VISITS,
    table=VisitSurvey,
    joins=(
        (VisitBooking, col(VisitBooking.id) == col(VisitSurvey.booking_id)),
        (Employee, col(Employee.id) == col(VisitBooking.employee_id)),
    ),
    number=col(Employee.full_name),
    dated=col(VisitBooking.starts_at),
    links_only=True,
    caption_ru="Оценки личного приёма",
    no_answers_ru="За этот период оценок личного приёма нет.",
    quality_ru="Оценка приёма",
)


@dataclass(frozen=True, slots=True)
class MessageSurveyRow:
    number: str
    received_at: datetime  # local: when the message came
    issued_at: datetime  # local: when the link went out
    answered_at: datetime  # local
    resolved: str
    quality: str
    comment: str

    def cells(self) -> Row:
        return (
            self.number,
            self.received_at,
            self.issued_at,
            self.answered_at,
            self.resolved,
            self.quality,
            self.comment,
        )


@dataclass(frozen=True, slots=True)
class MessageSurveyReport:
    """The written messages' survey for one period (a ``reports.report.ReportQuery``)."""

    period: Period
    tz: ZoneInfo
    columns: tuple[Column, ...] = COLUMNS
    source: SurveySource = MESSAGES

    def tally(self, session: Session) -> MessageSurveyCounts:
        start, end = self.period.bounds(self.tz)
        survey = self.source.table
        issued = col(survey.issued_at)
        links = [col(survey.token_hash).is_not(None)] if self.source.links_only else []
        sent, sent_answered = session.execute(
            select(func.count(), func.count(col(survey.answered_at))).where(
                issued >= start, issued < end, *links
            )
        ).one()
        received, quality = col(survey.answer_received), col(survey.quality)
        commented = func.count(case((col(survey.comment) != "", 1)))
        grouped = session.execute(
            select(received, quality, func.count(), commented)
            .where(*_answered_in(survey, start, end))
            .group_by(received, quality)
        )
        return message_survey_tally(sent, sent_answered, (AnswerCount(*group) for group in grouped))

    def page(self, session: Session, *, offset: int, limit: int) -> list[MessageSurveyRow]:
        return list(self._rows(session, offset=offset, limit=limit))

    def rows(self, session: Session) -> Iterator[Row]:
        return (row.cells() for row in self._rows(session))

    def sheets(self, session: Session) -> list[Sheet]:
        return [Sheet("Итоги", TOTALS_COLUMNS, figure_rows(self.tally(session)))]

    def describe(self) -> str:
        period = f"since={self.period.since} until={self.period.until}"
        return f"{period} {CHANNEL}={self.source.channel}"

    def _rows(
        self, session: Session, *, offset: int = 0, limit: int | None = None
    ) -> Iterator[MessageSurveyRow]:
        """One row per answer received in the period, in the order they came."""
        start, end = self.period.bounds(self.tz)
        source, survey = self.source, self.source.table
        query = select(
            source.number,
            source.dated,
            col(survey.issued_at),
            col(survey.answered_at),
            col(survey.answer_received),
            col(survey.quality),
            col(survey.comment),
        ).select_from(survey)
        for joined, on in source.joins:
            query = query.join(joined, on)
        query = (
            query.where(*_answered_in(survey, start, end))
            .order_by(col(survey.answered_at), col(survey.id))
            .offset(offset)
            .limit(limit)
            .execution_options(yield_per=BATCH)
        )
        tz = self.tz
        for batch in batches(session.execute(query)):
            for number, received_at, issued_at, answered_at, answer, rating, comment in batch:
                yield MessageSurveyRow(
                    number=number,
                    received_at=received_at.astimezone(tz),
                    issued_at=issued_at.astimezone(tz),
                    answered_at=answered_at.astimezone(tz),
                    resolved=YES_NO_LABELS_RU[answer] if answer else "",
                    quality=QUALITY_LABELS_RU[rating] if rating else "",
                    comment=comment,
                )


def visit_survey_report(period: Period, tz: ZoneInfo) -> MessageSurveyReport:
    """The «Личный приём» channel: the ratings of personal visits (V13)."""
    return MessageSurveyReport(period, tz, VISIT_COLUMNS, VISITS)


def _answered_in(
    survey: type[MessageSurvey] | type[VisitSurvey], start: datetime, end: datetime
) -> list[Any]:
    answered = col(survey.answered_at)
    return [answered >= start, answered < end]
