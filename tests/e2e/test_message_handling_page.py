"""Handling written messages in Chromium (W2–W5, C1): an operator finds a caller's message by its
number and tells where it stands; an expert classifies one with the knowledge base's suggestion,
marks it urgent (a wrong term first) and confirms abuse in another; a supervisor opens the
overdue list, sees who holds each message and how late it is, and gives one to an expert."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult_line.clock import system_clock
from models.db import session_scope
from models.settings import Settings
from models.tables import (
    AbuseCheck,
    Employee,
    MessageIntake,
    MessageStatus,
    Role,
    WrittenMessage,
)
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer

LICENCE = "ПО-2026-000101"
ABUSIVE = "ПО-2026-000102"
ANSWERED = "ПО-2026-000103"
LATE = "ПО-2026-000104"
LATE_DAYS = 10  # the late message's primary answer was due this many days ago


def _today() -> date:
    return system_clock().astimezone(Settings().tz).date()


@pytest.fixture
def page_user(request: pytest.FixtureRequest) -> tuple[str, Role]:
    return getattr(request, "param", ("operator", Role.OPERATOR))


@pytest.fixture
def messages(db_engine: Engine, live_server: LiveServer) -> None:
    """The line's knowledge base and four messages; the late one held by an expert."""
    holder = live_server.add_user("magomedova", Role.EXPERT)
    now, today = datetime.now(UTC), _today()
    rows = [
        (
            LICENCE,
            "Лицензия на алкоголь",
            "Хочу открыть магазин у дома и продавать алкоголь. "
            "Сколько стоит госпошлина за лицензию и как её оплатить?",
            {},
        ),
        (
            ABUSIVE,
            "Ответьте уже",
            "Вы там все идиоты, третий месяц не можете ответить!",
            {
                "abuse": AbuseCheck.SUSPECTED,
                "abuse_words": "идиоты",
                "abuse_notice_due": today + timedelta(days=5),
            },
        ),
        (
            ANSWERED,
            "Справка",
            "Прошу выдать справку.",
            {
                "status": MessageStatus.ACKNOWLEDGED,
                "topic": Topic.STATE_SERVICES,
                "need": "Справка о статусе заявления",
            },
        ),
        (
            LATE,
            "Субсидия",
            "Прошу разъяснить порядок субсидии на модернизацию.",
            {
                "primary_due": today - timedelta(days=LATE_DAYS),
                "owner_id": holder,
            },
        ),
    ]
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=load_content(), now=now)
        for number, subject, body, more in rows:
            fields: dict[str, object] = {
                "number": number,
                "received_at": now - timedelta(days=1),
                "intake": MessageIntake.EMAIL,
                "sender_name": "Гаджиева Марьям Алиевна",
                "sender_email": "gadzhieva@mail.ru",
                "subject": subject,
                "body": body,
                "primary_due": today + timedelta(days=2),
                "answer_due": today + timedelta(days=29),
                "registered_by": "mail",
                **more,
            }
            session.add(WrittenMessage.model_validate(fields))


def _stored(engine: Engine, number: str) -> WrittenMessage:
    with Session(engine) as session:
        return session.exec(
            select(WrittenMessage).where(col(WrittenMessage.number) == number)
        ).one()


def _owner_name(engine: Engine, number: str) -> str:
    with Session(engine) as session:
        owner_id = _stored(engine, number).owner_id
        owner = session.get(Employee, owner_id) if owner_id is not None else None
        assert owner is not None
        return owner.full_name


def _search(page: Page, text: str) -> None:
    field = page.driver.find_element(By.ID, "field-q")
    field.clear()
    field.send_keys(text)
    page.driver.find_element(By.CSS_SELECTOR, ".messages__filters button").click()


def test_an_operator_tells_a_caller_where_their_message_stands(  # C1
    page: Page, messages: None
) -> None:
    page.driver.find_element(By.LINK_TEXT, "Обращения").click()
    page.wait_text("h1", "Письменные обращения")
    _search(page, "000103")
    page.wait(lambda: len(page.texts(".messages__row")) == 1, "one message found")
    page.driver.find_element(By.LINK_TEXT, ANSWERED).click()
    page.wait_text("h1", f"Обращение {ANSWERED}")
    assert page.text("#message-state") == "первичный ответ дан"
    assert page.text("#message-topic") == "Государственные услуги и статус заявлений"
    assert "выполнено" in page.text("#due-primary")
    assert not page.visible(".message-handling")  # an operator does not handle messages
    assert not page.driver.find_elements(By.CSS_SELECTOR, "a[href*='/notices/new']")


