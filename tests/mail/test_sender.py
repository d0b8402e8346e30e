"""Outgoing mail against a real SMTP server on loopback (aiosmtpd) that keeps what arrives.

G1–G2: notices to a client who chose e-mail leave through this path; what the server received
is read back byte for byte.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from mail.sender import MailSendError, send_mail, send_mail_async
from models.mail_settings import MailSettings
from tests.smtp_outbox import LOGIN, PASSWORD, Outbox, smtp_server

FROM = "Консультационная линия <line@ministry.example.ru>"


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
async def smtp_port(outbox: Outbox) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: smtp_server(outbox, loop), "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


def settings(port: int, **changes: Any) -> MailSettings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_from": FROM,
        "smtp_starttls": False,
    }
    return MailSettings(**(values | changes))


async def test_letter_arrives_in_utf8_with_its_headers(smtp_port: int, outbox: Outbox):
    message_id = await send_mail_async(
        settings(smtp_port),
        "Иван Петров <ivan@example.org>",
        "Ваше обращение № 15 зарегистрировано",
        "Здравствуйте!\nОтвет по существу — до 3 апреля.",
        reply_to="otvet@ministry.example.ru",
    )
    [envelope] = outbox.envelopes
    assert envelope.mail_from == "line@ministry.example.ru"
    assert envelope.rcpt_tos == ["ivan@example.org"]
    letter = outbox.received()
    assert letter["Subject"] == "Ваше обращение № 15 зарегистрировано"
    assert letter["From"] == FROM
    assert letter["To"] == "Иван Петров <ivan@example.org>"
    assert letter["Reply-To"] == "otvet@ministry.example.ru"
    assert letter["Message-ID"] == f"<{message_id}>"
    assert message_id.endswith("@ministry.example.ru")
    assert letter["Date"] is not None
    body = letter.get_body()
    assert body is not None
    assert body.get_content_charset() == "utf-8"
    assert body.get_content().replace("\r\n", "\n") == (
        "Здравствуйте!\nОтвет по существу — до 3 апреля.\n"
    )


async def test_login_used_when_configured(smtp_port: int, outbox: Outbox):
    configured = settings(smtp_port, smtp_user=LOGIN, smtp_password=PASSWORD)
    await send_mail_async(configured, "a@example.org", "Тема", "Текст")
    assert outbox.logins == [LOGIN]
    assert len(outbox.envelopes) == 1


async def test_wrong_password_is_a_send_error(smtp_port: int, outbox: Outbox):
    configured = settings(smtp_port, smtp_user=LOGIN, smtp_password="wrong")
    with pytest.raises(MailSendError, match="неверный логин или пароль"):
        await send_mail_async(configured, "a@example.org", "Тема", "Текст")
    assert outbox.envelopes == []


async def test_starttls_required_but_not_offered_sends_nothing(smtp_port: int, outbox: Outbox):
    # Never falls back to sending in the clear.
    with pytest.raises(MailSendError, match="не поддерживает"):
        await send_mail_async(settings(smtp_port, smtp_starttls=True), "a@example.org", "T", "x")
    assert outbox.envelopes == []


@pytest.mark.parametrize(
    ("to", "subject", "reply_to"),
    [
        ("a@example.org", "Тема\r\nBcc: all@example.org", None),
        ("a@example.org", "Тема\nX-Spam: 1", None),
        ("a@example.org\r\nBcc: all@example.org", "Тема", None),
        ("a@example.org", "Тема", "b@example.org\nBcc: all@example.org"),
        ("not an address", "Тема", None),
    ],
)
async def test_line_breaks_and_bad_addresses_refused_before_sending(
    smtp_port: int, outbox: Outbox, to: str, subject: str, reply_to: str | None
):
    with pytest.raises(ValueError, match="письмо не отправлено"):
        await send_mail_async(settings(smtp_port), to, subject, "Текст", reply_to=reply_to)
    assert outbox.envelopes == []


def test_server_away_is_a_send_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with pytest.raises(MailSendError, match=f"нет связи с почтовым сервером 127.0.0.1:{free_port}"):
        send_mail(settings(free_port), "a@example.org", "Тема", "Текст", timeout_s=5)


def test_no_outgoing_server_configured_is_a_send_error():
    with pytest.raises(MailSendError, match="CONSULT_LINE_SMTP_HOST"):
        send_mail(MailSettings(), "a@example.org", "Тема", "Текст")
