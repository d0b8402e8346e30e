"""What the visitor answers to a reminder call (V4, V6), for the FastAGI route ``visit-reminder``.

The route may speak the booking and act on it only for the channel that holds the row's
reservation: the call was claimed (``visits.reminder_store.claim_call``) under this ChannelId,
not stale (:func:`models.rules.mailing_delivery.stale_claim`), and no answer is recorded yet. Any
other peer (another channel, a guessed id, a repeated session) gets nothing, so reaching the
FastAGI port is not a way to hear or cancel bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models.db import session_scope
from models.rules.mailing_delivery import stale_claim
from models.rules.visit_reminders import CallResult, ReminderState
from models.rules.visit_slots import ReminderChannel
from models.tables import Language, VisitBooking, VisitChannel, VisitReminder, VisitStatus
from visits.store import BookingError, cancel_visit

_OPEN_RESULTS = (None, CallResult.ANSWERED)


@dataclass(frozen=True, slots=True)
class CallScript:
    """What the call says: the visit's start, in the booking's language."""

    reminder_id: int
    starts_at: datetime
    language: Language


def script_for(
    engine: Engine, reminder_id: int, channel_id: str, now: datetime
) -> CallScript | None:
    with session_scope(engine) as session:
        found = _reserved(session, reminder_id, channel_id, now)
        if found is None:
            return None
        _, booking = found
        return CallScript(reminder_id, booking.starts_at, booking.language)


def record_answer(
    engine: Engine, reminder_id: int, channel_id: str, result: CallResult, now: datetime
) -> bool:
    """Confirmed or no answer; False when the channel holds no reservation."""
    with session_scope(engine) as session:
        if _reserved(session, reminder_id, channel_id, now) is None:
            return False
        _store(session, reminder_id, result, now, "")
        return True


def cancel_by_call(engine: Engine, reminder_id: int, channel_id: str, now: datetime) -> bool:
    """V6: the visitor pressed 2: the booking is cancelled (channel ``line``, actor the
    reminder call). False when the channel holds no reservation or the visit has begun."""
    with session_scope(engine) as session:
        found = _reserved(session, reminder_id, channel_id, now)
        if found is None:
            return False
        _, booking = found
        try:
            cancel_visit(
                session=session,
                booking=booking,
                via=VisitChannel.LINE,
                actor=f"reminder-call:{reminder_id}",
                now=now,
            )
        except BookingError as exc:
            _store(session, reminder_id, CallResult.NO_ANSWER, now, str(exc))
            return False
        _store(session, reminder_id, CallResult.CANCELLED, now, "")
        return True


def _reserved(
    session: Session, reminder_id: int, channel_id: str, now: datetime
) -> tuple[VisitReminder, VisitBooking] | None:
    reminder = session.get(VisitReminder, reminder_id)
    if (
        reminder is None
        or reminder.channel is not ReminderChannel.CALL
        or reminder.channel_id != channel_id
        or reminder.state not in (ReminderState.SENDING, ReminderState.SENT)
        or reminder.call_result not in _OPEN_RESULTS
        or reminder.claimed_at is None
        or stale_claim(reminder.claimed_at, now)
    ):
        return None
    booking = session.get(VisitBooking, reminder.booking_id)
    if booking is None or booking.status is not VisitStatus.BOOKED:
        return None
    return reminder, booking


def _store(
    session: Session, reminder_id: int, result: CallResult, now: datetime, error: str
) -> None:
    session.connection().execute(
        update(VisitReminder)
        .where(col(VisitReminder.id) == reminder_id)
        .values(state=ReminderState.SENT, call_result=result, last_error=error, finished_at=now)
    )
