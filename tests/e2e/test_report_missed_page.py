"""«Пропущенные звонки» in Chromium (C13): a supervisor opens the report from the home page over
a month of demo traffic, filters it by reason, and downloads the XLSX, which holds the calls
the page shows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import openpyxl
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
from tests.e2e.browser import VIEWPORT, WAIT_S, Page
from tests.e2e.server import LiveServer

TIMEOUT_LABEL = "Истекло время ожидания в очереди"
SCREEN = (1366, 768)
REASON_COLUMN = 4  # «Причина», counted from 1 as CSS does


def _viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False},
    )


@pytest.fixture
def supervisor(
    chromium: WebDriver, live_server: LiveServer, db_engine: Engine, tmp_path: Path
) -> Iterator[Page]:
    now = system_clock()
    with session_scope(db_engine) as session:
        calendar = load_calendar(session=session, settings=Settings())
        seed_demo(session=session, calendar=calendar, now=now, days=30)
    live_server.add_user("supervisor", Role.SUPERVISOR)
    view = Page(chromium, live_server.base_url)
    view.js_errors()
    _viewport(chromium, SCREEN)
    chromium.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    view.sign_in("supervisor", PASSWORD)
    try:
        yield view
        assert not view.js_errors()
    finally:
        chromium.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})
        _viewport(chromium, VIEWPORT)
        view.reset()


def _fact(page: Page, label: str) -> int:
    facts = page.driver.find_elements(By.CSS_SELECTOR, ".report-facts__list dt")
    for term in facts:
        if term.text == label:
            return int(term.find_element(By.XPATH, "following-sibling::dd[1]").text)
    raise AssertionError(f"no figure {label!r} on the page")


def _loaded(page: Page, expected: str) -> None:
    """Waits for the page whose address has ``expected`` to be loaded (not the one before)."""

    def done() -> bool:
        state = str(page.script("return location.href + ' ' + document.readyState"))
        return expected in state and state.endswith(" complete")

    page.wait(done, f"the page at {expected}")


def _submit(page: Page, expected: str) -> None:
    """«Показать», then the report it leads to."""
    page.driver.find_element(By.CSS_SELECTOR, ".report-form button[type=submit]").click()
    _loaded(page, expected)


def open_last_month(page: Page, link: str, path: str) -> None:
    """From the home page, the report at ``path`` over the 30 days up to today."""
    page.driver.find_element(By.LINK_TEXT, link).click()
    _loaded(page, path)
    today = system_clock().astimezone(Settings().tz).date()
    since = today - timedelta(days=30)
    page.script(
        f"document.getElementById('report-since').value = '{since.isoformat()}';"
        f"document.getElementById('report-until').value = '{today.isoformat()}';"
    )
    _submit(page, f"since={since.isoformat()}")
    assert f"за {since:%d.%m.%Y}–{today:%d.%m.%Y}" in page.text("h1")


def _downloaded(folder: Path) -> Path:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("missed-calls_*.xlsx") if p.stat().st_size]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.05)
    raise AssertionError(f"no XLSX downloaded into {folder}: {list(folder.iterdir())}")


def test_the_supervisor_filters_by_reason_and_downloads_the_xlsx(  # C13
    supervisor: Page, tmp_path: Path
) -> None:
    page = supervisor
    open_last_month(page, "Отчёт «Пропущенные звонки»", "/reports/missed")
    everything = _fact(page, "Пропущено")
    timeouts = _fact(page, TIMEOUT_LABEL)
    assert 0 < timeouts < everything  # the demo misses calls for every reason
    assert page.visible("#chart-by-day svg")
    page.screenshot("report-missed")

    page.driver.find_element(By.CSS_SELECTOR, ".report-form__summary").click()
    page.driver.find_element(By.XPATH, f"//label[contains(., '{TIMEOUT_LABEL}')]").click()
    _submit(page, "reason=queue_timeout")
    assert _fact(page, "Пропущено") == timeouts
    reasons = page.texts(f".report-table__table tbody td:nth-child({REASON_COLUMN})")
    assert reasons == [TIMEOUT_LABEL] * timeouts
    shown = page.texts(".report-table__table tbody td:nth-child(1)")

    page.driver.find_element(By.LINK_TEXT, "Скачать XLSX").click()
    book = openpyxl.load_workbook(_downloaded(tmp_path))
    sheet = book["Пропущенные звонки"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[REASON_COLUMN - 1] for row in rows] == [TIMEOUT_LABEL] * timeouts
    assert [f"{row[0]:%d.%m.%Y %H:%M}" for row in rows] == shown
