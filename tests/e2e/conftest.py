"""End-to-end fixtures: the real app on a live uvicorn with a loopback AMI server, and Chromium.

* ``live_server`` (``tests.e2e.server.LiveServer``): the app as ``serve`` builds it, on a fresh
  migrated test database (``db_engine``: SQLite, or PostgreSQL with ``TEST_DATABASE_URL``),
  its AMI bridge logged in to a ``FakeAmi`` that plays recorded traffic (``push``).
* ``chromium``: one headless Chromium for the whole session; every test that uses it is
  skipped, with one reason naming the missing package, where Chromium is not installed.
* ``page`` (``tests.e2e.browser.Page``): the browser at ``live_server``'s address, reset to one
  blank tab after the test; a test fails if the page logged an uncaught script error.
  ``page.screenshot(name)`` saves ``docs/screenshots/NAME.png`` only with ``TEST_SCREENSHOTS=1``.
* ``view``: the same for the public pages, nobody signed in; scripts are switched back on
  after a test that switched them off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from sqlalchemy.engine import Engine

from models.tables import Role
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import Page, missing_packages, skip_reason, start_chromium
from tests.e2e.server import LiveServer


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(db_engine, tmp_path).start()
    yield server
    server.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Skipped here rather than in the fixture: pytest then reports every browser test's skip
    # at this one place, as one line.
    if "chromium" in getattr(item, "fixturenames", ()):
        missing = missing_packages()
        if missing:
            pytest.skip(skip_reason(missing))


@pytest.fixture(scope="session")
def chromium() -> Iterator[WebDriver]:
    driver = start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def page_user() -> tuple[str, Role]:
    """Who the ``page`` fixture signs in (a module overrides it for another role)."""
    return ("operator", Role.OPERATOR)


@pytest.fixture
def page(
    chromium: WebDriver, live_server: LiveServer, page_user: tuple[str, Role]
) -> Iterator[Page]:
    view = Page(chromium, live_server.base_url)
    view.js_errors()  # what earlier tests left in the log
    login, role = page_user
    live_server.add_user(login, role)
    view.sign_in(login, PASSWORD)
    yield view
    errors = view.js_errors()
    view.reset()
    assert not errors, f"the page logged script errors: {errors}"


@pytest.fixture
def view(chromium: WebDriver, live_server: LiveServer) -> Iterator[Page]:
    page = Page(chromium, live_server.base_url)
    page.js_errors()  # what earlier tests left in the log
    yield page
    chromium.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    errors = page.js_errors()
    page.reset()
    assert not errors, f"the page logged script errors: {errors}"
