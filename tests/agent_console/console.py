"""The console as a browser meets it: the real app over a migrated database, accounts made the
way ``consult-line user add`` makes them, sign-in through the sign-in form.

Passwords are hashed with argon2's cheapest parameters (``Backend.passwords``): the check is the
same, only faster. Time is the app's clock (:class:`Clock`), moved by the tests.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from argon2 import profiles
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine

from agent_console.app import create_app
from agent_console.auth.csrf import CSRF_HEADER
from agent_console.auth.passwords import Passwords
from agent_console.deps import AppContext, Backend
from consult_line.health import check
from consult_line.wiring import Services, build_backend
from models.settings import Settings
from models.tables import Role
from tests.factories import add_user

CHEAP = Passwords(profiles.CHEAPEST)
PASSWORD = "верный-пароль-2026"
_HIDDEN_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_ALERT = re.compile(r'role="alert">([^<]+)<')


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Console:
    """A migrated database and the console's app over it."""

    def __init__(
        self, engine: Engine, clock: Clock, *, training_line: bool = False, **settings: Any
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = Settings(
            database_url=engine.url.render_as_string(hide_password=False), **settings
        )
        services = Services(settings=self.settings, engine=engine, clock=clock)
        self.backend: Backend = replace(build_backend(services), passwords=CHEAP)
        context = AppContext(
            health=lambda: check(services),
            version="test",
            backend=self.backend,
            training_line=training_line,
        )
        self.app = create_app(context)
        self._numbers = itertools.count(401)

    def add_user(self, login: str, *roles: Role, password: str = PASSWORD) -> int:
        """An employee of their own with an account; returns the employee's id."""
        return add_user(
            self.engine,
            login,
            roles,
            number=str(next(self._numbers)),
            password_hash=CHEAP.hash(password),
            now=self.clock(),
        )

    def browser(self, *, https: bool = False) -> TestClient:
        base_url = "https://testserver" if https else "http://testserver"
        return TestClient(self.app, base_url=base_url, follow_redirects=False)

    def signed_in(self, login: str, password: str = PASSWORD) -> TestClient:
        """A browser signed in as ``login`` whose fetch-style requests carry the CSRF header."""
        browser = self.browser()
        response = sign_in(browser, login, password)
        assert response.status_code == 303, alert(response)
        browser.headers[CSRF_HEADER] = page_token(browser)
        return browser


def sign_in(browser: TestClient, login: str, password: str, next_path: str = "/") -> Response:
    token = form_token(browser.get("/sign-in"))
    return browser.post(
        "/sign-in",
        data={"login": login, "password": password, "csrf_token": token, "next": next_path},
    )


def form_token(response: Response) -> str:
    match = _HIDDEN_TOKEN.search(response.text)
    assert match is not None, response.text
    return match.group(1)


def page_token(browser: TestClient) -> str:
    """The CSRF token of the signed-in session, from the ``<meta>`` tag of a page."""
    match = _META_TOKEN.search(browser.get("/").text)
    assert match is not None
    return match.group(1)


def alert(response: Response) -> str:
    match = _ALERT.search(response.text)
    return match.group(1) if match else ""
