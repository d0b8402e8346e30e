"""The public message form: open without signing in, validated field by field, protected by a
signed form token, limited per address, registering each filled-in form once (W6, G1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.auth.form_tokens import LIFETIME, issue
from agent_console.auth.rules import FORM_EXPIRED, FORM_FORGED
from agent_console.public_message_desk import PER_CLIENT
from agent_console.public_message_form import (
    BAD_EMAIL,
    NO_CONSENT,
    NO_REPLY_WAY,
    NO_TEXT,
    TEXT_MAX,
)
from agent_console.routes.public_message import TOO_MANY
from models.db import session_scope
from models.tables import MessageIntake, Role, WrittenMessage
from tests.agent_console.console import Clock, Console, form_token

# A Thursday in an ordinary week: 10:00 in Moscow.
NOW = datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
FORM = "/public/message"
GOOD = {
    "name": "Анна Иванова",
    "email": "anna@example.ru",
    "subject": "Пособие",
    "text": "Как оформить пособие на ребёнка?",
    "consent": "yes",
}
_NUMBER = re.compile(r'id="message-number">([^<]+)<')


@pytest.fixture
def console(db_engine: Engine) -> Console:
    return Console(db_engine, Clock(NOW))


def send(browser: TestClient, fields: dict[str, str], token: str | None = None) -> Response:
    if token is None:
        token = form_token(browser.get(FORM))
    return browser.post(FORM, data=fields | {"csrf_token": token})


def messages(engine: Engine) -> list[WrittenMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(WrittenMessage)).all())


def number_in(response: Response) -> str:
    match = _NUMBER.search(response.text)
    assert match is not None, response.text
    return match.group(1)


def test_the_form_opens_without_signing_in_and_shows_no_menu(console: Console) -> None:
    page = console.browser().get(FORM)
    assert page.status_code == 200
    assert "Письменное обращение" in page.text
    assert 'name="consent" type="checkbox"' in page.text
    assert "152-ФЗ" in page.text
    assert "<script" not in page.text  # works without JavaScript
    assert "topbar__menu" not in page.text
    assert "/sign-in" not in page.text
    css = console.browser().get("/static/public_message.css")
    assert css.status_code == 200


def test_a_signed_in_employee_sees_no_menu_on_it_either(console: Console) -> None:
    console.add_user("petrov", Role.OPERATOR)
    page = console.signed_in("petrov").get(FORM)
    assert page.status_code == 200
    assert "topbar__menu" not in page.text


def test_a_valid_message_is_registered_and_the_page_gives_number_and_primary_due(
    console: Console,
) -> None:  # W6
    response = send(console.browser(), GOOD | {"phone": "8 (912) 345-67-89"})
    assert response.status_code == 200
    number = number_in(response)
    assert number == "ПО-2026-000001"
    # Thursday 12 March + 3 working days: Friday 13, Monday 16, Tuesday 17.
    assert 'id="primary-due">17.03.2026<' in response.text
    [message] = messages(console.engine)
    assert message.number == number
    assert message.intake is MessageIntake.WEB
    assert message.registered_by == "web"
    assert message.consent is True
    assert message.sender_email == "anna@example.ru"
    assert message.sender_phone == "8 (912) 345-67-89"
    assert message.body == GOOD["text"]
    assert message.primary_due.isoformat() == "2026-03-17"
    assert "testclient" not in repr(message.model_dump())  # the sender's address is not kept


def test_a_postal_address_alone_is_a_way_to_reply(console: Console) -> None:
    fields = {k: v for k, v in GOOD.items() if k != "email"} | {"address": "г. Казань, ул. Мира, 1"}
    assert send(console.browser(), fields).status_code == 200
    assert len(messages(console.engine)) == 1


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"text": "   "}, "text", NO_TEXT),
        ({"email": ""}, "reply", NO_REPLY_WAY),
        ({"consent": ""}, "consent", NO_CONSENT),
        ({"email": "anna(at)example.ru"}, "email", BAD_EMAIL),
        ({"phone": "позвоните мне"}, "phone", "Номер телефона не распознан"),
        ({"text": "я" * (TEXT_MAX + 1)}, "text", f"Слишком длинно: не больше {TEXT_MAX} знаков"),
        ({"name": "И" * 201}, "name", "Слишком длинно: не больше 200 знаков"),
    ],
)
def test_a_bad_field_gets_the_form_back_with_its_error_and_nothing_registered(
    console: Console, change: dict[str, str], field: str, error: str
) -> None:
    response = send(console.browser(), GOOD | change)
    assert response.status_code == 422
    assert f'id="field-{field}-error">{error}' in response.text
    assert "Обращение не отправлено" in response.text
    assert 'value="Пособие"' in response.text  # what was typed is kept
    assert messages(console.engine) == []


def test_the_text_at_its_maximum_is_accepted(console: Console) -> None:
    assert send(console.browser(), GOOD | {"text": "я" * TEXT_MAX}).status_code == 200


def test_html_in_the_fields_is_shown_escaped(console: Console) -> None:
    script = '<script>alert("x")</script>'
    response = send(console.browser(), GOOD | {"name": script, "text": script, "consent": ""})
    assert response.status_code == 422
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text


def test_a_filled_honeypot_looks_like_success_but_registers_nothing(console: Console) -> None:
    response = send(console.browser(), GOOD | {"homepage": "http://spam.example"})
    assert response.status_code == 200
    assert "Обращение отправлено" in response.text
    assert "message-number" not in response.text
    assert messages(console.engine) == []


def test_the_same_form_sent_twice_gets_the_same_number_once(console: Console) -> None:
    browser = console.browser()
    token = form_token(browser.get(FORM))
    first = send(browser, GOOD, token)
    again = send(browser, GOOD | {"text": "Изменённый текст"}, token)
    assert number_in(first) == number_in(again) == "ПО-2026-000001"
    assert len(messages(console.engine)) == 1
    assert number_in(send(browser, GOOD)) == "ПО-2026-000002"  # a new form is a new message


def test_after_a_validation_error_the_corrected_form_is_registered(console: Console) -> None:
    browser = console.browser()
    refused = send(browser, GOOD | {"consent": ""})
    assert number_in(send(browser, GOOD, form_token(refused))) == "ПО-2026-000001"


def test_over_the_hourly_limit_an_address_gets_429_and_nothing_registered(
    console: Console,
) -> None:
    browser = console.browser()
    for _ in range(PER_CLIENT):
        assert send(browser, GOOD).status_code == 200
    refused = send(browser, GOOD)
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert refused.headers["retry-after"] == "3600"
    assert len(messages(console.engine)) == PER_CLIENT
    console.clock.advance(hours=1)  # the window has passed
    assert send(browser, GOOD).status_code == 200


def test_honeypot_forms_count_against_the_limit(console: Console) -> None:
    browser = console.browser()
    for _ in range(PER_CLIENT):
        send(browser, GOOD | {"homepage": "x"})
    assert send(browser, GOOD).status_code == 429


def test_the_overall_limit_stops_everyone(console: Console) -> None:
    desk = console.app.state.context.public_messages
    desk.overall = 2
    browser = console.browser()
    assert send(browser, GOOD).status_code == 200
    assert send(browser, GOOD).status_code == 200
    assert send(browser, GOOD).status_code == 429


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", FORM_FORGED),
        ("1773298800.abc.not-a-signature", FORM_FORGED),
        (issue(b"another key", NOW), FORM_FORGED),
    ],
)
def test_a_forged_token_gets_a_clear_page_and_nothing_registered(
    console: Console, token: str, message: str
) -> None:
    response = console.browser().post(FORM, data=GOOD | {"csrf_token": token})
    assert response.status_code == 403
    assert message in response.text
    assert 'href="/public/message"' in response.text
    assert "/sign-in" not in response.text
    assert messages(console.engine) == []


def test_an_expired_token_gets_a_clear_page_and_nothing_registered(console: Console) -> None:
    browser = console.browser()
    token = form_token(browser.get(FORM))
    console.clock.advance(seconds=LIFETIME.total_seconds() + 1)
    response = send(browser, GOOD, token)
    assert response.status_code == 403
    assert FORM_EXPIRED in response.text
    assert messages(console.engine) == []


def test_a_token_issued_in_the_future_is_not_ours(console: Console) -> None:
    token = issue(console.backend.form_key(), NOW.replace(year=2027))
    assert send(console.browser(), GOOD, token).status_code == 403


def test_a_configured_secret_signs_the_tokens(db_engine: Engine) -> None:
    first = Console(db_engine, Clock(NOW), public_form_secret="общий-ключ")
    second = Console(db_engine, Clock(NOW), public_form_secret="общий-ключ")
    token = form_token(first.browser().get(FORM))
    assert send(second.browser(), GOOD, token).status_code == 200  # another process, same key
