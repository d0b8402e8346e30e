"""A client's history in Chromium (G3, G4): a supervisor opens «Клиенты» from the menu, types
the client's number as people write it, sees every interaction newest first — calls, callback
requests and written messages — and opens the document for the client, which leaves out the
staff's details and gives each message whole."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine

from models.tables import Role
from tests.client_history.message_samples import (
    ANSWER_TEXT,
    NUMBER_A,
    MessageIds,
    write_story_messages,
)
from tests.client_history.samples import AGENCY, OPERATOR, QUESTION, StoryIds, write_story
from tests.e2e.browser import Page


@pytest.fixture
def page_user() -> tuple[str, Role]:
    return ("supervisor", Role.SUPERVISOR)


@pytest.fixture
def story(db_engine: Engine) -> StoryIds:
    return write_story(db_engine, client=True)


@pytest.fixture
def written(db_engine: Engine, story: StoryIds) -> MessageIds:
    return write_story_messages(db_engine, story)


def _loaded(page: Page, expected: str) -> None:
    def done() -> bool:
        state = str(page.script("return location.pathname + ' ' + document.readyState"))
        return state.startswith(expected) and state.endswith(" complete")

    page.wait(done, f"the page at {expected}")


def test_the_supervisor_finds_a_client_by_number_and_prints_the_document(  # G3, G4
    page: Page, story: StoryIds, written: MessageIds
) -> None:
    page.driver.find_element(By.LINK_TEXT, "Клиенты").click()
    _loaded(page, "/clients")
    field = page.driver.find_element(By.ID, "field-phone")
    assert field == page.driver.switch_to.active_element  # the form is ready to type into

    field.send_keys("8 (928) 12")  # not a number yet: the message, the typed text kept
    page.driver.find_element(By.CSS_SELECTOR, ".client-search__form button").click()
    page.wait_text("#field-phone-error", "не номер телефона")
    field = page.driver.find_element(By.ID, "field-phone")
    assert field.get_attribute("value") == "8 (928) 12"
    assert field.get_attribute("aria-invalid") == "true"

    field.clear()
    field.send_keys("8 (928) 123-45-67")
    page.driver.find_element(By.CSS_SELECTOR, ".client-search__form button").click()
    _loaded(page, "/clients/")
    assert page.text("h1") == "Клиент +7 928 123-45-67"
    anchors = [
        element.get_attribute("id")
        for element in page.driver.find_elements(By.CSS_SELECTOR, ".timeline__entry")
    ]
    assert anchors == [
        f"call-{story.calls['D']}",
        f"message-{written.messages['B']}",
        f"call-{story.calls['C']}",
        f"message-{written.messages['A']}",
        f"callback-{story.tasks['missed']}",
        f"call-{story.calls['B']}",
        f"callback-{story.tasks['operator']}",
        f"call-{story.calls['A']}",
    ]
    assert f"Вне полномочий: {AGENCY}" in page.text(f"#call-{story.calls['D']}")
    page.screenshot("client-history")

    page.driver.find_element(By.LINK_TEXT, "Документ для клиента").click()
    _loaded(page, "/clients/")
    page.wait_text("h1", "История взаимодействия")
    document = page.text(".client-print")
    assert "Гаджиева Марьям" in document
    assert f"Вопрос: {QUESTION}" in document
    assert "Патимат" in document
    assert OPERATOR.full_name not in document
    assert f"{NUMBER_A}" in document
    # the letter's text keeps its line breaks; the answer is given in full
    assert "Здравствуйте!\nПодскажите, какие документы нужны" in document
    assert ANSWER_TEXT in document
    assert page.visible("#report-print")
    page.screenshot("client-history-print")

    page.driver.back()
    _loaded(page, "/clients/")
    page.driver.find_element(By.LINK_TEXT, f"Письменное обращение № {NUMBER_A}").click()
    _loaded(page, "/messages/")
    page.wait_text("h1", NUMBER_A)
