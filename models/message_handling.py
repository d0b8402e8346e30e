"""What staff change on a written message while handling it (W2–W5), each change audited.

* :func:`classify` — the topic and the typical client need (W2), and who confirmed them;
* :func:`set_urgency` — urgent with a term of 1–15 working days and the reason, or not urgent:
  the substantive answer's deadline is worked out again on the line's calendar from the day the
  message came (``models.rules.message_deadlines``; not urgent: the statutory term);
* :func:`review_abuse` — a person's verdict on abuse (W5): confirmed (the notice is due 5
  working days after registration, no answer on the merits) or dismissed (no notice); a
  message the lexicon let through may be confirmed too;
* :func:`take` — the employee becomes the owner of a message nobody owns;
* :func:`assign` — a supervisor makes any active employee the owner, or nobody.

Each locks the message's row (PostgreSQL; SQLite has one writer at a time), checks the input
and either refuses with a Russian reason (:class:`Refused`, nothing changed) or sets the values.
Setting what is already there changes nothing and writes nothing to the audit log, so a form
sent twice is harmless. Each change is an audit entry (``models.message_audit``): who, when,
what was there before and what is now. Urgency, the abuse verdict and the owner change only
while the message is open (``models.rules.message_actions.handling_open``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from sqlmodel import Session, col, select

from models.line_store import clean_text
from models.message_audit import (
    MESSAGE_ABUSE_REVIEW,
    MESSAGE_CLASSIFIED,
    MESSAGE_OWNER,
    MESSAGE_URGENCY,
    record_message_access,
)
from models.rules.calendar import ProductionCalendar
from models.rules.message_actions import handling_open
from models.rules.message_deadlines import deadlines, urgent_term
from models.rules.message_states import AbuseCheck
from models.tables import Employee, WrittenMessage
from models.topics import Topic

NEED_MAX: Final = 255  # written_messages.need
NOTE_MAX: Final = 2000
CLOSED: Final = (
    "Обращение закрыто: менять срочность, решение об оскорблениях и исполнителя уже нельзя."
)


class Verdict(StrEnum):
    """A person's verdict on abuse (W5), as the form sends it."""

    CONFIRM = "confirm"
    DISMISS = "dismiss"


@dataclass(frozen=True, slots=True)
class Actor:
    employee_id: int
    audit_name: str  # ``web:<login>``


@dataclass(frozen=True, slots=True)
class Handled:
    changed: bool  # False: it was so already (a form sent twice)


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str  # Russian, for the person
    field: str = ""  # the form's field at fault; "" the form as a whole


Outcome = Handled | Refused


def locked_message(session: Session, number: str) -> WrittenMessage | None:
    """The message by its number, its row locked until the transaction ends."""
    return session.exec(
        select(WrittenMessage).where(col(WrittenMessage.number) == number).with_for_update()
    ).first()


def classify(
    session: Session,
    message: WrittenMessage,
    *,
    topic: str,
    need: str,
    actor: Actor,
    at: datetime,
) -> Outcome:
    chosen = next((t for t in Topic if t.value == topic.strip()), None)
    if chosen is None:
        return Refused("Выберите тему обращения из списка.", "topic")
    typed = one_line(need)
    if not typed:
        return Refused("Укажите типовую потребность клиента: чего он хочет добиться.", "need")
    if len(typed) > NEED_MAX:
        return Refused(f"Потребность — не длиннее {NEED_MAX} символов.", "need")
    if message.topic is chosen and message.need == typed:
        return Handled(changed=False)
    detail = f"topic={_value(message.topic)}->{chosen.value}; need={typed}"
    message.topic, message.need, message.classified_by_id = chosen, typed, actor.employee_id
    return _changed(session, message, actor, at, MESSAGE_CLASSIFIED, detail)


def set_urgency(
    session: Session,
    message: WrittenMessage,
    *,
    urgent: bool,
    term: str,
    reason: str,
    actor: Actor,
    at: datetime,
    calendar: ProductionCalendar,
    statutory_days: int,
) -> Outcome:
    """Urgent with ``term`` working days (text as typed) and why (``reason``); or not urgent
    (``term`` and ``reason`` unread)."""
    if not handling_open(message.status):
        return Refused(CLOSED)
    days: int | None = None
    why = ""
    if urgent:
        try:
            days = urgent_term(term)
        except ValueError as error:
            return Refused(f"{error}.", "term")
        why = one_line(reason)
        if not why:
            return Refused("Укажите, почему обращение срочное: что потеряет клиент.", "reason")
        if len(why) > NOTE_MAX:
            return Refused(f"Пояснение — не длиннее {NOTE_MAX} символов.", "reason")
    due = deadlines(
        message.received_at,
        calendar,
        statutory_days=statutory_days,
        urgent_working_days=days,
    ).answer_due
    if (message.urgent, message.urgency_note, message.answer_due) == (urgent, why, due):
        return Handled(changed=False)
    detail = (
        f"urgent={int(message.urgent)}->{int(urgent)}; days={days or ''}; "
        f"answer_due={message.answer_due.isoformat()}->{due.isoformat()}; reason={why}"
    )
    message.urgent, message.urgency_note, message.answer_due = urgent, why, due
    return _changed(session, message, actor, at, MESSAGE_URGENCY, detail)


