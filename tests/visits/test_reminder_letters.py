"""A booking's letters through a real SMTP server on loopback (aiosmtpd): the confirmation at
once (V5), the reminder at its time (V3–V4) with «Напоминаем:» and a fresh cancellation link
(V6), in English for an English booking (V11); failures recorded, nothing sent twice."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from consult_line.visit_reminder_run import NO_SMTP, Run, prepare, send_letters
from models.db import session_scope
from models.mailing_send import UNKNOWN_REASON
from models.rules.mailing_delivery import STALE_CLAIM
from models.rules.visit_reminders import MessageKind, ReminderState
from models.rules.visit_slots import ReminderChannel
from models.settings import Settings
from models.tables import Language, VisitBooking, VisitChannel, VisitStatus
from tests.agent_console.console import Clock
from tests.mailing_samples import PUBLIC_URL, mail_settings
from tests.smtp_outbox import Outbox, ThreadedSmtp
from tests.visits.reminder_samples import book, rows, services
from tests.visits.samples import BEFORE, TUESDAY, at, load_examples
from visits import reminder_store
from visits.links import find_booking_by_token
from visits.store import cancel_visit

LINK = re.compile(re.escape(PUBLIC_URL) + r"/public/visits/cancel/([A-Za-z0-9_-]+)")
DAY_BEFORE = at(TUESDAY, 10, 30) - timedelta(days=1)  # Monday 10:30: no quiet hours


def run(engine: Engine, settings: Settings, clock: Clock) -> Run:
    result = Run()
    prepare(services(engine, settings, clock), result)
    send_letters(services(engine, settings, clock), result)
    return result


def test_confirmation_at_once_then_the_reminder_at_its_time(  # V3, V5, V6
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:
    load_examples(db_engine)
    settings = mail_settings(db_engine, smtp.port)
    booking_id = book(db_engine, settings)
    clock = Clock(BEFORE + timedelta(minutes=1))

    first = run(db_engine, settings, clock)
    assert first.planned == 3  # the confirmation, the day-before letter and call
    confirmation = outbox.received()
    assert confirmation["To"] == "ivanova@example.ru"
    assert confirmation["Subject"] == "Запись на личный приём 08.12.2026 10:30: подтверждение"
    text = confirmation.get_content()
    assert text.startswith("Вы записаны на личный приём")
    assert "Как добраться:" in text  # V5
    [token] = LINK.findall(text)
    with Session(db_engine) as session:
        found = find_booking_by_token(session, token)
        assert found is not None
        assert found.id == booking_id

    assert run(db_engine, settings, clock).sent == []  # the reminder is not due yet
    clock.now = DAY_BEFORE
    second = run(db_engine, settings, clock)
    assert len(second.sent) == 1
    reminder = outbox.letters()[1]
    assert reminder["Subject"] == "Напоминание: личный приём 08.12.2026 10:30"
    body = reminder.get_content()
    assert body.startswith("Напоминаем: Вы записаны на личный приём")
    [fresh] = LINK.findall(body)
    assert fresh != token  # a fresh link per letter, both working
    # Nothing twice: later runs send nothing more.
    clock.now += timedelta(hours=1)
    assert run(db_engine, settings, clock).sent == []
    assert len(outbox.letters()) == 2
    states = {(r.kind, r.channel): r.state for r in rows(db_engine)}
    assert states[(MessageKind.CONFIRMATION, ReminderChannel.EMAIL)] is ReminderState.SENT
    assert states[(MessageKind.DAY_BEFORE, ReminderChannel.EMAIL)] is ReminderState.SENT


def test_an_english_booking_gets_english_letters(  # V11, V5
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:
    load_examples(db_engine)
    settings = mail_settings(db_engine, smtp.port)
    book(db_engine, settings, language=Language.EN, remind_by_call=False)
    run(db_engine, settings, Clock(DAY_BEFORE))
    confirmation, reminder = outbox.letters()
    assert confirmation["Subject"] == "Your personal visit on 08.12.2026 10:30: booking confirmed"
    assert reminder["Subject"] == "Reminder: your personal visit on 08.12.2026 10:30"
    assert reminder.get_content().startswith("Reminder: you are booked for a personal visit")


def test_without_smtp_the_letters_fail_with_the_reason_said_once(db_engine: Engine) -> None:  # V3
    load_examples(db_engine)
    settings = Settings(
        database_url=db_engine.url.render_as_string(hide_password=False), public_url=PUBLIC_URL
    )
    book(db_engine, settings, remind_by_call=False)
    clock = Clock(DAY_BEFORE)
    result = run(db_engine, settings, clock)
    assert result.not_configured == [(NO_SMTP, 2)]
    letters = rows(db_engine, ReminderChannel.EMAIL)
    assert {r.state for r in letters} == {ReminderState.FAILED}
    assert {r.last_error for r in letters} == {NO_SMTP}
    assert run(db_engine, settings, clock).not_configured == []  # said once, not every minute


def test_a_refused_address_fails_at_once(  # V3
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:
    load_examples(db_engine)
    settings = mail_settings(db_engine, smtp.port)
    outbox.refuse.add("ivanova@example.ru")
    book(db_engine, settings, remind_day_before=False)
    result = run(db_engine, settings, Clock(BEFORE + timedelta(minutes=1)))
    assert len(result.failed) == 1
    (row,) = rows(db_engine, ReminderChannel.EMAIL)
    assert row.state is ReminderState.FAILED
    assert "адрес получателя отклонён" in row.last_error


def test_a_server_away_is_tried_again_later(db_engine: Engine) -> None:  # V3
    load_examples(db_engine)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = mail_settings(db_engine, port)
    book(db_engine, settings, remind_day_before=False)
    clock = Clock(BEFORE + timedelta(minutes=1))
    result = run(db_engine, settings, clock)
    assert len(result.retried) == 1
    (row,) = rows(db_engine, ReminderChannel.EMAIL)
    assert row.state is ReminderState.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > clock.now
    assert "нет связи с почтовым сервером" in row.last_error
    assert run(db_engine, settings, clock).retried == []  # not before its time


def test_a_cancelled_booking_gets_no_more_letters(  # V6
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:
    load_examples(db_engine)
    settings = mail_settings(db_engine, smtp.port)
    booking_id = book(db_engine, settings)
    clock = Clock(BEFORE + timedelta(minutes=1))
    run(db_engine, settings, clock)
    with session_scope(db_engine) as session:
        booking = session.get(VisitBooking, booking_id)
        assert booking is not None
        cancel_visit(
            session=session, booking=booking, via=VisitChannel.WEB, actor="t", now=clock.now
        )
        assert booking.status is VisitStatus.CANCELLED
    clock.now = DAY_BEFORE
    result = run(db_engine, settings, clock)
    assert result.skipped == 2  # the letter and the call
    assert len(outbox.letters()) == 1  # the confirmation only
    pending = [r for r in rows(db_engine) if r.kind is MessageKind.DAY_BEFORE]
    assert {r.state for r in pending} == {ReminderState.SKIPPED}


def test_a_letter_caught_mid_send_by_a_stop_is_not_sent_again(  # V3
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:
    load_examples(db_engine)
    settings = mail_settings(db_engine, smtp.port)
    book(db_engine, settings, remind_day_before=False)
    clock = Clock(BEFORE + timedelta(minutes=1))
    prepare(services(db_engine, settings, clock), Run())
    with session_scope(db_engine) as session:  # claimed, then the process stopped
        assert reminder_store.claim_letter(session, settings, clock.now) is not None
    clock.now += STALE_CLAIM
    result = run(db_engine, settings, clock)
    assert result.unknown == 1
    assert result.sent == []
    assert outbox.letters() == []
    (row,) = rows(db_engine, ReminderChannel.EMAIL)
    assert (row.state, row.last_error) == (ReminderState.UNKNOWN, UNKNOWN_REASON)
