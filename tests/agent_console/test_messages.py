"""The console's written-message pages (W2–W6, C1): the list by deadline, the search an
operator uses to tell a caller where their message stands, the registration form, the message
and its attachments; who may open them; the audit of every look."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.db import session_scope
from models.tables import (
    AuditEntry,
    MessageAttachment,
    MessageIntake,
    MessageStatus,
    Role,
    WrittenMessage,
)
from tests.agent_console.console import Clock, Console, form_token

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday, 12:00 in Moscow: today is 07.12.2026
STAFF = ("operator", "expert", "supervisor", "admin")


def _message(
    number: str, status: MessageStatus, primary: date, answer: date, **more: object
) -> WrittenMessage:
    fields: dict[str, object] = {
        "number": number,
        "received_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        "intake": MessageIntake.PAPER,
        "status": status,
        "primary_due": primary,
        "answer_due": answer,
        "registered_by": "operator",
        "body": "Текст",
        **more,
    }
    return WrittenMessage.model_validate(fields)


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW))
    for role in Role:
        console.add_user(role.value.replace("_", "-"), role)
    with session_scope(db_engine) as session:
        session.add_all(
            [
                _message(  # closed: last, nothing overdue
                    "ПО-2026-000001",
                    MessageStatus.ANSWERED,
                    date(2026, 11, 1),
                    date(2026, 11, 20),
                    sender_name="Закрытое Дело",
                ),
                _message(  # primary answered; the answer overdue since 05.12
                    "ПО-2026-000002",
                    MessageStatus.ACKNOWLEDGED,
                    date(2026, 12, 1),
                    date(2026, 12, 5),
                    sender_name="Гаджиева Марьям",
                    sender_phone="8 (928) 123-45-67",
                ),
                _message(  # primary due today: not overdue yet
                    "ПО-2026-000003",
                    MessageStatus.REGISTERED,
                    date(2026, 12, 7),
                    date(2027, 1, 6),
                    sender_name="Алиев Руслан",
                    sender_email="aliev@mail.ru",
                ),
                _message(  # primary overdue since 04.12: the soonest
                    "ПО-2026-000004",
                    MessageStatus.REGISTERED,
                    date(2026, 12, 4),
                    date(2027, 1, 10),
                    sender_name="<script>alert(1)</script>",
                ),
            ]
        )
    return console


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="messages__row" id="message-([^"]+)">', html)


def _row(html: str, number: str) -> str:
    match = re.search(rf'id="message-{number}">(.*?)</tr>', html, re.S)
    assert match is not None
    return match.group(1)


def test_the_list_soonest_open_deadline_first_closed_last(console: Console) -> None:  # W6
    page = console.signed_in("operator").get("/messages")
    assert page.status_code == 200
    assert _rows(page.text) == [
        "ПО-2026-000004",
        "ПО-2026-000002",
        "ПО-2026-000003",
        "ПО-2026-000001",
    ]


def test_overdue_deadlines_are_marked_against_the_lines_today(console: Console) -> None:
    html = console.signed_in("operator").get("/messages").text
    assert _row(html, "ПО-2026-000004").count("просрочено") == 1  # the primary answer
    second = _row(html, "ПО-2026-000002")
    assert second.count("просрочено") == 1
    assert "05.12.2026 <strong>просрочено" in second
    assert "просрочено" not in _row(html, "ПО-2026-000003")  # due today
    assert "просрочено" not in _row(html, "ПО-2026-000001")  # answered


def test_the_state_filter(console: Console) -> None:
    html = console.signed_in("operator").get("/messages?state=registered").text
    assert _rows(html) == ["ПО-2026-000004", "ПО-2026-000003"]
    unknown = console.signed_in("operator").get("/messages?state=nonsense")
    assert len(_rows(unknown.text)) == 4


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ПО-2026-000003", ["ПО-2026-000003"]),
        ("000002", ["ПО-2026-000002"]),
        ("+7 928 123 45 67", ["ПО-2026-000002"]),  # the phone written otherwise
        ("89281234567", ["ПО-2026-000002"]),
        ("гаджиева", ["ПО-2026-000002"]),  # any case
        ("ALIEV@mail.ru", ["ПО-2026-000003"]),
        ("нет такого", []),
    ],
)
def test_the_search_by_number_name_email_or_phone(  # C1
    console: Console, query: str, found: list[str]
) -> None:
    page = console.signed_in("operator").get("/messages", params={"q": query})
    assert _rows(page.text) == found
    if not found:
        assert "не найдено" in page.text


def test_a_senders_markup_is_text(console: Console) -> None:
    browser = console.signed_in("operator")
    for path in ("/messages", "/messages/ПО-2026-000004"):
        html = browser.get(path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("login", STAFF)
def test_staff_open_the_pages_and_the_menu_offers_them(console: Console, login: str) -> None:
    browser = console.signed_in(login)
    assert browser.get("/messages").status_code == 200
    assert browser.get("/messages/new").status_code == 200
    assert '<a href="/messages"' in browser.get("/").text


def test_a_kb_editor_is_refused_everywhere_and_not_offered_the_menu(console: Console) -> None:
    browser = console.signed_in("kb-editor")
    for path in ("/messages", "/messages/new", "/messages/ПО-2026-000004"):
        assert browser.get(path).status_code == 403
    token = browser.headers["X-CSRF-Token"]
    refused = browser.post("/messages/new", data={"csrf_token": token, "body": "x"})
    assert refused.status_code == 403
    assert '<a href="/messages"' not in browser.get("/").text


def _form(browser: TestClient, **fields: str) -> dict[str, str]:
    page = browser.get("/messages/new")
    key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert key is not None
    data = {
        "csrf_token": form_token(page),
        "form_key": key.group(1),
        "intake": "paper",
        "sender_name": "Магомедов Шамиль",
        "sender_email": "",
        "sender_phone": "8 (8722) 67-80-91",
        "sender_address": "367000, Махачкала, ул. Ленина, 1",
        "subject": "Субсидия",
        "body": "Прошу разъяснить порядок получения субсидии.",
    }
    data.update(fields)
    return data


def _numbers(console: Console) -> list[str]:
    with session_scope(console.engine) as session:
        return list(session.exec(select(WrittenMessage.number).order_by(col(WrittenMessage.id))))


def test_registration_redirects_to_the_message_with_its_number(console: Console) -> None:  # W6
    browser = console.signed_in("operator")
    sent = browser.post("/messages/new", data=_form(browser))
    assert sent.status_code == 303
    number = _numbers(console)[-1]
    assert number == "ПО-2026-000005"
    page = browser.get(sent.headers["location"])
    assert f"Обращение зарегистрировано под номером {number}." in page.text
    assert "Магомедов Шамиль" in page.text
    with session_scope(console.engine) as session:
        stored = session.exec(select(WrittenMessage).where(col(WrittenMessage.number) == number))
        message = stored.one()
        assert message.registered_by == "operator"
        assert message.intake is MessageIntake.PAPER
        assert message.received_at == NOW
        assert message.client_id is not None
    assert f'href="/clients/{message.client_id}"' in page.text


def test_the_same_form_sent_twice_registers_one_message(console: Console) -> None:
    browser = console.signed_in("operator")
    data = _form(browser)
    first = browser.post("/messages/new", data=data)
    second = browser.post("/messages/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(_numbers(console)) == 5
    another = browser.post("/messages/new", data=_form(browser))  # a new form: a new message
    assert another.status_code == 303
    assert len(_numbers(console)) == 6


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"body": "   "}, "body", "Текст обращения не может быть пустым."),
        ({"sender_email": "не-почта@"}, "sender_email", "Это не адрес электронной почты"),
        ({"sender_phone": "12"}, "sender_phone", "Это не номер телефона"),
        ({"sender_name": ""}, "sender_name", "Укажите, от кого обращение."),
        (
            {"sender_phone": "", "sender_address": ""},
            "sender_address",
            "Укажите, куда ответить",
        ),
        ({"intake": "email"}, "intake", "Выберите, как пришло обращение"),
        ({"form_key": ""}, "form", "Форма устарела"),
    ],
)
def test_bad_input_gets_the_form_back_with_the_text_kept(
    console: Console, fields: dict[str, str], name: str, message: str
) -> None:
    browser = console.signed_in("operator")
    data = _form(browser, subject="Тема <b>как есть</b>", **fields)
    page = browser.post("/messages/new", data=data)
    assert page.status_code == 422
    assert message in page.text
    if name != "form":
        assert f'id="field-{name}-error"' in page.text
    assert "Тема &lt;b&gt;как есть&lt;/b&gt;" in page.text
    assert len(_numbers(console)) == 4


def test_the_message_page_deadlines_and_the_audit_log(console: Console) -> None:
    browser = console.signed_in("supervisor")
    page = browser.get("/messages/ПО-2026-000004")
    assert page.status_code == 200
    primary = re.search(r'id="due-primary">(.*?)</dd>', page.text, re.S)
    assert primary is not None
    assert "04.12.2026 <strong>просрочено" in primary.group(1)
    with session_scope(console.engine) as session:
        entries = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "message_view"))
        seen = [(e.actor, e.subject) for e in entries]
    assert seen == [("web:supervisor", "message:ПО-2026-000004")]
    assert browser.get("/messages/ПО-2026-999999").status_code == 404


@pytest.mark.parametrize(
    ("stored_type", "served"),
    [
        ("application/pdf", "application/pdf"),
        ("image/png", "image/png"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
    ],
)
def test_an_attachment_is_always_a_download(
    console: Console, stored_type: str, served: str
) -> None:
    with session_scope(console.engine) as session:
        message = session.exec(
            select(WrittenMessage).where(col(WrittenMessage.number) == "ПО-2026-000003")
        ).one()
        assert message.id is not None
        file = MessageAttachment(
            message_id=message.id,
            filename='отчёт "1"\r\n<x>.html',
            content_type=stored_type,
            size=5,
            data=b"<b>!</b>",
        )
        session.add(file)
        session.flush()
        file_id = file.id
    browser = console.signed_in("operator")
    assert f"/attachments/{file_id}" in browser.get("/messages/ПО-2026-000003").text
    got = browser.get(f"/messages/ПО-2026-000003/attachments/{file_id}")
    assert got.status_code == 200
    assert got.content == b"<b>!</b>"
    assert got.headers["content-type"].split(";")[0] == served
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="1_x_.html"; filename*=UTF-8')
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert got.headers["x-content-type-options"] == "nosniff"
    # Another message's number with this attachment's id: not found.
    assert browser.get(f"/messages/ПО-2026-000004/attachments/{file_id}").status_code == 404
    for odd in ("x", "-1", "9" * 30):  # a malformed id: the same page, never a JSON error
        bad = browser.get(f"/messages/ПО-2026-000003/attachments/{odd}")
        assert bad.status_code == 404
        assert bad.headers["content-type"].startswith("text/html")
