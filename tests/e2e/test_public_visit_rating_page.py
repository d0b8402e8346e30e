"""The rating of a personal visit in Chromium (V13, V11): the visitor opens the link of the
letter sent after the visit with scripts switched off, rates it with a comment and is thanked,
once; an English booking gets the page in English; the supervisor then finds the rating in the
survey report's «Личный приём»."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.rules.survey import AnswerReceived, QualityRating
from models.settings import Settings
from models.survey_links import issue_visit_survey_link
from models.tables import Language, Role, VisitSurvey
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer
from tests.e2e.test_report_missed_page import _submit
from tests.e2e.test_report_survey_page import _fact
from tests.visits.rating_samples import book_at, tuesday
from tests.visits.samples import load_examples

NOW = tuesday(13)  # three hours after the visit at 10:00
COMMENT = "Всё объяснили, <b>спасибо</b>!"
COMMENT_COLUMN = 7  # «Комментарий»


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    load_examples(db_engine)
    server = LiveServer(db_engine, tmp_path, clock=lambda: NOW).start()
    yield server
    server.stop()


def _rating_link(engine: Engine, hour: int, language: Language = Language.RU) -> str:
    """The link of the letter after the visit at ``hour`` on Tuesday (its path)."""
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    booking = book_at(
        engine, settings, hour, email="visitor@example.ru", name="Гасанов Руслан", language=language
    )
    assert booking.id is not None
    with session_scope(engine) as session:
        link = issue_visit_survey_link(session, settings, booking.id, NOW)
    return link.removeprefix(settings.public_base)


def test_a_visitor_rates_the_visit_and_the_supervisor_reads_it_in_the_report(
    view: Page, live_server: LiveServer
) -> None:  # V13
    page, driver = view, view.driver
    path = _rating_link(live_server.engine, 10)

    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    page.open(path)
    assert page.text("h1") == "Оценка личного приёма"
    assert page.text("#survey-date") == "8 декабря 2026 г. (вторник), 10:00"
    assert "Гасанов" not in page.text("body")
    driver.find_element(By.CSS_SELECTOR, "input[name=received][value=yes]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=quality][value=satisfied]").click()
    driver.find_element(By.NAME, "comment").send_keys(COMMENT)
    page.screenshot("public-visit-rating")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    page.wait_text("#survey-done", "Спасибо, Ваш ответ получен.")
    page.open(path)
    page.wait_text("#survey-done", "Спасибо, Ваш ответ уже получен.")
    assert not driver.find_elements(By.TAG_NAME, "form")
    with session_scope(live_server.engine) as session:
        [rating] = session.exec(select(VisitSurvey)).all()
        assert (rating.answer_received, rating.quality, rating.comment) == (
            AnswerReceived.YES,
            QualityRating.SATISFIED,
            COMMENT,
        )
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

    live_server.add_user("supervisor", Role.SUPERVISOR)
    page.sign_in("supervisor", PASSWORD)
    page.open("/reports/survey?since=2026-12-08&until=2026-12-08")
    driver.find_element(By.XPATH, "//label[contains(., 'Личный приём')]").click()
    _submit(page, "channel=visits")
    assert _fact(page, "Отправлено ссылок") == "1"
    assert _fact(page, "Ответов за период") == "1"
    cells = driver.find_elements(By.CSS_SELECTOR, ".report-table tbody tr:first-child td")
    assert cells[0].text == "Исмаилов Арсен Камилович"
    assert cells[COMMENT_COLUMN - 1].text == COMMENT  # shown as typed, not as markup


def test_an_english_visitor_gets_the_page_in_english(view: Page, live_server: LiveServer) -> None:
    page, driver = view, view.driver  # V11, V13
    page.open(_rating_link(live_server.engine, 11, Language.EN))
    assert page.text("h1") == "Please rate your visit"
    assert page.text("#survey-date") == "Tuesday, 8 December 2026, 11:00"
    driver.find_element(By.CSS_SELECTOR, "input[name=received][value=no]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=quality][value=partly_satisfied]").click()
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    page.wait_text("#survey-done", "Thank you, your answer has been received.")
