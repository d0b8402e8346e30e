"""«Обратные звонки» (C11) and «Переводы звонков» (C10) in Chromium at 1366×768 over a month of
demo traffic: a supervisor opens each from the menu, reads its figures and chart, and narrows
it with a filter; the table then holds exactly the figure's rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

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
from tests.e2e.test_report_missed_page import SCREEN, _fact, _loaded, _submit, _viewport

REFUSED_LABEL = "Отклонён: лимит переводов"
OUTCOME_COLUMN = 10  # «Исход», counted from 1 as CSS does
TERM_COLUMN = 7  # «Срок»


@pytest.fixture
def supervisor(chromium: WebDriver, live_server: LiveServer, db_engine: Engine) -> Iterator[Page]:
    now = system_clock()
    with session_scope(db_engine) as session:
        calendar = load_calendar(session=session, settings=Settings())
        seed_demo(session=session, calendar=calendar, now=now, days=30)
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


def _month(page: Page, path: str) -> None:
    """The report at ``path`` opened from the menu («Отчёты») and the list of reports, over the
    last 30 days."""
    page.driver.find_element(By.CSS_SELECTOR, ".topbar__menu a[href='/reports/missed']").click()
    _loaded(page, "/reports/missed")
    page.driver.find_element(By.CSS_SELECTOR, f".report__list a[href='{path}']").click()
    _loaded(page, path)
    today = system_clock().astimezone(Settings().tz).date()
    since = today - timedelta(days=30)
    page.script(
        f"document.getElementById('report-since').value = '{since.isoformat()}';"
        f"document.getElementById('report-until').value = '{today.isoformat()}';"
    )
    _submit(page, f"since={since.isoformat()}")


def _tick(page: Page, label: str, expected: str) -> None:
    page.driver.find_element(By.CSS_SELECTOR, ".report-form__summary").click()
    page.driver.find_element(By.XPATH, f"//label[contains(., '{label}')]").click()
    _submit(page, expected)


def test_the_callback_report_counts_terms_and_filters_the_missed(supervisor: Page) -> None:  # C11
    page = supervisor
    _month(page, "/reports/callbacks")
    total = _fact(page, "Заявок")
    terms = {label: _fact(page, label) for label in ("В срок", "Срок нарушен", "Срок не наступил")}
    assert total > 0
    assert sum(terms.values()) + _fact(page, "Отменена") == total
    assert page.visible("#chart-by-day svg .chart__bar--kept")
    page.screenshot("report-callbacks")
    _tick(page, "Срок нарушен", "term=missed")
    assert _fact(page, "Заявок") == terms["Срок нарушен"]
    shown = page.texts(f".report-table__table tbody td:nth-child({TERM_COLUMN})")
    assert shown == ["Срок нарушен"] * min(terms["Срок нарушен"], 200)


def test_the_transfer_report_counts_calls_and_filters_the_refused(supervisor: Page) -> None:  # C10
    page = supervisor
    _month(page, "/reports/transfers")
    answered = _fact(page, "Принято звонков")
    by_count = [_fact(page, label) for label in ("Без переводов", "1 перевод", "2 перевода")]
    assert answered > 0
    assert sum(by_count) == answered  # the cap: never more than two
    refused = _fact(page, REFUSED_LABEL)
    assert page.visible("#chart-by-transfers svg")
    page.screenshot("report-transfers")
    _tick(page, REFUSED_LABEL, "outcome=refused")
    assert _fact(page, "Всего попыток") == refused
    outcomes = page.texts(f".report-table__table tbody td:nth-child({OUTCOME_COLUMN})")
    assert outcomes == [REFUSED_LABEL] * refused
