"""The public pages of personal visits (V1, V5, V6, V11, V12): booking without sign-in, a form
sent twice books once, a slot taken meanwhile keeps the fields, refusals with their reason, the
cancellation link."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.public_message_desk import VISITS_PER_CLIENT
from models.db import session_scope
from models.rules.visit_slots import REFUSAL_RU, BookingRefusal
from models.tables import AuditEntry, Interpreter, Language, VisitBooking, VisitChannel, VisitStatus
from tests.agent_console.console import Clock, Console, form_token
from tests.visits.samples import BEFORE, CALENDAR, TUESDAY, at, load_examples
from visits.store import BookingRequest, book_visit, list_free_slots

PAGE = "/public/visits"
SLOT = f"{at(TUESDAY, 10, 30).isoformat()}~"
_LINK = re.compile(r'id="visit-cancel-link">https?://[^<]*(/public/visits/cancel/[^<]+)<')


@pytest.fixture
def console(db_engine: Engine) -> Console:
    load_examples(db_engine)
    return Console(db_engine, Clock(BEFORE.astimezone(UTC)))


def employee_of(engine: Engine, number: str) -> int:
    from models.tables import Employee

    with session_scope(engine) as session:
        found = session.exec(select(Employee).where(Employee.internal_number == number)).one()
        assert found.id is not None
        return found.id


def fields(console: Console, **extra: str) -> dict[str, str]:
    return {
        "day": TUESDAY.isoformat(),
        "slot": SLOT + str(employee_of(console.engine, "301")),
        "phone": "8 912 345-67-89",
        "name": "Иванова Анна",
        "email": "anna@example.ru",
        "interpreter": "sign_language",
        "remind_day_before": "yes",
        "remind_by_email": "yes",
        "step": "book",
    } | extra


def send(browser: TestClient, data: dict[str, str], token: str | None = None) -> Response:
    if token is None:
        token = form_token(browser.get(PAGE))
    return browser.post(PAGE, data=data | {"csrf_token": token})


def bookings(engine: Engine) -> list[VisitBooking]:
    with session_scope(engine) as session:
        return list(session.exec(select(VisitBooking)).all())


def test_the_page_opens_without_sign_in_and_lists_free_days_and_times(console: Console) -> None:
    # V1: the visitor chooses a day and a free time among those available
    page = console.browser().get(PAGE, params={"day": TUESDAY.isoformat()})
    assert page.status_code == 200
    assert '<html lang="ru">' in page.text
    assert "Запись на личный приём" in page.text
    assert "вторник, 8 декабря" in page.text
    assert "10:30–11:00" in page.text
    assert "<script" not in page.text  # V1: no script needed
    assert 'href="/public/visits?lang=en"' in page.text


def test_the_page_in_english(console: Console) -> None:
    # V11
    page = console.browser().get(PAGE, params={"lang": "en", "day": TUESDAY.isoformat()})
    assert '<html lang="en">' in page.text
    assert "Booking a personal visit" in page.text
    assert "Tuesday, 8 December" in page.text
    assert "a sign-language interpreter" in page.text
    assert 'name="lang" value="en"' in page.text


def test_booking_shows_the_confirmation_and_the_cancellation_link(console: Console) -> None:
    # V1, V5, V12: the place, how to get there, the interpreter; V6: the link
    done = send(console.browser(), fields(console))
    assert done.status_code == 200, done.text
    assert "Вы записаны на личный приём" in done.text
    assert "Как добраться" in done.text
    assert "сурдопереводчик" in done.text
    assert _LINK.search(done.text)
    [booking] = bookings(console.engine)
    assert booking.channel is VisitChannel.WEB
    assert booking.interpreter is Interpreter.SIGN_LANGUAGE
    assert booking.remind_day_before
    assert booking.remind_by_email
    assert booking.phone_e164 == "+79123456789"


def test_a_form_sent_twice_books_once(console: Console) -> None:
    # V1: the same filled-in form (its token's nonce) books once and shows the same answer
    browser = console.browser()
    token = form_token(browser.get(PAGE))
    first = send(browser, fields(console), token)
    second = send(browser, fields(console), token)
    assert first.status_code == second.status_code == 200
    assert _LINK.search(first.text).group(1) == _LINK.search(second.text).group(1)  # type: ignore[union-attr]
    assert len(bookings(console.engine)) == 1


def test_a_slot_taken_meanwhile_gives_the_form_again_with_the_fields_kept(
    console: Console,
) -> None:
    browser = console.browser()
    assert send(browser, fields(console)).status_code == 200
    again = send(browser, fields(console, name="Петров Пётр", email="petr@example.ru"))
    assert again.status_code == 409
    assert REFUSAL_RU[BookingRefusal.TAKEN] in again.text
    assert 'value="Петров Пётр"' in again.text
    assert 'value="petr@example.ru"' in again.text
    assert "10:30–11:00" not in again.text  # the free time read anew
    assert "11:00–11:30" in again.text
    assert len(bookings(console.engine)) == 1


@pytest.mark.parametrize(
    ("slot", "reason"),
    [
        (at(TUESDAY, 10, 45).isoformat() + "~{e}", BookingRefusal.NO_SUCH_SLOT),  # forged
        (datetime(2026, 11, 3, 10, 30, tzinfo=at(TUESDAY, 0).tzinfo).isoformat() + "~{e}",
         BookingRefusal.PAST),
        (datetime(2027, 1, 5, 10, 30, tzinfo=at(TUESDAY, 0).tzinfo).isoformat() + "~{e}",
         BookingRefusal.NON_WORKING_DAY),  # the New Year holidays
    ],
)  # fmt: skip
def test_a_refused_time_is_a_422_with_its_reason(
    console: Console, slot: str, reason: BookingRefusal
) -> None:
    employee = employee_of(console.engine, "301")
    page = send(console.browser(), fields(console, slot=slot.format(e=employee)))
    assert page.status_code == 422
    assert REFUSAL_RU[reason] in page.text
    assert 'value="Иванова Анна"' in page.text
    assert bookings(console.engine) == []


def test_the_phone_is_required_and_checked(console: Console) -> None:
    browser = console.browser()
    empty = send(browser, fields(console, phone=""))
    assert empty.status_code == 422
    assert "Укажите номер телефона." in empty.text
    bad = send(browser, fields(console, phone="12"))
    assert bad.status_code == 422
    assert "Номер телефона не распознан" in bad.text
    english = send(browser, fields(console, phone="", lang="en"))
    assert "Please give a phone number." in english.text
    # V3–V4: a reminder by e-mail needs the address
    no_email = send(browser, fields(console, email=""))
    assert no_email.status_code == 422
    assert "Для напоминания письмом укажите e-mail." in no_email.text
    assert bookings(console.engine) == []


def test_choosing_another_day_keeps_what_was_typed(console: Console) -> None:
    page = send(console.browser(), fields(console, step="day", day="2026-12-10"))
    assert page.status_code == 200
    assert "четверг, 10 декабря" in page.text
    assert 'value="Иванова Анна"' in page.text
    assert bookings(console.engine) == []


def test_a_forged_or_missing_form_token_books_nothing(console: Console) -> None:
    page = console.browser().post(PAGE, data=fields(console) | {"csrf_token": "1.2.3"})
    assert page.status_code == 403
    assert bookings(console.engine) == []


def test_the_limit_per_address(console: Console) -> None:
    browser = console.browser()
    for minute in range(VISITS_PER_CLIENT):
        slot = at(
            TUESDAY, 10 + minute // 2 if minute < 6 else 14 + (minute - 6) // 2, 30 * (minute % 2)
        )
        number = "301" if minute < 6 else "331"
        data = fields(console, slot=f"{slot.isoformat()}~{employee_of(console.engine, number)}")
        assert send(browser, data).status_code == 200, minute
    refused = send(browser, fields(console))
    assert refused.status_code == 429
    assert len(bookings(console.engine)) == VISITS_PER_CLIENT


def cancel_path(console: Console, **extra: str) -> str:
    done = send(console.browser(), fields(console, **extra))
    match = _LINK.search(done.text)
    assert match is not None, done.text
    return match.group(1)


def test_the_cancellation_link(console: Console) -> None:
    # V6: the GET shows the booking and changes nothing; the POST cancels, by the web
    path = cancel_path(console)
    browser = console.browser()
    shown = browser.get(path)
    assert shown.status_code == 200
    assert 'id="visit-cancel-ask"' in shown.text
    assert "10:30–11:00" in shown.text
    assert "+7" not in shown.text
    assert "anna@example.ru" not in shown.text
    assert bookings(console.engine)[0].status is VisitStatus.BOOKED
    done = browser.post(path)
    assert done.status_code == 200
    assert 'id="visit-cancel-done"' in done.text
    [booking] = bookings(console.engine)
    assert booking.status is VisitStatus.CANCELLED
    assert booking.cancelled_via is VisitChannel.WEB
    again = browser.post(path)
    assert 'id="visit-cancel-already"' in again.text
    assert 'id="visit-cancel-already"' in browser.get(path).text
    with session_scope(console.engine) as session:
        actions = [a.action for a in session.exec(select(AuditEntry)).all()]
    assert actions.count("visit_cancelled") == 1


def test_the_cancellation_link_in_english(console: Console) -> None:
    path = cancel_path(console, lang="en")
    assert bookings(console.engine)[0].language is Language.EN
    assert "Cancel your personal visit?" in console.browser().get(path).text


def test_a_begun_visit_cannot_be_cancelled_by_the_link(console: Console) -> None:
    path = cancel_path(console)
    console.clock.now = at(TUESDAY, 10, 31).astimezone(UTC)
    browser = console.browser()
    assert 'id="visit-cancel-late"' in browser.get(path).text
    refused = browser.post(path)
    assert refused.status_code == 409
    assert bookings(console.engine)[0].status is VisitStatus.BOOKED


@pytest.mark.parametrize("token", ["nonsense", "Zq3xY8-secret_token_0123456789abcdefghijk"])
def test_an_unknown_link_is_a_404_page(console: Console, token: str) -> None:
    browser = console.browser()
    for response in (
        browser.get(f"/public/visits/cancel/{token}"),
        browser.post(f"/public/visits/cancel/{token}"),
    ):
        assert response.status_code == 404
        assert "Ссылка не найдена" in response.text


def test_the_race_for_the_last_slot_through_the_public_page(db_engine: Engine) -> None:
    # V1: four visitors on four console processes (each its own limits and form memory) send
    # the form for the day's last free time at once; the database gives it to one, the others
    # get the form again with «время уже занято». On PostgreSQL with TEST_DATABASE_URL.
    load_examples(db_engine)
    consoles = [Console(db_engine, Clock(BEFORE.astimezone(UTC))) for _ in range(4)]
    with session_scope(db_engine) as session:
        free = list_free_slots(
            session=session, calendar=CALENDAR, first=TUESDAY, last=TUESDAY, now=BEFORE
        )
        last, others = free[-1], free[:-1]
        for n, taken in enumerate(others):
            book_visit(
                session=session,
                settings=consoles[0].settings,
                calendar=CALENDAR,
                request=BookingRequest(
                    starts_at=taken.starts_at,
                    phone=f"+7 912 100-00-{n:02d}",
                    channel=VisitChannel.STAFF,
                    employee_id=taken.employee_id,
                ),
                actor="test",
                now=BEFORE,
            )
    browsers = [console.browser() for console in consoles]
    tokens = [form_token(browser.get(PAGE)) for browser in browsers]
    value = f"{last.starts_at.isoformat()}~{last.employee_id}"
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def attempt(n: int) -> None:
        data = fields(consoles[n], slot=value, phone=f"+7 912 000-00-1{n}")
        barrier.wait()
        statuses.append(send(browsers[n], data, tokens[n]).status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    with session_scope(db_engine) as session:
        winners = session.exec(
            select(VisitBooking).where(VisitBooking.starts_at == last.starts_at)
        ).all()
        assert len(winners) == 1
        assert not list_free_slots(
            session=session, calendar=CALENDAR, first=TUESDAY, last=TUESDAY, now=BEFORE
        )
