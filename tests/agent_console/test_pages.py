"""The server-rendered pages and their static files: served by the app itself, shipped in the
package, nothing from another site."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from agent_console.security_headers import HEADERS
from agent_console.templating import PACKAGE_DIR, STATIC_DIR, TEMPLATES_DIR
from models.db import session_scope
from models.tables import Employee, Role
from tests.agent_console.console import Clock, Console

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW), line_title="Линия Минпромторга РД")
    console.add_user("admin", Role.ADMIN)
    return console


def test_every_template_and_static_file_is_in_the_package_data() -> None:
    patterns = tomllib.loads(PYPROJECT.read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    shipped = patterns["agent_console"]
    files = [
        path.relative_to(PACKAGE_DIR).as_posix()
        for folder in (TEMPLATES_DIR, STATIC_DIR)
        for path in folder.rglob("*")
        if path.is_file()
    ]
    assert {"templates/base.html", "templates/macros.html", "static/csrf.js"} <= set(files)
    assert [f for f in files if not any(fnmatch.fnmatch(f, p) for p in shipped)] == []


def test_nothing_is_loaded_from_another_site() -> None:
    for folder in (TEMPLATES_DIR, STATIC_DIR):
        for path in folder.rglob("*"):
            assert not re.search(r"(src|href)=\"(https?:)?//", path.read_text("utf-8")), path


def test_sign_in_page_layout(console: Console) -> None:
    page = console.browser().get("/sign-in")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert '<html lang="ru">' in html
    assert "<title>Вход — Линия Минпромторга РД</title>" in html
    assert '<a class="topbar__title" href="/">Линия Минпромторга РД</a>' in html
    assert '<link rel="stylesheet" href="/static/console.css">' in html
    assert '<script src="/static/csrf.js" defer></script>' in html
    assert re.search(r'<meta name="csrf-token" content="[\w-]{40,}">', html)
    assert '<label class="field__label" for="field-login">Логин</label>' in html
    assert 'type="password" autocomplete="current-password" required' in html
    assert "topbar__sign-out" not in html  # nobody to sign out


def test_pages_carry_the_security_headers(console: Console) -> None:
    for response in (console.browser().get("/sign-in"), console.signed_in("admin").get("/")):
        for name, value in HEADERS.items():
            assert response.headers[name] == value
    assert "frame-ancestors 'none'" in HEADERS["Content-Security-Policy"]


def test_names_are_escaped(console: Console) -> None:
    with session_scope(console.engine) as session:
        employee = session.exec(select(Employee)).one()
        employee.full_name = "<script>alert(1)</script>"
        session.add(employee)
    html = console.signed_in("admin").get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("path", "content_type", "text"),
    [
        ("/static/console.css", "text/css", ":focus-visible"),
        ("/static/csrf.js", "text/javascript", 'meta[name="csrf-token"]'),
        ("/static/csrf.js", "text/javascript", 'headers.set("X-CSRF-Token", csrfToken())'),
        ("/static/api-docs.js", "text/javascript", "requestInterceptor"),
        ("/swagger-ui/swagger-ui-bundle.js", "text/javascript", "SwaggerUIBundle"),
        ("/swagger-ui/swagger-ui.css", "text/css", ".swagger-ui"),
    ],
)
def test_static_files_are_served_to_anyone(
    console: Console, path: str, content_type: str, text: str
) -> None:
    response = console.browser().get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert text in response.text


def test_api_docs_for_an_admin_come_from_the_app(console: Console) -> None:
    admin = console.signed_in("admin")
    docs = admin.get("/docs").text
    for asset in re.findall(r'(?:src|href)="([^"]+)"', docs):
        assert asset.startswith("/"), asset
        assert admin.get(asset).status_code == 200, asset
    schema = admin.get("/openapi.json").json()
    assert schema["info"]["title"] == "Консультационная линия"
    assert "/kb/search" in schema["paths"]
    assert "/sign-in" not in schema["paths"]  # pages are not part of the API


REPORTS = ["/reports/missed"]  # one entry; each report's page lists the others


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OPERATOR, ["/", "/callbacks", "/messages", "/visits"]),
        (
            Role.SUPERVISOR,
            [
                "/",
                "/messages",
                "/visits",
                "/wallboard",
                *REPORTS,
                "/clients",
                "/mailings",
                "/kb/review",
            ],
        ),
        (Role.KB_EDITOR, ["/", "/kb/review"]),
        (
            Role.ADMIN,
            [
                "/",
                "/messages",
                "/visits",
                "/wallboard",
                *REPORTS,
                "/clients",
                "/mailings",
                "/kb/review",
                "/docs",
            ],
        ),
    ],
)
def test_the_menu_offers_every_page_the_user_may_open_and_no_other(
    console: Console, role: Role, expected: list[str]
) -> None:
    console.add_user("someone", role)
    browser = console.signed_in("someone")
    page = browser.get("/")
    menu = re.search(r'<nav class="topbar__menu".*?</nav>', page.text, re.S)
    assert menu is not None
    links = re.findall(r'<a href="([^"]+)"', menu.group(0))
    assert links == expected
    assert 'href="/" aria-current="page"' in menu.group(0)
    for href in links:
        assert browser.get(href).status_code == 200, href


def test_each_report_lists_every_report_and_each_opens(console: Console) -> None:
    console.add_user("boss", Role.SUPERVISOR)
    browser = console.signed_in("boss")
    expected = [
        "/reports/missed",
        "/reports/callbacks",
        "/reports/transfers",
        "/reports/survey",
        "/reports/operators",
    ]
    for path in expected:
        page = browser.get(path)
        assert page.status_code == 200, path
        listed = re.search(r'<nav class="report__list".*?</nav>', page.text, re.S)
        assert listed is not None, path
        assert re.findall(r'<a href="([^"]+)"', listed.group(0)) == expected
        assert f'href="{path}" aria-current="page"' in listed.group(0)
