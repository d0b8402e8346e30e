"""A message that came by mail, in Chromium (G3): what the mail could not bring in is read
on the message's page — a mail without text says so, a file not kept is named with the
reason — and the sender's subject is shown as text."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from consult_line.clock import system_clock
from mail.intake import MailIntake
from mail.intake_note import HEADING, NO_TEXT
from mail.parse import AttachmentRules
from mail.receiver import MailReceiver
from models.settings import Settings
from models.tables import Role, WrittenMessage
from tests.e2e.browser import Page

DOMAIN = "obr.example.ru"
SUBJECT = '<img src=x onerror="document.title=1">Жалоба'


@pytest.fixture
def page_user() -> tuple[str, Role]:
    return ("clerk", Role.OPERATOR)


def _mail() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Шамиль Омаров <shamil@example.org>"
    mail["To"] = f"obr@{DOMAIN}"
    mail["Subject"] = SUBJECT
    mail["Message-ID"] = "<e2e.1@example.org>"
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="опись.pdf")
    mail.add_attachment(
        bytes(3000), maintype="application", subtype="pdf", filename="скан заявления.pdf"
    )
    return mail


async def _deliver(engine: Engine, mail: EmailMessage) -> None:
    """Through the receiver as ``serve`` wires it: files over 2 KB are not kept."""
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, smtp_in_domain=DOMAIN, mail_attachment_max_bytes=2048)
    receiver = MailReceiver(
        MailIntake(engine, settings, system_clock).deliver,
        host="127.0.0.1",
        port=0,
        domains=settings.mail_domains,
        max_bytes=settings.mail_max_bytes,
        rules=AttachmentRules.from_settings(settings),
    )
    await receiver.start()

    def send() -> None:
        with smtplib.SMTP("127.0.0.1", receiver.port, timeout=30) as client:
            client.send_message(mail)

    try:
        await asyncio.to_thread(send)
    finally:
        await receiver.stop()


def test_a_mail_without_text_reads_so_and_names_the_file_not_kept(
    page: Page, db_engine: Engine
) -> None:
    asyncio.run(_deliver(db_engine, _mail()))
    with Session(db_engine) as session:
        [number] = session.exec(select(WrittenMessage.number)).all()
    page.open(f"/messages/{number}")
    page.wait_text("h1", f"Обращение {number}")
    assert page.text("h2") == SUBJECT  # text, not markup: no image, no script ran
    assert page.script("return document.title") != "1"
    assert page.text("#message-body").splitlines() == [
        HEADING,
        NO_TEXT,
        "Не сохранены вложения (1) — попросите отправителя прислать их иначе:",
        "– скан заявления.pdf (3 КБ): файл больше 2 КБ",
    ]
    assert page.texts("#message-attachments a") == ["опись.pdf"]
