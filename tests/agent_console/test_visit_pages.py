"""The staff page /visits and the call card's booking section (V2, V5, V6, V11, V12): who may
use them, booking with the confirmation to read out, «время уже занято» with the fields kept,
cancelling by the line, and the marks after the visit began."""

from __future__ import annotations

from datetime import UTC

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.rules.visit_slots import REFUSAL_RU, BookingRefusal
from models.tables import (
    AuditEntry,
    Client,
    Employee,
    Language,
    Role,
    VisitBooking,
    VisitChannel,
    VisitStatus,
)
from tests.agent_console.console import Clock, Console, form_token
from tests.call_card.samples import CALLER, add_call
from tests.visits.samples import BEFORE, TUESDAY, at, load_examples
from visits.store import CANCEL_TOO_LATE, MARK_CANCELLED, MARK_TOO_EARLY

LINKEDID = "1733300000.10"
CARD = f"/card/calls/{LINKEDID}/visits"


@pytest.fixture
def console(db_engine: Engine) -> Console:
    load_examples(db_engine)
    console = Console(db_engine, Clock(BEFORE.astimezone(UTC)))
    for login, role in (
        ("operator", Role.OPERATOR),
        ("chief", Role.SUPERVISOR),
        ("admin", Role.ADMIN),
        ("expert", Role.EXPERT),
        ("editor", Role.KB_EDITOR),
    ):
        console.add_user(login, role)
    return console


@pytest.fixture
def operator(console: Console) -> TestClient:
    return console.signed_in("operator")


def employee_id(engine: Engine, number: str) -> int:
    with session_scope(engine) as session:
        found = session.exec(select(Employee).where(Employee.internal_number == number)).one()
        assert found.id is not None
        return found.id


def slot(engine: Engine, hour: int, minute: int, number: str = "301") -> str:
    return f"{at(TUESDAY, hour, minute).isoformat()}~{employee_id(engine, number)}"


def bookings(engine: Engine) -> list[VisitBooking]:
    with session_scope(engine) as session:
        return list(session.exec(select(VisitBooking).order_by(VisitBooking.id)).all())  # type: ignore[arg-type]


def add_caller_call(console: Console, *, caller: str | None = CALLER) -> None:
    with session_scope(console.engine) as session:
        client = Client(
            phone_e164=CALLER,
            full_name="Алиева Марьям",
            language=Language.EN,
            created_at=console.clock(),
        )
        session.add(client)
    add_call(
        console.engine,
        LINKEDID,
        operator_id=employee_id(console.engine, "401"),
        arrived_at=console.clock(),
        caller_e164=caller,
        language=Language.EN,
    )


def card_booking(console: Console, **extra: str) -> dict[str, str]:
    return {
        "day": TUESDAY.isoformat(),
        "slot": slot(console.engine, 10, 30),
        "phone": "+7 928 123-45-67",
        "name": "Алиева Марьям",
        "language": "en",
        "interpreter": "tactile",
        "remind_two_hours": "yes",
        "remind_by_call": "yes",
        "step": "book",
    } | extra


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize(
    ("login", "status"),
    [("operator", 200), ("chief", 200), ("admin", 200), ("expert", 403), ("editor", 403)],
)
def test_who_may_open_the_staff_page(console: Console, login: str, status: int) -> None:
    page = console.signed_in(login).get("/visits")
    assert page.status_code == status
    if status == 200:
        assert "Личный приём" in page.text
        assert 'href="/visits"' in page.text  # in the menu


def test_the_staff_page_needs_a_sign_in(console: Console) -> None:
    assert console.browser().get("/visits").status_code == 303


def test_the_card_section_is_for_operators(console: Console) -> None:
    add_caller_call(console)
    assert console.signed_in("chief").get(CARD).status_code == 403
    assert console.browser().get(CARD).status_code == 401


# ------------------------------------------------------------------ the call card (V2)


