"""Signing in and out through the sign-in form, with real sessions in the database.

Time passes through the app's clock (``Backend.clock``): pauses, locks and session expiry are
tested by moving it, never by waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from agent_console.auth.cookies import CSRF_COOKIE, SESSION_COOKIE
from models.accounts import disable_account, set_password
from models.db import session_scope
from models.tables import AuditEntry, Employee, EmployeeRole, Role, UserSession
from models.user_sessions import token_digest
from tests.agent_console.console import (
    CHEAP,
    PASSWORD,
    Clock,
    Console,
    alert,
    form_token,
    sign_in,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 12:00 in Makhachkala


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW))
    console.add_user("ivanova", Role.OPERATOR, Role.KB_EDITOR)
    return console


def _cookies(response: Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def _audit(engine: Engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(row.action, row.subject, row.detail) for row in rows]


def _sessions(engine: Engine) -> list[UserSession]:
    with session_scope(engine) as session:
        return list(session.exec(select(UserSession)))


# --- signing in -------------------------------------------------------------------------------


def test_sign_in_lands_on_the_home_page_with_name_and_roles(console: Console) -> None:
    browser = console.browser()
    assert browser.get("/").headers["location"] == "/sign-in"
    response = sign_in(browser, "ivanova", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = browser.get("/")
    assert home.status_code == 200
    assert "Здравствуйте, Сотрудник 401!" in home.text
    # an operator lands on the workspace; the roles are in the header on every page
    assert '<span class="topbar__roles">оператор, редактор базы знаний</span>' in home.text
    assert '<form class="topbar__sign-out" method="post" action="/sign-out">' in home.text
    assert browser.get("/session").json()["roles"] == ["operator", "kb_editor"]


def test_session_cookie_is_http_only_strict_and_only_its_hash_is_stored(
    console: Console,
) -> None:
    browser = console.browser()
    response = sign_in(browser, "ivanova", PASSWORD)
    cookie = _cookies(response)[SESSION_COOKIE]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Max-Age=43200" in cookie  # the absolute limit, 12 h
    assert "Secure" not in cookie  # CONSULT_LINE_CONSOLE_TLS is off
    assert _cookies(response)[CSRF_COOKIE].startswith(f'{CSRF_COOKIE}="";')  # no longer needed
    token = browser.cookies[SESSION_COOKIE]
    (stored,) = _sessions(console.engine)
    assert stored.token_hash == token_digest(token)
    assert token not in (stored.token_hash, stored.csrf_token)


def test_cookies_are_secure_when_the_console_is_behind_tls(db_engine: Engine) -> None:
    console = Console(db_engine, Clock(NOW), console_tls=True)
    console.add_user("ivanova", Role.OPERATOR)
    browser = console.browser(https=True)
    form = browser.get("/sign-in")
    assert "Secure" in _cookies(form)[CSRF_COOKIE]
    response = browser.post(
        "/sign-in",
        data={"login": "ivanova", "password": PASSWORD, "csrf_token": form_token(form)},
    )
    assert response.status_code == 303
    assert "Secure" in _cookies(response)[SESSION_COOKIE]


def test_sign_in_returns_to_the_page_asked_for(db_engine: Engine) -> None:
    console = Console(db_engine, Clock(NOW))
    console.add_user("admin", Role.ADMIN)
    browser = console.browser()
    assert browser.get("/docs").headers["location"] == "/sign-in?next=%2Fdocs"
    response = sign_in(browser, "admin", PASSWORD, next_path="/docs")
    assert response.headers["location"] == "/docs"
    assert browser.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_sign_in_never_redirects_off_the_console(console: Console, target: str) -> None:
    response = sign_in(console.browser(), "ivanova", PASSWORD, next_path=target)
    assert response.headers["location"] == "/"


def test_login_is_case_insensitive_and_trimmed(console: Console) -> None:
    assert sign_in(console.browser(), "  IVANOVA ", PASSWORD).status_code == 303


def test_sign_in_page_of_a_signed_in_user_leads_home(console: Console) -> None:
    browser = console.signed_in("ivanova")
    assert browser.get("/sign-in").headers["location"] == "/"


# --- wrong passwords, pauses, lockout ---------------------------------------------------------


def test_wrong_password_and_unknown_login_get_the_same_answer(console: Console) -> None:
    browser = console.browser()
    wrong = sign_in(browser, "ivanova", "неверный-пароль")
    unknown = sign_in(browser, "nobody", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert alert(response) == "Неверный логин или пароль."
        assert SESSION_COOKIE not in _cookies(response)
    assert 'value="ivanova"' in wrong.text  # the login stays typed in, the password does not
    assert "неверный-пароль" not in wrong.text
    assert _sessions(console.engine) == []
    assert _audit(console.engine) == [
        ("sign_in_failed", "user:ivanova", "ip=testclient attempt=1/5"),
        ("sign_in_failed", "user:nobody", "ip=testclient unknown_login"),
    ]


def test_empty_form_is_asked_again(console: Console) -> None:
    response = sign_in(console.browser(), "", "")
    assert response.status_code == 400
    assert alert(response) == "Введите логин и пароль."


def test_after_a_wrong_password_the_next_attempt_waits(console: Console) -> None:
    browser = console.browser()
    sign_in(browser, "ivanova", "неверный-пароль")
    console.clock.advance(seconds=0.5)
    too_soon = sign_in(browser, "ivanova", PASSWORD)  # right, but inside the 1 s pause
    assert too_soon.status_code == 429
    assert too_soon.headers["retry-after"] == "1"
    assert alert(too_soon) == "Слишком частые попытки входа: подождите 1 с и попробуйте снова."
    console.clock.advance(seconds=0.5)
    assert sign_in(browser, "ivanova", PASSWORD).status_code == 303


def test_repeated_wrong_passwords_lock_the_account_until_the_lock_runs_out(
    db_engine: Engine,
) -> None:
    console = Console(db_engine, Clock(NOW), sign_in_max_attempts=3, sign_in_lock_minutes=10)
    console.add_user("ivanova", Role.OPERATOR)
    browser = console.browser()
    assert sign_in(browser, "ivanova", "неверный-пароль-1").status_code == 401
    console.clock.advance(seconds=1)
    assert sign_in(browser, "ivanova", "неверный-пароль-2").status_code == 401
    console.clock.advance(seconds=2)
    locking = sign_in(browser, "ivanova", "неверный-пароль-3")
    assert locking.status_code == 429
    assert alert(locking) == (
        "Неверный логин или пароль. После 3 неверных попыток вход для этой учётной записи "
        "закрыт до 12:11."  # 12:00:03 + 10 min, Moscow time, rounded up
    )
    console.clock.advance(minutes=9, seconds=59)
    refused = sign_in(browser, "ivanova", PASSWORD)
    assert refused.status_code == 429
    assert alert(refused) == (
        "Вход для этой учётной записи временно закрыт из-за неверных паролей: попробуйте "
        "после 12:11 или обратитесь к администратору."
    )
    assert refused.headers["retry-after"] == "1"
    console.clock.advance(seconds=1)
    assert sign_in(browser, "ivanova", PASSWORD).status_code == 303
    assert [(action, detail) for action, _subject, detail in _audit(console.engine)] == [
        ("sign_in_failed", "ip=testclient attempt=1/3"),
        ("sign_in_failed", "ip=testclient attempt=2/3"),
        ("sign_in_failed", "ip=testclient attempt=3/3"),
        ("account_locked", "ip=testclient locked_until=2026-12-07T09:10:03+00:00"),
        ("sign_in_refused", "ip=testclient locked_until=2026-12-07T09:10:03+00:00"),
        ("sign_in", "ip=testclient"),
    ]


def test_a_right_password_clears_the_count(db_engine: Engine) -> None:
    console = Console(db_engine, Clock(NOW), sign_in_max_attempts=2)
    console.add_user("ivanova", Role.OPERATOR)
    browser = console.browser()
    sign_in(browser, "ivanova", "неверный-пароль")
    console.clock.advance(seconds=1)
    assert sign_in(browser, "ivanova", PASSWORD).status_code == 303
    console.clock.advance(seconds=1)
    # One failure again is the first of two, not the second.
    assert sign_in(console.browser(), "ivanova", "неверный-пароль").status_code == 401


# --- sessions end -----------------------------------------------------------------------------


def test_idle_session_ends_after_eight_hours(db_engine: Engine) -> None:
    console = Console(db_engine, Clock(NOW), session_max_hours=48)
    console.add_user("ivanova", Role.OPERATOR)
    browser = console.signed_in("ivanova")
    for _ in range(3):  # busy for a day: each request keeps it alive
        console.clock.advance(hours=7, minutes=59)
        assert browser.get("/session").status_code == 200
    console.clock.advance(hours=8)
    assert browser.get("/session").status_code == 401
    assert browser.get("/").headers["location"] == "/sign-in"
    assert _sessions(console.engine) == []  # the ended session is gone from the database


def test_session_ends_twelve_hours_after_sign_in_however_busy(console: Console) -> None:
    browser = console.signed_in("ivanova")
    for _ in range(11):
        console.clock.advance(hours=1)
        assert browser.get("/session").status_code == 200
    console.clock.advance(hours=1)
    assert browser.get("/session").status_code == 401


def test_sign_out_ends_the_session_everywhere_it_was_copied(console: Console) -> None:
    browser = console.signed_in("ivanova")
    copy = TestClient(console.app, cookies={SESSION_COOKIE: browser.cookies[SESSION_COOKIE]})
    home = browser.get("/")
    response = browser.post("/sign-out", data={"csrf_token": form_token(home)})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert _cookies(response)[SESSION_COOKIE].startswith(f'{SESSION_COOKIE}="";')
    assert copy.get("/session").status_code == 401
    assert _sessions(console.engine) == []
    assert _audit(console.engine)[-1] == ("sign_out", "user:ivanova", "ip=testclient")


def test_sign_out_without_a_session_leads_to_the_sign_in_page(console: Console) -> None:
    response = console.browser().post("/sign-out", data={"csrf_token": "x"})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_password_change_signs_the_user_out_everywhere(console: Console) -> None:
    office, home = console.signed_in("ivanova"), console.signed_in("ivanova")
    with session_scope(console.engine) as session:  # what `consult-line user passwd` does
        ended = set_password(
            session=session,
            login="ivanova",
            password_hash=CHEAP.hash("новый-пароль-2027"),
            now=console.clock(),
        )
    assert ended == 2
    assert office.get("/session").status_code == 401
    assert home.get("/").headers["location"] == "/sign-in"
    assert sign_in(console.browser(), "ivanova", PASSWORD).status_code == 401
    console.clock.advance(seconds=1)
    assert sign_in(console.browser(), "ivanova", "новый-пароль-2027").status_code == 303


def test_disabled_account_is_signed_out_and_cannot_sign_in(console: Console) -> None:
    browser = console.signed_in("ivanova")
    with session_scope(console.engine) as session:
        disable_account(session=session, login="ivanova")
    assert browser.get("/session").status_code == 401
    response = sign_in(console.browser(), "ivanova", PASSWORD)
    assert response.status_code == 403
    assert alert(response) == "Учётная запись отключена. Обратитесь к администратору."
    assert _audit(console.engine)[-1] == (
        "sign_in_refused",
        "user:ivanova",
        "ip=testclient disabled",
    )


def test_employee_switched_off_in_the_directory_is_signed_out(console: Console) -> None:
    browser = console.signed_in("ivanova")
    with session_scope(console.engine) as session:
        employee = session.exec(select(Employee)).one()
        employee.active = False
        session.add(employee)
    assert browser.get("/session").status_code == 401


def test_roles_are_read_on_every_request(console: Console) -> None:
    browser = console.signed_in("ivanova")
    assert browser.get("/kb/sections").status_code == 200  # as a KB editor
    with session_scope(console.engine) as session:
        session.execute(delete(EmployeeRole).where(col(EmployeeRole.role) == Role.KB_EDITOR))
    assert browser.get("/kb/sections").status_code == 403
    assert browser.get("/session").json()["roles"] == ["operator"]


def test_an_account_without_roles_cannot_sign_in(console: Console) -> None:
    with session_scope(console.engine) as session:
        session.execute(delete(EmployeeRole))
    response = sign_in(console.browser(), "ivanova", PASSWORD)
    assert response.status_code == 403
    assert alert(response) == "У учётной записи нет ни одной роли. Обратитесь к администратору."


@pytest.mark.parametrize("forged", ["made-up-token", "", "x" * 500])
def test_forged_session_cookie_is_no_session(console: Console, forged: str) -> None:
    browser = TestClient(console.app, cookies={SESSION_COOKIE: forged}, follow_redirects=False)
    assert browser.get("/session").status_code == 401
    response = browser.get("/")
    assert response.headers["location"] == "/sign-in"
    if forged:
        assert _cookies(response)[SESSION_COOKIE].startswith(f'{SESSION_COOKIE}="";')


def test_the_stored_hash_is_not_a_session_token(console: Console) -> None:
    console.signed_in("ivanova")
    (stored,) = _sessions(console.engine)
    browser = TestClient(console.app, cookies={SESSION_COOKIE: stored.token_hash})
    assert browser.get("/session").status_code == 401
