"""``serve`` with mail intake (``CONSULT_LINE_SMTP_IN_PORT``): the receiver listens beside the
web app and FastAGI, a mail sent to it is a message staff read in the console, /health says
how intake goes; a port it cannot have and a database away are said loudly while the line
works on (G3: the sending server keeps what was not stored and tries again)."""

from __future__ import annotations

import contextlib
import io
import smtplib
import socket
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from consult_line.cli import main
from models.db import create_db_engine
from models.tables import WrittenMessage
from tests.consult_line.test_serve import (
    ADMIN_PASSWORD,
    EXAMPLE_STAFF,
    Service,
    _free_port,
    _signed_in_admin,
    _start,
)

DOMAIN = "obr.example.ru"
UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/x"  # nothing listens on 1


@pytest.fixture
def migrated(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    """A migrated database with the example staff and an administrator."""
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    assert main(["staff", "import", str(EXAMPLE_STAFF)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    assert main(["user", "add", "admin", "--employee", "200", "--role", "admin"]) == 0
    return database_url


def _serve(database_url: str, smtp_port: int) -> contextlib.AbstractContextManager[Service]:
    return _start(
        database_url,
        CONSULT_LINE_SMTP_IN_PORT=str(smtp_port),
        CONSULT_LINE_SMTP_IN_DOMAIN=DOMAIN,
    )


def _health(service: Service) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{service.base}/health", timeout=10).json()
    return body


def _letter(subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Патимат Алиева <patimat@example.org>"
    mail["To"] = f"obrashcheniya@{DOMAIN}"
    mail["Subject"] = subject
    mail["Message-ID"] = "<serve.1@example.org>"
    mail.set_content("Прошу разъяснить порядок получения субсидии.")
    mail.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="a.exe"
    )
    return mail


def _send(port: int, mail: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.send_message(mail)


def _numbers(database_url: str) -> list[str]:
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(WrittenMessage.number)).all())
    finally:
        engine.dispose()


def test_a_mail_sent_to_serve_is_a_message_staff_read_in_the_console(migrated: str) -> None:
    smtp_port = _free_port()
    with _serve(migrated, smtp_port) as service:
        assert f"приём почты (SMTP): 127.0.0.1:{smtp_port}, домены {DOMAIN}" in "".join(
            service.seen
        )
        mail = _health(service)["mail"]
        assert (mail["state"], mail["address"], mail["stored"]) == (
            "listening",
            f"127.0.0.1:{smtp_port}",
            0,
        )
        _send(smtp_port, _letter("<b>Жалоба</b> на магазин"))
        _send(smtp_port, _letter("<b>Жалоба</b> на магазин"))  # delivered again
        health = _health(service)
        assert (health["mail"]["stored"], health["mail"]["duplicates"]) == (1, 1)
        assert not [w for w in health["warnings"] if "почт" in w]
        [number] = _numbers(migrated)
        with contextlib.closing(_signed_in_admin(service.base)) as browser:
            page = browser.get(f"/messages/{number}").text
        # The subject as text, the line's note where staff read the message.
        assert "&lt;b&gt;Жалоба&lt;/b&gt; на магазин" in page
        assert "<b>Жалоба" not in page
        assert "Не сохранены вложения (1) — попросите отправителя прислать их иначе:" in page
        assert "– a.exe (4 Б): тип файла application/x-msdownload не разрешён" in page
        assert service.stop() == 0
    assert "приём почты остановлен" in "".join(service.seen)


def test_a_port_it_cannot_have_is_said_and_the_line_works_on(migrated: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        smtp_port = busy.getsockname()[1]
        with _serve(migrated, smtp_port) as service:
            health = httpx.get(f"{service.base}/health", timeout=10)
            assert health.status_code == 200  # the web app, the database: all there
            body = health.json()
            assert body["mail"]["state"] == "failed"
            assert "адрес уже занят другой программой" in body["mail"]["reason"]
            assert (
                "приём писем по почте не работает: не удалось открыть порт "
                f"127.0.0.1:{smtp_port} (адрес уже занят другой программой); письма ждут на "
                "почтовом сервере министерства"
            ) in "\n".join(body["warnings"])
            with socket.create_connection(("127.0.0.1", service.agi_port), timeout=10):
                pass  # FastAGI listens: calls are served
            assert service.stop() == 0
    log = "".join(service.seen)
    assert f"Приём почты: не удалось открыть порт 127.0.0.1:{smtp_port}" in log
    assert "служба остановлена" in log


def test_a_mail_while_the_database_is_away_is_answered_451() -> None:
    smtp_port = _free_port()
    with _serve(UNREACHABLE_DATABASE, smtp_port) as service:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            _send(smtp_port, _letter("Вопрос"))
        assert deferred.value.smtp_code == 451
        body = _health(service)
        assert (body["mail"]["deferred"], body["mail"]["failing"]) == (1, 1)
        assert any(
            warning.startswith("приём почты: письма не сохраняются (база данных недоступна")
            for warning in body["warnings"]
        ), body["warnings"]
        assert service.stop() == 0