def test_the_card_section_is_prefilled_from_the_call(
    console: Console, operator: TestClient
) -> None:
    add_caller_call(console)
    piece = operator.get(CARD)
    assert piece.status_code == 200
    assert "Запись на личный приём" in piece.text
    assert 'value="+7 928 123-45-67"' in piece.text
    assert 'value="Алиева Марьям"' in piece.text
    assert '<option value="en" selected>' in piece.text  # V11: the IVR's language
    assert "вторник, 8 декабря" in piece.text


def test_a_hidden_caller_id_leaves_the_phone_to_type(
    console: Console, operator: TestClient
) -> None:
    add_caller_call(console, caller=None)
    piece = operator.get(CARD)
    assert (
        'id="visit-phone" name="phone" type="tel" maxlength="64" autocomplete="tel" required '
        'value=""' in piece.text
    )


def test_booking_from_the_card_shows_what_to_read_out(
    console: Console, operator: TestClient
) -> None:
    # V2, V5, V11, V12: booked by the line; the confirmation in the caller's language
    add_caller_call(console)
    piece = operator.post(CARD, data=card_booking(console))
    assert piece.status_code == 201, piece.text
    assert "Прочитайте звонящему" in piece.text
    assert "You are booked for a personal visit" in piece.text
    assert "How to get there" in piece.text
    assert "tactile" in piece.text
    [booking] = bookings(console.engine)
    assert booking.channel is VisitChannel.LINE
    assert booking.booked_by_id == employee_id(console.engine, "401")
    assert booking.remind_two_hours
    assert booking.remind_by_call
    assert f'id="card-visit-{booking.id}"' in piece.text  # in the caller's upcoming list
    assert 'value="' + slot(console.engine, 10, 30) + '"' not in piece.text  # the slot is gone


def test_a_taken_time_in_the_card_keeps_the_fields(console: Console, operator: TestClient) -> None:
    add_caller_call(console)
    assert operator.post(CARD, data=card_booking(console)).status_code == 201
    again = operator.post(
        CARD, data=card_booking(console, name="Иванов Иван", email="i@example.ru")
    )
    assert again.status_code == 409
    assert REFUSAL_RU[BookingRefusal.TAKEN] in again.text
    assert 'value="Иванов Иван"' in again.text
    assert 'value="i@example.ru"' in again.text
    assert len(bookings(console.engine)) == 1


def test_bad_input_in_the_card_is_a_422(console: Console, operator: TestClient) -> None:
    add_caller_call(console)
    bad = operator.post(CARD, data=card_booking(console, phone="123", email="nope"))
    assert bad.status_code == 422
    assert "Номер телефона не распознан" in bad.text
    forged = operator.post(CARD, data=card_booking(console, slot=slot(console.engine, 10, 45)))
    assert forged.status_code == 422
    assert REFUSAL_RU[BookingRefusal.NO_SUCH_SLOT] in forged.text
    assert bookings(console.engine) == []


def test_the_card_requires_the_csrf_header(console: Console, operator: TestClient) -> None:
    add_caller_call(console)
    del operator.headers["X-CSRF-Token"]
    assert operator.post(CARD, data=card_booking(console)).status_code == 403
    assert bookings(console.engine) == []


def test_cancelling_from_the_card(console: Console, operator: TestClient) -> None:
    # V6: by the line, audited with the operator's login; the typed fields come back
    add_caller_call(console)
    operator.post(CARD, data=card_booking(console))
    [booking] = bookings(console.engine)
    done = operator.post(f"{CARD}/{booking.id}/cancel", params={"name": "Введено"})
    assert done.status_code == 200
    assert f'id="card-visit-{booking.id}"' not in done.text
    assert 'value="Введено"' in done.text
    [booking] = bookings(console.engine)
    assert booking.status is VisitStatus.CANCELLED
    assert booking.cancelled_via is VisitChannel.LINE
    assert booking.cancelled_by == "web:operator"
    with session_scope(console.engine) as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "visit_cancelled")).one()
    assert audit.actor == "web:operator"
    assert operator.post(f"{CARD}/999/cancel").status_code == 404


# ------------------------------------------------------------------ the staff page


