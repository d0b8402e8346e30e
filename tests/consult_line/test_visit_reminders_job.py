"""The scheduler's ``visit-reminders`` job (V3–V5) and ``consult-line visits reminders``: the
confirmation goes within the minute of the booking through a real SMTP server on loopback;
without AMI the due reminder calls fail with the reason, said once in the log; the command
lists the rows and, with ``--dry-run``, changes nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from ami.bus import LiveBus
from consult_line.commands.visit_reminders import show_reminders
from consult_line.scheduler import JOBS, JobContext, send_visit_reminders
from consult_line.visit_reminder_run import NO_AMI
from consult_line.wiring import Services
from models.rules.visit_reminders import ReminderState
from models.rules.visit_slots import ReminderChannel
from tests.agent_console.console import Clock
from tests.mailing_samples import mail_settings
from tests.smtp_outbox import Outbox, ThreadedSmtp
from tests.visits.reminder_samples import book, rows
from tests.visits.samples import BEFORE, TUESDAY, at, load_examples

DUE = at(TUESDAY, 10, 30) - timedelta(days=1)


async def test_the_job_runs_every_minute_sends_the_confirmation_and_says_why_no_call(  # V3, V5
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    (job,) = [job for job in JOBS if job.id == "visit-reminders"]
    assert job.cron == {"minute": "*"}
    load_examples(db_engine)
    settings = mail_settings(
        db_engine, smtp.port, outbound_channel="PJSIP/{number}@trunk", ami_enabled=False
    )
    book(db_engine, settings, remind_by_email=False)
    clock = Clock(BEFORE + timedelta(minutes=1))
    context = JobContext(
        services=Services(settings=settings, engine=db_engine, clock=clock),
        bus=LiveBus(),
        bridge=None,  # AMI disabled
    )
    await send_visit_reminders(context)
    assert outbox.received()["Subject"].startswith("Запись на личный приём")
    clock.now = DUE
    with caplog.at_level(logging.WARNING):
        await send_visit_reminders(context)
        await send_visit_reminders(context)
    said = [r.getMessage() for r in caplog.records if NO_AMI in r.getMessage()]
    assert len(said) == 1
    (call,) = rows(db_engine, ReminderChannel.CALL)
    assert (call.state, call.last_error) == (ReminderState.FAILED, NO_AMI)


def test_the_command_sends_due_letters_and_lists_the_rows(  # V3, V5
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox, capsys: pytest.CaptureFixture[str]
) -> None:
    load_examples(db_engine)
    settings = mail_settings(db_engine, smtp.port)
    booking_id = book(db_engine, settings)
    services = Services(settings=settings, engine=db_engine, clock=Clock(BEFORE))

    assert show_reminders(services, dry_run=True) == 0
    out = capsys.readouterr().out
    assert "Будет запланировано: 3." in out
    assert rows(db_engine) == []  # rolled back
    assert outbox.letters() == []

    assert show_reminders(services, dry_run=False) == 0
    out = capsys.readouterr().out
    assert "Запланировано: 3, писем отправлено: 1" in out
    assert (
        f"запись {booking_id}\tнапоминание за сутки\tзвонок\t07.12.2026 10:30\tждёт своего времени"
    ) in out
    assert len(outbox.letters()) == 1
