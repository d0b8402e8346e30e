"""Sending an information mailing (M1–M4) through a real SMTP server on loopback (aiosmtpd):
the letter's unsubscribe link and headers (RFC 8058), the recipients fixed at the start and
withdrawals that come later, failures, and a stop in the middle after which nobody gets a
letter twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from consult_line.mailing_run import Step, send_one
from consult_line.wiring import Services
from models.db import session_scope
from models.mailing_consent import ONE_CLICK_ACTOR, Withdrawal, unsubscribe, withdraw_by_staff
from models.mailing_send import UNKNOWN_REASON, claim_next
from models.mailings import Start, mailing_problem, progress, start_mailing
from models.rules.mailing_consent import ConsentState, WithdrawalSource
from models.rules.mailing_delivery import STALE_CLAIM, DeliveryState, MailingState
from models.settings import Settings
from models.tables import AuditEntry, Mailing, MailingDelivery, MailingSubscriber
from tests.agent_console.console import Clock
from tests.mailing_samples import (
    BODY,
    PUBLIC_URL,
    SUBJECT,
    mail_settings,
    started_mailing,
    subscribed,
)
from tests.smtp_outbox import Outbox, ThreadedSmtp

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PEOPLE = ["ivanov@example.ru", "petrova@example.org", "sidorov@example.net"]
LINK = re.compile(re.escape(PUBLIC_URL) + r"/public/unsubscribe/([A-Za-z0-9_-]+)")


def _services(engine: Engine, smtp: ThreadedSmtp, clock: Clock) -> Services:
    return Services(settings=mail_settings(engine, smtp.port), engine=engine, clock=clock)


def _send_all(services: Services) -> list[Step]:
    steps = []
    while (result := send_one(services)).step is not Step.IDLE:
        steps.append(result.step)
    return steps


def test_the_letter_carries_the_unsubscribe_link_in_its_text_and_headers(
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:  # M4
    subscribed(db_engine, ["Ivanov@Example.RU"], NOW)
    started_mailing(db_engine, NOW)
    assert _send_all(_services(db_engine, smtp, Clock(NOW))) == [Step.SENT]

    letter = outbox.received()
    assert letter["To"] == "Ivanov@example.ru"  # the bare address as the register holds it
    assert letter["From"] == "Минпромторг РД <news@ministry.example.ru>"
    assert letter["Subject"] == SUBJECT
    text = letter.get_content()
    assert text.startswith(BODY)
    [in_text] = LINK.findall(text)
    # A long link is folded onto the header's next line (RFC 5322 folding): read it unfolded.
    header = str(letter["List-Unsubscribe"]).strip()
    assert header == f"<{PUBLIC_URL}/public/unsubscribe/{in_text}>"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nothing else: no header carries what the public typed beyond the bare address.
    assert sorted(letter.keys()) == sorted(
        [
            "From",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )
    with session_scope(db_engine) as session:  # only the link's hash is kept
        [delivery] = session.exec(select(MailingDelivery)).all()
        assert delivery.unsubscribe_hash is not None
        assert in_text not in delivery.unsubscribe_hash
        assert delivery.state is DeliveryState.SENT
        assert session.exec(select(Mailing)).one().state is MailingState.DONE

    # The mail program's one-click POST withdraws the consent; again: already; forged: no.
    with session_scope(db_engine) as session:
        kwargs = {"source": WithdrawalSource.ONE_CLICK, "actor": ONE_CLICK_ACTOR, "now": NOW}
        assert unsubscribe(session, in_text, **kwargs) is Withdrawal.WITHDRAWN
        assert unsubscribe(session, in_text, **kwargs) is Withdrawal.ALREADY
        assert unsubscribe(session, in_text[:-1] + "x", **kwargs) is Withdrawal.NOT_FOUND
        subscriber = session.exec(select(MailingSubscriber)).one()
        assert subscriber.state is ConsentState.WITHDRAWN
        assert subscriber.withdrawal_source is WithdrawalSource.ONE_CLICK
        actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
        assert actions[-1] == "mailing_consent_withdrawn"
        assert actions.count("mailing_consent_withdrawn") == 1


def test_recipients_are_fixed_at_the_start_and_a_later_withdrawal_is_skipped(
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:  # M1, M2
    subscribed(db_engine, PEOPLE, NOW)
    mailing_id = started_mailing(db_engine, NOW)
    subscribed(db_engine, ["late@example.ru"], NOW + timedelta(minutes=1))  # after the start
    with session_scope(db_engine) as session:  # a second submission of the start form
        assert start_mailing(session, mailing_id, actor="web:chief", now=NOW) is Start.ALREADY
        petrova = session.exec(
            select(MailingSubscriber).where(MailingSubscriber.email == PEOPLE[1])
        ).one()
        assert petrova.id is not None
        withdrawn = withdraw_by_staff(
            session, petrova.id, login="chief", actor="web:chief", now=NOW
        )
        assert withdrawn is Withdrawal.WITHDRAWN

    steps = _send_all(_services(db_engine, smtp, Clock(NOW + timedelta(minutes=2))))

    assert sorted(steps) == sorted([Step.SENT, Step.SKIPPED, Step.SENT])
    assert sorted(letter["To"] for letter in outbox.letters()) == [PEOPLE[0], PEOPLE[2]]
    with session_scope(db_engine) as session:
        shown = progress(session, mailing_id)
        assert (shown.sent, shown.skipped, shown.left, shown.total) == (2, 1, 0, 3)


def test_a_stop_in_the_middle_sends_nobody_twice(
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:  # M1, M2
    people = [f"person{n}@example.ru" for n in range(5)]
    subscribed(db_engine, people, NOW)
    mailing_id = started_mailing(db_engine, NOW)
    clock = Clock(NOW)
    first = _services(db_engine, smtp, clock)
    assert send_one(first).step is Step.SENT
    # The process stops after marking the next delivery «sending», before the record of how
    # the hand-over went: the letter may or may not have left.
    with session_scope(db_engine) as session:
        caught = claim_next(session, first.settings.public_base, clock())
        assert not isinstance(caught, bool)
        assert caught is not None

    # Restarted at once: that delivery may still be in someone's hands; the rest go.
    clock.advance(seconds=5)
    again = _services(db_engine, smtp, clock)
    assert _send_all(again) == [Step.SENT, Step.SENT, Step.SENT]
    with session_scope(db_engine) as session:
        assert progress(session, mailing_id).left == 1
        assert session.get(Mailing, mailing_id).state is MailingState.SENDING  # type: ignore[union-attr]

    # Past the stale limit it is recorded as unknown and not sent again; the mailing is done.
    clock.advance(seconds=STALE_CLAIM.total_seconds())
    assert _send_all(again) == []
    received = [letter["To"] for letter in outbox.letters()]
    assert len(received) == len(set(received)) == 4
    assert caught.to not in received
    with session_scope(db_engine) as session:
        shown = progress(session, mailing_id)
        assert (shown.sent, shown.unknown, shown.left) == (4, 1, 0)
        stuck = session.get(MailingDelivery, caught.delivery_id)
        assert stuck is not None
        assert stuck.state is DeliveryState.UNKNOWN
        assert stuck.error == UNKNOWN_REASON
        assert session.get(Mailing, mailing_id).state is MailingState.DONE  # type: ignore[union-attr]


def test_failures_are_recorded_with_the_reason_and_tried_again_within_limits(
    db_engine: Engine, smtp: ThreadedSmtp, outbox: Outbox
) -> None:
    subscribed(db_engine, ["refused@example.ru", "ok@example.ru"], NOW)
    outbox.refuse.add("refused@example.ru")
    mailing_id = started_mailing(db_engine, NOW)
    clock = Clock(NOW)
    services = _services(db_engine, smtp, clock)
    assert _send_all(services) == [Step.FAILED, Step.SENT]  # a refused address: at once

    # The server away: the letter waits and is tried again, three times in all.
    subscribed(db_engine, ["away@example.ru"], NOW)
    away_id = started_mailing(db_engine, NOW, key="form-2")
    down = Services(
        settings=mail_settings(db_engine, _closed_port()), engine=db_engine, clock=clock
    )
    assert _send_all(down) == [Step.RETRY] * 3  # all three recipients wait
    clock.advance(minutes=4)
    assert _send_all(down) == []  # not before their time
    clock.advance(minutes=1)
    assert _send_all(down) == [Step.RETRY] * 3
    clock.advance(minutes=30)
    assert _send_all(down) == [Step.FAILED] * 3
    with session_scope(db_engine) as session:
        refused = session.exec(
            select(MailingDelivery).where(MailingDelivery.mailing_id == mailing_id)
        ).all()
        assert [d.state for d in refused] == [DeliveryState.FAILED, DeliveryState.SENT]
        assert "адрес получателя отклонён" in refused[0].error
        away = session.exec(
            select(MailingDelivery).where(MailingDelivery.mailing_id == away_id)
        ).all()
        assert [(d.state, d.attempts) for d in away] == [(DeliveryState.FAILED, 3)] * 3
        assert all("нет связи с почтовым сервером" in d.error for d in away)
        assert progress(session, away_id).failed == 3
        assert session.get(Mailing, away_id).state is MailingState.DONE  # type: ignore[union-attr]


def test_without_outgoing_mail_or_a_public_address_mailings_cannot_go(db_engine: Engine) -> None:
    url = db_engine.url.render_as_string(hide_password=False)
    no_smtp = Settings(database_url=url, public_url=PUBLIC_URL)
    assert "CONSULT_LINE_SMTP_HOST" in (mailing_problem(no_smtp) or "")
    no_url = Settings(database_url=url, smtp_host="127.0.0.1", smtp_from="a@example.ru")
    assert "CONSULT_LINE_PUBLIC_URL" in (mailing_problem(no_url) or "")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