def test_the_day_list_highlights_the_interpreter(console: Console, operator: TestClient) -> None:
    # V12: the reception arranges the interpreter
    add_caller_call(console)
    operator.post(CARD, data=card_booking(console))
    page = console.signed_in("chief").get("/visits", params={"day": TUESDAY.isoformat()})
    assert page.status_code == 200
    assert "10:30–11:00" in page.text
    assert '<strong class="visits__interpreter">тифлосурдопереводчик</strong>' in page.text
    assert "английский" in page.text
    assert "линия" in page.text


def staff_book(console: Console, browser: TestClient, **extra: str) -> object:
    token = form_token(browser.get("/visits"))
    data = {
        "day": TUESDAY.isoformat(),
        "slot": slot(console.engine, 11, 0),
        "phone": "8 928 765-43-21",
        "name": "Посетитель",
        "language": "ru",
        "step": "book",
        "csrf_token": token,
    } | extra
    return browser.post("/visits/book", data=data)


def test_booking_on_the_staff_page(console: Console) -> None:
    browser = console.signed_in("chief")
    page = staff_book(console, browser)
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Вы записаны на личный приём" in page.text  # type: ignore[attr-defined]
    [booking] = bookings(console.engine)
    assert booking.channel is VisitChannel.STAFF
    taken = staff_book(console, browser, name="Другой")
    assert taken.status_code == 409  # type: ignore[attr-defined]
    assert 'value="Другой"' in taken.text  # type: ignore[attr-defined]


def test_staff_cancel_and_marks(console: Console) -> None:
    console.clock.now = at(TUESDAY, 9, 0).astimezone(UTC)
    browser = console.signed_in("operator")
    staff_book(console, browser)
    [booking] = bookings(console.engine)
    token = form_token(browser.get("/visits", params={"day": TUESDAY.isoformat()}))
    early = browser.post(
        f"/visits/{booking.id}/attendance", data={"visited": "yes", "csrf_token": token}
    )
    assert early.status_code == 409
    assert MARK_TOO_EARLY in early.text
    console.clock.now = at(TUESDAY, 11, 5).astimezone(UTC)
    late = browser.post(f"/visits/{booking.id}/cancel", data={"csrf_token": token})
    assert late.status_code == 409
    assert CANCEL_TOO_LATE in late.text
    page = browser.get("/visits", params={"day": TUESDAY.isoformat()})
    assert "пришёл</button>" in page.text
    came = browser.post(
        f"/visits/{booking.id}/attendance", data={"visited": "yes", "csrf_token": token}
    )
    assert came.status_code == 303
    assert came.headers["location"] == f"/visits?day={TUESDAY.isoformat()}"
    again = browser.post(
        f"/visits/{booking.id}/attendance", data={"visited": "yes", "csrf_token": token}
    )
    assert again.status_code == 303
    assert bookings(console.engine)[0].status is VisitStatus.VISITED
    with session_scope(console.engine) as session:
        marks = session.exec(select(AuditEntry).where(AuditEntry.action == "visit_visited")).all()
    assert len(marks) == 1  # the repeat changed nothing
    assert marks[0].actor == "web:operator"
    browser.post(f"/visits/{booking.id}/attendance", data={"visited": "no", "csrf_token": token})
    assert bookings(console.engine)[0].status is VisitStatus.NO_SHOW
    assert browser.post("/visits/999/cancel", data={"csrf_token": token}).status_code == 404


def test_a_cancelled_booking_cannot_be_marked(console: Console) -> None:
    console.clock.now = at(TUESDAY, 9, 0).astimezone(UTC)
    browser = console.signed_in("admin")
    staff_book(console, browser)
    [booking] = bookings(console.engine)
    token = form_token(browser.get("/visits"))
    assert (
        browser.post(f"/visits/{booking.id}/cancel", data={"csrf_token": token}).status_code == 303
    )
    console.clock.now = at(TUESDAY, 11, 5).astimezone(UTC)
    refused = browser.post(
        f"/visits/{booking.id}/attendance", data={"visited": "yes", "csrf_token": token}
    )
    assert refused.status_code == 409
    assert MARK_CANCELLED in refused.text
    assert bookings(console.engine)[0].status is VisitStatus.CANCELLED
