"""The survey of a written message in Chromium (W12): the client opens the link of the final
notice with scripts switched off, answers both questions with a comment and is thanked, once;
the supervisor then finds the answer and the comment, as text, in the survey report's
«Письменные обращения»."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.message_store import MessageDraft, register_message
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.survey_links import issue_survey_link
from models.tables import MessageIntake, MessageSurvey, Role
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer
from tests.e2e.test_report_missed_page import _submit
from tests.e2e.test_report_survey_page import _fact

NOW = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)  # Thursday 12 March 2026, 10:00 in Moscow
RECEIVED = NOW - timedelta(days=10)  # Monday 2 March
COMMENT = "Ответ понятный, <b>спасибо</b>! Но ждал две недели."
MESSAGE_COLUMN = 1  # «Обращение», counted from 1 as CSS does
COMMENT_COLUMN = 7  # «Комментарий»


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(db_engine, tmp_path, clock=lambda: NOW).start()
    yield server
    server.stop()


def _survey_link(engine: Engine) -> tuple[str, str]:
    """A web message's survey link as its final notice carries it: (path, message number)."""
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    draft = MessageDraft(
        intake=MessageIntake.WEB,
        received_at=RECEIVED,
        registered_by="web",
        sender_name="Гасанов Руслан",
        sender_email="gasanov@example.ru",
        body="Как получить субсидию?",
    )
    message = register_message(engine, settings, draft)
    with session_scope(engine) as session:
        link = issue_survey_link(session, settings, message.id, NOW - timedelta(days=1))
    return link.removeprefix(settings.public_base), message.number


def test_a_client_answers_and_the_supervisor_reads_it_in_the_report(
    view: Page, live_server: LiveServer
) -> None:  # W12
    page, driver = view, view.driver
    path, number = _survey_link(live_server.engine)

    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    page.open(path)
    assert page.text("#survey-number") == number
    assert page.text("#survey-date") == "02.03.2026"
    assert "Гасанов" not in page.text("body")
    driver.find_element(By.CSS_SELECTOR, "input[name=received][value=yes]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=quality][value=partly_satisfied]").click()
    driver.find_element(By.NAME, "comment").send_keys(COMMENT)
    page.screenshot("public-survey")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    page.wait_text("#survey-done", "Спасибо, Ваш ответ получен.")
    page.open(path)  # the link opened again
    page.wait_text("#survey-done", "Спасибо, Ваш ответ уже получен.")
    assert not driver.find_elements(By.TAG_NAME, "form")
    with session_scope(live_server.engine) as session:
        [survey] = session.exec(select(MessageSurvey)).all()
        assert (survey.answer_received, survey.quality, survey.comment) == (
            AnswerReceived.YES,
            QualityRating.PARTLY_SATISFIED,
            COMMENT,
        )
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

    live_server.add_user("supervisor", Role.SUPERVISOR)
    page.sign_in("supervisor", PASSWORD)
    page.open("/reports/survey?since=2026-03-01&until=2026-03-31")
    driver.find_element(By.XPATH, "//label[contains(., 'Письменные обращения')]").click()
    _submit(page, "channel=messages")
    assert "Письменные обращения" in page.text(".report-form")
    assert _fact(page, "Отправлено ссылок") == "1"
    assert _fact(page, "Ответов за период") == "1"
    assert _fact(page, "Частично удовлетворен") == "1 (100,0 %)"
    cells = driver.find_elements(By.CSS_SELECTOR, ".report-table tbody tr:first-child td")
    assert cells[MESSAGE_COLUMN - 1].text == number
    assert cells[COMMENT_COLUMN - 1].text == COMMENT  # the markup shown as the client typed it
    assert not driver.find_elements(By.CSS_SELECTOR, ".report-table td b")
    page.screenshot("report-survey-messages")
