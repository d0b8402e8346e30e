"""The rows of a booking's letters and calls (V3–V6) in the database: planned, claimed, recorded.

Every row is sent at most once. A letter or a call is *claimed* first — one conditional
``UPDATE`` moves it from ``pending`` to ``sending`` and counts the attempt, so of two processes
(``serve``'s job and ``consult-line visits reminders``) one wins — and only then handed to the
mail server or originated; its outcome is recorded after. A row left ``sending`` by a stop
becomes ``unknown`` once no hand-over can still own it and is not sent again, as a mailing's
letters (``models.mailing_send``).

A call's claim also gives the row a fresh ChannelId: the Originate uses it, and the FastAGI
route ``visit-reminder`` speaks the booking only to the channel whose Uniqueid it is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.mailing_send import UNKNOWN_REASON
from models.rules.calendar import ProductionCalendar
from models.rules.mailing_delivery import STALE_CLAIM, DeliveryState, after_failure
from models.rules.visit_reminders import (
    CallResult,
    Choices,
    Planned,
    ReminderState,
    after_call_failure,
    plan,
)
from models.rules.visit_slots import ReminderChannel
from models.settings import Settings
from models.tables import VisitBooking, VisitReminder, VisitStatus
from visits.links import issue_cancel_link
from visits.reminder_letters import Letter, letter_for
from visits.store import confirmation_for

SKIPPED_CANCELLED = "запись отменена"
SKIPPED_BEGUN = "приём уже начался"


@dataclass(frozen=True, slots=True)
class ClaimedLetter:
    reminder_id: int
    attempts: int
    to: str
    letter: Letter


@dataclass(frozen=True, slots=True)
class ClaimedCall:
    reminder_id: int
    attempts: int
    channel_id: str  # the Originate's ChannelId
    digits: str  # the booking's stored E.164 number without "+", digits only
    starts_at: datetime


def unplanned(
    session: Session, *, now: datetime, calendar: ProductionCalendar
) -> list[tuple[VisitBooking, list[Planned]]]:
    """The active future bookings that have no rows yet, with the rows they would get."""
    planned = select(VisitReminder.booking_id)
    bookings = session.exec(
        select(VisitBooking).where(
            col(VisitBooking.status) == VisitStatus.BOOKED,
            col(VisitBooking.starts_at) > now,
            col(VisitBooking.id).not_in(planned),
        )
    ).all()
    return [(b, plan(choices_of(b), now=now, calendar=calendar)) for b in bookings]


def plan_new(session: Session, *, now: datetime, calendar: ProductionCalendar) -> int:
    """Rows for the active future bookings that have none yet; how many were added."""
    added = 0
    for booking, rows in unplanned(session, now=now, calendar=calendar):
        assert booking.id is not None
        for row in rows:
            try:
                with session.begin_nested():
                    session.add(
                        VisitReminder(
                            booking_id=booking.id,
                            kind=row.kind,
                            channel=row.channel,
                            due_at=row.due_at,
                            created_at=now,
                        )
                    )
            except IntegrityError:  # planned meanwhile by another process
                continue
            added += 1
    return added


def choices_of(booking: VisitBooking) -> Choices:
    return Choices(
        starts_at=booking.starts_at,
        booked_at=booking.booked_at,
        has_email=bool(booking.email),
        cancelled=booking.status is not VisitStatus.BOOKED,
        remind_day_before=booking.remind_day_before,
        remind_two_hours=booking.remind_two_hours,
        remind_by_email=booking.remind_by_email,
        remind_by_call=booking.remind_by_call,
    )


def skip_moot(session: Session, now: datetime) -> int:
    """Pending rows of bookings cancelled (V6) or whose visit began are skipped; how many."""
    skipped = 0
    for reason, condition in (
        (SKIPPED_CANCELLED, col(VisitBooking.status) != VisitStatus.BOOKED),
        (SKIPPED_BEGUN, col(VisitBooking.starts_at) <= now),
    ):
        moot = select(VisitBooking.id).where(condition)
        result = session.connection().execute(
            update(VisitReminder)
            .where(
                col(VisitReminder.state) == ReminderState.PENDING,
                col(VisitReminder.booking_id).in_(moot),
            )
            .values(state=ReminderState.SKIPPED, last_error=reason, finished_at=now)
        )
        skipped += int(result.rowcount or 0)
    return skipped


def recover_stale(session: Session, now: datetime) -> int:
    """Rows left ``sending`` by a stop become ``unknown`` (not sent again); how many."""
    result = session.connection().execute(
        update(VisitReminder)
        .where(
            col(VisitReminder.state) == ReminderState.SENDING,
            col(VisitReminder.claimed_at) <= now - STALE_CLAIM,
        )
        .values(state=ReminderState.UNKNOWN, last_error=UNKNOWN_REASON, finished_at=now)
    )
    return int(result.rowcount or 0)


def fail_due(session: Session, channel: ReminderChannel, reason: str, now: datetime) -> int:
    """Due rows of ``channel`` that cannot go at all (nothing configured): failed; how many."""
    result = session.connection().execute(
        update(VisitReminder)
        .where(*_due(channel, now))
        .values(state=ReminderState.FAILED, last_error=reason, finished_at=now)
    )
    return int(result.rowcount or 0)


def claim_letter(session: Session, settings: Settings, now: datetime) -> ClaimedLetter | None:
    """The next due letter, now ``sending``, with a fresh cancellation link; None: none due."""
    reminder = _claim(session, ReminderChannel.EMAIL, now)
    if not isinstance(reminder, VisitReminder):
        return None
    booking = session.get(VisitBooking, reminder.booking_id)
    assert booking is not None
    assert booking.id is not None
    assert reminder.id is not None
    link = issue_cancel_link(session, settings, booking.id, now)
    text = confirmation_for(session=session, booking=booking, cancel_link=link, tz=settings.tz)
    letter = letter_for(reminder.kind, booking, text, settings.tz)
    return ClaimedLetter(reminder.id, reminder.attempts, booking.email, letter)


def record_letter(
    session: Session, reminder_id: int, *, error: str | None, permanent: bool, now: datetime
) -> ReminderState:
    """The hand-over's outcome: sent (``error`` None), tried again later, or failed."""
    if error is None:
        _finish(session, reminder_id, ReminderState.SENT, now=now)
        return ReminderState.SENT
    reminder = session.get(VisitReminder, reminder_id)
    assert reminder is not None
    outcome = after_failure(reminder.attempts, permanent, now)
    if outcome.state is DeliveryState.QUEUED:
        _finish(
            session, reminder_id, ReminderState.PENDING, now=now, error=error,
            next_at=outcome.next_attempt_at,
        )  # fmt: skip
        return ReminderState.PENDING
    _finish(session, reminder_id, ReminderState.FAILED, now=now, error=error)
    return ReminderState.FAILED


