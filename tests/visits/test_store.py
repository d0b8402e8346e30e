"""Booking and cancelling personal visits (V1, V2, V6, V12): one winner per slot, audited,
linked to the client by phone."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.rules.visit_slots import BookingRefusal
from models.settings import Settings
from models.tables import (
    AuditEntry,
    Client,
    Employee,
    Interpreter,
    VisitBooking,
    VisitChannel,
    VisitStatus,
)
from tests.visits.samples import BEFORE, CALENDAR, TUESDAY, at, book_at_before, load_examples
from visits.links import CANCEL_PATH, find_booking_by_token
from visits.store import (
    Booked,
    BookingError,
    BookingRequest,
    cancel_visit,
    list_free_slots,
    mark_attendance,
    upcoming_bookings,
)

SETTINGS = Settings(public_url="https://line.example.org")
REQUEST = BookingRequest(
    starts_at=at(TUESDAY, 10, 30),
    phone="8 (912) 345-67-89",
    channel=VisitChannel.LINE,
    name="Иванова Анна",
    interpreter=Interpreter.SIGN_LANGUAGE,
    remind_day_before=True,
    remind_by_call=True,
)


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    load_examples(db_engine)
    return db_engine


def book(engine: Engine, request: BookingRequest = REQUEST) -> Booked:
    return book_at_before(engine, SETTINGS, request)


def free_starts(engine: Engine) -> list[str]:
    with Session(engine) as session:
        slots = list_free_slots(
            session=session, calendar=CALENDAR, first=TUESDAY, last=TUESDAY, now=BEFORE
        )
    return [f"{slot.starts_at:%H:%M}" for slot in slots]


def test_booking_takes_the_slot_links_the_client_and_is_audited(engine: Engine) -> None:  # V1
    assert "10:30" in free_starts(engine)
    booked = book(engine)
    assert "10:30" not in free_starts(engine)
    with Session(engine) as session:
        row = session.get(VisitBooking, booked.booking.id)
        assert row is not None
        assert (row.phone_e164, row.interpreter, row.channel) == (
            "+79123456789",
            Interpreter.SIGN_LANGUAGE,
            VisitChannel.LINE,
        )
        client = session.exec(select(Client).where(col(Client.phone_e164) == "+79123456789")).one()
        assert row.client_id == client.id
        assert client.full_name == "Иванова Анна"
        audit = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "visit_booked")
        ).one()
        assert (audit.subject, audit.client_id, audit.actor) == (
            f"visit:{row.id}",
            client.id,
            "web:operator1",
        )


def test_a_taken_slot_is_refused_with_its_reason(engine: Engine) -> None:  # V1
    book(engine)
    with pytest.raises(BookingError, match="Время уже занято") as caught:
        book(engine, replace(REQUEST, phone="+7 912 000-00-01"))
    assert caught.value.reason is BookingRefusal.TAKEN


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "не номер"}, "Номер телефона не распознан"),
        ({"email": "ivanova@"}, "e-mail указан с ошибкой"),
        ({"starts_at": at(TUESDAY, 10, 10)}, "На это время приёма нет"),
        ({"starts_at": at(TUESDAY.replace(day=31), 10)}, "не работает"),
        ({"starts_at": at(TUESDAY.replace(month=11, day=24), 10)}, "уже прошло"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(  # V1
    engine: Engine, change: dict[str, object], message: str
) -> None:
    with pytest.raises(BookingError, match=message):
        book(engine, replace(REQUEST, **change))  # type: ignore[arg-type]
    with Session(engine) as session:
        assert session.exec(select(VisitBooking)).all() == []


def test_cancel_by_the_links_token_is_idempotent_and_frees_the_slot(engine: Engine) -> None:  # V6
    booked = book(engine)
    assert booked.cancel_link.startswith(f"https://line.example.org{CANCEL_PATH}/")
    token = booked.cancel_link.rsplit("/", 1)[1]
    with session_scope(engine) as session:
        assert find_booking_by_token(session, "x" * 32) is None
        assert find_booking_by_token(session, "../../etc") is None
        found = find_booking_by_token(session, token)
        assert found is not None
        first = cancel_visit(
            session=session, booking=found, via=VisitChannel.WEB, actor="public", now=BEFORE
        )
        again = cancel_visit(
            session=session, booking=found, via=VisitChannel.WEB, actor="public", now=BEFORE
        )
    assert (first.already, again.already) == (False, True)
    assert "10:30" in free_starts(engine)
    with Session(engine) as session:
        row = session.get(VisitBooking, booked.booking.id)
        assert row is not None
        assert (row.status, row.cancelled_via, row.cancelled_by) == (
            VisitStatus.CANCELLED,
            VisitChannel.WEB,
            "public",
        )
        cancels = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "visit_cancelled")
        ).all()
        assert len(cancels) == 1
    book(engine, replace(REQUEST, phone="+7 912 000-00-01"))  # the freed slot books again


def test_a_visit_that_has_begun_cannot_be_cancelled(engine: Engine) -> None:  # V6
    booked = book(engine)
    with session_scope(engine) as session, pytest.raises(BookingError, match="уже начался"):
        cancel_visit(
            session=session,
            booking=booked.booking,
            via=VisitChannel.LINE,
            actor="web:operator1",
            now=at(TUESDAY, 10, 30),
        )


def test_concurrent_bookings_of_one_slot_give_one_winner(engine: Engine) -> None:  # V1
    # Each thread has its own connection; the partial unique index decides.
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            book(engine, replace(REQUEST, phone=f"+7 912 000-00-1{n}"))
            outcomes.append("booked")
        except BookingError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["Время уже занято: выберите другое."] * 3
    with Session(engine) as session:
        assert len(session.exec(select(VisitBooking)).all()) == 1


def test_an_employee_switched_off_receives_nobody(engine: Engine) -> None:  # V1
    with session_scope(engine) as session:
        employee = session.exec(
            select(Employee).where(col(Employee.internal_number) == "301")
        ).one()
        employee.active = False
    assert "10:30" not in free_starts(engine)
    assert "14:00" in free_starts(engine)  # 331 still receives
    with pytest.raises(BookingError, match="На это время приёма нет"):
        book(engine)


def test_attendance_is_marked_once_the_visit_began_and_repeats_change_nothing(
    engine: Engine,
) -> None:
    booked = book(engine)
    with session_scope(engine) as session:
        booking = session.get(VisitBooking, booked.booking.id)
        assert booking is not None
        with pytest.raises(BookingError, match="ещё не начался"):
            mark_attendance(
                session=session, booking=booking, visited=True, actor="web:r", now=BEFORE
            )
        begun = at(TUESDAY, 10, 31)
        first = mark_attendance(
            session=session, booking=booking, visited=True, actor="web:r", now=begun
        )
        again = mark_attendance(
            session=session, booking=booking, visited=True, actor="web:r", now=begun
        )
        assert (first.changed, again.changed) == (True, False)
        assert booking.status is VisitStatus.VISITED
        with pytest.raises(BookingError, match="уже отмечено"):
            cancel_visit(
                session=session, booking=booking, via=VisitChannel.STAFF, actor="web:r", now=BEFORE
            )
        mark_attendance(session=session, booking=booking, visited=False, actor="web:r", now=begun)
        assert booking.status is VisitStatus.NO_SHOW
    with Session(engine) as session:
        actions = [a.action for a in session.exec(select(AuditEntry)).all()]
    assert actions.count("visit_visited") == 1
    assert actions.count("visit_no_show") == 1
    # the marked slot has begun: it is not offered again although it left the active index
    assert "10:30" not in free_starts_at(engine, at(TUESDAY, 10, 31))


def free_starts_at(engine: Engine, now: datetime) -> list[str]:
    with Session(engine) as session:
        slots = list_free_slots(
            session=session, calendar=CALENDAR, first=TUESDAY, last=TUESDAY, now=now
        )
    return [f"{slot.starts_at:%H:%M}" for slot in slots]


def test_a_cancelled_booking_is_not_marked(engine: Engine) -> None:
    booked = book(engine)
    with session_scope(engine) as session:
        booking = session.get(VisitBooking, booked.booking.id)
        assert booking is not None
        cancel_visit(
            session=session, booking=booking, via=VisitChannel.WEB, actor="public", now=BEFORE
        )
        with pytest.raises(BookingError, match="отменена"):
            mark_attendance(
                session=session,
                booking=booking,
                visited=False,
                actor="web:r",
                now=at(TUESDAY, 11),
            )


def test_upcoming_bookings_by_client_or_phone(engine: Engine) -> None:  # V6 in the call card
    booked = book(engine)
    other = book(engine, replace(REQUEST, starts_at=at(TUESDAY, 11), phone="+79990001122"))
    with Session(engine) as session:
        by_phone = upcoming_bookings(session, client_id=None, phone_e164="+79123456789", now=BEFORE)
        by_client = upcoming_bookings(
            session, client_id=booked.booking.client_id, phone_e164=None, now=BEFORE
        )
        later = upcoming_bookings(
            session, client_id=None, phone_e164="+79123456789", now=at(TUESDAY, 10, 30)
        )
        nobody = upcoming_bookings(session, client_id=None, phone_e164=None, now=BEFORE)
    assert [b.id for b in by_phone] == [booked.booking.id]
    assert [b.id for b in by_client] == [booked.booking.id]
    assert other.booking.id not in [b.id for b in by_phone]
    assert list(later) == []
    assert list(nobody) == []
