"""The knowledge base's pages in Chromium, over the line's own content: a KB editor sees the
sections overdue for review first, marks one reviewed and it stops being overdue (K6); a
supervisor opens the gap report for a period and sees a question counted (K7), then follows it
to the entry other operators answered it from."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import select

from consult_line.clock import system_clock
from models.db import session_scope
from models.settings import Settings
from models.tables import Department, KbSection, Role
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.agent_console.kb_line import add_wrapup
from tests.e2e.browser import Page

OLDEST = "alco-control"  # overdue the longest: first
OVERDUE = "trade-market"
QUESTION = "Можно ли получить субсидию на ремонт старых станков?"
ANSWERED_IN = "industry-subsidy-modernization"
_CALLS = itertools.count(1)


def _today() -> date:
    return system_clock().astimezone(Settings().tz).date()


@pytest.fixture
def knowledge_base(db_engine: Engine, tmp_path: Path) -> None:
    """The line's content, its departments named; every section reviewed 5 days ago but two:
    45 and 35 days ago (overdue: a month has passed)."""
    content = load_content()
    today = _today()
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=content, now=system_clock())
        for code, name in content.departments.items():
            session.add(Department(code=code, name=name))
        for section in session.exec(select(KbSection)):
            days = {OLDEST: 45, OVERDUE: 35}.get(section.id, 5)
            section.last_reviewed = today - timedelta(days=days)
            session.add(section)


def _wrapup(
    engine: Engine,
    at: datetime,
    question: str,
    *,
    entry: str | None = None,
    topic: Topic | None = None,
) -> None:
    add_wrapup(
        engine, f"{at.timestamp():.0f}.{next(_CALLS)}", at, question, entry=entry, topic=topic
    )


def _section_rows(page: Page) -> list[tuple[str, bool]]:
    rows = page.driver.find_elements(By.CSS_SELECTOR, "tr.kb-section")
    return [
        (
            str(row.get_attribute("data-section-id")),
            "kb-section--overdue" in str(row.get_attribute("class")),
        )
        for row in rows
    ]


@pytest.mark.parametrize("page_user", [("editor", Role.KB_EDITOR)])
def test_an_editor_marks_an_overdue_section_reviewed(  # K6
    page: Page, knowledge_base: None, db_engine: Engine
) -> None:
    page.driver.find_element(By.LINK_TEXT, "База знаний").click()
    page.wait_text("h1", "Проверка разделов")
    rows = _section_rows(page)
    assert rows[:3] == [(OLDEST, True), (OVERDUE, True), (rows[2][0], False)]
    assert len(rows) == 10
    assert page.text("#kb-overdue-count") == "2"
    oldest = f"#section-{OLDEST}"
    assert page.text(f"{oldest} [data-field=state]").startswith("Просрочен с ")
    page.screenshot("kb-review")

    page.driver.find_element(By.CSS_SELECTOR, f"{oldest} button[type=submit]").click()
    page.wait_text(".alert--ok", "отмечен проверенным")
    assert page.text("#kb-overdue-count") == "1"
    assert (OLDEST, False) in _section_rows(page)
    assert page.text(f"{oldest} [data-field=last-reviewed]") == f"{_today():%d.%m.%Y}"
    assert page.text(f"{oldest} [data-field=state]") == "в срок"
    with session_scope(db_engine) as session:
        section = session.get(KbSection, OLDEST)
        assert section is not None
        assert section.last_reviewed == _today()

    # Each section lists its entries, each leads to its page with its history.
    page.driver.find_element(By.CSS_SELECTOR, f"#section-{OVERDUE} summary").click()
    link = page.driver.find_element(By.CSS_SELECTOR, f"#section-{OVERDUE} details a")
    title = link.text
    link.click()
    page.wait_text("h1", title)
    assert page.texts("[data-field=who]") == ["загрузка из файлов"]
    assert page.visible("a[href^='/kb/edit/']")  # an editor may edit


@pytest.mark.parametrize("page_user", [("supervisor", Role.SUPERVISOR)])
def test_a_supervisor_opens_the_gap_report_for_a_period(  # K7
    page: Page, knowledge_base: None, db_engine: Engine
) -> None:
    now = system_clock()
    _wrapup(db_engine, now - timedelta(days=40), QUESTION, topic=Topic.SUPPORT_MEASURES)
    _wrapup(db_engine, now - timedelta(days=10), QUESTION, topic=Topic.SUPPORT_MEASURES)
    _wrapup(db_engine, now - timedelta(days=2), QUESTION.lower(), topic=Topic.SUPPORT_MEASURES)
    _wrapup(db_engine, now - timedelta(days=1), "Где взять бланк заявления?", topic=Topic.GENERAL)
    _wrapup(db_engine, now - timedelta(days=1), QUESTION, entry=ANSWERED_IN)

    page.open("/kb/review")
    page.driver.find_element(By.LINK_TEXT, "Пробелы в базе").click()
    page.wait_text("h1", "Пробелы в базе знаний")
    # The last 30 days: 2 of the 3 times the question was asked.
    assert page.texts("#kb-gap-questions [data-field=count]") == ["2", "1"]

    since = page.driver.find_element(By.ID, "kb-since")
    earlier = (_today() - timedelta(days=45)).isoformat()
    page.driver.execute_script("arguments[0].value = arguments[1]", since, earlier)
    page.driver.find_element(By.CSS_SELECTOR, ".kb-filter button[type=submit]").click()
    page.wait(lambda: f"since={earlier}" in page.driver.current_url, "the report for the period")
    assert page.texts("#kb-gap-questions [data-field=question]") == [
        QUESTION,
        "Где взять бланк заявления?",
    ]
    assert page.texts("#kb-gap-questions [data-field=count]") == ["3", "1"]
    assert page.text("[data-field=wrapups]") == "5"
    assert page.text("[data-field=without-answer]") == "4"
    page.screenshot("kb-gaps")

    page.driver.find_element(By.CSS_SELECTOR, "#kb-gap-questions .kb-answered a").click()
    page.wait(lambda: f"/kb/view/{ANSWERED_IN}" in page.driver.current_url, "the entry's page")
    assert "Субсидия промышленным предприятиям на модернизацию" in page.text("h1")
    assert not page.driver.find_elements(By.CSS_SELECTOR, "a[href^='/kb/edit/']")
