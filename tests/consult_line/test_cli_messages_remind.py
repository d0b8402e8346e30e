"""``consult-line messages remind [--dry-run]`` (W3–W6): what would be sent, or what was sent,
through a real SMTP server on loopback (aiosmtpd); once a day per person; without an outgoing
server nothing is sent and the command says so.

The command reads the wall clock: the sample's deadlines lie in 2001 (overdue whenever the
tests run) and in 2999 (never due), and no test asserts a date or a count of days.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from consult_line.cli import main
from models.db import create_db_engine
from models.tables import MessageReminder, MessageStatus, Role
from tests.consult_line.reminder_samples import (
    FROM,
    PUBLIC,
    Outbox,
    smtp_server,
    write_message,
    write_staff,
)

OWNER, CHIEF = "alieva@example.org", "chief@example.org"
LATE, NEVER = date(2001, 3, 1), date(2999, 12, 31)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    monkeypatch.setenv("CONSULT_LINE_PUBLIC_URL", PUBLIC)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    staff = write_staff(
        engine,
        [
            ("201", "Алиева Патимат", OWNER, [Role.OPERATOR], True),
            ("200", "Сулейманова Хадижат", CHIEF, [Role.SUPERVISOR], True),
        ],
    )
    write_message(
        engine, "ПО-2001-000001", primary_due=LATE, answer_due=NEVER, owner_id=staff["201"]
    )
    write_message(engine, "ПО-2001-000002", primary_due=LATE, answer_due=NEVER)  # no owner
    write_message(engine, "ПО-2001-000003", primary_due=NEVER, answer_due=NEVER)  # not yet
    write_message(
        engine,
        "ПО-2001-000004",
        status=MessageStatus.ANSWERED,
        primary_due=LATE,
        answer_due=LATE,
    )
    yield engine
    engine.dispose()


def _mail_to(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("CONSULT_LINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONSULT_LINE_SMTP_PORT", str(port))
    monkeypatch.setenv("CONSULT_LINE_SMTP_STARTTLS", "false")
    monkeypatch.setenv("CONSULT_LINE_SMTP_FROM", FROM)


def _recorded(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(row.email for row in session.exec(select(MessageReminder)))


async def test_dry_run_lists_each_letter_and_sends_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        _mail_to(monkeypatch, port)
        capsys.readouterr()
        assert await asyncio.to_thread(main, ["messages", "remind", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Напоминания о сроках письменных обращений на ")
    assert out[0].endswith(" (проверка, ничего не отправлено):")
    owner = out.index(next(line for line in out if line.startswith("Будет отправлено Алиева")))
    assert out[owner].startswith(f"Будет отправлено Алиева Патимат <{OWNER}> — Сроки")
    assert out[owner + 1].startswith("  ПО-2001-000001 — первичный ответ до 01.03.2001: просрочено")
    chief = [line for line in out if line.startswith("Будет отправлено Сулейманова")]
    assert len(chief) == 1
    assert "ПО-2001-000002 — первичный ответ до 01.03.2001" in "\n".join(out)
    for absent in ("000003", "000004"):
        assert absent not in "\n".join(out)
    assert outbox.envelopes == []
    assert _recorded(engine) == []


async def test_a_run_sends_once_a_day_and_says_so(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        _mail_to(monkeypatch, port)
        capsys.readouterr()
        assert await asyncio.to_thread(main, ["messages", "remind"]) == 0
        first = capsys.readouterr().out
        assert await asyncio.to_thread(main, ["messages", "remind"]) == 0
        again = capsys.readouterr().out
    assert f"Отправлено Алиева Патимат <{OWNER}>" in first
    assert f"Отправлено Сулейманова Хадижат <{CHIEF}>" in first
    letters = outbox.letters()
    assert set(letters) == {OWNER, CHIEF}
    text = letters[OWNER].get_content()
    assert f"{PUBLIC}/messages/{quote('ПО-2001-000001')}" in text
    assert "ПО-2001-000002" in letters[CHIEF].get_content()
    assert "Отправлено: писем нет." in again
    assert f"Уже отправлено сегодня Алиева Патимат <{OWNER}>: ПО-2001-000001" in again
    assert len(outbox.envelopes) == 2
    assert _recorded(engine) == [OWNER, CHIEF]


def test_without_an_outgoing_server_nothing_is_sent_and_the_code_is_2(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["messages", "remind"]) == 2
    captured = capsys.readouterr()
    assert f"Не отправлено Алиева Патимат <{OWNER}>" in captured.out
    assert captured.err == (
        "Письма не отправлены: исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст, "
        "см. также CONSULT_LINE_SMTP_FROM).\n"
    )
    assert _recorded(engine) == []
