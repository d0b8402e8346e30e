"""The operator's workspace in Chromium: recorded Asterisk traffic through the loopback AMI opens
the call card by itself; the operator searches the KB, transfers, creates a callback and saves
the wrap-up; an operator whose training lapsed cannot go ready and is told why (C4)."""

from __future__ import annotations

from datetime import date

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlmodel import select

from models.db import session_scope
from models.rules.training import TrainingKind
from models.tables import Employee, Role, TrainingEntry
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.agent_console.console import PASSWORD
from tests.call_card.samples import CREATED, add_person
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer, capture_part

AGENT_DEVICE = "Local/agent1@harness-agents"  # the recordings' operator
OPERATOR_NAME = "Магомедова Патимат Руслановна"


def _prepare(live_server: LiveServer) -> None:
    engine = live_server._engine
    with session_scope(engine) as session:
        load_into_db(session=session, content=load_content(), now=CREATED)
        (employee,) = session.exec(select(Employee)).all()  # the page's operator
        employee.device = AGENT_DEVICE
        employee.full_name = OPERATOR_NAME
        assert employee.id is not None
        session.add(
            TrainingEntry(
                employee_id=employee.id, kind=TrainingKind.INITIAL, completed_on=date(2026, 9, 1)
            )
        )
    for topic in Topic:
        add_person(
            engine, f"3{list(Topic).index(topic):02d}", f"Специалист {topic.value}", topics=[topic]
        )


def _fill(page: Page, css: str, value: str) -> None:
    field = page.driver.find_element(By.CSS_SELECTOR, css)
    field.clear()
    field.send_keys(value)


def _click(page: Page, css: str) -> None:
    page.driver.find_element(By.CSS_SELECTOR, css).click()


def test_operator_takes_a_call_from_recorded_traffic_through_the_workspace(
    live_server: LiveServer, page: Page
) -> None:
    _prepare(live_server)
    page.driver.set_window_size(1366, 768)
    page.open("/")
    page.wait_text("#queue-title", "Очередь")

    _click(page, "#go-ready")
    page.wait_text("#queue-state", "готов")
    assert live_server.ami.actions("QueueAdd")[-1]["Interface"] == AGENT_DEVICE

    live_server.push(capture_part("a-answered", until="AgentConnect"))
    page.wait(lambda: page.visible("#card-body"), "the call card", timeout=20)
    # C11: the number to confirm is there as soon as the card is
    assert page.driver.find_element(By.ID, "callback-phone").get_attribute("value") == (
        "+7 928 123-45-67"
    )
    page.wait_text("#script-greeting", "Патимат")
    assert page.text("#script-questions .script__text")
    assert page.visible("#card-actions")
    page.screenshot("workspace-card")

    # The KB, with the call's topic as context
    _fill(page, "#kb-query", "субсидия")
    _click(page, "#kb-form button")
    page.wait(lambda: page.texts("#kb-results li"), "KB results")
    assert page.driver.find_elements(By.CSS_SELECTOR, "#kb-results mark")
    _click(page, "#kb-results .link-button")
    page.wait(lambda: page.visible("#kb-entry"), "the KB entry opened in place")
    assert page.text("#kb-entry-body")

    # One transfer: the card then says one is left
    page.wait(lambda: page.texts("#transfer-target option"), "transfer targets")
    _click(page, "#transfer-form button")
    page.wait_text("#transfer-message", "Переводов осталось: 1")
    assert live_server.ami.actions("BlindTransfer")

    # A callback in a window offered
    page.wait(
        lambda: page.driver.find_elements(By.CSS_SELECTOR, "#callback-windows input"),
        "callback windows",
    )
    _click(page, "#callback-window-0")
    _fill(page, "#callback-question", "Порядок получения субсидии")
    _click(page, "#callback-form button")
    page.wait_text("#callback-message", "создана")

    # The call ends: the farewell; the wrap-up is owed, then saved
    live_server.push(capture_part("a-answered", after="AgentConnect"))
    page.wait(lambda: page.visible("#script-farewell"), "the farewell", timeout=20)
    page.wait(lambda: page.visible("#owed"), "the wrap-up reminder", timeout=20)
    Select(page.driver.find_element(By.ID, "wrapup-topic")).select_by_index(1)
    _fill(page, "#wrapup-question", "Субсидия на оборудование")
    _click(page, "#wrapup-found")
    _click(page, "#wrapup-form button[type=submit]")
    page.wait_text("#wrapup-message", "сохранён")
    page.wait(lambda: not page.visible("#owed"), "the reminder to go")
    page.screenshot("workspace-after-call")


def test_operator_whose_training_lapsed_cannot_go_ready_and_sees_why(
    live_server: LiveServer, page: Page
) -> None:
    # C4
    employee_id = live_server.add_user("late", Role.OPERATOR)
    with session_scope(live_server._engine) as session:
        session.add(
            TrainingEntry(
                employee_id=employee_id, kind=TrainingKind.INITIAL, completed_on=date(2024, 1, 10)
            )
        )
    page.open("/")
    _click(page, ".topbar__sign-out button")  # the page's operator signs out
    page.wait(lambda: "/sign-in" in page.driver.current_url, "the sign-in page")
    page.sign_in("late", PASSWORD)
    page.open("/")
    _click(page, "#go-ready")
    page.wait_text("#queue-message", "Нельзя принимать звонки")
    assert not live_server.ami.actions("QueueAdd")
    page.screenshot("workspace-training-lapsed")
