"""The caller's interaction history on the call card (G3): earlier calls with their outcomes,
callback tasks and survey answers, written messages and personal visits (upcoming ones first:
they lie ahead), newest first, bounded.

``models.history`` reads the ``client_interaction_history`` view, which holds only rows linked
to a client record. The line itself never creates client records, so most callers have none:
their earlier calls and tasks are found by the number instead (clients are keyed by their
E.164 number, ``models.phones``). A row matches when it belongs to the client *or* to the
number; the card reads the tables directly to match on both and to name operators and agencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from call_card.labels import (
    ANSWER_RECEIVED_LABELS_RU,
    CALL_IN_PROGRESS_RU,
    CALL_OUTCOME_LABELS_RU,
    CALLBACK_STATUS_LABELS_RU,
    QUALITY_LABELS_RU,
)
from call_card.lookup import employee_names
from models.message_labels import STATUS_RU
from models.rules.message_states import OPEN_STATES
from models.rules.missed import MISSED_REASON_LABELS_RU
from models.tables import (
    Call,
    CallbackTask,
    CallReferral,
    Client,
    Interpreter,
    MessageStatus,
    ReceptionPoint,
    SurveyResponse,
    VisitBooking,
    VisitSurvey,
    WrittenMessage,
)
from models.topics import TOPIC_LABELS_RU
from visits.visit_labels import INTERPRETER_LABELS_RU, VISIT_CHANNEL_RU, VISIT_STATUS_RU

HISTORY_LIMIT = 20


class HistoryKind(StrEnum):
    CALL = "call"
    CALLBACK = "callback"
    SURVEY = "survey"
    MESSAGE = "message"  # a written message (W): the caller asks where it stands (C1)
    VISIT = "visit"  # a personal visit booked (V1–V6), past or to come, and its rating (V13)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    kind: HistoryKind
    ref_id: int  # calls.id, callback_tasks.id, survey_responses.id, written_messages.id or
    # visit_bookings.id
    occurred_at: datetime  # arrival, request, survey, registration instant or visit (UTC)
    status: str  # the stored value: call outcome, task or message status, survey completeness
    status_label: str  # Russian
    summary: str  # Russian: topic, operator, agency named; the question; the answers
    linkedid: str | None = None  # the call (of a call or a survey)


def interaction_history(
    session: Session,
    *,
    client_id: int | None,
    phone_e164: str | None,
    exclude_call_id: int | None = None,
    limit: int = HISTORY_LIMIT,
) -> list[HistoryEntry]:
    """The newest ``limit`` entries of the client's or the number's history, newest first;
    ``exclude_call_id`` (the call on the card) is left out with its survey."""
    if limit < 1 or (client_id is None and phone_e164 is None):
        return []
    calls = _calls(session, client_id, phone_e164, exclude_call_id, limit)
    entries = calls + _callbacks(session, client_id, phone_e164, limit)
    entries += _surveys(session, client_id, phone_e164, exclude_call_id, limit)
    entries += _messages(session, client_id, phone_e164, limit)
    entries += _visits(session, client_id, phone_e164, limit)
    entries.sort(key=lambda entry: (entry.occurred_at, entry.kind.value, entry.ref_id))
    entries.reverse()
    return entries[:limit]


def owner_filter(
    client_column: Any, phone_column: Any, client_id: int | None, phone_e164: str | None
) -> ColumnElement[bool]:
    """The row belongs to the client's record or carries the number (the client's history
    everywhere: the card's, and the whole of it in ``client_history.store``)."""
    conditions = []
    if client_id is not None:
        conditions.append(col(client_column) == client_id)
    if phone_e164 is not None:
        conditions.append(col(phone_column) == phone_e164)
    return or_(*conditions)


def _calls(
    session: Session,
    client_id: int | None,
    phone_e164: str | None,
    exclude_call_id: int | None,
    limit: int,
) -> list[HistoryEntry]:
    query = select(Call).where(
        owner_filter(Call.client_id, Call.caller_e164, client_id, phone_e164)
    )
    if exclude_call_id is not None:
        query = query.where(col(Call.id) != exclude_call_id)
    calls = list(session.exec(query.order_by(col(Call.arrived_at).desc()).limit(limit)))
    ids = [call.id for call in calls if call.id is not None]
    agencies: dict[int, list[str]] = {}
    if ids:
        referrals = session.exec(
            select(CallReferral)
            .where(col(CallReferral.call_id).in_(ids))
            .order_by(col(CallReferral.at), col(CallReferral.id))
        )
        for referral in referrals:
            agencies.setdefault(referral.call_id, []).append(
                referral.agency_title or "ведомство не названо"
            )
    operators = employee_names(session, {call.operator_id for call in calls})
    entries = []
    for call in calls:
        assert call.id is not None
        parts = [TOPIC_LABELS_RU[call.topic] if call.topic else "тема не выбрана"]
        if call.missed_reason is not None:
            parts.append(MISSED_REASON_LABELS_RU[call.missed_reason])
        if call.operator_id in operators:
            parts.append(f"оператор {operators[call.operator_id]}")
        if call.id in agencies:
            parts.append("вне полномочий: " + ", ".join(agencies[call.id]))
        entries.append(
            HistoryEntry(
                kind=HistoryKind.CALL,
                ref_id=call.id,
                occurred_at=call.arrived_at,
                status=call.outcome.value if call.outcome else "in_progress",
                status_label=CALL_OUTCOME_LABELS_RU[call.outcome]
                if call.outcome
                else CALL_IN_PROGRESS_RU,
                summary="; ".join(parts),
                linkedid=call.linkedid,
            )
        )
    return entries


