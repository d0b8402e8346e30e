"""CSRF: a state-changing request without the page's token is refused with 403 and changes
nothing — forms (hidden field ``csrf_token``) and fetch (header ``X-CSRF-Token``) alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.auth.cookies import SESSION_COOKIE
from agent_console.auth.csrf import CSRF_HEADER, CSRF_MESSAGE
from models.db import session_scope
from models.tables import AuditEntry, Call, CallWrapup, Role, UserSession
from tests.agent_console.console import PASSWORD, Clock, Console, alert, form_token, page_token

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WRAPUP = "/card/calls/1700000000.1/wrapup"


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW))
    console.add_user("petrov", Role.OPERATOR)
    console.add_user("sidorov", Role.OPERATOR)
    with session_scope(db_engine) as session:
        session.add(Call(linkedid="1700000000.1", arrived_at=NOW, in_working_hours=True))
    return console


def _wrapups(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(CallWrapup)).all())


def _sessions(engine: Engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(UserSession)).all())


@pytest.mark.parametrize("header", [None, "", "wrong-token"])
def test_fetch_without_the_right_header_is_403_and_writes_nothing(
    console: Console, header: str | None
) -> None:
    browser = console.signed_in("petrov")
    del browser.headers[CSRF_HEADER]
    headers = {} if header is None else {CSRF_HEADER: header}
    response = browser.post(WRAPUP, json={"kb_answer_found": True}, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": CSRF_MESSAGE}
    assert CSRF_MESSAGE.startswith("Запрос отклонён: нет действительного токена")
    assert _wrapups(console.engine) == 0


def test_fetch_with_the_pages_token_goes_through(console: Console) -> None:
    browser = console.signed_in("petrov")  # sends the <meta> token as csrf.js does
    assert browser.post(WRAPUP, json={"kb_answer_found": True}).status_code == 201
    assert _wrapups(console.engine) == 1


def test_another_sessions_token_is_refused(console: Console) -> None:
    petrov, sidorov = console.signed_in("petrov"), console.signed_in("sidorov")
    response = petrov.post(
        WRAPUP, json={"kb_answer_found": True}, headers={CSRF_HEADER: page_token(sidorov)}
    )
    assert response.status_code == 403
    assert _wrapups(console.engine) == 0


def test_a_cross_site_form_posted_to_the_api_is_refused(console: Console) -> None:
    browser = console.signed_in("petrov")
    del browser.headers[CSRF_HEADER]
    response = browser.post(
        WRAPUP,
        content='{"kb_answer_found": true}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 403
    assert _wrapups(console.engine) == 0


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_sign_out_form_without_the_right_token_is_a_403_page(
    console: Console, token: str | None
) -> None:
    browser = console.signed_in("petrov")
    del browser.headers[CSRF_HEADER]
    data = {} if token is None else {"csrf_token": token}
    response = browser.post("/sign-out", data=data)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert alert(response) == CSRF_MESSAGE
    assert browser.get("/session").status_code == 200  # still signed in
    assert _sessions(console.engine) == 1


def test_sign_out_form_with_the_pages_token_signs_out(console: Console) -> None:
    browser = console.signed_in("petrov")
    del browser.headers[CSRF_HEADER]
    response = browser.post("/sign-out", data={"csrf_token": form_token(browser.get("/"))})
    assert response.status_code == 303
    assert _sessions(console.engine) == 0


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_sign_in_form_without_its_token_signs_nobody_in(
    console: Console, token: str | None
) -> None:
    browser = console.browser()
    browser.get("/sign-in")  # the form's token is in a cookie of its own
    data = {"login": "petrov", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = browser.post("/sign-in", data=data)
    assert response.status_code == 403
    assert alert(response) == CSRF_MESSAGE
    assert SESSION_COOKIE not in browser.cookies
    assert _sessions(console.engine) == 0
    with session_scope(console.engine) as session:
        assert session.exec(select(AuditEntry)).all() == []  # not even a failed attempt


def test_sign_in_form_token_must_match_its_cookie(console: Console) -> None:
    # A token from some other browser's form, without that browser's cookie.
    token = form_token(console.browser().get("/sign-in"))
    browser = console.browser()
    browser.get("/sign-in")
    response = browser.post(
        "/sign-in", data={"login": "petrov", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403
    assert _sessions(console.engine) == 0


def test_reading_needs_no_token(console: Console) -> None:
    browser = console.signed_in("petrov")
    del browser.headers[CSRF_HEADER]
    assert browser.get("/session").status_code == 200
