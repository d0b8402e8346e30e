"""The morning job ``message-reminders`` (W3–W6): each owner gets one letter a day listing
their open messages whose next deadline is past, today or the next working day; messages
nobody can be written about go to the supervisors. The letters are read back from a real SMTP
server on loopback (aiosmtpd)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ami.bus import LiveBus
from consult_line.scheduler import JOBS, JobContext, remind_message_deadlines
from consult_line.wiring import Services
from models.tables import AbuseCheck, Employee, MessageReminder, MessageStatus, Role
from tests.consult_line.reminder_samples import (
    FROM,
    PUBLIC,
    Outbox,
    settings,
    smtp_server,
    write_message,
    write_staff,
)

FRIDAY = datetime(2026, 12, 11, 5, 30, tzinfo=UTC)  # 08:30 in Moscow, Fri 11.12.2026
SATURDAY = datetime(2026, 12, 12, 5, 30, tzinfo=UTC)
OWNER, CHIEF = "alieva@example.org", "chief@example.org"


@pytest.fixture
def story(db_engine: Engine) -> dict[str, int]:
    staff = write_staff(
        db_engine,
        [
            ("201", "Алиева Патимат", OWNER, [Role.OPERATOR], True),
            ("202", "Магомедов Руслан", None, [Role.OPERATOR], True),  # no e-mail
            ("200", "Сулейманова Хадижат", CHIEF, [Role.SUPERVISOR], True),
            ("209", "Омаров Тимур", None, [Role.SUPERVISOR], True),  # no e-mail
            ("208", "Гасанова Саида", "old@example.org", [Role.SUPERVISOR], False),  # inactive
        ],
    )
    owner = staff["201"]
    primary, answer = MessageStatus.REGISTERED, MessageStatus.ACKNOWLEDGED
    later, earlier = date(2027, 1, 11), date(2026, 12, 1)
    for number, status, primary_due, answer_due, owner_id in (
        ("ПО-2026-000001", primary, date(2026, 12, 10), later, owner),  # a day late
        ("ПО-2026-000002", answer, earlier, date(2026, 12, 14), owner),  # Monday
        ("ПО-2026-000003", answer, earlier, date(2026, 12, 15), owner),  # Tuesday: not yet
        ("ПО-2026-000005", primary, date(2026, 12, 11), later, staff["202"]),  # today
    ):
        write_message(
            db_engine,
            number,
            status=status,
            primary_due=primary_due,
            answer_due=answer_due,
            owner_id=owner_id,
        )
    write_message(
        db_engine,
        "ПО-2026-000004",
        status=MessageStatus.ANSWERED,
        primary_due=date(2026, 12, 1),
        answer_due=date(2026, 12, 2),
        owner_id=staff["201"],
    )
    write_message(
        db_engine,
        "ПО-2026-000006",
        primary_due=date(2026, 12, 16),
        answer_due=date(2027, 1, 11),
        abuse=AbuseCheck.CONFIRMED,
        abuse_notice_due=date(2026, 12, 11),
    )
    return staff


def _context(engine: Engine, now: datetime, port: int | None) -> JobContext:
    services = Services(settings=settings(engine, port), engine=engine, clock=lambda: now)
    return JobContext(services=services, bus=LiveBus(), bridge=None)


def _recorded(engine: Engine) -> list[tuple[date, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(MessageReminder).order_by(col(MessageReminder.email)))
        return [(row.day, row.email, row.numbers) for row in rows]


def test_the_job_is_in_the_schedule_every_morning() -> None:
    (job,) = [job for job in JOBS if job.id == "message-reminders"]
    assert job.run is remind_message_deadlines
    assert job.cron == {"hour": "8", "minute": "30"}  # the line's time zone (build_scheduler)


async def test_each_owner_gets_one_letter_and_the_supervisors_the_rest(  # W3–W6
    db_engine: Engine, story: dict[str, int]
) -> None:
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        await remind_message_deadlines(_context(db_engine, FRIDAY, port))
    letters = outbox.letters()
    assert set(letters) == {OWNER, CHIEF}
    mine = letters[OWNER]
    assert (mine["From"], mine["To"]) == (FROM, OWNER)
    assert (
        mine["Subject"] == "Сроки письменных обращений на 11.12.2026: 2 обращения, просрочено — 1"
    )
    text = mine.get_content()
    assert text.splitlines()[:3] == [
        "Здравствуйте, Алиева Патимат!",
        "",
        "Сроки ответов по письменным обращениям на 11.12.2026 (пятница):",
    ]
    assert "ПО-2026-000001 — первичный ответ до 10.12.2026: просрочено на 1 день\n" in text
    assert f"  {PUBLIC}/messages/{quote('ПО-2026-000001')}\n" in text
    # Monday is the next working day after Friday
    assert "ПО-2026-000002 — ответ по существу до 14.12.2026: срок в следующий рабочий день" in text
    for absent in ("000003", "000004", "000005", "000006"):
        assert absent not in text, absent
    chiefs = letters[CHIEF].get_content()
    assert (
        "ПО-2026-000005 — первичный ответ до 11.12.2026: срок сегодня (ответственный: "
        "Магомедов Руслан — ему напоминание не отправить: нет адреса почты или сотрудник "
        "отключён)"
    ) in chiefs
    assert (
        "ПО-2026-000006 — уведомление о недопустимости оскорблений до 11.12.2026: срок сегодня "
        "(ответственный не назначен)"
    ) in chiefs
    assert "000001" not in chiefs  # the owner was told
    assert _recorded(db_engine) == [
        (date(2026, 12, 11), OWNER, "ПО-2026-000001, ПО-2026-000002"),
        (date(2026, 12, 11), CHIEF, "ПО-2026-000005, ПО-2026-000006"),
    ]


async def test_a_second_run_the_same_day_sends_nothing_more(
    db_engine: Engine, story: dict[str, int]
) -> None:
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        await remind_message_deadlines(_context(db_engine, FRIDAY, port))
        await remind_message_deadlines(_context(db_engine, FRIDAY.replace(hour=9), port))
    assert len(outbox.envelopes) == 2
    assert len(_recorded(db_engine)) == 2


async def test_a_day_off_sends_nothing(db_engine: Engine, story: dict[str, int]) -> None:
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        await remind_message_deadlines(_context(db_engine, SATURDAY, port))
    assert outbox.envelopes == []
    assert _recorded(db_engine) == []


async def test_without_an_outgoing_server_one_warning_and_nothing_recorded(
    db_engine: Engine, story: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
        await remind_message_deadlines(_context(db_engine, FRIDAY, None))
    warnings = [record.getMessage() for record in caplog.records]
    assert warnings == [
        "напоминания о сроках письменных обращений не отправлены: исходящая почта не "
        "настроена (CONSULT_LINE_SMTP_HOST пуст); писем было бы: 2"
    ]
    assert _recorded(db_engine) == []


async def test_a_refused_letter_is_not_recorded_and_goes_with_the_next_run(
    db_engine: Engine, story: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    with Session(db_engine) as session:  # the owner's mailbox is unknown to the server
        owner = session.get(Employee, story["201"])
        assert owner is not None
        owner.email = "refuse-alieva@example.org"
        session.add(owner)
        session.commit()
    outbox = Outbox()
    async with smtp_server(outbox) as port:
        with caplog.at_level(logging.WARNING, logger="consult_line.scheduler"):
            await remind_message_deadlines(_context(db_engine, FRIDAY, port))
        assert set(outbox.letters()) == {CHIEF}
        assert [email for _, email, _ in _recorded(db_engine)] == [CHIEF]
        assert any(
            "refuse-alieva@example.org" in record.getMessage()
            and "адрес получателя отклонён" in record.getMessage()
            for record in caplog.records
        )
        with Session(db_engine) as session:  # the address is put right
            owner = session.get(Employee, story["201"])
            assert owner is not None
            owner.email = OWNER
            session.add(owner)
            session.commit()
        await remind_message_deadlines(_context(db_engine, FRIDAY.replace(hour=10), port))
    assert set(outbox.letters()) == {CHIEF, OWNER}
    assert len(outbox.envelopes) == 2
