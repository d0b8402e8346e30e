"""Written messages in Chromium (W2–W6): a clerk registers a paper letter through the form,
lands on the message with its number, and finds it in «Письменные обращения» beside the
messages already there, the soonest deadline first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import MessageIntake, MessageStatus, Role, WrittenMessage
from models.topics import Topic
from tests.e2e.browser import Page

SENDERS = (  # name, intake, topic, status, days since it came, urgent
    (
        "Гаджиева Марьям Алиевна",
        MessageIntake.EMAIL,
        Topic.SUPPORT_MEASURES,
        "registered",
        6,
        False,
    ),
    ("Алиев Руслан Магомедович", MessageIntake.WEB, Topic.STATE_SERVICES, "acknowledged", 40, True),
    ("Исаева Патимат", MessageIntake.PAPER, Topic.CONTROL_SUPERVISION, "registered", 1, False),
    ("Омаров Шамиль", MessageIntake.PHONE, Topic.GENERAL, "answered", 50, False),
)


@pytest.fixture
def page_user() -> tuple[str, Role]:
    return ("clerk", Role.OPERATOR)


@pytest.fixture
def earlier_messages(db_engine: Engine) -> None:
    now = datetime.now(UTC)
    with session_scope(db_engine) as session:
        for n, (name, intake, topic, status, days, urgent) in enumerate(SENDERS, start=1):
            came = now - timedelta(days=days)
            session.add(
                WrittenMessage(
                    number=f"ПО-{came.year}-{n:06d}",
                    received_at=came,
                    intake=intake,
                    sender_name=name,
                    sender_email=f"sender{n}@mail.ru",
                    topic=topic,
                    urgent=urgent,
                    status=MessageStatus(status),
                    primary_due=(came + timedelta(days=4)).date(),
                    answer_due=(came + timedelta(days=20 if urgent else 30)).date(),
                    registered_by="mail",
                    body="Текст обращения",
                )
            )


def test_a_clerk_registers_a_letter_and_finds_it_in_the_list(  # W6
    page: Page, earlier_messages: None
) -> None:
    page.driver.find_element(By.LINK_TEXT, "Обращения").click()
    page.wait_text("h1", "Письменные обращения")
    page.driver.find_element(By.LINK_TEXT, "Зарегистрировать обращение").click()
    page.wait_text("h1", "Регистрация обращения")
    page.driver.find_element(By.ID, "field-sender_name").send_keys("Магомедов Шамиль Расулович")
    page.driver.find_element(By.ID, "field-sender_phone").send_keys("8 (8722) 67-80-91")
    page.driver.find_element(By.ID, "field-sender_address").send_keys(
        "367000, г. Махачкала, ул. Ленина, д. 1, кв. 5"
    )
    page.driver.find_element(By.ID, "field-subject").send_keys("Субсидия на оплату ЖКУ")
    page.driver.find_element(By.CSS_SELECTOR, ".message-new__form button").click()
    page.wait_text(
        "#field-body-error", "Текст обращения не может быть пустым."
    )  # the text forgotten
    assert page.driver.find_element(By.ID, "field-subject").get_attribute("value") == (
        "Субсидия на оплату ЖКУ"
    )
    page.driver.find_element(By.ID, "field-body").send_keys(
        "Прошу разъяснить, какие документы нужны для субсидии на оплату ЖКУ."
    )
    page.driver.find_element(By.CSS_SELECTOR, ".message-new__form button").click()
    page.wait_text(".alert", "Обращение зарегистрировано под номером ПО-")
    number = page.text("h1").removeprefix("Обращение ")

    page.driver.find_element(By.LINK_TEXT, "К списку обращений").click()
    page.wait_text("h1", "Письменные обращения")
    rows = page.texts(".messages__row td:first-child")
    assert number in rows
    assert len(rows) == 5
    assert "Магомедов Шамиль Расулович" in page.text(f"#message-{number}")
    page.screenshot("messages")