def review_abuse(
    session: Session,
    message: WrittenMessage,
    *,
    verdict: str,
    note: str,
    actor: Actor,
    at: datetime,
    calendar: ProductionCalendar,
) -> Outcome:
    """``confirm`` or ``dismiss`` (W5); ``note``: what the person found, for the audit log."""
    if not handling_open(message.status):
        return Refused(CLOSED)
    notice_due: date | None
    if verdict == Verdict.CONFIRM:
        abuse = AbuseCheck.CONFIRMED
        notice_due = (
            message.abuse_notice_due or deadlines(message.received_at, calendar).abuse_notice_due
        )
    elif verdict == Verdict.DISMISS:
        if message.abuse is AbuseCheck.CLEAN:
            return Refused("Подозрения на оскорбления нет: снимать нечего.")
        abuse, notice_due = AbuseCheck.DISMISSED, None
    else:
        return Refused("Выберите решение: оскорбления подтверждены или подозрение снято.")
    if (message.abuse, message.abuse_notice_due) == (abuse, notice_due):
        return Handled(changed=False)
    detail = (
        f"abuse={message.abuse.value}->{abuse.value}; "
        f"notice_due={_value(notice_due)}; note={one_line(note)[:NOTE_MAX]}"
    )
    message.abuse, message.abuse_notice_due = abuse, notice_due
    return _changed(session, message, actor, at, MESSAGE_ABUSE_REVIEW, detail)


def take(session: Session, message: WrittenMessage, *, actor: Actor, at: datetime) -> Outcome:
    if not handling_open(message.status):
        return Refused(CLOSED)
    if message.owner_id == actor.employee_id:
        return Handled(changed=False)
    if message.owner_id is not None:
        owner = session.get(Employee, message.owner_id)
        name = owner.full_name if owner is not None else "другого сотрудника"
        return Refused(
            f"Обращение уже у исполнителя: {name}. Передать его другому может руководитель."
        )
    return _set_owner(session, message, actor.employee_id, actor, at)


def assign(
    session: Session, message: WrittenMessage, *, owner: str, actor: Actor, at: datetime
) -> Outcome:
    """``owner``: an active employee's id as the form sends it; "" for nobody."""
    if not handling_open(message.status):
        return Refused(CLOSED)
    chosen: int | None = None
    if owner.strip():
        found = (
            session.get(Employee, int(owner))
            if owner.strip().isdigit() and len(owner) < 10
            else None
        )
        if found is None or not found.active:
            return Refused("Выберите исполнителя из списка работающих сотрудников.", "owner")
        chosen = found.id
    if message.owner_id == chosen:
        return Handled(changed=False)
    return _set_owner(session, message, chosen, actor, at)


def active_employees(session: Session) -> list[Employee]:
    """Everyone a message may be given to, by name."""
    return list(
        session.exec(
            select(Employee)
            .where(col(Employee.active))
            .order_by(col(Employee.full_name), col(Employee.id))
        )
    )


def one_line(text: str) -> str:
    """Typed text as stored: runs of spaces and line breaks one space, unprintables out."""
    return clean_text(" ".join(text.split()), NOTE_MAX + 1)


def _set_owner(
    session: Session, message: WrittenMessage, owner_id: int | None, actor: Actor, at: datetime
) -> Outcome:
    detail = f"owner={_value(message.owner_id)}->{_value(owner_id)}"
    message.owner_id = owner_id
    return _changed(session, message, actor, at, MESSAGE_OWNER, detail)


def _changed(
    session: Session,
    message: WrittenMessage,
    actor: Actor,
    at: datetime,
    action: str,
    detail: str,
) -> Handled:
    session.add(message)
    record_message_access(
        session,
        at=at,
        actor=actor.audit_name,
        action=action,
        number=message.number,
        client_id=message.client_id,
        detail=detail,
    )
    return Handled(changed=True)


def _value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))
