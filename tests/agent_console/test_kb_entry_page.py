"""A knowledge-base entry as a page: its facts and version history (who, when), and the edit form
for editors — saved as a new version, refused with the text kept when a colleague saved first
or when a field is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.tables import Department, KbEntry, KbEntryVersion, Role
from tests.agent_console.kb_line import Line, form_browser

ENTRY = "alco-license-fee"
VIEW = f"/kb/view/{ENTRY}"
EDIT = f"/kb/edit/{ENTRY}"


@pytest.fixture
def line(db_engine: Engine, tmp_path: Path) -> Line:
    line = Line(db_engine, tmp_path / "kb")
    with session_scope(db_engine) as session:
        session.add(Department(code="licensing", name="Отдел лицензирования"))
    line.console.add_user("sidorova", Role.SUPERVISOR)
    return line


@pytest.fixture
def editor(line: Line) -> tuple[TestClient, str]:
    return form_browser(line.console, "ivanova")


def _versions(line: Line) -> list[tuple[int, str, str]]:
    with session_scope(line.engine) as session:
        rows = session.exec(
            select(KbEntryVersion)
            .where(KbEntryVersion.entry_id == ENTRY)
            .order_by(KbEntryVersion.version)  # type: ignore[arg-type]
        )
        return [(v.version, v.changed_by, v.title) for v in rows]


def _entry(line: Line) -> KbEntry:
    with session_scope(line.engine) as session:
        row = session.get(KbEntry, ENTRY)
        assert row is not None
        session.expunge(row)
        return row


def _form(title: str, token: str, version: str = "1", **fields: object) -> dict[str, object]:
    return {
        "csrf_token": token,
        "version": version,
        "title": title,
        "body": "За выдачу лицензии уплачивается государственная пошлина.",
        "tags": "госпошлина\nлицензия",
        "topics": ["state_services"],
        **fields,
    }


def _history(html: str) -> list[tuple[str, str]]:
    rows = re.findall(r'<tr data-version="(\d+)">.*?data-field="who">([^<]*)<', html, re.S)
    return [(number, who) for number, who in rows]


def test_the_entry_page_shows_the_entry_and_its_first_version(line: Line) -> None:
    page = line.console.signed_in("sidorova").get(VIEW)
    assert page.status_code == 200
    html = page.text
    assert "<h1>Сколько стоит лицензия на розничную продажу алкогольной продукции</h1>" in html
    assert "<dd>вопрос и ответ, русский</dd>" in html
    assert (
        '<a href="/kb/review#section-alco">Лицензирование розничной продажи алкогольной '
        "продукции</a>" in html
    )
    assert "<dd>Отдел лицензирования</dd>" in html
    assert "<dd>Государственные услуги и статус заявлений</dd>" in html
    assert "<dd>госпошлина, лицензия</dd>" in html
    assert '<a href="/kb/view/alco-license-term">Срок действия лицензии</a>' in html
    assert "государственная пошлина" in html
    assert _history(html) == [("1", "загрузка из файлов")]
    assert "29.11.2026 12:00" in html  # loaded 09:00 UTC, shown in Moscow time
    assert f'href="{EDIT}"' not in html  # a supervisor reads, does not edit


def test_an_editor_saves_the_form_as_a_new_version_under_their_name(
    line: Line, editor: tuple[TestClient, str]
) -> None:
    browser, token = editor
    assert f'href="{EDIT}"' in browser.get(VIEW).text
    form = browser.get(EDIT).text
    assert '<input type="hidden" name="version" value="1">' in form
    assert 'value="state_services" checked' in form
    saved = browser.post(EDIT, data=_form("Размер госпошлины за лицензию", token))
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{VIEW}?saved=2"
    assert _versions(line) == [
        (1, "kb load", "Сколько стоит лицензия на розничную продажу алкогольной продукции"),
        (2, "ivanova", "Размер госпошлины за лицензию"),
    ]
    html = browser.get(saved.headers["location"]).text
    assert "Изменения сохранены: версия 2." in html
    assert _history(html) == [("2", "Сотрудник 401 (ivanova)"), ("1", "загрузка из файлов")]
    assert "07.12.2026 12:00" in html
    # The search sees the edit at once.
    found = browser.get("/kb/find", params={"q": "госпошлины"}).text
    assert 'href="/kb/view/alco-license-fee">Размер госпошлины за лицензию</a>' in found


def test_the_form_unchanged_records_no_version(line: Line, editor: tuple[TestClient, str]) -> None:
    browser, token = editor
    row = _entry(line)
    form = _form(row.title, token, body=row.body)
    saved = browser.post(EDIT, data=form)
    assert saved.headers["location"] == f"{VIEW}?unchanged=1"
    assert [v[0] for v in _versions(line)] == [1]


def test_a_colleagues_save_first_is_not_overwritten_and_the_text_is_kept(
    line: Line, editor: tuple[TestClient, str]
) -> None:
    browser, token = editor
    browser.get(EDIT)  # opened at version 1
    line.console.add_user("petrova", Role.KB_EDITOR)
    colleague = line.console.signed_in("petrova")
    assert colleague.patch(f"/kb/entries/{ENTRY}", json={"title": "Госпошлина"}).status_code == 200

    mine = "Мой заголовок, набранный долго"
    refused = browser.post(EDIT, data=_form(mine, token, body="Мой длинный текст записи."))
    assert refused.status_code == 409
    html = refused.text
    assert "Пока вы правили запись, её изменил(а) Сотрудник 404 (petrova) 07.12.2026 12:00" in html
    assert "(версия 2; вы начинали с версии 1)" in html
    assert f'value="{mine}"' in html  # nothing typed is lost
    assert "Мой длинный текст записи.</textarea>" in html
    assert '<input type="hidden" name="version" value="2">' in html  # now based on the newest
    assert "Сейчас в записи: версия 2" in html
    assert "<strong>Госпошлина</strong>" in html
    assert _versions(line)[-1] == (2, "petrova", "Госпошлина")
    assert _entry(line).title == "Госпошлина"

    again = browser.post(EDIT, data=_form(mine, token, version="2"))
    assert again.headers["location"] == f"{VIEW}?saved=3"


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({"title": "   ", "topics": []}, ["Укажите заголовок.", "Отметьте хотя бы одну тему."]),
        ({"body": ""}, ["Текст записи не может быть пустым."]),
        ({"title": "З" * 256}, ["Заголовок — не длиннее 255 символов."]),
        ({"tags": "т" * 65}, ["длиннее 64 символов."]),
        ({"topics": ["weather"]}, ["Неизвестная тема «weather»."]),
        ({"version": "вчера"}, ["Форма пришла без номера версии: откройте правку записи заново."]),
    ],
)
def test_a_wrong_field_is_explained_next_to_it_and_nothing_is_saved(
    line: Line, editor: tuple[TestClient, str], fields: dict[str, object], messages: list[str]
) -> None:
    browser, token = editor
    refused = browser.post(EDIT, data=_form("Новый заголовок", token) | fields)
    assert refused.status_code == 422
    for message in messages:
        assert message in refused.text
    assert [v[0] for v in _versions(line)] == [1]


def test_who_may_open_the_entry_and_the_form(line: Line) -> None:
    supervisor, token = form_browser(line.console, "sidorova")
    for response in (
        supervisor.get(EDIT),
        supervisor.post(EDIT, data=_form("Заголовок", token)),
        line.operator.get(VIEW),
        line.operator.get(EDIT),
    ):
        assert response.status_code == 403
        assert "Недостаточно прав" in response.text
    assert [v[0] for v in _versions(line)] == [1]


def test_an_unknown_entry_is_a_404_page_in_russian(
    line: Line, editor: tuple[TestClient, str]
) -> None:
    browser, token = editor
    for response in (
        browser.get("/kb/view/no-such-entry"),
        browser.get("/kb/edit/no-such-entry"),
        browser.post("/kb/edit/no-such-entry", data=_form("Заголовок", token)),
    ):
        assert response.status_code == 404
        assert "Запись базы знаний &#39;no-such-entry&#39; не найдена." in response.text
