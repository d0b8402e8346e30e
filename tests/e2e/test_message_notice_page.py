"""A notice in Chromium (W6, W12, G1–G2): an expert opens a registered letter's notices, composes
the primary answer prefilled from the knowledge base, adds a sentence and sends it; the e-mail
reaches a real SMTP server on loopback with the survey link, the letter for the post waits to
be printed and prints with a link of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy.engine import Engine

from models.settings import Settings
from models.survey_links import SURVEY_PATH
from models.tables import Channel, MessageIntake, Role
from tests.e2e.browser import Page
from tests.e2e.server import LiveServer
from tests.notice_samples import ADDRESS, EMAIL, FROM, PUBLIC_URL, add_message, load_kb
from tests.smtp_outbox import Outbox, ThreadedSmtp

NUMBER = "ПО-2026-000042"
ADDED = "Документы можно принести лично или прислать по почте."


class MailLiveServer(LiveServer):
    """The live app with its outgoing mail set to the test SMTP server."""

    def __init__(self, engine: Engine, tmp_path: Path, smtp_port: int) -> None:
        super().__init__(engine, tmp_path)
        self.smtp_port = smtp_port

    def settings(self, agi_port: int) -> Settings:
        mail = {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.smtp_port,
            "smtp_from": FROM,
            "smtp_starttls": False,
            "public_url": PUBLIC_URL,
        }
        return super().settings(agi_port).model_copy(update=mail)


@pytest.fixture
def live_server(db_engine: Engine, tmp_path: Path, smtp: ThreadedSmtp) -> Iterator[LiveServer]:
    load_kb(db_engine)
    add_message(
        db_engine,
        NUMBER,
        intake=MessageIntake.PAPER,
        chosen=Channel.EMAIL,
        received_at=datetime.now(UTC) - timedelta(days=1),
    )
    server = MailLiveServer(db_engine, tmp_path, smtp.port).start()
    yield server
    server.stop()


@pytest.fixture
def page_user() -> tuple[str, Role]:
    return ("expert", Role.EXPERT)


def test_an_expert_composes_and_sends_the_primary_answer(  # W6, W12, G1
    page: Page, outbox: Outbox
) -> None:
    page.open(f"/messages/{quote(NUMBER)}/notices")
    page.wait_text("h1", f"Уведомления по обращению {NUMBER}")
    page.driver.find_element(By.LINK_TEXT, "Первичный ответ").click()
    page.wait_text("h1", f"Первичный ответ: обращение {NUMBER}")
    routes = page.text("#notice-routes")
    assert f"электронная почта: {EMAIL} (выбран клиентом)" in routes
    assert f"почта: {ADDRESS}" in routes
    body = page.driver.find_element(By.ID, "field-body")
    prefilled = str(body.get_attribute("value"))
    assert f"зарегистрировано под № {NUMBER}." in prefilled
    assert prefilled.endswith("[ссылка на опрос]")
    page.screenshot("message-notice-new")
    body.clear()
    body.send_keys(prefilled.replace("назвав номер обращения.", f"назвав номер обращения. {ADDED}"))
    page.driver.find_element(By.CSS_SELECTOR, ".notice-new__form button").click()

    page.wait_text("#notices-done", f"письмо отправлено на {EMAIL}")
    assert "распечатать и отправить почтой" in page.text("#notices-done")
    assert page.text("#message-state") == "первичный ответ дан"
    letter = outbox.received()
    assert letter["Subject"] == f"Ваше обращение № {NUMBER} зарегистрировано"
    sent = letter.get_body()
    assert sent is not None
    text = sent.get_content()
    assert ADDED in text
    assert f"{PUBLIC_URL}{SURVEY_PATH}/" in text
    assert "[ссылка на опрос]" not in text
    page.screenshot("message-notices")

    post_row = page.driver.find_element(By.XPATH, "//tr[td[normalize-space()='почта']]")
    post_row.find_element(By.LINK_TEXT, "Текст для печати").click()
    page.wait_text("#print-to", ADDRESS)
    printed = page.text("#print-body")
    assert ADDED in printed
    assert f"{PUBLIC_URL}{SURVEY_PATH}/" in printed
