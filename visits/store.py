"""Bookings of personal visits (V1–V2, V6): free slots, booking, cancellation, all audited.

The console, the public pages and the command line all go through here, so the same rules
(``models.rules.visit_slots``) apply everywhere. Functions take the caller's session; the
caller commits. One slot of one employee holds at most one active booking: the database's
partial unique index decides between two concurrent bookings, and the loser gets
:class:`BookingError` with ``BookingRefusal.TAKEN`` («время уже занято») while its session stays
usable (the insert runs in a savepoint).

Every booking and cancellation is a row of ``audit_log`` (action ``visit_booked`` /
``visit_cancelled``, subject ``visit:<id>``, the client). A booking is linked to the client
record of its phone number (``clients.phone_e164``), created if there is none, as the written
messages do, so the client's history can show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from call_card.history import owner_filter
from models.audit_trail import record_event
from models.emails import BAD_EMAIL, looks_like_email
from models.line_store import clean_text
from models.phones import normalize_phone
from models.rules.calendar import ProductionCalendar
from models.rules.visit_slots import (
    REFUSAL_RU,
    BookingRefusal,
    ReceptionWindow,
    Slot,
    can_cancel,
    find_slot,
    free_slots,
)
from models.settings import Settings
from models.tables import (
    Channel,
    Client,
    Employee,
    Interpreter,
    Language,
    ReceptionHours,
    ReceptionPoint,
    VisitBooking,
    VisitChannel,
    VisitStatus,
)
from visits.confirmation import confirmation_text
from visits.links import issue_cancel_link

NAME_MAX = 255
MAX_RANGE_DAYS = 62
BAD_PHONE = "Номер телефона не распознан (пример: +7 912 345-67-89)."
NO_EMAIL = "Для напоминания письмом укажите e-mail."
CANCEL_TOO_LATE = "Приём уже начался или прошёл: отменить запись нельзя."
CANCEL_MARKED = "Посещение уже отмечено: отменить запись нельзя."
MARK_TOO_EARLY = "Приём ещё не начался: отметить посещение можно после его начала."
MARK_CANCELLED = "Запись отменена: посещение не отмечается."
UPCOMING_LIMIT = 20


class BookingError(Exception):
    """A booking refused; ``str(error)`` is the Russian sentence for the person booking."""

    def __init__(self, reason: BookingRefusal | None, message: str) -> None:
        self.reason = reason  # None: bad phone or e-mail
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class BookingRequest:
    starts_at: datetime  # aware; the slot's start
    phone: str  # as typed; normalised to E.164
    channel: VisitChannel
    name: str = ""
    email: str = ""
    language: Language = Language.RU
    interpreter: Interpreter = Interpreter.NONE
    remind_day_before: bool = False
    remind_two_hours: bool = False
    remind_by_email: bool = False
    remind_by_call: bool = False
    employee_id: int | None = None  # whom; needed when several receive at that time
    booked_by_id: int | None = None  # the employee who booked it (line, staff)


@dataclass(frozen=True, slots=True)
class Booked:
    booking: VisitBooking
    cancel_link: str  # shown and sent once: only its hash is stored


@dataclass(frozen=True, slots=True)
class Cancelled:
    booking: VisitBooking
    already: bool = False  # it had been cancelled before: nothing changed


def load_windows(session: Session) -> list[ReceptionWindow]:
    """The reception schedule as the rules take it; an employee switched off in the staff
    directory (``staff import --deactivate-missing``) receives nobody."""
    rows = session.exec(
        select(ReceptionHours)
        .join(Employee, col(Employee.id) == col(ReceptionHours.employee_id))
        .where(col(Employee.active))
    ).all()
    return [
        ReceptionWindow(r.employee_id, r.point_id, r.weekday, r.opens, r.closes, r.slot_minutes)
        for r in rows
    ]


def list_free_slots(
    *,
    session: Session,
    calendar: ProductionCalendar,
    first: date,
    last: date,
    now: datetime,
) -> list[Slot]:
    """Free slots from ``first`` to ``last`` (local dates, both included), in time order."""
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise ValueError(f"a range of 0..{MAX_RANGE_DAYS} days is expected")
    windows = load_windows(session)
    start = datetime.combine(first, datetime.min.time(), tzinfo=calendar.tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=calendar.tz)
    booked = [
        (b.employee_id, b.starts_at)
        for b in session.exec(
            select(VisitBooking).where(
                col(VisitBooking.status) == VisitStatus.BOOKED,
                col(VisitBooking.starts_at) >= start,
                col(VisitBooking.starts_at) < end,
            )
        ).all()
    ]
    slots: list[Slot] = []
    day = first
    while day <= last:
        slots.extend(free_slots(windows, day, calendar, booked=booked, now=now))
        day += timedelta(days=1)
    return slots


def book_visit(
    *,
    session: Session,
    settings: Settings,
    calendar: ProductionCalendar,
    request: BookingRequest,
    actor: str,
    now: datetime,
) -> Booked:
    """Books the slot or raises :class:`BookingError` (past, holiday, no such slot, several
    employees and none chosen, taken, bad phone or e-mail). ``actor``: who for the audit log
    (``web:<login>``, ``cli:<user>``, ``public``)."""
    phone = normalize_phone(request.phone)
    if phone is None:
        raise BookingError(None, BAD_PHONE)
    email = clean_text(request.email, NAME_MAX).strip()
    if email and not looks_like_email(email):
        raise BookingError(None, BAD_EMAIL)
    if request.remind_by_email and not email:  # V3–V4: a reminder nobody could send
        raise BookingError(None, NO_EMAIL)
    slot = find_slot(
        load_windows(session),
        calendar,
        request.starts_at,
        now=now,
        employee_id=request.employee_id,
    )
    if isinstance(slot, BookingRefusal):
        raise BookingError(slot, REFUSAL_RU[slot])
    name = clean_text(request.name, NAME_MAX).strip()
    client = _client(session, phone, name, email, request.language, now)
    booking = VisitBooking(
        employee_id=slot.employee_id,
        point_id=slot.point_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        client_id=client.id,
        phone_e164=phone,
        name=name,
        email=email,
        language=request.language,
        interpreter=request.interpreter,
        remind_day_before=request.remind_day_before,
        remind_two_hours=request.remind_two_hours,
        remind_by_email=request.remind_by_email,
        remind_by_call=request.remind_by_call,
        channel=request.channel,
        booked_by_id=request.booked_by_id,
        booked_at=now,
    )
    try:
        with session.begin_nested():
            session.add(booking)
    except IntegrityError:
        raise BookingError(BookingRefusal.TAKEN, REFUSAL_RU[BookingRefusal.TAKEN]) from None
    assert booking.id is not None
    link = issue_cancel_link(session, settings, booking.id, now)
    _audit(
        session,
        now,
        actor,
        "visit_booked",
        booking,
        f"{request.channel.value} {slot.starts_at.isoformat()}",
    )
    session.flush()
    return Booked(booking, link)


def cancel_visit(
    *,
    session: Session,
    booking: VisitBooking,
    via: VisitChannel,
    actor: str,
    now: datetime,
) -> Cancelled:
    """Cancels the booking (V6); idempotent: a cancelled one is returned with ``already``.
    Raises :class:`BookingError` once the visit has begun."""
    if booking.status is VisitStatus.CANCELLED:
        return Cancelled(booking, already=True)
    refused = cancel_refusal(booking, now)
    if refused is not None:
        raise BookingError(None, refused)
    booking.status = VisitStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_via = via
    booking.cancelled_by = actor[:128]
    session.add(booking)
    _audit(session, now, actor, "visit_cancelled", booking, via.value)
    session.flush()
    return Cancelled(booking)


def cancel_refusal(booking: VisitBooking, now: datetime) -> str | None:
    """Why a booking that is not cancelled cannot be now (V6: marked already, or the visit has
    begun), in Russian; None when it can."""
    if booking.status is not VisitStatus.BOOKED:
        return CANCEL_MARKED
    if not can_cancel(booking.starts_at, now):
        return CANCEL_TOO_LATE
    return None


@dataclass(frozen=True, slots=True)
class Attendance:
    booking: VisitBooking
    changed: bool  # False: it was marked so already


def mark_attendance(
    *, session: Session, booking: VisitBooking, visited: bool, actor: str, now: datetime
) -> Attendance:
    """Marks that the visitor came (``visited``) or did not, once the visit has begun; audited
    (``visit_visited`` / ``visit_no_show``). The same mark again changes nothing; the other
    mark corrects it. Raises :class:`BookingError` for a cancelled booking or before the
    visit begins."""
    if booking.status is VisitStatus.CANCELLED:
        raise BookingError(None, MARK_CANCELLED)
    if can_cancel(booking.starts_at, now):  # not begun yet
        raise BookingError(None, MARK_TOO_EARLY)
    wanted = VisitStatus.VISITED if visited else VisitStatus.NO_SHOW
    if booking.status is wanted:
        return Attendance(booking, changed=False)
    booking.status = wanted
    session.add(booking)
    _audit(session, now, actor, f"visit_{wanted.value}", booking, wanted.value)
    session.flush()
    return Attendance(booking, changed=True)


def upcoming_bookings(
    session: Session,
    *,
    client_id: int | None,
    phone_e164: str | None,
    now: datetime,
    limit: int = UPCOMING_LIMIT,
) -> Sequence[VisitBooking]:
    """Active bookings of the client or the number whose visit has not begun, earliest first."""
    if client_id is None and phone_e164 is None:
        return []
    return session.exec(
        select(VisitBooking)
        .where(
            owner_filter(VisitBooking.client_id, VisitBooking.phone_e164, client_id, phone_e164),
            col(VisitBooking.status) == VisitStatus.BOOKED,
            col(VisitBooking.starts_at) > now,
        )
        .order_by(col(VisitBooking.starts_at), col(VisitBooking.id))
        .limit(limit)
    ).all()


def confirmation_for(
    *, session: Session, booking: VisitBooking, cancel_link: str | None, tz: ZoneInfo
) -> str:
    """The confirmation text of a stored booking (``visits.confirmation``), its point and
    employee read from the database."""
    point = session.get(ReceptionPoint, booking.point_id)
    employee = session.get(Employee, booking.employee_id)
    if point is None or employee is None:
        raise LookupError(f"booking {booking.id}: its point or employee is gone")
    return confirmation_text(
        booking=booking,
        point=point,
        employee_name=employee.full_name,
        cancel_link=cancel_link,
        tz=tz,
    )


def get_booking(session: Session, booking_id: int) -> VisitBooking | None:
    return session.get(VisitBooking, booking_id)


def bookings_between(
    session: Session, start: datetime, end: datetime, *, active_only: bool = True
) -> Sequence[VisitBooking]:
    """Bookings whose visit starts in [start, end), in time order (for lists and reminders)."""
    query = select(VisitBooking).where(
        col(VisitBooking.starts_at) >= start, col(VisitBooking.starts_at) < end
    )
    if active_only:
        query = query.where(col(VisitBooking.status) == VisitStatus.BOOKED)
    return session.exec(query.order_by(col(VisitBooking.starts_at), col(VisitBooking.id))).all()


def _client(
    session: Session, phone: str, name: str, email: str, language: Language, now: datetime
) -> Client:
    """The client of this number; a new one (phone as the chosen channel) if there is none."""
    found = session.exec(select(Client).where(col(Client.phone_e164) == phone)).first()
    if found is not None:
        found.full_name = found.full_name or name or None
        found.email = found.email or email or None
        return found
    client = Client(
        phone_e164=phone,
        full_name=name or None,
        email=email or None,
        language=language,
        preferred_channel=Channel.PHONE,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(client)
    except IntegrityError:  # created meanwhile by a concurrent writer
        return session.exec(select(Client).where(col(Client.phone_e164) == phone)).one()
    return client


def _audit(
    session: Session, at: datetime, actor: str, action: str, booking: VisitBooking, detail: str
) -> None:
    record_event(
        session=session,
        at=at,
        actor=actor,
        action=action,
        subject=f"visit:{booking.id}",
        detail=detail,
        client_id=booking.client_id,
    )
