"""«Опрос после консультации» in Chromium (C15): a supervisor opens the report from the home
page over a month of demo traffic, narrows it to one operator and finds the same figures in
that operator's row of the table per operator, with the trend drawn as two lines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine

from consult_line.clock import system_clock
from consult_line.demo import seed_demo
from models.calendar_store import load_calendar
from models.db import session_scope
from models.settings import Settings
from models.tables import Role
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import VIEWPORT, Page
from tests.e2e.server import LiveServer
from tests.e2e.test_report_missed_page import SCREEN, _submit, _viewport, open_last_month

OFFERED_COLUMN = 4  # «Опрос предложен» in the table per operator, counted from 1 as CSS does


@pytest.fixture
def supervisor(chromium: WebDriver, live_server: LiveServer, db_engine: Engine) -> Iterator[Page]:
    with session_scope(db_engine) as session:
        calendar = load_calendar(session=session, settings=Settings())
        seed_demo(session=session, calendar=calendar, now=system_clock(), days=30)
    live_server.add_user("supervisor", Role.SUPERVISOR)
    view = Page(chromium, live_server.base_url)
    view.js_errors()
    _viewport(chromium, SCREEN)
    view.sign_in("supervisor", PASSWORD)
    try:
        yield view
        assert not view.js_errors()
    finally:
        _viewport(chromium, VIEWPORT)
        view.reset()


def _fact(page: Page, label: str) -> str:
    for term in page.driver.find_elements(By.CSS_SELECTOR, ".report-facts__list dt"):
        if term.text == label:
            return str(term.find_element(By.XPATH, "following-sibling::dd[1]").text)
    raise AssertionError(f"no figure {label!r} on the page")


def test_the_supervisor_narrows_the_survey_to_one_operator(supervisor: Page) -> None:  # C15
    page = supervisor
    open_last_month(page, "Отчёт «Опрос после консультации»", "/reports/survey")
    assert page.visible("#chart-survey-trend svg")
    assert len(page.driver.find_elements(By.CSS_SELECTOR, "path.chart__line")) == 2
    offered = int(_fact(page, "Опрос предложен"))
    assert offered > 0  # the demo surveys most answered calls
    page.screenshot("report-survey")

    rows = page.driver.find_elements(By.CSS_SELECTOR, ".report-operators tbody tr")
    first = rows[0].find_elements(By.TAG_NAME, "td")
    name, operator_offered = first[0].text, first[OFFERED_COLUMN - 1].text
    page.driver.find_element(By.CSS_SELECTOR, ".report-form__summary").click()
    page.driver.find_element(By.XPATH, f"//label[contains(., '{name} (')]").click()
    _submit(page, "operator=")
    assert _fact(page, "Опрос предложен") == operator_offered
    operators = page.texts(".report-operators tbody td:nth-child(1)")
    assert operators == [name, "Вся линия"]
    assert set(page.texts(".report-table:not(.report-operators *) tbody td:nth-child(2)")) <= {name}
