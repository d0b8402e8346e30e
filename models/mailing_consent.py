"""The register of consents to information mailings (M1–M4): subscription requests from the
public page, their confirmation, withdrawal (by a letter's link or by a supervisor), and the
register as the console shows it.

Links carry a random token (``models.survey_links.new_token``) and the database keeps only
its SHA-256 (``models.survey_links.token_hash``): a copy of the database gives no working links.
The confirmation link's hash sits on the subscriber; each mailing letter's unsubscribe link has
its own, on the letter's delivery (``models.mailing_send``). A withdrawal clears the
confirmation hash, so an old confirmation letter cannot subscribe the address again.

Every change is written to the audit log (``audit_log``, subject ``subscriber:<id>``) in the
transaction that makes it: who (``public:<address>``, ``web:<login>``, ``mail:one-click``),
what, and from where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.audit_trail import record_event
from models.rules.mailing_consent import (
    CONFIRMATION_LIFETIME,
    ConsentSource,
    ConsentState,
    WithdrawalSource,
    confirmation_open,
    may_send_confirmation,
)
from models.survey_links import looks_like_token, new_token, token_hash
from models.tables import MailingDelivery, MailingSubscriber

SUBSCRIBE_PATH: Final = "/public/subscribe"
CONFIRM_PATH: Final = "/public/subscribe/confirm"
UNSUBSCRIBE_PATH: Final = "/public/unsubscribe"
ONE_CLICK_ACTOR: Final = "mail:one-click"
_ACTOR_MAX: Final = 128
REGISTER_PAGE: Final = 100


class ConsentAction(StrEnum):
    REQUESTED = "mailing_consent_requested"  # the page's form: a confirmation letter issued
    CONFIRMED = "mailing_consent_confirmed"
    WITHDRAWN = "mailing_consent_withdrawn"
    EXPIRED = "mailing_consent_request_expired"  # not confirmed in time


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"  # confirmed before: nothing changed
    EXPIRED = "expired"  # M1: the request is too old; subscribe again
    NOT_FOUND = "not_found"  # not one of our links (or withdrawn since)


class Withdrawal(StrEnum):
    WITHDRAWN = "withdrawn"
    ALREADY = "already"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Issued:
    """A confirmation letter to send: the subscriber and the token of its link."""

    subscriber_id: int
    token: str


def request_subscription(
    session: Session, email: str, *, actor: str, now: datetime
) -> Issued | None:
    """M3: someone typed ``email`` (normalised) on the public page. A confirmation letter to
    send, or None: the address is subscribed already, or was sent one lately
    (``may_send_confirmation``). A withdrawn address asks anew: it becomes pending and is
    mailed only once confirmed again."""
    subscriber = _by_email(session, email)
    if not may_send_confirmation(
        subscriber.state if subscriber else None,
        subscriber.confirm_sent_at if subscriber else None,
        now,
    ):
        return None
    token = new_token()
    if subscriber is None:
        subscriber = MailingSubscriber(
            email=email,
            state=ConsentState.PENDING,
            consent_source=ConsentSource.PUBLIC_PAGE,
            requested_at=now,
        )
    subscriber.state = ConsentState.PENDING
    subscriber.requested_at = now
    subscriber.confirm_sent_at = now
    subscriber.confirm_token_hash = token_hash(token)
    session.add(subscriber)
    session.flush()
    assert subscriber.id is not None
    _audit(session, now, actor, ConsentAction.REQUESTED, subscriber.id, "страница подписки")
    return Issued(subscriber.id, token)


def letter_not_sent(session: Session, subscriber_id: int) -> None:
    """The confirmation letter did not go: the address may ask again at once."""
    subscriber = session.get(MailingSubscriber, subscriber_id)
    if subscriber is not None and subscriber.state is ConsentState.PENDING:
        subscriber.confirm_sent_at = None
        subscriber.confirm_token_hash = None
        session.add(subscriber)


def subscriber_by_confirmation(session: Session, token: str) -> MailingSubscriber | None:
    if not looks_like_token(token):
        return None
    query = select(MailingSubscriber).where(
        col(MailingSubscriber.confirm_token_hash) == token_hash(token)
    )
    return session.exec(query).first()


def confirmation_state(subscriber: MailingSubscriber | None, now: datetime) -> Confirmation | None:
    """What following the link would do: None when it would confirm now."""
    if subscriber is None or subscriber.state is ConsentState.WITHDRAWN:
        return Confirmation.NOT_FOUND
    if subscriber.state is ConsentState.CONFIRMED:
        return Confirmation.ALREADY
    if not confirmation_open(subscriber.requested_at, now):
        return Confirmation.EXPIRED
    return None


def confirm(session: Session, token: str, *, actor: str, now: datetime) -> Confirmation:
    """M1: the confirmation link followed (its button pressed): the consent is given."""
    subscriber = subscriber_by_confirmation(session, token)
    refused = confirmation_state(subscriber, now)
    if refused is not None:
        return refused
    assert subscriber is not None
    assert subscriber.id is not None
    subscriber.state = ConsentState.CONFIRMED
    subscriber.confirmed_at = now
    subscriber.withdrawn_at = None
    subscriber.withdrawal_source = None
    subscriber.withdrawn_by = ""
    session.add(subscriber)
    _audit(session, now, actor, ConsentAction.CONFIRMED, subscriber.id, "ссылка из письма")
    return Confirmation.CONFIRMED


def subscriber_by_unsubscribe(session: Session, token: str) -> MailingSubscriber | None:
    """The subscriber a mailing letter's unsubscribe link names; None for any other text."""
    if not looks_like_token(token):
        return None
    query = (
        select(MailingSubscriber)
        .join(MailingDelivery, col(MailingDelivery.subscriber_id) == col(MailingSubscriber.id))
        .where(col(MailingDelivery.unsubscribe_hash) == token_hash(token))
    )
    return session.exec(query).first()