def _callbacks(
    session: Session, client_id: int | None, phone_e164: str | None, limit: int
) -> list[HistoryEntry]:
    tasks = session.exec(
        select(CallbackTask)
        .where(owner_filter(CallbackTask.client_id, CallbackTask.phone_e164, client_id, phone_e164))
        .order_by(col(CallbackTask.requested_at).desc())
        .limit(limit)
    )
    entries = []
    for task in tasks:
        assert task.id is not None
        summary = f"ответ обещан к {task.promised_on:%d.%m.%Y}"
        if task.question:
            summary += f"; вопрос: {task.question}"
        if task.result_note:
            summary += f"; итог: {task.result_note}"
        entries.append(
            HistoryEntry(
                kind=HistoryKind.CALLBACK,
                ref_id=task.id,
                occurred_at=task.requested_at,
                status=task.status.value,
                status_label=CALLBACK_STATUS_LABELS_RU[task.status],
                summary=summary,
            )
        )
    return entries


def _surveys(
    session: Session,
    client_id: int | None,
    phone_e164: str | None,
    exclude_call_id: int | None,
    limit: int,
) -> list[HistoryEntry]:
    query = (
        select(SurveyResponse, Call)
        .join(Call, col(Call.id) == col(SurveyResponse.call_id))
        .where(owner_filter(Call.client_id, Call.caller_e164, client_id, phone_e164))
    )
    if exclude_call_id is not None:
        query = query.where(col(Call.id) != exclude_call_id)
    rows = session.exec(query.order_by(col(SurveyResponse.created_at).desc()).limit(limit))
    entries = []
    for survey, call in rows:
        assert survey.id is not None
        answers = []
        if survey.answer_received is not None:
            answers.append(ANSWER_RECEIVED_LABELS_RU[survey.answer_received])
        if survey.quality is not None:
            answers.append(QUALITY_LABELS_RU[survey.quality])
        entries.append(
            HistoryEntry(
                kind=HistoryKind.SURVEY,
                ref_id=survey.id,
                occurred_at=survey.created_at,
                status="completed" if survey.completed else "partial",
                status_label="Опрос пройден" if survey.completed else "Опрос прерван",
                summary=", ".join(answers) or "нет ответов",
                linkedid=call.linkedid,
            )
        )
    return entries


def _messages(
    session: Session, client_id: int | None, phone_e164: str | None, limit: int
) -> list[HistoryEntry]:
    """The client's written messages: theirs by the client record, or by the record that
    carries the number (a message gives its sender a record, found by e-mail or phone)."""
    rows = session.exec(
        select(WrittenMessage)
        .outerjoin(Client, col(Client.id) == col(WrittenMessage.client_id))
        .where(owner_filter(WrittenMessage.client_id, Client.phone_e164, client_id, phone_e164))
        .order_by(col(WrittenMessage.received_at).desc())
        .limit(limit)
    )
    entries = []
    for message in rows:
        assert message.id is not None
        parts = [f"обращение № {message.number}"]
        if message.subject:
            parts.append(f"«{message.subject}»")
        if message.status in OPEN_STATES:
            if message.status is MessageStatus.REGISTERED:
                parts.append(f"первичный ответ до {message.primary_due:%d.%m.%Y}")
            parts.append(f"ответ по существу до {message.answer_due:%d.%m.%Y}")
        entries.append(
            HistoryEntry(
                kind=HistoryKind.MESSAGE,
                ref_id=message.id,
                occurred_at=message.received_at,
                status=message.status.value,
                status_label="Обращение: " + STATUS_RU[message.status],
                summary="; ".join(parts),
            )
        )
    return entries


def _visits(
    session: Session, client_id: int | None, phone_e164: str | None, limit: int
) -> list[HistoryEntry]:
    """The caller's personal visits (V1–V6): booked for the client record or the number, the
    latest ``limit`` by the visit's time (those to come first), with their rating (V13)."""
    rows = session.exec(
        select(VisitBooking, ReceptionPoint, VisitSurvey)
        .join(ReceptionPoint, col(ReceptionPoint.id) == col(VisitBooking.point_id))
        .outerjoin(VisitSurvey, col(VisitSurvey.booking_id) == col(VisitBooking.id))
        .where(owner_filter(VisitBooking.client_id, VisitBooking.phone_e164, client_id, phone_e164))
        .order_by(col(VisitBooking.starts_at).desc())
        .limit(limit)
    ).all()
    receivers = employee_names(session, {booking.employee_id for booking, _, _ in rows})
    entries = []
    for booking, point, rating in rows:
        assert booking.id is not None
        parts = [f"запись № {booking.id}", point.name_ru]
        if booking.employee_id in receivers:
            parts.append(f"принимает {receivers[booking.employee_id]}")
        parts.append(f"записан: {VISIT_CHANNEL_RU[booking.channel]}")
        if booking.interpreter is not Interpreter.NONE:
            parts.append(f"переводчик: {INTERPRETER_LABELS_RU[booking.interpreter]}")
        if booking.cancelled_via is not None:
            parts.append(f"отменена: {VISIT_CHANNEL_RU[booking.cancelled_via]}")
        if rating is not None and rating.quality is not None:
            parts.append(f"оценка: {QUALITY_LABELS_RU[rating.quality]}")
        entries.append(
            HistoryEntry(
                kind=HistoryKind.VISIT,
                ref_id=booking.id,
                occurred_at=booking.starts_at,
                status=booking.status.value,
                status_label="Личный приём: " + VISIT_STATUS_RU[booking.status],
                summary="; ".join(parts),
            )
        )
    return entries
