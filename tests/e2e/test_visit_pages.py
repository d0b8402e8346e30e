"""Personal visits in Chromium (V1, V2, V5, V6, V11, V12): the operator books a visit from the
call card while the call goes on (the confirmation to read out, the slot gone from the list, the
caller's booking listed and cancelled); a visitor books on the public page in Russian and in
English without a script and cancels by the link; the staff page lists the day."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlmodel import select

from models.db import session_scope
from models.tables import Employee
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer, capture_part
from tests.e2e.workspace import prepare_operator
from visits.schedule_file import load_schedule_file
from visits.schedule_import import import_schedule

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_schedule(live_server: LiveServer, tmp_path: Path, employee: str = "") -> None:
    """The example reception point; ``employee`` (internal number; by default the page's user,
    the only employee) receives every working day, 09:00–17:00."""
    if not employee:
        with session_scope(live_server.engine) as session:
            (only,) = session.exec(select(Employee)).all()
            employee = only.internal_number
    points = (EXAMPLES / "reception.yaml").read_text(encoding="utf-8").split("receptions:")[0]
    schedule = tmp_path / "reception.yaml"
    schedule.write_text(
        points + "receptions:\n"
        f'  - employee: "{employee}"\n    point: ministry\n    slot_minutes: 60\n'
        '    hours:\n      - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}\n',
        encoding="utf-8",
    )
    with session_scope(live_server.engine) as session:
        import_schedule(
            session=session, schedule=load_schedule_file(schedule), now=live_server._clock()
        )


def slot_values(page: Page) -> list[str]:
    return [
        str(e.get_attribute("value"))
        for e in page.driver.find_elements(By.CSS_SELECTOR, "#visit-slots input[type=radio]")
    ]


def test_operator_books_a_visit_from_the_call_card(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    # V2, V5: booked during the call, the place and the way there read out; V6: cancelled
    prepare_operator(live_server)
    load_schedule(live_server, tmp_path, "300")
    page.open("/")
    page.driver.find_element(By.ID, "go-ready").click()
    page.wait_text("#queue-state", "готов")
    live_server.push(capture_part("a-answered", until="AgentConnect"))
    page.wait(lambda: page.visible("#card-visits #visit-form"), "the booking form", timeout=20)
    assert page.driver.find_element(By.ID, "visit-phone").get_attribute("value") == (
        "+7 928 123-45-67"
    )
    first = page.driver.find_element(By.CSS_SELECTOR, "#visit-slots input[type=radio]")
    chosen = str(first.get_attribute("value"))
    first.click()
    page.driver.find_element(By.ID, "visit-name").send_keys("Алиева Марьям")
    page.driver.find_element(
        By.CSS_SELECTOR, "#visit-interpreter input[value=sign_language]"
    ).click()
    page.driver.find_element(By.ID, "visit-remind_day_before").click()
    page.driver.find_element(By.ID, "visit-remind_by_call").click()
    # keyboard: Enter in a field sends the form like the button
    page.driver.find_element(By.ID, "visit-name").send_keys(Keys.ENTER)
    page.wait(lambda: page.visible("#visit-confirmation"), "the confirmation")
    said = page.text("#visit-confirmation")
    assert "Прочитайте звонящему" in said
    assert "Как добраться" in said
    assert "сурдопереводчик" in said
    assert page.script("return document.activeElement.id") == "visit-confirmation"
    assert chosen not in slot_values(page)  # the slot is gone from the list
    assert page.texts("#card-visits-upcoming li form")  # the caller's booking, to cancel
    page.script("document.getElementById('visit-confirmation').scrollIntoView()")
    page.screenshot("workspace-visit-booked")
    # the card's live updates go on beside it
    assert page.visible("#script-greeting")

    page.driver.find_element(By.CSS_SELECTOR, "#card-visits-upcoming form button").click()
    page.wait(lambda: page.texts("#card-visits-upcoming li") == ["нет"], "the cancellation")
    assert chosen in slot_values(page)  # free again


def book_on_public_page(page: Page, phone: str, name: str) -> str:
    page.driver.find_element(By.CSS_SELECTOR, "#visit-slots input[type=radio]").click()
    page.driver.find_element(By.ID, "visit-phone").send_keys(phone)
    page.driver.find_element(By.ID, "visit-name").send_keys(name)
    page.driver.find_element(By.ID, "visit-email").send_keys("visitor@example.ru")
    page.driver.find_element(By.ID, "visit-remind_day_before").click()
    page.driver.find_element(By.ID, "visit-remind_by_email").click()
    page.driver.find_element(By.ID, "visit-book").click()
    page.wait(lambda: page.visible("#visit-confirmation"), "the confirmation")
    link = page.driver.find_element(By.ID, "visit-cancel-link").get_attribute("href")
    return urlsplit(str(link)).path


def test_public_booking_and_cancellation_in_russian(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    # V1, V5, V6: no script on the page; the confirmation shows the place and the link
    load_schedule(live_server, tmp_path)  # the page's operator receives
    page.open("/public/visits")
    assert page.script("return document.scripts.length") == 0
    assert page.script("return document.documentElement.lang") == "ru"
    page.screenshot("public-visits")
    # an error keeps what was typed
    page.driver.find_element(By.ID, "visit-phone").send_keys("12")
    page.driver.find_element(By.ID, "visit-name").send_keys("Гасанов Гасан")
    page.driver.find_element(By.ID, "visit-book").click()
    page.wait_text("#visit-phone-error", "Номер телефона не распознан")
    assert page.driver.find_element(By.ID, "visit-name").get_attribute("value") == "Гасанов Гасан"
    page.driver.find_element(By.ID, "visit-phone").clear()
    page.driver.find_element(By.ID, "visit-name").clear()
    path = book_on_public_page(page, "8 928 111-22-33", "Гасанов Гасан")
    assert "Вы записаны на личный приём" in page.text("#visit-confirmation")
    page.screenshot("public-visit-booked")

    page.open("/visits")  # the staff page lists it (the page's user is an operator)
    page.wait(lambda: page.texts("#visits-table tbody tr") or page.visible("#visits-none"), "list")

    page.open(path)
    page.wait_text("#visit-cancel-ask", "Отменить запись")
    assert "Гасанов Гасан" in page.text(".facts")
    page.screenshot("public-visit-cancel")
    page.driver.find_element(By.ID, "visit-cancel-button").click()
    page.wait_text("#visit-cancel-done", "Запись отменена")
    page.open(path)
    page.wait_text("#visit-cancel-already", "уже отменена")


def test_public_booking_in_english(live_server: LiveServer, page: Page, tmp_path: Path) -> None:
    # V11
    load_schedule(live_server, tmp_path)
    page.open("/public/visits")
    page.driver.find_element(By.ID, "visit-other-language").click()
    page.wait(lambda: page.script("return document.documentElement.lang") == "en", "English")
    assert "Booking a personal visit" in page.text("h1")
    path = book_on_public_page(page, "+7 928 111-22-44", "John Smith")
    said = page.text("#visit-confirmation")
    assert "You are booked for a personal visit" in said
    assert "How to get there" in said
    page.screenshot("public-visit-booked-en")
    page.open(path)
    page.wait_text("#visit-cancel-ask", "Cancel your personal visit?")


def test_staff_page_lists_the_day(live_server: LiveServer, page: Page, tmp_path: Path) -> None:
    # V12: the interpreter stands out for the reception
    load_schedule(live_server, tmp_path)
    page.open("/visits")
    page.wait(lambda: page.visible("#visit-form"), "the booking form")
    page.driver.find_element(By.CSS_SELECTOR, "#visit-slots input[type=radio]").click()
    page.driver.find_element(By.ID, "visit-phone").send_keys("8 928 111-22-55")
    page.driver.find_element(By.ID, "visit-name").send_keys("Омаров Омар")
    page.driver.find_element(By.CSS_SELECTOR, "#visit-interpreter input[value=tactile]").click()
    page.driver.find_element(By.ID, "visit-book").click()
    page.wait(lambda: page.visible("#visit-confirmation"), "the confirmation")
    day = page.driver.find_element(By.ID, "visit-day").get_attribute("value")
    page.open(f"/visits?day={day}")
    page.wait_text("#visits-table", "Омаров Омар")
    assert page.text(".visits__interpreter") == "тифлосурдопереводчик"
    page.screenshot("visits-day")
