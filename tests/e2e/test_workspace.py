"""The operator's workspace in Chromium: recorded Asterisk traffic through the loopback AMI opens
the call card by itself, beside its actions and the KB on one 1366×768 screen; the operator
searches the KB, transfers, creates a callback and saves the wrap-up; the caller's question as
the voice menu recognized it shows on the card as text, with a KB entry to open (C8, K7); an
operator whose training lapsed cannot go ready and is told why (C4)."""

from __future__ import annotations

from datetime import date

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from consult_line.clock import system_clock
from models.db import session_scope
from models.line_store import LineStore
from models.rules.training import TrainingKind
from models.settings import Settings
from models.tables import Role, TrainingEntry
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import VIEWPORT, Page
from tests.e2e.server import LiveServer, capture_part
from tests.e2e.workspace import AGENT_DEVICE, prepare_operator

RECORDED_CALL = "1795867058.0"  # the Linkedid of the recording a-answered


def _fill(page: Page, css: str, value: str) -> None:
    field = page.driver.find_element(By.CSS_SELECTOR, css)
    field.clear()
    field.send_keys(value)


def _click(page: Page, css: str) -> None:
    page.driver.find_element(By.CSS_SELECTOR, css).click()


def _assert_on_one_screen(page: Page, *shown: str) -> None:
    """The page fits the window (1366×768) without scrolling either way, and each of
    ``shown`` is wholly in view."""
    width, height = VIEWPORT
    fits = page.script(
        "var d = document.documentElement;"
        "return [innerWidth, innerHeight, d.scrollWidth <= d.clientWidth,"
        " d.scrollHeight <= d.clientHeight]"
    )
    assert fits == [width, height, True, True]
    for css in shown:
        box = page.driver.find_element(By.CSS_SELECTOR, css).rect
        assert 0 <= box["y"] <= height - box["height"], css
        assert 0 <= box["x"] <= width - box["width"], css


def test_operator_takes_a_call_from_recorded_traffic_through_the_workspace(
    live_server: LiveServer, page: Page
) -> None:
    prepare_operator(live_server)
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
    # the card beside its actions and the KB: nothing to scroll to before greeting the caller
    _assert_on_one_screen(
        page, "#card-number", "#script-greeting h3", "#kb-query", "#transfer-form button"
    )
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
    page.wait_text("#transfer-message", "После него переводов останется: 1")
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
    _assert_on_one_screen(page, "#owed", "#script-farewell h3")
    Select(page.driver.find_element(By.ID, "wrapup-topic")).select_by_index(1)
    _fill(page, "#wrapup-question", "Субсидия на оборудование")
    _click(page, "#wrapup-found")
    page.script("document.querySelector('#wrapup-form [type=submit]').scrollIntoView(false)")
    page.screenshot("workspace-after-call")
    _click(page, "#wrapup-form button[type=submit]")
    page.wait_text("#wrapup-message", "сохранён")
    page.wait(lambda: not page.visible("#owed"), "the reminder to go")


def test_operators_card_shows_the_callers_spoken_question_as_text_with_a_kb_entry_to_open(
    live_server: LiveServer, page: Page
) -> None:
    # C8, K7: the voice menu stored the caller's words before the queue connected the call;
    # the markup in them is the caller's text, shown as such and never run
    prepare_operator(live_server)
    said = "<script>alert(1)</script> <b>сколько</b> стоит лицензия на продажу алкоголя"
    store = LineStore(live_server.engine, Settings())
    store.save_spoken_question(RECORDED_CALL, said, 0.45, system_clock())
    page.open("/")
    _click(page, "#go-ready")
    page.wait_text("#queue-state", "готов")
    live_server.push(capture_part("a-answered", until="AgentConnect"))
    page.wait(lambda: page.visible("#card-spoken"), "the spoken question", timeout=20)
    assert page.text("#spoken-title") == "Вопрос звонящего (со слов, распознано автоматически)"
    assert page.text("#spoken-text") == said
    assert page.script("return document.getElementById('spoken-text').children.length") == 0
    # the driver reads the no-break space before «%» as a space
    assert page.text("#spoken-hint") == "распознано неуверенно (уверенность 45 %)"
    # above the scripts, in view as the card opens
    _assert_on_one_screen(page, "#spoken-title", "#spoken-text", "#spoken-hint")
    first = page.driver.find_element(By.CSS_SELECTOR, "#spoken-kb .link-button")
    assert first.text.startswith("Сколько стоит лицензия на розничную продажу алкоголя")
    first.click()
    page.wait(lambda: page.visible("#kb-entry"), "the KB entry opened in place")
    assert page.text("#kb-entry-title") == first.text
    assert page.driver.find_element(By.ID, "wrapup-entry").get_attribute("value") == (
        "alco-license-fee"
    )


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
