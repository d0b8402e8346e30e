"""Sending a mailing's letters one by one (M1–M2, M4), resumable after any stop.

Each letter goes through three transactions:

1. :func:`claim_next`: the next due delivery of a mailing that is sending is moved from
   ``queued`` to ``sending`` by a conditional update (only one process can win it, be it the
   ``serve`` job or ``consult-line mailings send``), its attempt counted, and — if the
   subscriber still consents (M2) — given a fresh unsubscribe token (M4) whose hash is stored
   before the letter exists; a subscriber who withdrew is ``skipped``;
2. the hand-over to the mail server (outside any transaction);
3. :func:`record_sent` or :func:`record_failure` (retried later, or given up).

A stop between 1 and 3 leaves the delivery ``sending``; :func:`recover_stale` turns such
deliveries into ``unknown`` once no hand-over can still own them
(``models.rules.mailing_delivery.stale_claim``) and they are not sent again, so nobody gets a
letter twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from models.mailing_consent import UNSUBSCRIBE_PATH
from models.rules.mailing_consent import receives_mailings
from models.rules.mailing_delivery import (
    STALE_CLAIM,
    DeliveryState,
    MailingState,
    after_failure,
)
from models.survey_links import new_token, token_hash
from models.tables import Mailing, MailingDelivery, MailingSubscriber

UNKNOWN_REASON = (
    "работа прервалась во время передачи письма почтовому серверу: неизвестно, ушло ли оно; "
    "повторно не отправляется"
)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A letter to hand over now."""

    delivery_id: int
    mailing_id: int
    attempts: int
    to: str
    subject: str
    body: str
    unsubscribe_link: str


def recover_stale(session: Session, now: datetime) -> int:
    """Deliveries left ``sending`` by a stop become ``unknown`` (a mailing left with nothing
    else to send is done); how many."""
    result = session.connection().execute(
        update(MailingDelivery)
        .where(
            col(MailingDelivery.state) == DeliveryState.SENDING,
            col(MailingDelivery.claimed_at) <= now - STALE_CLAIM,
        )
        .values(state=DeliveryState.UNKNOWN, error=UNKNOWN_REASON)
    )
    recovered = int(result.rowcount or 0)
    if recovered:
        sending = select(Mailing.id).where(col(Mailing.state) == MailingState.SENDING)
        for mailing_id in session.exec(sending).all():
            if mailing_id is not None:
                finish_if_done(session, mailing_id, now)
    return recovered


def claim_next(
    session: Session, public_base: str, now: datetime, *, mailing_id: int | None = None
) -> Claimed | bool | None:
    """The next letter to send (its delivery now ``sending``); True when a delivery was taken
    but skipped (M2: consent withdrawn) or lost to another process — call again; None when
    nothing is due."""
    query = (
        select(MailingDelivery.id)
        .join(Mailing, col(Mailing.id) == col(MailingDelivery.mailing_id))
        .where(
            col(Mailing.state) == MailingState.SENDING,
            col(MailingDelivery.state) == DeliveryState.QUEUED,
            or_(
                col(MailingDelivery.next_attempt_at).is_(None),
                col(MailingDelivery.next_attempt_at) <= now,
            ),
        )
        .order_by(col(MailingDelivery.id))
        .limit(1)
    )
    if mailing_id is not None:
        query = query.where(col(MailingDelivery.mailing_id) == mailing_id)
    delivery_id = session.exec(query).first()
    if delivery_id is None:
        return None
    won = session.connection().execute(
        update(MailingDelivery)
        .where(
            col(MailingDelivery.id) == delivery_id,
            col(MailingDelivery.state) == DeliveryState.QUEUED,
        )
        .values(
            state=DeliveryState.SENDING,
            claimed_at=now,
            attempts=MailingDelivery.attempts + 1,
        )
    )
    if won.rowcount != 1:
        return True
    session.expire_all()
    delivery = session.get(MailingDelivery, delivery_id)
    assert delivery is not None
    subscriber = session.get(MailingSubscriber, delivery.subscriber_id)
    mailing = session.get(Mailing, delivery.mailing_id)
    assert subscriber is not None
    assert mailing is not None
    if not receives_mailings(subscriber.state):  # M2: withdrawn before the letter's turn
        delivery.state = DeliveryState.SKIPPED
        delivery.error = ""
        session.add(delivery)
        finish_if_done(session, mailing.id or 0, now)
        return True
    token = new_token()
    delivery.unsubscribe_hash = token_hash(token)
    session.add(delivery)
    return Claimed(
        delivery_id=delivery_id,
        mailing_id=delivery.mailing_id,
        attempts=delivery.attempts,
        to=subscriber.email,
        subject=mailing.subject,
        body=mailing.body,
        unsubscribe_link=f"{public_base}{UNSUBSCRIBE_PATH}/{token}",
    )


def record_sent(session: Session, claimed: Claimed, now: datetime) -> None:
    _finish(session, claimed, DeliveryState.SENT, error="", next_at=None, sent_at=now)
    finish_if_done(session, claimed.mailing_id, now)


def record_failure(
    session: Session, claimed: Claimed, reason: str, *, permanent: bool, now: datetime
) -> DeliveryState:
    """The hand-over failed: tried again later, or failed for good; the state it is in."""
    outcome = after_failure(claimed.attempts, permanent, now)
    _finish(
        session, claimed, outcome.state, error=reason, next_at=outcome.next_attempt_at, sent_at=None
    )
    finish_if_done(session, claimed.mailing_id, now)
    return outcome.state


def finish_if_done(session: Session, mailing_id: int, now: datetime) -> None:
    """A mailing with nothing queued or being sent is done."""
    waiting = select(func.count()).where(
        col(MailingDelivery.mailing_id) == mailing_id,
        col(MailingDelivery.state).in_([DeliveryState.QUEUED, DeliveryState.SENDING]),
    )
    if session.exec(waiting).one():
        return
    session.connection().execute(
        update(Mailing)
        .where(col(Mailing.id) == mailing_id, col(Mailing.state) == MailingState.SENDING)
        .values(state=MailingState.DONE, finished_at=now)
    )


def _finish(
    session: Session,
    claimed: Claimed,
    state: DeliveryState,
    *,
    error: str,
    next_at: datetime | None,
    sent_at: datetime | None,
) -> None:
    session.connection().execute(
        update(MailingDelivery)
        .where(
            col(MailingDelivery.id) == claimed.delivery_id,
            col(MailingDelivery.state) == DeliveryState.SENDING,
        )
        .values(state=state, error=error, next_attempt_at=next_at, sent_at=sent_at)
    )
