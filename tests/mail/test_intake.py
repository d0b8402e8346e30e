"""Mail intake end to end: a real SMTP client (smtplib) talks to the running receiver, whose
mails ``mail.intake`` registers in a real database (SQLite, or PostgreSQL with
TEST_DATABASE_URL); the tests read back what was stored.

G3: a written message is kept whole — what the message cannot hold as it came is said in the
line's note after the text — or refused in a way that makes the sending server keep it (4xx)
or tell its sender (5xx), never dropped in silence.
"""

from __future__ import annotations

import asyncio
import base64
import smtplib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mail.intake import MailIntake
from mail.intake_note import FULL_TEXT_FILENAME, HEADING, NO_TEXT
from mail.intake_status import IntakeWatch
from mail.parse import AttachmentRules
from mail.receiver import MailReceiver
from models.mail_settings import MEGABYTE
from models.message_store import BODY_MAX, SUBJECT_MAX
from models.settings import Settings
from models.tables import Channel, Client, MessageAttachment, MessageIntake, WrittenMessage
from tests.mail.db_outage import FlakyDatabase
from tests.mail.test_receiver import CITIZEN, DOMAIN, letter, raw_letter, send

MSK = ZoneInfo("Europe/Moscow")
# A few minutes after the test letter's Date (Tue, 03 Mar 2026 10:15 +0300): not delayed.
RECEIVED = datetime(2026, 3, 3, 10, 20, tzinfo=MSK)
TEN_MB_FILE = 10 * MEGABYTE


class Line:
    """The receiver as ``serve`` wires it, on a database."""

    def __init__(self, receiver: MailReceiver, watch: IntakeWatch) -> None:
        self.receiver = receiver
        self.watch = watch

    async def send(self, mail: EmailMessage | bytes) -> None:
        await send(self.receiver, mail)


RunLine = Callable[..., AbstractAsyncContextManager[Line]]


@pytest.fixture
def run_line(db_engine: Engine) -> RunLine:
    """``run_line(engine=…, received=…, **settings)``: a receiver registering into ``engine``
    (the test's database by default), the clock at ``received``."""

    @asynccontextmanager
    async def running(
        engine: Engine | None = None, received: datetime = RECEIVED, **settings: Any
    ) -> AsyncIterator[Line]:
        url = db_engine.url.render_as_string(hide_password=False)
        line = Settings(database_url=url, smtp_in_domain=DOMAIN, **settings)
        watch = IntakeWatch()
        intake = MailIntake(engine or db_engine, line, lambda: received, watch)
        receiver = MailReceiver(
            intake.deliver,
            host="127.0.0.1",
            port=0,
            domains=line.mail_domains,
            max_bytes=line.mail_max_bytes,
            rules=AttachmentRules.from_settings(line),
        )
        await receiver.start()
        try:
            yield Line(receiver, watch)
        finally:
            await receiver.stop()

    return running


def stored(engine: Engine) -> list[tuple[WrittenMessage, list[MessageAttachment]]]:
    with Session(engine) as session:
        messages = session.exec(select(WrittenMessage).order_by(col(WrittenMessage.id))).all()
        return [
            (
                message,
                list(
                    session.exec(
                        select(MessageAttachment)
                        .where(col(MessageAttachment.message_id) == message.id)
                        .order_by(col(MessageAttachment.id))
                    ).all()
                ),
            )
            for message in messages
        ]


def clients(engine: Engine) -> list[Client]:
    with Session(engine) as session:
        return list(session.exec(select(Client)).all())


