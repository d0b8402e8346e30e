"""The console's top bar on the smallest screen it is made for (1366×768): with the longest
menu (a supervisor who is also the knowledge-base editor and the administrator, as the
example staff file has it), a full name and the training line's badge (what ``make run``
shows), nothing runs off the screen and «Выйти» stays where it can be clicked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from sqlalchemy import update
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.tables import Employee, Role
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import Page
from tests.e2e.training_server import TrainingLiveServer

# The right edge of «Выйти» and of the page, against the window's width.
EDGES = """
var out = document.querySelector(".topbar__sign-out button").getBoundingClientRect();
return [out.right, document.documentElement.scrollWidth, document.documentElement.clientWidth];
"""


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path) -> Iterator[TrainingLiveServer]:
    server = TrainingLiveServer(db_engine, tmp_path).start()
    yield server
    server.stop()


def test_the_longest_menu_keeps_sign_out_on_the_screen(
    chromium: WebDriver, live_server: TrainingLiveServer, db_engine: Engine
) -> None:
    employee = live_server.add_user("chief", Role.SUPERVISOR, Role.KB_EDITOR, Role.ADMIN)
    with session_scope(db_engine) as session:
        session.execute(
            update(Employee)
            .where(Employee.id == employee)  # type: ignore[arg-type]
            .values(full_name="Сулейманова Хадижат Магомедгаджиевна")
        )
    page = Page(chromium, live_server.base_url)
    page.sign_in("chief", PASSWORD)
    try:
        page.open("/visits")
        page.wait_text("h1", "Личный приём")
        assert page.visible("#training-badge")
        sign_out_right, page_width, window_width = page.script(EDGES)  # type: ignore[misc]
        assert page_width <= window_width, "the page scrolls sideways"
        assert sign_out_right <= window_width, "«Выйти» is off the screen"
    finally:
        page.reset()
