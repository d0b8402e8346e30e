"""The SMTP receiver over loopback, fed by smtplib with real MIME mails.

G3: a written message that arrives by mail is kept whole or refused in a way that makes the
sending server keep it (4xx) or tell its sender (5xx): never dropped in silence.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import smtplib
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from mail.parse import AttachmentRules, ReceivedMail, RefusalReason
from mail.receiver import MailReceiver
from models.mail_settings import MAIL_MAX_BYTES, MailSettings

DOMAIN = "line.example.ru"
CITIZEN = "ivan@example.org"
RULES = AttachmentRules.from_settings(MailSettings())


class Inbox:
    """The receiver's callback: records what it is given; fails while told to."""

    def __init__(self) -> None:
        self.mails: list[ReceivedMail] = []
        self.failures_left = 0

    async def deliver(self, mail: ReceivedMail) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("database away")
        self.mails.append(mail)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def receiver(inbox: Inbox) -> AsyncIterator[MailReceiver]:
    server = MailReceiver(
        inbox.deliver,
        host="127.0.0.1",
        port=0,
        domains=[DOMAIN.upper()],
        max_bytes=MAIL_MAX_BYTES,
        rules=RULES,
    )
    await server.start()
    yield server
    await server.stop()


def letter(subject: str = "Вопрос о субсидии", text: str | None = "Добрый день!") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Иван Петров <{CITIZEN}>"
    mail["To"] = f"obrashcheniya@{DOMAIN}"
    mail["Subject"] = subject
    mail["Date"] = "Tue, 03 Mar 2026 10:15:00 +0300"
    mail["Message-ID"] = "<abc.123@example.org>"
    if text is not None:
        mail.set_content(text)
    return mail


def raw_letter(headers: str, body: bytes) -> bytes:
    head = f"From: {CITIZEN}\r\nTo: obrashcheniya@{DOMAIN}\r\n{headers}"
    return head.encode("ascii") + b"\r\n" + body


async def send(receiver: MailReceiver, mail: EmailMessage | bytes, to: str = "") -> None:
    recipient = to or f"obrashcheniya@{DOMAIN}"

    def talk() -> None:
        with smtplib.SMTP("127.0.0.1", receiver.port, timeout=30) as client:
            if isinstance(mail, EmailMessage):
                client.send_message(mail, to_addrs=[recipient])
            else:
                client.sendmail(CITIZEN, [recipient], mail)

    await asyncio.to_thread(talk)


async def test_plain_mail_is_delivered_with_its_headers(receiver: MailReceiver, inbox: Inbox):
    await send(receiver, letter())
    [mail] = inbox.mails
    assert mail.message_id == "abc.123@example.org"
    assert (mail.from_name, mail.from_address) == ("Иван Петров", CITIZEN)
    assert mail.subject == "Вопрос о субсидии"
    assert mail.sent_at is not None
    assert mail.sent_at.isoformat() == "2026-03-03T10:15:00+03:00"
    assert mail.text == "Добрый день!"
    assert mail.attachments == mail.refused_attachments == ()


async def test_html_only_mail_becomes_plain_text(receiver: MailReceiver, inbox: Inbox):
    mail = letter(text=None)
    mail.set_content(
        "<html><head><style>p {color: red}</style></head><body><p>Здравствуйте,</p>"
        "<p>прошу <b>разъяснить</b> порядок&nbsp;выплаты:</p><ul><li>кому</li><li>когда</li>"
        "</ul><script>alert(1)</script></body></html>",
        subtype="html",
    )
    await send(receiver, mail)
    assert inbox.mails[0].text == (
        "Здравствуйте,\n\nпрошу разъяснить порядок выплаты:\n\n- кому\n- когда"
    )


async def test_attachments_kept_or_listed_as_refused(receiver: MailReceiver, inbox: Inbox):
    mail = letter()
    mail.add_alternative("<p>Добрый день!</p>", subtype="html")
    mail.add_attachment(
        b"%PDF-1.7 scan", maintype="application", subtype="pdf", filename="скан.pdf"
    )
    mail.add_attachment(b"\x89PNG photo", maintype="image", subtype="png", filename="фото.png")
    mail.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="a.exe"
    )
    await send(receiver, mail)
    [got] = inbox.mails
    assert got.text == "Добрый день!"  # the HTML version is the same letter, not a second text
    assert [(a.filename, a.content_type, a.content) for a in got.attachments] == [
        ("скан.pdf", "application/pdf", b"%PDF-1.7 scan"),
        ("фото.png", "image/png", b"\x89PNG photo"),
    ]
    [refused] = got.refused_attachments
    assert (refused.filename, refused.content_type, refused.size, refused.reason) == (
        "a.exe",
        "application/x-msdownload",
        4,
        RefusalReason.TYPE_NOT_ALLOWED,
    )
    assert refused.explanation(RULES) == "тип файла application/x-msdownload не разрешён"


async def test_30_mb_attachment_refused_with_552_and_nothing_delivered(
    receiver: MailReceiver, inbox: Inbox
):
    mail = letter()
    mail.add_attachment(bytes(30 * 1024 * 1024), maintype="application", subtype="pdf")
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # SIZE declared at MAIL FROM
        await send(receiver, mail)
    assert refused.value.smtp_code == 552
    assert inbox.mails == []


