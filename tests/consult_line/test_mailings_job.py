"""The scheduler's ``mailings`` job (M1–M2): every minute a minute's worth of letters at most,
through a real SMTP server on loopback; while outgoing mail is not set, a mailing that waits is
said in the log and nothing is sent. And ``mailing-requests-expiry`` (M1): requests not
confirmed in time go."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from ami.bus import LiveBus
from consult_line.scheduler import JOBS, JobContext, send_mailings
from consult_line.wiring import Services
from models.db import session_scope
from models.mailing_consent import request_subscription, withdraw_by_staff
from models.mailings import progress
from models.rules.mailing_consent import CONFIRMATION_LIFETIME, ConsentState
from models.settings import Settings
from models.tables import AuditEntry, MailingSubscriber
from tests.agent_console.console import Clock
from tests.mailing_samples import PUBLIC_URL, mail_settings, started_mailing, subscribed
from tests.smtp_outbox import Outbox, ThreadedSmtp

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PEOPLE = [f"p{n}@example.ru" for n in range(5)]


def _context(settings: Settings, engine: Engine) -> JobContext:
    services = Services(settings=settings, engine=engine, clock=Clock(NOW))
    return JobContext(services=services, bus=LiveBus(), bridge=None)


def test_the_job_runs_every_minute_and_sends_at_most_the_minute_s_share(
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:  # M1, M2
    [job] = [job for job in JOBS if job.id == "mailings"]
    assert job.cron == {"minute": "*"}
    subscribed(db_engine, PEOPLE, NOW)
    mailing_id = started_mailing(db_engine, NOW)
    slow = _context(mail_settings(db_engine, smtp.port, mailing_per_minute=1), db_engine)
    asyncio.run(send_mailings(slow))  # one a minute: one letter this run
    asyncio.run(send_mailings(slow))  # and one the next
    assert [letter["To"] for letter in outbox.letters()] == PEOPLE[:2]
    context = _context(mail_settings(db_engine, smtp.port, mailing_per_minute=300), db_engine)
    asyncio.run(send_mailings(context))  # 300 a minute: the other three, 0.2 s apart
    assert sorted(letter["To"] for letter in outbox.letters()) == PEOPLE

    subscribed(db_engine, ["q1@example.ru", "q2@example.ru"], NOW)
    second = started_mailing(db_engine, NOW, key="form-2")  # seven recipients
    context = _context(mail_settings(db_engine, smtp.port, mailing_per_minute=600), db_engine)
    asyncio.run(send_mailings(context))
    with session_scope(db_engine) as session:
        assert progress(session, mailing_id).sent == len(PEOPLE)
        assert progress(session, second).sent == 7


def test_without_outgoing_mail_a_waiting_mailing_is_logged_and_nothing_goes(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    subscribed(db_engine, PEOPLE, NOW)
    mailing_id = started_mailing(db_engine, NOW)
    url = db_engine.url.render_as_string(hide_password=False)
    context = _context(Settings(database_url=url, public_url=PUBLIC_URL), db_engine)
    with caplog.at_level(logging.WARNING):
        asyncio.run(send_mailings(context))
    assert "рассылки (1) ждут и не отправляются: исходящая почта не настроена" in caplog.text
    with session_scope(db_engine) as session:
        assert progress(session, mailing_id).left == len(PEOPLE)


def test_requests_not_confirmed_in_time_expire(db_engine: Engine) -> None:  # M1
    day_before = NOW - timedelta(days=1)
    subscribed(db_engine, ["back@example.ru"], day_before)
    with session_scope(db_engine) as session:
        back = session.exec(select(MailingSubscriber)).one()
        assert back.id is not None
        withdraw_by_staff(session, back.id, login="chief", actor="web:chief", now=day_before)
        for email in ("back@example.ru", "never@example.ru"):  # asked, never confirmed
            assert request_subscription(session, email, actor="public:1.2.3.4", now=NOW)
    later = NOW + CONFIRMATION_LIFETIME - timedelta(minutes=1)
    with session_scope(db_engine) as session:
        assert request_subscription(session, "fresh@example.ru", actor="public:1.2.3.4", now=later)
    [job] = [job for job in JOBS if job.id == "mailing-requests-expiry"]
    url = db_engine.url.render_as_string(hide_password=False)
    services = Services(
        settings=Settings(database_url=url),
        engine=db_engine,
        clock=Clock(NOW + CONFIRMATION_LIFETIME),
    )
    asyncio.run(job.run(JobContext(services=services, bus=LiveBus(), bridge=None)))
    with session_scope(db_engine) as session:
        left = {s.email: s.state for s in session.exec(select(MailingSubscriber)).all()}
        expired = session.exec(
            select(AuditEntry).where(AuditEntry.action == "mailing_consent_request_expired")
        ).all()
    assert left == {  # never confirmed: gone; had withdrawn: withdrawn again; fresh: waits
        "back@example.ru": ConsentState.WITHDRAWN,
        "fresh@example.ru": ConsentState.PENDING,
    }
    assert sorted(entry.detail for entry in expired) == [
        "адрес удалён: согласие не подтверждено",
        "согласие по-прежнему отозвано",
    ]
