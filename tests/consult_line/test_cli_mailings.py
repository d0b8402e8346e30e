"""``consult-line mailings list`` and ``consult-line mailings send ID`` (M1–M4): a draft started
and sent from the command line through a real SMTP server on loopback; what cannot be sent is
said in Russian with a non-zero exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from consult_line.cli import main
from models.db import create_db_engine, session_scope
from models.mailings import create_draft, read_mailing_form
from models.rules.mailing_delivery import MailingState
from models.tables import Mailing
from tests.mailing_samples import FROM, PUBLIC_URL, subscribed
from tests.smtp_outbox import Outbox, ThreadedSmtp

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(
    monkeypatch: pytest.MonkeyPatch, database_url: str, smtp: ThreadedSmtp
) -> Iterator[Engine]:
    for name, value in {
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_STARTTLS": "false",
        "SMTP_FROM": FROM,
        "PUBLIC_URL": PUBLIC_URL,
        "MAILING_PER_MINUTE": "600",
    }.items():
        monkeypatch.setenv(f"CONSULT_LINE_{name}", value)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    with session_scope(engine) as session:
        form = read_mailing_form("Новости министерства", "Текст.")
        create_draft(session, form, by="web:chief", form_key="k1", now=NOW)
    yield engine
    engine.dispose()


def test_send_starts_a_draft_and_sends_it_then_list_shows_it(
    engine: Engine, outbox: Outbox, capsys: pytest.CaptureFixture[str]
) -> None:  # M1, M4
    subscribed(engine, ["a@example.ru", "b@example.ru"], NOW)
    assert main(["mailings", "send", "1"]) == 0
    out = capsys.readouterr().out
    assert "a@example.ru: отправлено" in out
    assert "Итого: отправлено 2, не отправлено 0, неизвестно 0, пропущено 0, осталось 0" in out
    assert sorted(letter["To"] for letter in outbox.letters()) == ["a@example.ru", "b@example.ru"]
    assert all(letter["List-Unsubscribe-Post"] for letter in outbox.letters())
    with session_scope(engine) as session:
        mailing = session.get(Mailing, 1)
        assert mailing is not None
        assert mailing.state is MailingState.DONE
        assert mailing.started_by.startswith("cli:")

    assert main(["mailings", "send", "1"]) == 1  # done: nothing sent twice
    assert "уже завершена" in capsys.readouterr().out
    assert len(outbox.letters()) == 2

    assert main(["mailings", "list", "--format", "jsonl"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line) == {
        "id": 1,
        "subject": "Новости министерства",
        "state": "done",
        "sent": 2,
        "failed": 0,
        "skipped": 0,
        "unknown": 0,
        "left": 0,
    }


def test_what_cannot_be_sent_is_said(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mailings", "send", "7"]) == 2
    assert "Рассылки № 7 нет" in capsys.readouterr().out
    assert main(["mailings", "send", "1"]) == 1
    assert "нет ни одного подтверждённого согласия" in capsys.readouterr().out
    monkeypatch.setenv("CONSULT_LINE_SMTP_HOST", "")
    assert main(["mailings", "send", "1"]) == 1
    assert "CONSULT_LINE_SMTP_HOST пуст" in capsys.readouterr().out
