"""Mailings (M1–M2) as supervisors handle them: a draft, its start, pause and resumption, and
its progress.

Starting fixes the recipients: one delivery per address confirmed at that moment
(``mailing_deliveries``), made in the transaction that moves the draft to ``sending``, by a
conditional update, so that a form sent twice starts once. Whoever withdraws later is skipped
when their letter's turn comes (``models.mailing_send``). Every start, pause and resumption is
written to the audit log (subject ``mailing:<id>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import func, insert, literal, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.audit_trail import record_event
from models.rules.mailing_consent import ConsentState
from models.rules.mailing_delivery import DeliveryState, MailingState
from models.settings import Settings
from models.tables import Mailing, MailingDelivery, MailingSubscriber

SUBJECT_MAX: Final = 200
BODY_MAX: Final = 20_000
_ACTOR_MAX: Final = 128


def mailing_problem(settings: Settings) -> str | None:
    """Why mailings cannot go now (Russian), or None."""
    if not settings.smtp_host.strip():
        return "исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст): рассылку не отправить"
    if not settings.public_url:
        return (
            "не задан публичный адрес (CONSULT_LINE_PUBLIC_URL): ссылки подтверждения и отказа "
            "от рассылки вели бы на внутренний адрес сервера"
        )
    return None


@dataclass(frozen=True, slots=True)
class MailingForm:
    subject: str
    body: str
    errors: dict[str, str]


def read_mailing_form(subject: str, body: str) -> MailingForm:
    """The draft's fields as typed, trimmed, with what is wrong in Russian."""
    subject = " ".join(subject.split())  # one line: it becomes the letter's Subject header
    body = body.replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "Укажите тему письма."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Тема длиннее {SUBJECT_MAX} знаков ({len(subject)})."
    if not body:
        errors["body"] = "Напишите текст рассылки."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Текст длиннее {BODY_MAX} знаков ({len(body)})."
    return MailingForm(subject, body, errors)


def create_draft(
    session: Session, form: MailingForm, *, by: str, form_key: str, now: datetime
) -> Mailing:
    """A new draft; the same form (``form_key``) sent again returns the draft it made."""
    existing = session.exec(select(Mailing).where(col(Mailing.form_key) == form_key)).first()
    if existing is not None:
        return existing
    mailing = Mailing(
        subject=form.subject,
        body=form.body,
        state=MailingState.DRAFT,
        created_by=by[:_ACTOR_MAX],
        created_at=now,
        form_key=form_key,
    )
    session.add(mailing)
    try:
        session.flush()
    except IntegrityError:  # the same form, sent at the same moment from another tab
        session.rollback()
        return session.exec(select(Mailing).where(col(Mailing.form_key) == form_key)).one()
    return mailing


class Start(StrEnum):
    STARTED = "started"
    ALREADY = "already"  # not a draft (started before: a second submission)
    NO_RECIPIENTS = "no_recipients"
    NOT_FOUND = "not_found"


def start_mailing(session: Session, mailing_id: int, *, actor: str, now: datetime) -> Start:
    """M1–M2: the draft goes to every address confirmed now; its deliveries are made."""
    if session.get(Mailing, mailing_id) is None:
        return Start.NOT_FOUND
    confirmed = select(func.count()).where(col(MailingSubscriber.state) == ConsentState.CONFIRMED)
    if not session.exec(confirmed).one():
        return Start.NO_RECIPIENTS
    moved = session.connection().execute(
        update(Mailing)
        .where(col(Mailing.id) == mailing_id, col(Mailing.state) == MailingState.DRAFT)
        .values(state=MailingState.SENDING, started_by=actor[:_ACTOR_MAX], started_at=now)
    )
    if moved.rowcount != 1:
        return Start.ALREADY
    recipients = core_select(
        literal(mailing_id),
        col(MailingSubscriber.id),
        literal(DeliveryState.QUEUED.value),
        literal(0),
        literal(""),
    ).where(col(MailingSubscriber.state) == ConsentState.CONFIRMED)
    columns = ["mailing_id", "subscriber_id", "state", "attempts", "error"]
    session.connection().execute(insert(MailingDelivery).from_select(columns, recipients))
    _audit(session, now, actor, "mailing_started", mailing_id)
    session.expire_all()
    return Start.STARTED


def pause_mailing(session: Session, mailing_id: int, *, actor: str, now: datetime) -> bool:
    """Sending stops after the letter being sent; False when it was not sending."""
    return _move(session, mailing_id, MailingState.SENDING, MailingState.PAUSED, actor, now)


def resume_mailing(session: Session, mailing_id: int, *, actor: str, now: datetime) -> bool:
    return _move(session, mailing_id, MailingState.PAUSED, MailingState.SENDING, actor, now)


@dataclass(frozen=True, slots=True)
class Progress:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    unknown: int = 0  # caught mid-send by a stop; not sent again
    left: int = 0  # queued or being sent

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.skipped + self.unknown + self.left


def progress(session: Session, mailing_id: int) -> Progress:
    query = (
        select(MailingDelivery.state, func.count())
        .where(col(MailingDelivery.mailing_id) == mailing_id)
        .group_by(col(MailingDelivery.state))
    )
    counts = {state: int(count) for state, count in session.exec(query).all()}
    return Progress(
        sent=counts.get(DeliveryState.SENT, 0),
        failed=counts.get(DeliveryState.FAILED, 0),
        skipped=counts.get(DeliveryState.SKIPPED, 0),
        unknown=counts.get(DeliveryState.UNKNOWN, 0),
        left=counts.get(DeliveryState.QUEUED, 0) + counts.get(DeliveryState.SENDING, 0),
    )


def sending_count(session: Session) -> int:
    """How many mailings are being sent."""
    query = select(func.count()).where(col(Mailing.state) == MailingState.SENDING)
    return int(session.exec(query).one())


def all_mailings(session: Session) -> list[Mailing]:
    return list(session.exec(select(Mailing).order_by(col(Mailing.id).desc())).all())


def _move(
    session: Session,
    mailing_id: int,
    before: MailingState,
    after: MailingState,
    actor: str,
    now: datetime,
) -> bool:
    moved = session.connection().execute(
        update(Mailing)
        .where(col(Mailing.id) == mailing_id, col(Mailing.state) == before)
        .values(state=after)
    )
    if moved.rowcount != 1:
        return False
    action = "mailing_paused" if after is MailingState.PAUSED else "mailing_resumed"
    _audit(session, now, actor, action, mailing_id)
    session.expire_all()
    return True


def _audit(session: Session, at: datetime, actor: str, action: str, mailing_id: int) -> None:
    record_event(
        session=session, at=at, actor=actor, action=action, subject=f"mailing:{mailing_id}"
    )
