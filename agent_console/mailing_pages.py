"""What the console's mailing pages show (M1–M4): the mailings with their progress, one
mailing's preview, and the register of consents. Built from the database by the routes
(``agent_console.routes.mailings``); the templates only lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from sqlmodel import Session, col, select

from agent_console.client_texts import when_text
from mail.mailing_letters import mailing_letter
from models.mailing_consent import find_subscribers, state_counts
from models.mailings import BODY_MAX, SUBJECT_MAX, Progress, all_mailings, progress
from models.rules.mailing_consent import (
    STATE_LABELS_RU,
    WITHDRAWAL_LABELS_RU,
    ConsentState,
)
from models.rules.mailing_delivery import MAILING_LABELS_RU, DeliveryState, MailingState
from models.tables import Mailing, MailingDelivery, MailingSubscriber

PREVIEW_LINK = "https://…/public/unsubscribe/…"  # each recipient's own link goes here
FAILURES_SHOWN = 50


@dataclass(frozen=True, slots=True)
class MailingRow:
    id: int
    href: str
    subject: str
    state: str
    state_key: str
    created: str
    created_by: str
    progress: Progress


@dataclass(frozen=True, slots=True)
class DraftForm:
    form_key: str
    subject: str = ""
    body: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    subject_max: int = SUBJECT_MAX
    body_max: int = BODY_MAX


@dataclass(frozen=True, slots=True)
class MailingsPage:
    rows: list[MailingRow]
    form: DraftForm
    problem: str  # why mailings cannot go now (no SMTP, no public address); "" when they can
    confirmed: int  # who would receive a mailing started now


@dataclass(frozen=True, slots=True)
class Failure:
    email: str
    state: str
    attempts: int
    error: str


@dataclass(frozen=True, slots=True)
class MailingPage:
    row: MailingRow
    preview_subject: str
    preview_text: str
    preview_headers: dict[str, str]
    can_start: bool
    can_pause: bool
    can_resume: bool
    started: str
    started_by: str
    finished: str
    failures: list[Failure]
    problem: str
    confirmed: int
    notice: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    id: int
    email: str
    state: str
    state_key: str
    requested: str
    confirmed: str
    withdrawn: str
    how: str
    can_withdraw: bool


@dataclass(frozen=True, slots=True)
class RegisterPage:
    query: str
    counts: list[tuple[str, str, int]]  # (state key, label, how many)
    rows: list[SubscriberRow]
    limit: int
    notice: str = ""


def mailings_page(
    session: Session, tz: tzinfo, form: DraftForm, problem: str | None
) -> MailingsPage:
    rows = [mailing_row(session, mailing, tz) for mailing in all_mailings(session)]
    confirmed = state_counts(session)[ConsentState.CONFIRMED]
    return MailingsPage(rows, form, problem or "", confirmed)


def mailing_row(session: Session, mailing: Mailing, tz: tzinfo) -> MailingRow:
    assert mailing.id is not None
    return MailingRow(
        id=mailing.id,
        href=f"/mailings/{mailing.id}",
        subject=mailing.subject,
        state=MAILING_LABELS_RU[mailing.state],
        state_key=mailing.state.value,
        created=when_text(mailing.created_at, tz),
        created_by=mailing.created_by.removeprefix("web:"),
        progress=progress(session, mailing.id),
    )


def mailing_page(
    session: Session,
    mailing: Mailing,
    tz: tzinfo,
    problem: str | None,
    *,
    notice: str = "",
    error: str = "",
) -> MailingPage:
    letter = mailing_letter(mailing.subject, mailing.body, PREVIEW_LINK)
    state = mailing.state
    return MailingPage(
        row=mailing_row(session, mailing, tz),
        preview_subject=letter.subject,
        preview_text=letter.text,
        preview_headers=letter.headers,
        can_start=state is MailingState.DRAFT,
        can_pause=state is MailingState.SENDING,
        can_resume=state is MailingState.PAUSED,
        started=when_text(mailing.started_at, tz) if mailing.started_at else "",
        started_by=mailing.started_by.removeprefix("web:"),
        finished=when_text(mailing.finished_at, tz) if mailing.finished_at else "",
        failures=_failures(session, mailing.id or 0),
        problem=problem or "",
        confirmed=state_counts(session)[ConsentState.CONFIRMED],
        notice=notice,
        error=error,
    )


def register_page(
    session: Session, tz: tzinfo, query: str, *, limit: int, notice: str = ""
) -> RegisterPage:
    counts = state_counts(session)
    return RegisterPage(
        query=query,
        counts=[(state.value, STATE_LABELS_RU[state], counts[state]) for state in ConsentState],
        rows=[_subscriber_row(s, tz) for s in find_subscribers(session, query, limit=limit)],
        limit=limit,
        notice=notice,
    )


def _subscriber_row(subscriber: MailingSubscriber, tz: tzinfo) -> SubscriberRow:
    assert subscriber.id is not None
    how = ""
    if subscriber.withdrawal_source is not None:
        how = WITHDRAWAL_LABELS_RU[subscriber.withdrawal_source]
        if subscriber.withdrawn_by:
            how += f" ({subscriber.withdrawn_by})"
    return SubscriberRow(
        id=subscriber.id,
        email=subscriber.email,
        state=STATE_LABELS_RU[subscriber.state],
        state_key=subscriber.state.value,
        requested=when_text(subscriber.requested_at, tz),
        confirmed=when_text(subscriber.confirmed_at, tz),
        withdrawn=when_text(subscriber.withdrawn_at, tz),
        how=how,
        can_withdraw=subscriber.state is not ConsentState.WITHDRAWN,
    )


_FAILURE_LABELS = {DeliveryState.FAILED: "не отправлено", DeliveryState.UNKNOWN: "неизвестно"}


def _failures(session: Session, mailing_id: int) -> list[Failure]:
    query = (
        select(MailingDelivery, MailingSubscriber.email)
        .join(MailingSubscriber, col(MailingSubscriber.id) == col(MailingDelivery.subscriber_id))
        .where(
            col(MailingDelivery.mailing_id) == mailing_id,
            col(MailingDelivery.error) != "",
        )
        .order_by(col(MailingDelivery.id))
        .limit(FAILURES_SHOWN)
    )
    return [
        Failure(
            email,
            _FAILURE_LABELS.get(delivery.state, "ждёт повторной попытки"),
            delivery.attempts,
            delivery.error,
        )
        for delivery, email in session.exec(query).all()
    ]