async def test_mail_over_the_limit_without_declared_size_refused_after_data(inbox: Inbox):
    receiver = MailReceiver(
        inbox.deliver, host="127.0.0.1", port=0, domains=[DOMAIN], max_bytes=100_000, rules=RULES
    )
    await receiver.start()
    mail = letter()
    mail.add_attachment(bytes(200_000), maintype="application", subtype="pdf")

    def talk() -> tuple[int, bytes]:
        with smtplib.SMTP("127.0.0.1", receiver.port, timeout=30) as client:
            client.ehlo()
            client.mail(CITIZEN)  # no SIZE= option: the limit is met while reading DATA
            client.rcpt(f"obrashcheniya@{DOMAIN}")
            return client.data(mail.as_bytes(policy=SMTP))  # the final reply, 250 or not

    try:
        code, _ = await asyncio.to_thread(talk)
    finally:
        await receiver.stop()
    assert code == 552
    assert inbox.mails == []


async def test_encoded_header_injection_in_subject_is_one_harmless_line(
    receiver: MailReceiver, inbox: Inbox
):
    injected = base64.b64encode("Жалоба\r\nBcc: all@example.org\r\n\r\nspam".encode()).decode()
    raw = raw_letter(
        f"Subject: =?utf-8?b?{injected}?=\r\nMessage-ID: <inj@example.org>\r\n", b"text\r\n"
    )
    await send(receiver, raw)
    [mail] = inbox.mails
    assert mail.subject == "Жалоба Bcc: all@example.org spam"
    assert not {"\r", "\n"} & set(mail.subject)


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
async def test_8bit_russian_body_decoded_by_its_charset(
    receiver: MailReceiver, inbox: Inbox, charset: str
):
    raw = raw_letter(
        f"Subject: test\r\nContent-Type: text/plain; charset={charset}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n",
        "Прошу ответить письменно.\r\n".encode(charset),
    )
    await send(receiver, raw)
    assert inbox.mails[0].text == "Прошу ответить письменно."


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        # An unknown charset: the bytes are guessed (UTF-8, else windows-1251).
        ("text/plain; charset=x-no-such", "Здравствуйте".encode("cp1251"), "Здравствуйте"),
        ("text/plain", "Здравствуйте".encode(), "Здравствуйте"),  # 8-bit, no charset at all
        # Declared UTF-8 but not: what cannot be decoded is replaced, the rest kept.
        ("text/plain; charset=utf-8", b"ok \xff\xfe end", "ok \ufffd\ufffd end"),
        ("text/plain; charset=base64", b"plain words", "plain words"),  # not a text charset
    ],
)
async def test_broken_charset_decoded_with_replacement_never_refused(
    receiver: MailReceiver, inbox: Inbox, content_type: str, body: bytes, text: str
):
    raw = raw_letter(f"Subject: s\r\nContent-Type: {content_type}\r\n", body + b"\r\n")
    await send(receiver, raw)
    assert inbox.mails[0].text == text


async def test_mail_with_no_text_is_delivered_with_empty_text(receiver: MailReceiver, inbox: Inbox):
    mail = letter(text=None)
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    await send(receiver, mail)
    await send(receiver, raw_letter("Subject: \r\n", b""))
    assert [mail.text for mail in inbox.mails] == ["", ""]
    assert [len(mail.attachments) for mail in inbox.mails] == [1, 0]


async def test_mail_without_message_id_gets_a_stable_one(receiver: MailReceiver, inbox: Inbox):
    raw = raw_letter("Subject: no id\r\n", b"text\r\n")
    await send(receiver, raw)
    await send(receiver, b"Received: from relay.example.org\r\n" + raw)  # forwarded again
    first, second = inbox.mails
    assert first.message_id.endswith("@consult-line.invalid")
    assert first.message_id == second.message_id


async def test_same_mail_twice_is_delivered_twice_with_the_same_id(
    receiver: MailReceiver, inbox: Inbox
):
    await send(receiver, letter())
    await send(receiver, letter())
    assert [mail.message_id for mail in inbox.mails] == ["abc.123@example.org"] * 2


async def test_recipient_outside_the_domains_refused_with_550(receiver: MailReceiver, inbox: Inbox):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await send(receiver, letter(), to="someone@other.example.ru")
    assert refused.value.recipients["someone@other.example.ru"][0] == 550
    assert inbox.mails == []


async def test_failing_callback_answers_451_and_the_retry_is_delivered(
    receiver: MailReceiver, inbox: Inbox, caplog: pytest.LogCaptureFixture
):
    inbox.failures_left = 1
    with pytest.raises(smtplib.SMTPDataError) as failed:
        await send(receiver, letter())
    assert failed.value.smtp_code == 451
    assert "не сохранено" in caplog.text
    await send(receiver, letter())  # the sending server's next attempt
    assert [mail.subject for mail in inbox.mails] == ["Вопрос о субсидии"]


async def test_port_taken_is_reported_and_raised(
    receiver: MailReceiver, inbox: Inbox, caplog: pytest.LogCaptureFixture
):
    second = MailReceiver(
        inbox.deliver, host="127.0.0.1", port=receiver.port, domains=[DOMAIN], max_bytes=1000,
        rules=RULES,
    )  # fmt: skip
    with caplog.at_level(logging.ERROR), pytest.raises(OSError, match="in use"):
        await second.start()
    assert f"Приём почты: не удалось открыть порт 127.0.0.1:{receiver.port}" in caplog.text


async def test_stop_closes_an_open_session(receiver: MailReceiver, inbox: Inbox):
    client = await asyncio.to_thread(smtplib.SMTP, "127.0.0.1", receiver.port, timeout=10)
    await asyncio.to_thread(client.ehlo)
    await receiver.stop()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        await asyncio.to_thread(client.noop)
    client.close()
