"""The console's pages for notices about a written message (W5–W7, W10–W12, G1–G2): the form
prefilled from the knowledge base with the channels it goes to, sending through a real SMTP
server on loopback, the list with what a person still has to do, the printed letter, the
resend of a failed e-mail; who may use them; the audit of every look."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.db import session_scope
from models.survey_links import SURVEY_PATH
from models.tables import (
    AbuseCheck,
    AuditEntry,
    Channel,
    MessageIntake,
    MessageNotice,
    MessageStatus,
    NoticeState,
    Role,
    WrittenMessage,
)
from tests.agent_console.console import Clock, Console, form_token
from tests.notice_samples import (
    ADDRESS,
    EMAIL,
    FROM,
    NAME,
    PUBLIC_URL,
    add_message,
    load_kb,
)
from tests.smtp_outbox import Outbox, ThreadedSmtp

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # Friday 12:00 in Moscow
NUMBER = "ПО-2026-000042"
NOTICES = f"/messages/{quote(NUMBER)}/notices"
READY_PRIMARY = (
    f"Уважаемая {NAME}!\nВаше обращение зарегистрировано под № {NUMBER}.\n\n"
    "Оцените, пожалуйста: [ссылка на опрос]"
)


def _console(engine: Engine, smtp_port: int | None) -> Console:
    load_kb(engine)
    mail = (
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_from": FROM,
            "smtp_starttls": False,
        }
        if smtp_port is not None
        else {}
    )
    console = Console(engine, Clock(NOW), public_url=PUBLIC_URL, **mail)
    for role in Role:
        console.add_user(role.value.replace("_", "-"), role)
    return console


@pytest.fixture
def console(db_engine: Engine, smtp: ThreadedSmtp) -> Console:
    return _console(db_engine, smtp.port)


def _compose(browser: TestClient, kind: str = "primary", **more: str) -> tuple[str, dict[str, str]]:
    query = "&".join(f"{key}={value}" for key, value in {"kind": kind, **more}.items())
    page = browser.get(f"{NOTICES}/new?{query}")
    assert page.status_code == 200, page.text
    key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    body = re.search(r'name="body" rows="16"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert key is not None
    assert body is not None
    data = {
        "csrf_token": form_token(page),
        "form_key": key.group(1),
        "kind": kind,
        "body": html.unescape(body.group(1)),
        "refusal": more.get("refusal", ""),
        "agency": more.get("agency", ""),
    }
    return page.text, data


def _status(console: Console) -> MessageStatus:
    with session_scope(console.engine) as session:
        message = session.exec(select(WrittenMessage).where(WrittenMessage.number == NUMBER))
        return message.one().status


def _notices(console: Console) -> list[MessageNotice]:
    with session_scope(console.engine) as session:
        return list(session.exec(select(MessageNotice).order_by(col(MessageNotice.id))).all())


def test_the_form_is_prefilled_and_names_the_channels(console: Console) -> None:  # W6, G1
    add_message(console.engine, NUMBER, intake=MessageIntake.PAPER, chosen=Channel.EMAIL)
    text, data = _compose(console.signed_in("expert"))
    assert f"Уважаемый(ая) {NAME}!\nВаше обращение от 3 декабря 2026 г." in data["body"]
    assert "до 11 января 2027 г. по электронной почте и почтой." in data["body"]
    assert data["body"].endswith("[ссылка на опрос]")
    routes = re.search(r'id="notice-routes">(.*?)</ul>', text, re.S)
    assert routes is not None
    assert f'<strong>электронная почта</strong>: {EMAIL} <span class="hint">(выбран клиентом)' in (
        routes.group(1)
    )
    assert "<strong>почта</strong>: 367000" in routes.group(1)
    assert "так пришло обращение" in routes.group(1)
    assert f"Ваше обращение № {NUMBER} зарегистрировано" in text  # the subject, not editable
    assert 'name="subject"' not in text
    assert "Исходящая почта не настроена" not in text
    with session_scope(console.engine) as session:
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.subject == f"message:{NUMBER}"))
        assert (entry.actor, entry.action, entry.detail) == (
            "web:expert",
            "message_notices_view",
            "compose=primary",
        )


def test_sending_mails_the_letter_and_lists_what_is_left_to_a_person(  # W6, W11, W12
    console: Console, outbox: Outbox
) -> None:
    add_message(console.engine, NUMBER, intake=MessageIntake.PAPER, chosen=Channel.EMAIL)
    browser = console.signed_in("expert")
    _, data = _compose(browser)
    data["body"] = READY_PRIMARY
    sent = browser.post(NOTICES, data=data)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{NOTICES}?sent={data['form_key']}"
    letter = outbox.received()
    assert letter["To"] == EMAIL
    body = letter.get_body()
    assert body is not None
    assert f"{PUBLIC_URL}{SURVEY_PATH}/" in body.get_content()
    page = browser.get(sent.headers["location"]).text
    done = re.search(r'id="notices-done">(.*?)</div>', page, re.S)
    assert done is not None
    assert f"электронная почта: письмо отправлено на {EMAIL}." in done.group(1)
    assert "почта (367000, г. Махачкала" in done.group(1)
    assert "распечатать и отправить почтой" in done.group(1)
    assert 'id="message-state">первичный ответ дан<' in page
    assert "Отправить повторно" not in page
    assert _status(console) is MessageStatus.ACKNOWLEDGED
    # The primary answer is sent: the page offers only what may go now.
    assert "kind=primary" not in page
    assert "kind=answer" in page


def test_the_same_form_sent_twice_sends_once(console: Console, outbox: Outbox) -> None:
    add_message(console.engine, NUMBER, intake=MessageIntake.EMAIL)
    browser = console.signed_in("supervisor")
    _, data = _compose(browser)
    data["body"] = READY_PRIMARY
    assert browser.post(NOTICES, data=data).status_code == 303
    again = browser.post(NOTICES, data=data)
    assert again.status_code == 303
    assert again.headers["location"] == f"{NOTICES}?sent={data['form_key']}"
    assert len(outbox.envelopes) == 1
    assert len(_notices(console)) == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({}, "незаполненные места: «…»"),  # the answer's substance left to write
        ({"form_key": ""}, "Форма устарела"),
    ],
)
def test_a_refused_sending_returns_the_form_with_the_text_kept(
    console: Console, outbox: Outbox, change: dict[str, str], error: str
) -> None:
    add_message(console.engine, NUMBER, intake=MessageIntake.EMAIL)
    browser = console.signed_in("expert")
    _, data = _compose(browser, "answer")
    if change:
        data["body"] = "Ответ по существу: субсидия положена. [ссылка на опрос]"
    data |= change
    refused = browser.post(NOTICES, data=data)
    assert refused.status_code == 409
    assert error in refused.text
    assert html.escape(data["body"], quote=False) in refused.text
    key = re.search(r'name="form_key" value="([^"]*)"', refused.text)
    assert key is not None
    assert len(key.group(1)) >= 20  # a usable key, new when the old one was stale
    assert outbox.envelopes == []
    assert _notices(console) == []


def test_what_may_not_be_sent_is_refused_with_the_reason(console: Console) -> None:  # W5
    add_message(console.engine, NUMBER, abuse=AbuseCheck.SUSPECTED)
    browser = console.signed_in("expert")
    page = browser.get(f"{NOTICES}/new?kind=primary")
    assert page.status_code == 409
    assert "возможные оскорбления" in page.text
    listed = browser.get(NOTICES).text
    assert "Сейчас по обращению отправить нечего." in listed


def test_without_an_outgoing_server_the_pages_say_so_and_the_email_fails(
    db_engine: Engine, outbox: Outbox
) -> None:
    console = _console(db_engine, None)
    add_message(console.engine, NUMBER, intake=MessageIntake.EMAIL)
    browser = console.signed_in("expert")
    text, data = _compose(browser)
    assert "Исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст)" in text
    data["body"] = READY_PRIMARY
    page = browser.get(browser.post(NOTICES, data=data).headers["location"]).text
    assert "Исходящая почта не настроена" in page
    assert "не отправлено — исходящая почта не настроена" in page
    assert "Отправить повторно" in page
    [notice] = _notices(console)
    assert notice.state is NoticeState.FAILED
    assert _status(console) is MessageStatus.REGISTERED  # nothing went out: still owed


def test_a_failed_email_is_sent_again_from_the_list(console: Console, outbox: Outbox) -> None:
    add_message(console.engine, NUMBER, intake=MessageIntake.EMAIL)
    browser = console.signed_in("expert")
    _, data = _compose(browser)
    data["body"] = READY_PRIMARY
    outbox.refuse.add(EMAIL)
    page = browser.get(browser.post(NOTICES, data=data).headers["location"]).text
    assert "адрес получателя отклонён" in page
    [failed] = _notices(console)
    action = f"{NOTICES}/{failed.id}/resend"
    assert f'action="{action}"' in page
    outbox.refuse.clear()
    resent = browser.post(action, data={"csrf_token": form_token(browser.get(NOTICES))})
    assert resent.status_code == 303
    assert resent.headers["location"] == f"{NOTICES}?resent={failed.id}"
    assert len(outbox.envelopes) == 1
    [notice] = _notices(console)
    assert notice.state is NoticeState.SENT
    assert _status(console) is MessageStatus.ACKNOWLEDGED
    again = browser.post(action, data={"csrf_token": form_token(browser.get(NOTICES))})
    assert again.status_code == 409
    assert "только письма по электронной почте, которые не ушли" in again.text


def test_the_printed_letter_for_the_post_carries_a_new_survey_link(  # W12
    console: Console,
) -> None:
    add_message(
        console.engine,
        NUMBER,
        intake=MessageIntake.PAPER,
        chosen=None,
        sender_name="<b>Гаджиева</b>",
        sender_email="",
    )
    browser = console.signed_in("admin")
    _, data = _compose(browser)
    data["body"] = READY_PRIMARY
    assert browser.post(NOTICES, data=data).status_code == 303
    [letter] = _notices(console)
    assert letter.state is NoticeState.TO_PRINT
    printed = browser.get(f"{NOTICES}/{letter.id}/print")
    assert printed.status_code == 200
    assert "&lt;b&gt;Гаджиева&lt;/b&gt;" in printed.text
    assert "<b>Гаджиева" not in printed.text
    assert ADDRESS in printed.text
    assert f"К обращению № {NUMBER} от 3 декабря 2026 г." in printed.text
    links = re.findall(rf"{re.escape(PUBLIC_URL + SURVEY_PATH)}/[A-Za-z0-9_-]+", printed.text)
    assert len(links) == 1
    assert "[ссылка на опрос]" not in printed.text
    with session_scope(console.engine) as session:
        actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
    assert actions[-1] == "message_notice_print"


def test_a_refusal_takes_its_grounds_from_the_chosen_kb_entry(console: Console) -> None:  # W10
    add_message(console.engine, NUMBER)
    browser = console.signed_in("expert")
    text, _ = _compose(browser, "refusal")
    assert '<select class="field__input" id="field-refusal" name="refusal">' in text
    assert 'value="alco-refusal-extend"' in text
    assert 'value="messages-refusal-insults"' not in text
    assert "Выберите основание отказа" in text
    _, chosen = _compose(browser, "refusal", refusal="alco-refusal-extend")
    assert "рассмотрено.\n\nЛицензию не продлили" in chosen["body"]
    assert chosen["refusal"] == "alco-refusal-extend"


def test_a_redirect_names_the_chosen_agency_and_warns_of_unconfirmed_contacts(  # W7
    console: Console,
) -> None:
    add_message(console.engine, NUMBER)
    browser = console.signed_in("expert")
    text, data = _compose(browser, "redirect", agency="agency-fns")
    assert "ФНС России (налоговая) — Управление ФНС России по Республике Дагестан" in data["body"]
    assert "Контакты этого ведомства в справочнике не подтверждены" in text
    assert 'value="agency-fns" selected' in text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/messages/%D0%9F%D0%9E-2026-999999/notices", 404),
        (f"{NOTICES}/new?kind=greeting", 404),
        (f"{NOTICES}/999/print", 404),
        (f"{NOTICES}/x/print", 404),
    ],
)
def test_unknown_messages_kinds_and_notices(console: Console, path: str, status: int) -> None:
    add_message(console.engine, NUMBER)
    page = console.signed_in("expert").get(path)
    assert page.status_code == status
    assert "нет" in page.text


@pytest.mark.parametrize("login", ["expert", "supervisor", "admin"])
def test_experts_supervisors_and_admins_open_the_pages(console: Console, login: str) -> None:
    add_message(console.engine, NUMBER)
    browser = console.signed_in(login)
    assert browser.get(NOTICES).status_code == 200
    assert browser.get(f"{NOTICES}/new?kind=primary").status_code == 200


def test_an_operator_may_not_send_notices(console: Console, outbox: Outbox) -> None:
    add_message(console.engine, NUMBER, intake=MessageIntake.EMAIL)
    browser = console.signed_in("operator")
    assert browser.get(NOTICES).status_code == 403
    assert browser.get(f"{NOTICES}/new?kind=primary").status_code == 403
    token = form_token(browser.get("/messages/new"))
    data = {"csrf_token": token, "kind": "primary", "form_key": "k" * 32, "body": READY_PRIMARY}
    assert browser.post(NOTICES, data=data).status_code == 403
    assert outbox.envelopes == []