@pytest.mark.parametrize("page_user", [("expert", Role.EXPERT)], indirect=True)
def test_an_expert_classifies_marks_urgent_and_confirms_abuse(  # W2–W5
    page: Page, messages: None, db_engine: Engine
) -> None:
    page.open(f"/messages/{LICENCE}")
    page.wait_text("#suggestion", "Предложение базы знаний: тема «Государственные услуги")
    topic = Select(page.driver.find_element(By.ID, "field-topic"))
    assert topic.first_selected_option.get_attribute("value") == "state_services"
    need = page.driver.find_element(By.ID, "field-need").get_attribute("value")
    assert need is not None
    assert need.startswith("Сколько стоит лицензия")
    page.driver.find_element(By.CSS_SELECTOR, "#classification button").click()
    page.wait_text(".alert", "Классификация сохранена.")
    assert page.text("#message-topic") == "Государственные услуги и статус заявлений"
    assert page.text("#message-need").startswith("Сколько стоит лицензия")

    term = page.driver.find_element(By.ID, "field-term")
    term.send_keys("16")
    page.driver.find_element(By.ID, "field-reason").send_keys("Магазин открывается через неделю")
    page.driver.find_element(By.CSS_SELECTOR, "#urgency button[value='1']").click()
    page.wait_text("#field-term-error", "от 1 до 15 рабочих дней, указано 16")
    assert page.driver.find_element(By.ID, "field-reason").get_attribute("value") == (
        "Магазин открывается через неделю"
    )
    assert _stored(db_engine, LICENCE).urgent is False
    term = page.driver.find_element(By.ID, "field-term")
    term.clear()
    term.send_keys("5")
    page.driver.find_element(By.CSS_SELECTOR, "#urgency button[value='1']").click()
    page.wait_text(".alert", "Срочность и срок ответа сохранены.")
    assert page.text("#message-urgency").startswith("срочное: Магазин открывается")
    stored = _stored(db_engine, LICENCE)
    assert stored.urgent is True
    assert f"{stored.answer_due:%d.%m.%Y}" in page.text("#due-answer")
    page.script("window.scrollTo(0, 0)")
    page.screenshot("message")
    page.script("document.getElementById('handling-title').scrollIntoView()")
    page.screenshot("message-handling")

    page.open(f"/messages/{ABUSIVE}")
    page.wait_text("#message-abuse", "подозрение на оскорбления")
    assert "идиоты" in page.text("#message-abuse")
    assert not page.driver.find_elements(By.CSS_SELECTOR, "a[href*='/notices/new']")
    page.driver.find_element(By.CSS_SELECTOR, "#abuse button[value='confirm']").click()
    page.wait_text(".alert", "Решение о проверке на оскорбления сохранено.")
    assert page.text("#message-abuse").startswith("оскорбления подтверждены")
    links = page.driver.find_elements(By.CSS_SELECTOR, "a[href*='/notices/new']")
    assert [link.text for link in links] == ["Уведомление о недопустимости оскорблений"]
    assert "не требуется" in page.text("#due-answer")
    assert _stored(db_engine, ABUSIVE).abuse is AbuseCheck.CONFIRMED


@pytest.mark.parametrize("page_user", [("supervisor", Role.SUPERVISOR)], indirect=True)
def test_a_supervisors_overdue_list(page: Page, messages: None, db_engine: Engine) -> None:
    page.driver.find_element(By.LINK_TEXT, "Обращения").click()
    page.wait_text("h1", "Письменные обращения")
    page.driver.find_element(By.LINK_TEXT, "Просроченные").click()
    page.wait(lambda: "view=overdue" in page.driver.current_url, "the overdue list")
    assert page.texts(".messages__row td:first-child") == [LATE]
    holder = _owner_name(db_engine, LATE)
    assert page.text(f"#message-{LATE} .messages__owner") == holder
    late = page.text(f"#message-{LATE} .messages__late")
    assert late.endswith(f"({LATE_DAYS} кал. дн.)")
    assert "раб. дн." in late
    page.screenshot("messages-overdue")

    page.driver.find_element(By.LINK_TEXT, "Без исполнителя").click()
    page.wait(lambda: "view=unassigned" in page.driver.current_url, "the unowned list")
    assert set(page.texts(".messages__row td:first-child")) == {LICENCE, ABUSIVE, ANSWERED}
    page.driver.find_element(By.LINK_TEXT, LICENCE).click()
    page.wait_text("h1", f"Обращение {LICENCE}")
    Select(page.driver.find_element(By.ID, "field-owner")).select_by_visible_text(holder)
    page.driver.find_element(By.CSS_SELECTOR, ".message-handling__assign button").click()
    page.wait_text(".alert", "Исполнитель сохранён.")
    assert page.text("#message-owner") == holder
    assert _stored(db_engine, LICENCE).owner_id == _stored(db_engine, LATE).owner_id