def unsubscribe(
    session: Session, token: str, *, source: WithdrawalSource, actor: str, now: datetime
) -> Withdrawal:
    """M4: a letter's link withdraws consent, with no sign-in and no further question."""
    subscriber = subscriber_by_unsubscribe(session, token)
    if subscriber is None:
        return Withdrawal.NOT_FOUND
    return _withdraw(session, subscriber, source=source, actor=actor, by="", now=now)


def withdraw_by_staff(
    session: Session, subscriber_id: int, *, login: str, actor: str, now: datetime
) -> Withdrawal:
    """A supervisor withdraws the consent at the person's request (phone, letter)."""
    subscriber = session.get(MailingSubscriber, subscriber_id)
    if subscriber is None:
        return Withdrawal.NOT_FOUND
    return _withdraw(
        session, subscriber, source=WithdrawalSource.STAFF, actor=actor, by=login, now=now
    )


def _withdraw(
    session: Session,
    subscriber: MailingSubscriber,
    *,
    source: WithdrawalSource,
    actor: str,
    by: str,
    now: datetime,
) -> Withdrawal:
    if subscriber.state is ConsentState.WITHDRAWN:
        return Withdrawal.ALREADY
    assert subscriber.id is not None
    subscriber.state = ConsentState.WITHDRAWN
    subscriber.withdrawn_at = now
    subscriber.withdrawal_source = source
    subscriber.withdrawn_by = by[:_ACTOR_MAX]
    subscriber.confirm_token_hash = None
    session.add(subscriber)
    _audit(session, now, actor, ConsentAction.WITHDRAWN, subscriber.id, source.value)
    return Withdrawal.WITHDRAWN


def expire_requests(session: Session, *, actor: str, now: datetime) -> int:
    """M1: requests not confirmed in time. An address that never consented is removed (there
    is no consent to keep a record of, and the address is personal data); one that had
    consented and withdrawn before goes back to withdrawn. How many."""
    query = select(MailingSubscriber).where(
        col(MailingSubscriber.state) == ConsentState.PENDING,
        col(MailingSubscriber.requested_at) <= now - CONFIRMATION_LIFETIME,
    )
    expired = list(session.exec(query).all())
    for subscriber in expired:
        assert subscriber.id is not None
        if subscriber.confirmed_at is None:
            session.delete(subscriber)
            detail = "адрес удалён: согласие не подтверждено"
        else:
            subscriber.state = ConsentState.WITHDRAWN
            subscriber.confirm_token_hash = None
            session.add(subscriber)
            detail = "согласие по-прежнему отозвано"
        _audit(session, now, actor, ConsentAction.EXPIRED, subscriber.id, detail)
    return len(expired)


def state_counts(session: Session) -> dict[ConsentState, int]:
    """How many addresses are in each state."""
    query = select(MailingSubscriber.state, func.count()).group_by(col(MailingSubscriber.state))
    found = {state: int(count) for state, count in session.exec(query).all()}
    return {state: found.get(state, 0) for state in ConsentState}


def find_subscribers(
    session: Session, text: str, *, limit: int = REGISTER_PAGE
) -> list[MailingSubscriber]:
    """The register, newest request first; ``text``: a part of the address."""
    query = select(MailingSubscriber)
    needle = text.strip().lower()
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            func.lower(col(MailingSubscriber.email)).like(f"%{escaped}%", escape="\\")
        )
    query = query.order_by(
        col(MailingSubscriber.requested_at).desc(), col(MailingSubscriber.id).desc()
    )
    return list(session.exec(query.limit(limit)).all())


def _by_email(session: Session, email: str) -> MailingSubscriber | None:
    return session.exec(
        select(MailingSubscriber).where(col(MailingSubscriber.email) == email)
    ).first()


def _audit(
    session: Session,
    at: datetime,
    actor: str,
    action: ConsentAction,
    subscriber_id: int,
    detail: str,
) -> None:
    subject = f"subscriber:{subscriber_id}"
    record_event(
        session=session, at=at, actor=actor, action=action.value, subject=subject, detail=detail
    )
