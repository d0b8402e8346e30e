"""The public message form in Chromium with scripts switched off: a visitor fills it in, sends
it and reads the registration number, all without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.tables import MessageIntake, WrittenMessage
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer

NOW = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)  # a Thursday; the primary answer by Tuesday
SCRIPT_PROBE = (
    "data:text/html,<p id=probe>off</p>"
    "<script>document.getElementById('probe').textContent='on'</script>"
)


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(db_engine, tmp_path, clock=lambda: NOW).start()
    yield server
    server.stop()


@pytest.fixture
def no_script_page(chromium: WebDriver, live_server: LiveServer) -> Iterator[Page]:
    view = Page(chromium, live_server.base_url)
    chromium.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    yield view
    chromium.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    view.reset()


def test_a_visitor_sends_a_message_without_javascript(
    no_script_page: Page, live_server: LiveServer
) -> None:
    page = no_script_page
    driver = page.driver
    driver.get(SCRIPT_PROBE)  # scripts are really off in this tab
    assert page.text("#probe") == "off"
    page.open("/public/message")
    driver.find_element(By.NAME, "name").send_keys("Анна Иванова")
    driver.find_element(By.NAME, "email").send_keys("anna@example.ru")
    driver.find_element(By.NAME, "text").send_keys("Как оформить пособие на ребёнка?")
    driver.find_element(By.NAME, "consent").click()
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    page.wait_text("#message-number", "ПО-2026-000001")
    assert page.text("#primary-due") == "17.03.2026"
    page.screenshot("public-message-done")
    with session_scope(live_server.engine) as session:
        [message] = session.exec(select(WrittenMessage)).all()
        assert message.intake is MessageIntake.WEB
        assert message.consent is True