async def test_a_mail_becomes_a_registered_message_of_its_sender(
    run_line: RunLine, db_engine: Engine
) -> None:
    # W6: registered with its deadlines from the receipt; G1: the client found or made by the
    # sender's address, mail their channel.
    mail = letter()
    mail.add_attachment(
        b"%PDF-1.7 scan", maintype="application", subtype="pdf", filename="скан.pdf"
    )
    async with run_line() as line:
        await line.send(mail)
    [(message, files)] = stored(db_engine)
    assert message.intake is MessageIntake.EMAIL
    assert message.registered_by == "mail"
    assert (message.sender_name, message.sender_email) == ("Иван Петров", CITIZEN)
    assert message.subject == "Вопрос о субсидии"
    assert message.body == "Добрый день!"  # nothing to note
    assert message.email_message_id == "abc.123@example.org"
    assert message.received_at == RECEIVED
    assert (message.primary_due, message.answer_due) == (date(2026, 3, 6), date(2026, 4, 2))
    assert [(f.filename, f.content_type, f.size, f.data) for f in files] == [
        ("скан.pdf", "application/pdf", 13, b"%PDF-1.7 scan")
    ]
    [client] = clients(db_engine)
    assert (client.id, client.email, client.preferred_channel) == (
        message.client_id,
        CITIZEN,
        Channel.EMAIL,
    )
    assert line.watch.status().stored == 1


async def test_a_mail_without_text_is_registered_and_says_so(
    run_line: RunLine, db_engine: Engine
) -> None:
    # G3: the subject and the files are what the citizen sent; the page must not look as if
    # the text were lost.
    with_file = letter(subject="Заявление во вложении", text=None)
    with_file.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    async with run_line() as line:
        await line.send(with_file)
        await line.send(raw_letter("Subject: \r\nMessage-ID: <empty@example.org>\r\n", b""))
    (first, first_files), (second, second_files) = stored(db_engine)
    assert first.subject == "Заявление во вложении"
    assert first.body == f"{HEADING}\n{NO_TEXT}"
    assert [f.filename for f in first_files] == ["a.pdf"]
    assert (second.subject, second.body, second_files) == ("", f"{HEADING}\n{NO_TEXT}", [])
    assert second.sender_email == CITIZEN


def _with_30_mb_scan() -> EmailMessage:
    mail = letter()
    mail.add_attachment(
        bytes(30 * MEGABYTE), maintype="application", subtype="pdf", filename="скан.pdf"
    )
    mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="опись.pdf")
    return mail


async def test_a_30_mb_file_over_the_file_limit_is_noted_and_the_mail_stored(
    run_line: RunLine, db_engine: Engine
) -> None:
    # G3: the mail fits (30 MB in base64 is about 41 MB), the file does not: the message is
    # registered with the other file and the note names the one not kept, with the reason.
    async with run_line(
        mail_max_bytes=50 * MEGABYTE, mail_attachment_max_bytes=TEN_MB_FILE
    ) as line:
        await line.send(_with_30_mb_scan())
    [(message, files)] = stored(db_engine)
    assert message.body == (
        f"Добрый день!\n\n{HEADING}\n"
        "Не сохранены вложения (1) — попросите отправителя прислать их иначе:\n"
        "– скан.pdf (30 МБ): файл больше 10 МБ"
    )
    assert [f.filename for f in files] == ["опись.pdf"]


async def test_a_30_mb_mail_over_the_mail_limit_is_refused_552_and_nothing_stored(
    run_line: RunLine, db_engine: Engine
) -> None:
    # G3: refused while the sending server still holds it: it tells the sender (5xx).
    async with run_line(
        mail_max_bytes=20 * MEGABYTE, mail_attachment_max_bytes=TEN_MB_FILE
    ) as line:
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            await line.send(_with_30_mb_scan())
    assert refused.value.smtp_code == 552
    assert stored(db_engine) == []
    assert line.watch.status().stored == 0


async def test_a_file_of_a_type_not_allowed_is_noted(run_line: RunLine, db_engine: Engine) -> None:
    mail = letter()
    mail.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="a.exe"
    )
    async with run_line() as line:
        await line.send(mail)
    [(message, files)] = stored(db_engine)
    assert message.body.endswith("– a.exe (4 Б): тип файла application/x-msdownload не разрешён")
    assert files == []