def claim_call(session: Session, now: datetime, calendar: ProductionCalendar) -> ClaimedCall | None:
    """The next due reminder call, now ``sending`` under a fresh ChannelId; None when none is
    due or the line does not work now (a call waits for its hours)."""
    if not calendar.is_open(now):
        return None
    reminder = _claim(session, ReminderChannel.CALL, now, channel_id=str(uuid.uuid4()))
    if not isinstance(reminder, VisitReminder):
        return None
    booking = session.get(VisitBooking, reminder.booking_id)
    assert booking is not None
    assert reminder.id is not None
    assert reminder.channel_id is not None
    return ClaimedCall(
        reminder.id,
        reminder.attempts,
        reminder.channel_id,
        booking.phone_e164.removeprefix("+"),
        booking.starts_at,
    )


def record_call(
    session: Session,
    claimed: ClaimedCall,
    result: CallResult,
    *,
    now: datetime,
    calendar: ProductionCalendar,
) -> ReminderState:
    """The Originate's outcome. Answered: ``sent`` (the route records what the visitor chose,
    and is not overwritten); otherwise tried again later or failed (``after_call_failure``)."""
    if result is CallResult.ANSWERED:
        session.connection().execute(
            update(VisitReminder)
            .where(
                col(VisitReminder.id) == claimed.reminder_id,
                col(VisitReminder.channel_id) == claimed.channel_id,
                col(VisitReminder.call_result).is_(None),
            )
            .values(state=ReminderState.SENT, call_result=result, finished_at=now)
        )
        return ReminderState.SENT
    after = after_call_failure(
        result, claimed.attempts, now=now, starts_at=claimed.starts_at, calendar=calendar
    )
    state = ReminderState.PENDING if after.retry_at else ReminderState.FAILED
    _finish(
        session,
        claimed.reminder_id,
        state,
        now=now,
        error=after.reason or result.value,
        next_at=after.retry_at,
        call_result=result,
    )
    return state


def release_call(session: Session, claimed: ClaimedCall) -> None:
    """Nothing was sent (no AMI link): the row waits again, the attempt not counted."""
    session.connection().execute(
        update(VisitReminder)
        .where(
            col(VisitReminder.id) == claimed.reminder_id,
            col(VisitReminder.state) == ReminderState.SENDING,
        )
        .values(
            state=ReminderState.PENDING,
            attempts=VisitReminder.attempts - 1,
            channel_id=None,
            claimed_at=None,
        )
    )


def _due(channel: ReminderChannel, now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(VisitReminder.channel) == channel,
        col(VisitReminder.state) == ReminderState.PENDING,
        col(VisitReminder.due_at) <= now,
        or_(
            col(VisitReminder.next_attempt_at).is_(None),
            col(VisitReminder.next_attempt_at) <= now,
        ),
    )


def _claim(
    session: Session, channel: ReminderChannel, now: datetime, *, channel_id: str | None = None
) -> VisitReminder | bool | None:
    """The next due row of ``channel`` claimed; True: lost to another process; None: none."""
    for _ in range(5):  # rows taken meanwhile by another process: try the next one
        reminder_id = session.exec(
            select(VisitReminder.id)
            .where(*_due(channel, now))
            .order_by(col(VisitReminder.due_at), col(VisitReminder.id))
            .limit(1)
        ).first()
        if reminder_id is None:
            return None
        won = session.connection().execute(
            update(VisitReminder)
            .where(
                col(VisitReminder.id) == reminder_id,
                col(VisitReminder.state) == ReminderState.PENDING,
            )
            .values(
                state=ReminderState.SENDING,
                claimed_at=now,
                attempts=VisitReminder.attempts + 1,
                channel_id=channel_id,
                call_result=None,
            )
        )
        if won.rowcount == 1:
            session.expire_all()
            return session.get(VisitReminder, reminder_id)
    return True


def _finish(
    session: Session,
    reminder_id: int,
    state: ReminderState,
    *,
    now: datetime,
    error: str = "",
    next_at: datetime | None = None,
    call_result: CallResult | None = None,
) -> None:
    done = state not in (ReminderState.PENDING, ReminderState.SENDING)
    values: dict[str, object] = {
        "state": state,
        "last_error": error,
        "next_attempt_at": next_at,
        "finished_at": now if done else None,
    }
    if call_result is not None:
        values["call_result"] = call_result
    session.connection().execute(
        update(VisitReminder)
        .where(
            col(VisitReminder.id) == reminder_id,
            col(VisitReminder.state) == ReminderState.SENDING,
        )
        .values(**values)
    )
