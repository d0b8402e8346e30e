"""An information mailing from end to end in Chromium (M1–M4), with scripts switched off on the
public pages: a citizen subscribes on the public page, confirms by the letter's link (a button,
not the link itself), a supervisor writes and starts a mailing, its letter arrives through a
real SMTP server on loopback with the unsubscribe link, and the citizen's press of the link's
button withdraws the consent — which the supervisor then finds in the register."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from consult_line.mailing_run import Step, send_one
from consult_line.wiring import Services
from models.db import session_scope
from models.rules.mailing_consent import ConsentState, WithdrawalSource
from models.settings import Settings
from models.tables import MailingSubscriber, Role
from tests.agent_console.console import PASSWORD
from tests.e2e.browser import Page
from tests.e2e.test_message_notice_page import MailLiveServer
from tests.smtp_outbox import Outbox, ThreadedSmtp

ADDRESS = "gasanova.aminat@example.ru"


class MailingLiveServer(MailLiveServer):
    """The live app with outgoing mail to the test SMTP server; its public links lead to it."""

    def settings(self, agi_port: int) -> Settings:
        return super().settings(agi_port).model_copy(update={"public_url": self.base_url})

    def services(self) -> Services:
        assert self.app is not None
        backend = self.app.state.context.backend
        return Services(settings=backend.settings, engine=self.engine, clock=backend.clock)


@pytest.fixture
def live_server(
    db_engine: Engine, tmp_path: Path, smtp: ThreadedSmtp
) -> Iterator[MailingLiveServer]:
    server = MailingLiveServer(db_engine, tmp_path, smtp.port).start()
    yield server
    server.stop()


def _link(letter_text: str, base: str, path: str) -> str:
    match = re.search(re.escape(base) + "(" + re.escape(path) + r"/[A-Za-z0-9_-]+)", letter_text)
    assert match is not None, letter_text
    return match.group(1)


def _consent(engine: Engine) -> MailingSubscriber:
    with session_scope(engine) as session:
        query = select(MailingSubscriber).where(col(MailingSubscriber.email) == ADDRESS)
        return session.exec(query).one()


def test_subscribe_confirm_receive_and_unsubscribe(
    view: Page, live_server: MailingLiveServer, outbox: Outbox
) -> None:  # M1, M2, M3, M4
    page, driver = view, view.driver
    base = live_server.base_url

    # M3: anyone subscribes on the public page; no scripts needed.
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    page.open("/public/subscribe")
    driver.find_element(By.NAME, "email").send_keys(ADDRESS)
    driver.find_element(By.NAME, "consent").click()
    page.screenshot("public-subscribe")
    driver.find_element(By.CSS_SELECTOR, "#subscribe-form button[type=submit]").click()
    page.wait_text("#subscribe-sent", "Если адрес указан верно")
    assert _consent(live_server.engine).state is ConsentState.PENDING

    # M1: the letter's link opens a page with one button; the button confirms.
    confirm = _link(outbox.received().get_content(), base, "/public/subscribe/confirm")
    page.open(confirm)
    assert page.text("#mailing-address") == ADDRESS
    assert _consent(live_server.engine).state is ConsentState.PENDING
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    page.wait_text("#confirm-done", "Спасибо, подписка подтверждена.")
    assert _consent(live_server.engine).state is ConsentState.CONFIRMED
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

    # A supervisor writes the mailing and starts it.
    live_server.add_user("chief", Role.SUPERVISOR)
    page.sign_in("chief", PASSWORD)
    page.open("/mailings")
    driver.find_element(By.NAME, "subject").send_keys("Приём заявлений на субсидии")
    driver.find_element(By.NAME, "body").send_keys("С 1 февраля заявления принимаются онлайн.")
    driver.find_element(By.CSS_SELECTOR, "#draft-form button[type=submit]").click()
    page.wait_text("#mailing-state", "черновик")
    assert "List-Unsubscribe=One-Click" in page.text("#mailing-preview")
    driver.find_element(By.XPATH, "//button[normalize-space()='Начать рассылку']").click()
    page.wait_text("#mailing-state", "отправляется")
    page.screenshot("mailing")

    # The job's step, as serve's scheduler runs it: the letter goes.
    assert send_one(live_server.services()).step is Step.SENT
    mailed = outbox.letters()[-1]
    assert mailed["To"] == ADDRESS
    unsubscribe = _link(mailed.get_content(), base, "/public/unsubscribe")
    assert str(mailed["List-Unsubscribe"]).strip() == f"<{base}{unsubscribe}>"

    # M4: the link shows one button (opening it changes nothing); the button withdraws.
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    page.open(unsubscribe)
    assert page.text("#mailing-address") == ADDRESS
    assert _consent(live_server.engine).state is ConsentState.CONFIRMED
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    page.wait_text("#unsubscribe-done", "Согласие на получение рассылок отозвано.")
    withdrawn = _consent(live_server.engine)
    assert (withdrawn.state, withdrawn.withdrawal_source) == (
        ConsentState.WITHDRAWN,
        WithdrawalSource.LINK,
    )
    page.open("/public/unsubscribe/not-a-real-link-at-all-000000")
    assert "Ссылка не найдена" in page.text("body")
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

    page.open("/mailings/subscribers")
    assert page.text("#count-withdrawn") == "согласие отозвано: 1"
    assert "по ссылке из письма" in page.text("#subscribers-table")
    page.screenshot("mailing-subscribers")
