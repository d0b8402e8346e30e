"""Wrap-ups owed (K7): every call an operator answered should end with a wrap-up — did the
knowledge base hold the answer — which feeds the report of questions the KB lacks.

A call answered by an operator that has ended without a wrap-up is *owed* by that operator,
until they record one (:func:`write_wrapup`, over ``models.call_wrapups``) or dismiss it with
a reason (a test call, a caller who said nothing): the dismissal is recorded, who, when, why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from call_card.lookup import find_call_and_operator, insert_once
from call_card.refusals import Refusal, conflict, forbidden, invalid, not_found
from models.call_wrapups import NotYourCallError, WrapupExistsError, record_wrapup
from models.phones import format_phone
from models.rules.calendar import require_aware
from models.tables import Call, CallWrapup, Employee, KbEntry, WrapupDismissal
from models.topics import TOPIC_LABELS_RU, Topic

REASON_MAX = 500
QUESTION_MAX = 2000
OWED_LIMIT = 50


class WrapupState(StrEnum):
    NOT_DUE = "not_due"  # not answered by an operator, or not ended yet
    OWED = "owed"
    RECORDED = "recorded"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class OwedWrapup:
    linkedid: str
    call_id: int
    caller: str  # the number as people read it, or the raw caller ID
    arrived_at: datetime
    answered_at: datetime
    ended_at: datetime
    topic: Topic | None
    topic_label: str


@dataclass(frozen=True, slots=True)
class Dismissal:
    linkedid: str
    employee_id: int
    employee_name: str
    at: datetime
    reason: str


def wrapup_state(session: Session, call: Call) -> WrapupState:
    assert call.id is not None
    if session.exec(select(CallWrapup.id).where(CallWrapup.call_id == call.id)).first():
        return WrapupState.RECORDED
    if session.exec(select(WrapupDismissal.id).where(WrapupDismissal.call_id == call.id)).first():
        return WrapupState.DISMISSED
    if call.operator_id is None or call.answered_at is None or call.ended_at is None:
        return WrapupState.NOT_DUE
    return WrapupState.OWED


def owes_wrapup() -> ColumnElement[bool]:
    """The condition on ``calls`` of a call that owes a wrap-up: answered by an operator,
    ended, with neither a wrap-up nor a dismissal (the report of operators counts them too)."""
    has_wrapup = select(CallWrapup.id).where(col(CallWrapup.call_id) == col(Call.id)).exists()
    dismissed = (
        select(WrapupDismissal.id).where(col(WrapupDismissal.call_id) == col(Call.id)).exists()
    )
    return and_(
        col(Call.operator_id).is_not(None),
        col(Call.answered_at).is_not(None),
        col(Call.ended_at).is_not(None),
        ~has_wrapup,
        ~dismissed,
    )


def owed_wrapups(
    session: Session, *, operator_id: int, since: datetime, limit: int = OWED_LIMIT
) -> list[OwedWrapup]:
    """The operator's calls since ``since`` (arrival) that owe a wrap-up, latest ended first."""
    require_aware(since, "since")
    calls = session.exec(
        select(Call)
        .where(col(Call.operator_id) == operator_id, col(Call.arrived_at) >= since, owes_wrapup())
        .order_by(col(Call.ended_at).desc(), col(Call.id).desc())
        .limit(limit)
    )
    owed = []
    for call in calls:
        assert call.id is not None
        assert call.answered_at is not None
        assert call.ended_at is not None
        owed.append(
            OwedWrapup(
                linkedid=call.linkedid,
                call_id=call.id,
                caller=format_phone(call.caller_e164) if call.caller_e164 else call.caller_number,
                arrived_at=call.arrived_at,
                answered_at=call.answered_at,
                ended_at=call.ended_at,
                topic=call.topic,
                topic_label=TOPIC_LABELS_RU[call.topic] if call.topic else "тема не выбрана",
            )
        )
    return owed


def dismiss_wrapup(
    session: Session, *, linkedid: str, operator_id: int, reason: str, now: datetime
) -> Dismissal | Refusal:
    """Records that the call's wrap-up will not be written, and why. Only the operator who
    answered the call may; the call must owe one (ended, no wrap-up, not dismissed before)."""
    require_aware(now, "now")
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    text = reason.strip()
    if not text:
        return invalid("Укажите, почему итог звонка не нужен.")
    if len(text) > REASON_MAX:
        return invalid(f"Причина — не длиннее {REASON_MAX} символов.")
    refusal = _not_owed(session, call, operator)
    if refusal is not None:
        return refusal
    assert call.id is not None
    assert operator.id is not None
    inserted = insert_once(
        session, WrapupDismissal, call_id=call.id, employee_id=operator.id, at=now, reason=text
    )
    if not inserted:  # the same dismissal sent twice at once: the first one stands
        return conflict("Итог этого звонка уже отмечен как ненужный.")
    return Dismissal(call.linkedid, operator.id, operator.full_name, now, text)


def write_wrapup(
    session: Session,
    *,
    linkedid: str,
    operator_id: int,
    kb_answer_found: bool,
    kb_entry_id: str | None,
    question: str,
    topic: Topic | None,
    now: datetime,
) -> CallWrapup | Refusal:
    """The wrap-up from the card (``models.call_wrapups.record_wrapup``: one per call, the
    answering operator's, the IVR topic when ``topic`` is None), with its refusals in Russian:
    unknown call, employee or KB entry, an entry named without an answer found, a question too
    long, a wrap-up already written. It may follow a dismissal: it says more."""
    require_aware(now, "now")
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, _operator = found  # the employee must exist and be active
    if kb_entry_id is not None and not kb_answer_found:
        return invalid("Запись базы знаний указывают, только если ответ в ней нашёлся.")
    if kb_entry_id is not None and session.get(KbEntry, kb_entry_id) is None:
        return not_found(f"Записи базы знаний {kb_entry_id!r} нет.")
    if len(question.strip()) > QUESTION_MAX:
        return invalid(f"Вопрос — не длиннее {QUESTION_MAX} символов.")
    try:
        return record_wrapup(
            session=session,
            call=call,
            kb_answer_found=kb_answer_found,
            kb_entry_id=kb_entry_id,
            question=question,
            topic=topic,
            operator_id=operator_id,
            now=now,
        )
    except WrapupExistsError:
        return conflict("Итог этого звонка уже записан.")
    except NotYourCallError:
        return forbidden("Звонок принял другой оператор: итог записывает он.")


def _not_owed(session: Session, call: Call, operator: Employee) -> Refusal | None:
    state = wrapup_state(session, call)
    if state is WrapupState.RECORDED:
        return conflict("Итог этого звонка уже записан.")
    if state is WrapupState.DISMISSED:
        return conflict("Итог этого звонка уже отмечен как ненужный.")
    if call.answered_at is None or call.operator_id is None:
        return conflict("Звонок не был принят оператором: итог по нему не нужен.")
    if call.ended_at is None:
        return conflict("Звонок ещё идёт: итог записывают после его завершения.")
    if call.operator_id != operator.id:
        return conflict("Итог этого звонка записывает оператор, который его принял.")
    return None