@pytest.mark.parametrize(
    ("subject_header", "subject"),
    [
        # An encoded word carrying CR LF and a header after it.
        (
            "=?utf-8?b?"
            + base64.b64encode("Жалоба\r\nBcc: all@example.org\r\n\r\nspam".encode()).decode()
            + "?=",
            "Жалоба Bcc: all@example.org spam",
        ),
        (
            "=?utf-8?q?=D0=96=D0=B0=D0=BB=D0=BE=D0=B1=D0=B0=0D=0ABcc:_x@example.org?=",
            "Жалоба Bcc: x@example.org",
        ),
        # A bare CR ends the header line: what follows is a header of its own, not the subject.
        ("Жалоба\rBcc: x@example.org", "Жалоба"),
        # A folded subject is one line; a Unicode line separator is a space.
        ("Жалоба\r\n на магазин\u2028Bcc: x@example.org", "Жалоба на магазин Bcc: x@example.org"),
    ],
    ids=["base64-word", "q-word", "bare-cr", "folded-and-line-separator"],
)
async def test_header_injection_in_the_subject_is_stored_as_one_clean_line(
    run_line: RunLine, db_engine: Engine, subject_header: str, subject: str
) -> None:
    raw = (
        f"From: {CITIZEN}\r\nTo: obr@{DOMAIN}\r\nSubject: {subject_header}\r\n"
        "Message-ID: <inj@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Текст письма.\r\n"
    ).encode()  # raw UTF-8 headers, as many mailers send them
    async with run_line() as line:
        await line.send(raw)
    [(message, _)] = stored(db_engine)
    assert message.subject == subject
    assert message.body == "Текст письма."  # nothing of the subject leaked into the text
    assert message.sender_email == CITIZEN


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
async def test_an_8bit_russian_mail_is_stored_as_cyrillic_text(
    run_line: RunLine, db_engine: Engine, charset: str
) -> None:
    subject = base64.b64encode("Вопрос о лицензии".encode(charset)).decode()
    name = base64.b64encode("Патимат Алиева".encode(charset)).decode()
    raw = (
        f"From: =?{charset}?b?{name}?= <{CITIZEN}>\r\nTo: obr@{DOMAIN}\r\n"
        f"Subject: =?{charset}?b?{subject}?=\r\nMessage-ID: <{charset}@example.org>\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode("ascii") + "Прошу разъяснить порядок.\r\nС уважением, Патимат.\r\n".encode(charset)
    async with run_line() as line:
        await line.send(raw)
    [(message, _)] = stored(db_engine)
    assert message.subject == "Вопрос о лицензии"
    assert message.sender_name == "Патимат Алиева"
    assert message.body == "Прошу разъяснить порядок.\nС уважением, Патимат."


async def test_the_same_mail_delivered_twice_is_one_message_with_one_number(
    run_line: RunLine, db_engine: Engine
) -> None:
    # W6: one message, one set of deadlines; the second delivery is answered 250 (the sending
    # server must not try again) and stores nothing.
    async with run_line() as line:
        await line.send(letter())
        await line.send(letter(text="Добрый день! (повтор)"))  # same Message-ID
        status = line.watch.status()
    [(message, _)] = stored(db_engine)
    assert message.number == "ПО-2026-000001"
    assert message.body == "Добрый день!"
    assert len(clients(db_engine)) == 1
    assert (status.stored, status.duplicates) == (1, 1)


async def test_database_briefly_gone_answers_451_and_the_retry_is_stored(
    run_line: RunLine, db_engine: Engine
) -> None:
    # G3: the sending server keeps a mail answered 451 and tries again.
    flaky = FlakyDatabase(db_engine.url.render_as_string(hide_password=False))
    async with flaky as engine, run_line(engine=engine) as line:
        async with flaky.gone():
            with pytest.raises(smtplib.SMTPDataError) as deferred:
                await line.send(letter())
        assert deferred.value.smtp_code == 451
        assert stored(db_engine) == []
        failing = line.watch.status()
        await line.send(letter())  # the sending server's next attempt
        after = line.watch.status()
    assert (failing.failing, failing.deferred) == (1, 1)
    assert failing.last_error is not None
    assert failing.last_error.startswith("база данных недоступна: ")
    [(message, _)] = stored(db_engine)
    assert message.email_message_id == "abc.123@example.org"
    assert (after.stored, after.failing, after.deferred) == (1, 0, 1)


async def test_a_text_longer_than_the_message_holds_is_kept_whole_as_a_file(
    run_line: RunLine, db_engine: Engine
) -> None:
    text = "\n".join(f"Строка {n} длинного письма." for n in range(12_000))
    subject = ("Очень длинная тема " * 20).strip()
    # The subject as one raw UTF-8 line: the email package's own folding of a long encoded
    # subject drops a space at a fold, and that is not what is tested here.
    raw = letter(subject="-", text=text).as_bytes(policy=SMTP)
    async with run_line() as line:
        await line.send(raw.replace(b"Subject: -\r\n", f"Subject: {subject}\r\n".encode()))
    [(message, files)] = stored(db_engine)
    assert len(text) > BODY_MAX
    assert len(subject) > SUBJECT_MAX
    assert len(message.body) <= BODY_MAX
    kept, note = message.body.split(f"\n\n{HEADING}\n")
    assert text.startswith(kept)
    assert note == (
        f"Тема письма длиннее поля темы, полностью: «{subject}».\n"
        f"Текст письма длиннее поля текста: выше его начало, целиком — во вложении "
        f"«{FULL_TEXT_FILENAME}»."
    )
    [whole] = files
    assert (whole.filename, whole.content_type) == (FULL_TEXT_FILENAME, "text/plain")
    assert whole.data.decode() == text


async def test_a_mail_long_on_its_way_says_when_it_was_written(
    run_line: RunLine, db_engine: Engine
) -> None:
    # W6: the deadlines count from the receipt; staff see the mail waited on its way.
    async with run_line(received=datetime(2026, 3, 4, 9, 0, tzinfo=MSK)) as line:
        await line.send(letter())
    [(message, _)] = stored(db_engine)
    assert message.body == (
        f"Добрый день!\n\n{HEADING}\n"
        "Письмо датировано 03.03.2026 10:15 (по часам отправителя), линия приняла его "
        "04.03.2026 09:00."
    )
    assert message.primary_due == date(2026, 3, 10)  # 4 March + 3 working days (8th → 9th off)


async def test_deliveries_in_parallel_get_numbers_in_turn(
    run_line: RunLine, db_engine: Engine
) -> None:
    # W6: every mail its own number, however many servers deliver at once.
    def numbered(n: int) -> EmailMessage:
        mail = letter(subject=f"Письмо {n}")
        mail.replace_header("Message-ID", f"<parallel.{n}@example.org>")
        return mail

    def talk(port: int, mail: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.send_message(mail, to_addrs=[f"obr@{DOMAIN}"])

    # The clients in threads of their own: the receiver's work needs the loop's workers.
    loop = asyncio.get_running_loop()
    async with run_line() as line:
        with ThreadPoolExecutor(6) as pool:
            port = line.receiver.port
            await asyncio.gather(
                *(loop.run_in_executor(pool, talk, port, numbered(n)) for n in range(6))
            )
    numbers = sorted(message.number for message, _ in stored(db_engine))
    assert numbers == [f"ПО-2026-{n:06d}" for n in range(1, 7)]


async def test_a_mail_not_stored_leaves_its_text_out_of_the_log(
    run_line: RunLine, db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # The 451's log line says why, not what the citizen wrote (the failed statement's values).
    flaky = FlakyDatabase(db_engine.url.render_as_string(hide_password=False))
    async with flaky as engine, run_line(engine=engine) as line:
        await line.send(letter(text="Первое письмо."))  # the pool's connection is open
        second = letter(subject="Второе", text="Секретные подробности дела.")
        second.replace_header("Message-ID", "<second@example.org>")
        async with flaky.gone():
            with pytest.raises(smtplib.SMTPDataError):
                await line.send(second)
    assert "база данных недоступна" in caplog.text
    assert "Секретные подробности" not in caplog.text
