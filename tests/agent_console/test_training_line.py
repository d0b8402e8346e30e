"""The console on the training line and on the real line: «Учебная линия» on every page of the
training line and on none of the real line's; the simulated phone's «Ответить»/«Завершить» and
their route exist on the training line only; /health says which line it is."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.auth.rules import declared_routes
from models.db import session_scope
from models.tables import Employee, Role
from tests.agent_console.console import Clock, Console
from tests.agent_console.test_access_matrix import EXPECTED
from tests.conftest import EngineFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
BADGE = '<p class="training-badge" id="training-badge"'
LOGINS = {role: role.value.replace("_", "-") for role in Role}


def _console(engine: Engine, *, training: bool) -> Console:
    console = Console(engine, Clock(NOW), training_line=training)
    for role, login in LOGINS.items():
        console.add_user(login, role)
    return console


@pytest.fixture
def training(db_engine: Engine) -> Console:
    return _console(db_engine, training=True)


@pytest.fixture
def real(engine_factory: EngineFactory) -> Console:
    return _console(engine_factory(), training=False)


def _pages(console: Console) -> list[tuple[str, str]]:
    """(login, path) of every page each role may open, downloads left out, and the pages of
    another role (the refusal is a page too)."""
    paths = [
        re.sub(r"\{[^}]+\}", "x", route.path)
        for route in declared_routes(console.app)
        if route.method == "GET" and route.rules[0].page and "." not in route.path
    ]
    return [(login, path) for login in LOGINS.values() for path in paths]


def _html_pages(console: Console) -> list[str]:
    """Every whole page (a fragment a page loads into itself has no layout of its own)."""
    shown = [console.browser().get("/sign-in").text]
    for login, path in _pages(console):
        response = console.signed_in(login).get(path)
        assert response.headers["content-type"].startswith("text/html"), (login, path)
        if "<!doctype html>" in response.text[:300]:
            shown.append(response.text)
    return shown


def test_every_page_of_the_training_line_says_so(training: Console) -> None:
    pages = _html_pages(training)
    assert len(pages) > 40  # sign-in, every role's pages, refusals, pages not found
    for html in pages:
        assert BADGE in html
        assert "Учебная линия</p>" in html
        assert "<title>Учебная линия · " in html


def test_no_page_of_the_real_line_mentions_the_training_line(real: Console) -> None:
    for html in _html_pages(real):
        assert "training-badge" not in html
        assert "Учебная линия" not in html


def test_the_phone_keys_are_on_the_training_lines_workspace_only(
    training: Console, real: Console
) -> None:
    shown = training.signed_in("operator").get("/").text
    assert 'type="button" id="phone-answer" hidden>Ответить</button>' in shown
    assert 'id="phone-hangup" hidden>Завершить</button>' in shown
    plain = real.signed_in("operator").get("/").text
    assert "phone-answer" not in plain
    assert "phone-hangup" not in plain
    assert "Ответить" not in plain


def test_the_phone_route_exists_on_the_training_line_only(training: Console, real: Console) -> None:
    routes = {(r.method, r.path): r.rules[0].describe() for r in declared_routes(training.app)}
    assert routes == {**EXPECTED, ("POST", "/training/phone"): "api: operator"}
    response = real.signed_in("operator").post("/training/phone", json={"key": "answer"})
    assert response.status_code == 404


def test_a_key_that_does_not_fit_the_phone_is_refused_in_russian(training: Console) -> None:
    operator = training.signed_in("operator")
    answer = operator.post("/training/phone", json={"key": "answer"})
    assert answer.status_code == 409
    assert answer.json() == {"detail": "Ваш телефон сейчас не звонит."}
    hang_up = operator.post("/training/phone", json={"key": "hangup"})
    assert hang_up.status_code == 409
    assert hang_up.json() == {"detail": "Сейчас нет разговора."}
    assert operator.post("/training/phone", json={"key": "hold"}).status_code == 422
    supervisor = training.signed_in("supervisor")
    assert supervisor.post("/training/phone", json={"key": "answer"}).status_code == 403


def test_an_operator_without_a_phone_is_told_so(training: Console, db_engine: Engine) -> None:
    operator = training.signed_in("operator")
    with session_scope(db_engine) as session:
        for employee in session.exec(select(Employee)):
            employee.device = ""
    response = operator.post("/training/phone", json={"key": "answer"})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Для вас не указан телефон")


@pytest.mark.parametrize(("pbx", "kind"), [("asterisk", "asterisk"), ("training", "training")])
def test_health_says_which_line(db_engine: Engine, pbx: str, kind: str) -> None:
    console = Console(db_engine, Clock(NOW), pbx=pbx)
    line = console.browser().get("/health").json()["line"]
    assert line["kind"] == kind
    assert line["label"].startswith("УЧЕБНАЯ ЛИНИЯ" if kind == "training" else "настоящая линия")
