"""Information mailings through the console's pages (M1–M4), on the real app with a real SMTP
server on loopback: the public subscription page and its confirmation letter (double opt-in),
its flood limits and the letter sent at most once per period whatever the page is asked, the
unsubscribe link (a GET changes nothing, a POST — the page's button or the mail program's
one-click — withdraws), forged links, and the supervisors' mailings and register of consents.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from agent_console.public_limits import SUBSCRIBE_PER_CLIENT
from agent_console.routes.public_mailing import LINK_NOT_FOUND, NO_CONSENT, TOO_MANY, UNAVAILABLE
from consult_line.mailing_run import Step, send_one
from consult_line.wiring import Services
from models.db import session_scope
from models.rules.mailing_consent import (
    CONFIRMATION_LIFETIME,
    CONFIRMATION_RESEND,
    AddressProblem,
    ConsentState,
    WithdrawalSource,
)
from models.rules.mailing_delivery import MailingState
from models.tables import AuditEntry, Mailing, MailingDelivery, MailingSubscriber, Role
from tests.agent_console.console import Clock, Console, form_token
from tests.db_locks import waiting_writers, write_locked
from tests.mailing_samples import FROM, PUBLIC_URL, started_mailing, subscribed
from tests.smtp_outbox import Outbox, ThreadedSmtp

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ADDRESS = "gasanov@example.ru"
CONFIRM = re.compile(re.escape(PUBLIC_URL) + r"(/public/subscribe/confirm/[A-Za-z0-9_-]+)")
UNSUBSCRIBE = re.compile(re.escape(PUBLIC_URL) + r"(/public/unsubscribe/[A-Za-z0-9_-]+)")
SENT_TEXT = "Если адрес указан верно, на него отправлено письмо со ссылкой для подтверждения."


@pytest.fixture
def console(db_engine: Engine, smtp: ThreadedSmtp) -> Console:
    console = Console(
        db_engine,
        Clock(NOW),
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        smtp_from=FROM,
        public_url=PUBLIC_URL,
    )
    console.add_user("chief", Role.SUPERVISOR)
    console.add_user("operator", Role.OPERATOR)
    return console


def ask(browser: TestClient, email: str, *, consent: str = "yes") -> Response:
    token = form_token(browser.get("/public/subscribe"))
    return browser.post(
        "/public/subscribe", data={"email": email, "consent": consent, "csrf_token": token}
    )


def subscriber(engine: Engine, email: str) -> MailingSubscriber | None:
    with session_scope(engine) as session:
        query = select(MailingSubscriber).where(col(MailingSubscriber.email) == email)
        return session.exec(query).first()


def audit(engine: Engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(row.actor, row.action, row.detail) for row in rows]


def test_subscribe_confirm_and_only_then_subscribed(console: Console, outbox: Outbox) -> None:
    # M1, M3
    browser = console.browser()
    page = browser.get("/public/subscribe")
    assert page.status_code == 200
    assert "Я согласен(на) получать по электронной почте" in page.text
    assert "<script" not in page.text

    sent = ask(browser, "  Gasanov@Example.RU ")
    assert sent.status_code == 200
    assert SENT_TEXT in sent.text
    letter = outbox.received()
    assert letter["To"] == "Gasanov@example.ru"
    assert letter["Subject"] == "Подтвердите подписку на информационные рассылки"
    [path] = CONFIRM.findall(letter.get_content())
    assert subscriber(console.engine, "Gasanov@example.ru").state is ConsentState.PENDING  # type: ignore[union-attr]

    # Opening the link (a mail scanner, a preview) confirms nothing: one button.
    shown = browser.get(path)
    assert "Подтвердить подписку" in shown.text
    assert "Gasanov@example.ru" in shown.text
    assert subscriber(console.engine, "Gasanov@example.ru").state is ConsentState.PENDING  # type: ignore[union-attr]

    done = browser.post(path)
    assert "Спасибо, подписка подтверждена." in done.text
    confirmed = subscriber(console.engine, "Gasanov@example.ru")
    assert confirmed is not None
    assert (confirmed.state, confirmed.confirmed_at) == (ConsentState.CONFIRMED, NOW)
    assert "Подписка уже подтверждена ранее." in browser.post(path).text
    actions = [action for _, action, _ in audit(console.engine)]
    assert actions == ["mailing_consent_requested", "mailing_consent_confirmed"]
    assert audit(console.engine)[0][0] == "public:testclient"


def test_the_page_tells_nobody_who_is_subscribed_and_mails_an_address_once_a_period(
    console: Console, outbox: Outbox
) -> None:  # M3
    subscribed(console.engine, ["already@example.ru"], NOW)
    browser = console.browser()
    answers = [ask(browser, email) for email in ("already@example.ru", ADDRESS, ADDRESS)]
    assert all(a.status_code == 200 and SENT_TEXT in a.text for a in answers)
    assert [a.text for a in answers[1:]] == [answers[0].text] * 2  # word for word the same
    assert [letter["To"] for letter in outbox.letters()] == [ADDRESS]  # one letter, once

    console.clock.advance(seconds=CONFIRMATION_RESEND.total_seconds())
    assert SENT_TEXT in ask(browser, ADDRESS).text
    assert [letter["To"] for letter in outbox.letters()] == [ADDRESS, ADDRESS]
    [first, second] = [CONFIRM.findall(letter.get_content())[0] for letter in outbox.letters()]
    assert "Ссылка не найдена" in browser.get(first).text  # the newer letter's link counts
    assert browser.get(second).status_code == 200


def test_a_flood_from_one_browser_address_is_stopped(console: Console, outbox: Outbox) -> None:
    # M3
    browser = console.browser()
    for n in range(SUBSCRIBE_PER_CLIENT):
        assert ask(browser, f"person{n}@example.ru").status_code == 200
    refused = ask(browser, "one-more@example.ru")
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert refused.headers["retry-after"] == "3600"
    assert len(outbox.letters()) == SUBSCRIBE_PER_CLIENT
    assert subscriber(console.engine, "one-more@example.ru") is None
    console.clock.advance(hours=1)
    assert ask(browser, "one-more@example.ru").status_code == 200


def test_a_wrong_address_or_no_consent_is_said_and_nothing_is_sent(
    console: Console, outbox: Outbox
) -> None:  # M1, M3
    browser = console.browser()
    wrong = ask(browser, "gasanov@example")
    assert wrong.status_code == 422
    assert AddressProblem.MALFORMED.value in wrong.text
    assert 'value="gasanov@example"' in wrong.text  # kept for correction
    no_consent = ask(browser, ADDRESS, consent="")
    assert no_consent.status_code == 422
    assert NO_CONSENT in no_consent.text
    assert outbox.letters() == []
    assert subscriber(console.engine, ADDRESS) is None


def test_without_outgoing_mail_the_page_says_it_is_unavailable(
    db_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    console = Console(db_engine, Clock(NOW), public_url=PUBLIC_URL)
    browser = console.browser()
    page = browser.get("/public/subscribe")  # before the visitor types anything
    assert page.status_code == 503
    assert UNAVAILABLE in page.text
    assert 'name="email"' not in page.text
    assert "CONSULT_LINE_SMTP_HOST" in caplog.text  # why, for the administrator
    answer = browser.post("/public/subscribe", data={"email": ADDRESS, "consent": "yes"})
    assert answer.status_code == 403  # no form was given out, so no form token either
    assert subscriber(console.engine, ADDRESS) is None


def test_an_expired_confirmation_link_asks_to_subscribe_again(
    console: Console, outbox: Outbox
) -> None:  # M1
    browser = console.browser()
    ask(browser, ADDRESS)
    [path] = CONFIRM.findall(outbox.received().get_content())
    console.clock.advance(seconds=CONFIRMATION_LIFETIME.total_seconds())
    expired = browser.post(path)
    assert expired.status_code == 410
    assert "Срок действия ссылки истёк." in expired.text
    assert subscriber(console.engine, ADDRESS).state is ConsentState.PENDING  # type: ignore[union-attr]


def test_an_old_confirmation_link_does_not_subscribe_a_withdrawn_address_again(
    console: Console, outbox: Outbox
) -> None:  # M2: a withdrawal wins over a confirmation letter still in the mailbox
    browser = console.browser()
    ask(browser, ADDRESS)
    [path] = CONFIRM.findall(outbox.received().get_content())
    assert "Спасибо, подписка подтверждена." in browser.post(path).text
    person = subscriber(console.engine, ADDRESS)
    assert person is not None
    chief = console.signed_in("chief")
    assert chief.post(f"/mailings/subscribers/{person.id}/withdraw").status_code == 303

    for response in (browser.get(path), browser.post(path)):
        assert response.status_code == 404
        assert LINK_NOT_FOUND in response.text
    assert subscriber(console.engine, ADDRESS).state is ConsentState.WITHDRAWN  # type: ignore[union-attr]
    actions = [action for _, action, _ in audit(console.engine)]
    assert actions.count("mailing_consent_confirmed") == 1


def _mailed(console: Console, outbox: Outbox) -> str:
    """A mailing sent to ADDRESS; the path of its unsubscribe link."""
    subscribed(console.engine, [ADDRESS], NOW)
    started_mailing(console.engine, NOW)
    services = Services(settings=console.settings, engine=console.engine, clock=console.clock)
    assert send_one(services).step is Step.SENT
    [path] = UNSUBSCRIBE.findall(outbox.received().get_content())
    return str(path)


def test_the_unsubscribe_link_shows_a_button_and_its_post_withdraws(
    console: Console, outbox: Outbox
) -> None:  # M4
    path = _mailed(console, outbox)
    browser = console.browser()
    shown = browser.get(path)
    assert shown.status_code == 200
    assert "Отказаться от рассылок" in shown.text
    assert ADDRESS in shown.text
    assert subscriber(console.engine, ADDRESS).state is ConsentState.CONFIRMED  # type: ignore[union-attr]

    done = browser.post(path)  # the page's button: no sign-in, no token, no question
    assert "Согласие на получение рассылок отозвано." in done.text
    withdrawn = subscriber(console.engine, ADDRESS)
    assert withdrawn is not None
    assert withdrawn.state is ConsentState.WITHDRAWN
    assert withdrawn.withdrawal_source is WithdrawalSource.LINK
    again = browser.post(path)
    assert again.status_code == 200
    assert "Согласие на получение рассылок уже отозвано." in again.text
    assert "уже отозвано" in browser.get(path).text
    withdrawals = [a for a in audit(console.engine) if a[1] == "mailing_consent_withdrawn"]
    assert withdrawals == [("public:testclient", "mailing_consent_withdrawn", "link")]


def test_the_mail_program_s_one_click_post_withdraws(console: Console, outbox: Outbox) -> None:
    # M4 (RFC 8058)
    path = _mailed(console, outbox)
    posted = console.browser().post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert posted.status_code == 200
    withdrawn = subscriber(console.engine, ADDRESS)
    assert withdrawn is not None
    assert withdrawn.withdrawal_source is WithdrawalSource.ONE_CLICK


@pytest.mark.parametrize(
    "path",
    [
        "/public/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # the right shape, not ours
        "/public/unsubscribe/short",
        "/public/unsubscribe/%3Cscript%3E",
        "/public/unsubscribe/",
        "/public/subscribe/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_forged_link_gets_a_clear_404_and_changes_nothing(
    console: Console, outbox: Outbox, path: str
) -> None:  # M4
    _mailed(console, outbox)
    browser = console.browser()
    for response in (browser.get(path), browser.post(path)):
        assert response.status_code == 404
        assert LINK_NOT_FOUND in response.text
    assert subscriber(console.engine, ADDRESS).state is ConsentState.CONFIRMED  # type: ignore[union-attr]


def test_a_supervisor_writes_starts_once_pauses_and_resumes(
    console: Console, outbox: Outbox
) -> None:  # M1, M2
    subscribed(console.engine, [ADDRESS, "second@example.ru"], NOW)
    browser = console.signed_in("chief")
    page = browser.get("/mailings")
    assert page.status_code == 200
    key = re.search(r'name="form_key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    fields = {"subject": "Новости", "body": "Текст рассылки.", "form_key": key}
    first = browser.post("/mailings", data=fields)
    second = browser.post("/mailings", data=fields)  # the same form sent twice
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    with session_scope(console.engine) as session:
        [mailing] = session.exec(select(Mailing)).all()
    preview = browser.get(f"/mailings/{mailing.id}")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in preview.text
    assert "Отказаться от рассылок (согласие отзывается сразу)" in preview.text

    started = browser.post(f"/mailings/{mailing.id}/start")
    assert started.status_code == 303
    again = browser.post(f"/mailings/{mailing.id}/start")
    assert again.status_code == 409
    assert "Рассылка уже начата" in again.text
    with session_scope(console.engine) as session:
        assert len(session.exec(select(MailingDelivery)).all()) == 2

    assert browser.post(f"/mailings/{mailing.id}/pause").status_code == 303
    services = Services(settings=console.settings, engine=console.engine, clock=console.clock)
    assert send_one(services).step is Step.IDLE  # paused: nothing goes
    assert browser.post(f"/mailings/{mailing.id}/resume").status_code == 303
    assert [send_one(services).step for _ in range(3)] == [Step.SENT, Step.SENT, Step.IDLE]
    shown = browser.get(f"/mailings/{mailing.id}")
    assert re.search(r'id="progress-sent">2<', shown.text)
    assert re.search(r'id="mailing-state">завершена<', shown.text)
    with session_scope(console.engine) as session:
        assert session.get(Mailing, mailing.id).state is MailingState.DONE  # type: ignore[union-attr]
    actions = [action for _, action, _ in audit(console.engine) if action.startswith("mailing_")]
    assert actions[-3:] == ["mailing_started", "mailing_paused", "mailing_resumed"]


def test_without_outgoing_mail_a_mailing_cannot_start(db_engine: Engine) -> None:  # M1
    console = Console(db_engine, Clock(NOW), public_url=PUBLIC_URL)
    console.add_user("chief", Role.SUPERVISOR)
    subscribed(console.engine, [ADDRESS], NOW)
    browser = console.signed_in("chief")
    key = "k" * 20
    browser.post("/mailings", data={"subject": "Тема", "body": "Текст", "form_key": key})
    refused = browser.post("/mailings/1/start")
    assert refused.status_code == 409
    assert "исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст)" in refused.text
    with session_scope(console.engine) as session:
        assert session.get(Mailing, 1).state is MailingState.DRAFT  # type: ignore[union-attr]


def test_the_register_counts_searches_and_a_supervisor_withdraws_on_request(
    console: Console,
) -> None:
    subscribed(console.engine, [ADDRESS, "other@example.org"], NOW)
    browser = console.signed_in("chief")
    page = browser.get("/mailings/subscribers?q=GASANOV")
    assert re.search(r'id="count-confirmed">подписан: <strong>2<', page.text)
    assert ADDRESS in page.text
    assert "other@example.org" not in page.text
    person = subscriber(console.engine, ADDRESS)
    assert person is not None
    done = browser.post(f"/mailings/subscribers/{person.id}/withdraw", data={"q": "gasanov"})
    assert done.status_code == 303
    assert done.headers["location"] == "/mailings/subscribers?done=withdrawn&q=gasanov"
    withdrawn = subscriber(console.engine, ADDRESS)
    assert withdrawn is not None
    assert (withdrawn.state, withdrawn.withdrawal_source, withdrawn.withdrawn_by) == (
        ConsentState.WITHDRAWN,
        WithdrawalSource.STAFF,
        "chief",
    )
    assert audit(console.engine)[-1] == ("web:chief", "mailing_consent_withdrawn", "staff")
    assert browser.get("/mailings/subscribers").status_code == 200


def test_operators_do_not_see_the_mailings(console: Console) -> None:
    browser = console.signed_in("operator")
    assert browser.get("/mailings").status_code == 403
    assert browser.get("/mailings/subscribers").status_code == 403
    assert "/mailings" not in browser.get("/").text


def test_a_confirmation_letter_the_server_refuses_may_be_asked_for_again_at_once(
    console: Console, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:  # M1, M3
    outbox.refuse.add(ADDRESS)
    browser = console.browser()
    with caplog.at_level("WARNING"):
        answer = ask(browser, ADDRESS)
    assert SENT_TEXT in answer.text  # the page says the same: the letter goes after it
    assert "письмо с подтверждением подписки не отправлено" in caplog.text
    assert outbox.letters() == []
    pending = subscriber(console.engine, ADDRESS)
    assert pending is not None
    assert (pending.confirm_sent_at, pending.confirm_token_hash) == (None, None)
    outbox.refuse.clear()
    ask(browser, ADDRESS)
    assert [letter["To"] for letter in outbox.letters()] == [ADDRESS]


def test_two_starts_at_the_same_moment_start_once(console: Console) -> None:  # M1, M2
    """Both requests read the draft while a held lock keeps them from writing; released
    together, one starts it and the other must find it started (a read-then-write would make
    the recipients twice)."""
    subscribed(console.engine, [ADDRESS, "second@example.ru"], NOW)
    tabs = [console.signed_in("chief") for _ in range(2)]
    key = "same-moment-key-0001"
    tabs[0].post("/mailings", data={"subject": "Тема", "body": "Текст", "form_key": key})
    engine = console.engine
    with ThreadPoolExecutor(max_workers=2) as pool:
        with write_locked(engine, "mailings"):
            sent = [pool.submit(tab.post, "/mailings/1/start") for tab in tabs]
            _until_both_wait(engine, "mailings")
        codes = sorted(future.result(timeout=10).status_code for future in sent)
    assert codes == [303, 409]
    with session_scope(engine) as session:
        assert len(session.exec(select(MailingDelivery)).all()) == 2
    started = [a for a in audit(engine) if a[1] == "mailing_started"]
    assert len(started) == 1


def _until_both_wait(engine: Engine, table: str) -> None:
    """PostgreSQL: until both requests wait for the table's lock; SQLite cannot be asked who
    waits, the requests are given a moment to get there."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + 10
    while waiting_writers(engine, table) < 2:
        assert time.monotonic() < deadline, "both starts should wait for the lock"
        time.sleep(0.01)
