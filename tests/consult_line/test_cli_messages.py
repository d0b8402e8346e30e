"""``consult-line messages list``: the written messages with their deadlines and state, as
text for people and JSON lines for scripts (W3–W6); the overdue ones marked or alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from consult_line.cli import main
from models.db import create_db_engine
from models.message_store import MessageDraft, register_message
from models.settings import Settings
from models.tables import MessageIntake, MessageStatus, WrittenMessage

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("CONSULT_LINE_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    engine = create_db_engine(database_url)
    settings = Settings(database_url=database_url)
    for day, email in ((7, "ahmed@example.ru"), (8, "")):
        register_message(
            engine,
            settings,
            MessageDraft(
                intake=MessageIntake.EMAIL if email else MessageIntake.PAPER,
                received_at=datetime(2026, 12, day, 10, tzinfo=MSK),
                registered_by="mail" if email else "clerk",
                sender_name="Магомедов Ахмед" if email else "Алиева Патимат",
                sender_email=email,
            ),
        )
    yield engine
    engine.dispose()


def test_jsonl_lists_every_message_with_its_deadlines(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["messages", "list", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["number"], r["intake"], r["client"], r["status"]) for r in rows] == [
        ("ПО-2026-000001", "email", "Магомедов Ахмед", "registered"),
        ("ПО-2026-000002", "paper", "Алиева Патимат", "registered"),
    ]
    # W6 from Mon 07.12 and Tue 08.12: Thu 10.12 and Fri 11.12
    assert [r["primary_due"] for r in rows] == ["2026-12-10", "2026-12-11"]
    assert rows[0]["received_at"] == "2026-12-07T10:00+03:00"


def test_text_says_the_deadlines_in_russian_and_the_status_filter_narrows(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with Session(engine) as session:
        first = session.exec(select(WrittenMessage).order_by(WrittenMessage.id)).first()
        assert first is not None
        first.status = MessageStatus.ACKNOWLEDGED
        session.add(first)
        session.commit()
    assert main(["messages", "list"]) == 0
    out = capsys.readouterr().out
    assert "ПО-2026-000001" in out
    assert "первичный ответ до 2026-12-10; ответ по существу до 2027-01-11" in out
    assert "[первичный ответ дан]" in out
    assert main(["messages", "list", "--status", "registered"]) == 0
    narrowed = capsys.readouterr().out
    assert "ПО-2026-000002" in narrowed
    assert "ПО-2026-000001" not in narrowed
    assert main(["messages", "list", "--status", "answered"]) == 0
    assert capsys.readouterr().out == "Обращений в этом состоянии нет.\n"


def test_an_unknown_status_is_a_mistake_in_the_command_line(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["messages", "list", "--status", "lost"]) == 2
    assert "недопустимое значение 'lost'" in capsys.readouterr().err


def test_overdue_messages_are_marked_and_listed_alone(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command reads the wall clock: one message owed long ago, one owed far ahead, one
    # closed long ago (nothing owed, so never overdue).
    with Session(engine) as session:
        late, ahead = session.exec(select(WrittenMessage).order_by(WrittenMessage.id)).all()
        late.primary_due, late.answer_due = date(2020, 1, 9), date(2020, 2, 3)
        ahead.primary_due, ahead.answer_due = date(2999, 1, 9), date(2999, 2, 3)
        session.add_all([late, ahead])
        session.commit()
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False))
    closed = register_message(
        engine,
        settings,
        MessageDraft(
            intake=MessageIntake.PAPER,
            received_at=datetime(2020, 1, 6, 10, tzinfo=MSK),
            registered_by="clerk",
            sender_name="Исаев Магомед",
        ),
    )
    with Session(engine) as session:
        done = session.exec(select(WrittenMessage).where(WrittenMessage.id == closed.id)).one()
        done.status = MessageStatus.ANSWERED
        session.add(done)
        session.commit()
    assert main(["messages", "list", "--format", "jsonl"]) == 0
    rows = {r["number"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert [(n, r["next_due"], r["overdue"]) for n, r in rows.items()] == [
        (closed.number, "", False),  # oldest first
        ("ПО-2026-000001", "2020-01-09", True),
        ("ПО-2026-000002", "2999-01-09", False),
    ]
    assert main(["messages", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith("[зарегистрировано]  ПРОСРОЧЕНО (срок 2020-01-09)")
    assert "ПРОСРОЧЕНО" not in lines[0] + lines[2]
    assert main(["messages", "list", "--overdue"]) == 0
    only = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in only] == ["ПО-2026-000001"]
    assert main(["messages", "list", "--overdue", "--status", "answered"]) == 0
    assert capsys.readouterr().out.startswith("Просроченных обращений нет (на ")
