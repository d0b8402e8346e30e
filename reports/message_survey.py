"""The written messages' survey (W12) in the survey report: the report's «Письменные обращения»
channel (``reports.survey``; the calls' figures are untouched by it).

For a period of the line's local days it counts the survey links issued (``issued_at``) and how
many of them are answered, and the answers received (``answered_at``, indexed) by question
(``reports.message_survey_figures``); its table is one row per answer received in the period,
in the order they came, with the message's number and the client's comment — the list the
supervisor reads (the page escapes it, the CSV quotes what a spreadsheet would run).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from call_card.labels import QUALITY_LABELS_RU, YES_NO_LABELS_RU
from models.exports import BATCH, batches
from models.tables import MessageSurvey, WrittenMessage
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


CHANNEL_LABELS_RU: dict[Channel, str] = {
    Channel.CALLS: "Звонки",
    Channel.MESSAGES: "Письменные обращения",
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
TOTALS_COLUMNS: tuple[Column, ...] = (
    Column("Показатель", Kind.TEXT, 34),
    Column("Значение", Kind.NUMBER, 10),
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

    def tally(self, session: Session) -> MessageSurveyCounts:
        start, end = self.period.bounds(self.tz)
        issued = col(MessageSurvey.issued_at)
        sent, sent_answered = session.execute(
            select(func.count(), func.count(col(MessageSurvey.answered_at))).where(
                issued >= start, issued < end
            )
        ).one()
        received, quality = col(MessageSurvey.answer_received), col(MessageSurvey.quality)
        commented = func.count(case((col(MessageSurvey.comment) != "", 1)))
        grouped = session.execute(
            select(received, quality, func.count(), commented)
            .where(*_answered_in(start, end))
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
        return f"since={self.period.since} until={self.period.until} {CHANNEL}={Channel.MESSAGES}"

    def _rows(
        self, session: Session, *, offset: int = 0, limit: int | None = None
    ) -> Iterator[MessageSurveyRow]:
        """One row per answer received in the period, in the order they came."""
        start, end = self.period.bounds(self.tz)
        query = (
            select(
                col(WrittenMessage.number),
                col(WrittenMessage.received_at),
                col(MessageSurvey.issued_at),
                col(MessageSurvey.answered_at),
                col(MessageSurvey.answer_received),
                col(MessageSurvey.quality),
                col(MessageSurvey.comment),
            )
            .join(WrittenMessage, col(WrittenMessage.id) == col(MessageSurvey.message_id))
            .where(*_answered_in(start, end))
            .order_by(col(MessageSurvey.answered_at), col(MessageSurvey.id))
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


def _answered_in(start: datetime, end: datetime) -> list[Any]:
    answered = col(MessageSurvey.answered_at)
    return [answered >= start, answered < end]
