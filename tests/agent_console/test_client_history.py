"""A client's history over HTTP (G4): the supervisor finds a client by phone number, sees every
interaction, prints the document for the client and downloads it as JSON; each view is in the
audit log (who, when, what). Bad input gets a Russian message, never a 500; an unknown number a
page saying nothing was found (404); operators get 403 everywhere."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.db import session_scope
from models.tables import AuditEntry, Call, Client, Role
from tests.agent_console.console import Clock, Console, alert
from tests.client_history.samples import (
    AGENCY,
    PHONE,
    QUESTION,
    RESULT,
    SPOKEN_QUESTION,
    STAFF_ONLY,
    STRANGER,
    StoryIds,
    msk,
    write_story,
)

NOW = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)  # 12:30 in Moscow
ROUTES = ["/clients", "/clients/{ref}", "/clients/{ref}/print", "/clients/{ref}/export.json"]
_FIELD_ERROR = re.compile(r'<p class="field__error" id="field-phone-error">([^<]+)</p>')
_ENTRY = re.compile(r'<li class="timeline__entry timeline__entry--(\w+)" id="([\w-]+)">')


@pytest.fixture
def story(db_engine: Engine) -> StoryIds:
    return write_story(db_engine)


@pytest.fixture
def console(db_engine: Engine, story: StoryIds) -> Console:
    console = Console(db_engine, Clock(NOW))
    for role in Role:
        console.add_user(role.value.replace("_", "-"), role)
    console.add_user("boss", Role.SUPERVISOR)
    return console


def _audit(console: Console) -> list[AuditEntry]:
    with session_scope(console.engine) as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("client_history"))
            .order_by(col(AuditEntry.id))
        ).all()
        session.expunge_all()
        return list(rows)


def _add_calls(console: Console, calls: list[dict[str, object]]) -> None:
    with session_scope(console.engine) as session:
        session.connection().execute(insert(Call), calls)


def _client_id(console: Console) -> int:
    found = console.signed_in("boss").get(f"/clients?phone={PHONE}")
    assert found.status_code == 303
    return int(found.headers["location"].removeprefix("/clients/"))


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EXPERT, Role.KB_EDITOR])
def test_only_supervisors_and_admins_open_a_clients_history(  # G4
    console: Console, role: Role
) -> None:
    browser = console.signed_in(role.value.replace("_", "-"))
    for path in ROUTES:
        for ref in ("1", PHONE):
            response = browser.get(path.replace("{ref}", ref) + f"?phone={PHONE}")
            assert response.status_code == 403, (role, path)
            assert "Недостаточно прав" in response.text
    assert _audit(console) == []
    with session_scope(console.engine) as session:
        assert session.exec(select(Client)).all() == []  # nothing was opened


def test_admins_open_it_too(console: Console) -> None:
    admin = console.signed_in("admin")
    found = admin.get("/clients", params={"phone": PHONE})
    assert found.status_code == 303
    assert admin.get(found.headers["location"]).status_code == 200


def test_the_search_form(console: Console) -> None:
    page = console.signed_in("boss").get("/clients")
    assert page.status_code == 200
    assert '<form class="client-search__form" method="get" action="/clients"' in page.text
    assert 'name="phone" type="tel"' in page.text
    assert '<a href="/clients" aria-current="page">Клиенты</a>' in page.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "Гаджиева",
            "«Гаджиева» — не номер телефона. Введите номер клиента полностью, "
            "например, +7 928 123-45-67 или 8 (8722) 67-80-91.",
        ),
        ("", "Введите номер телефона клиента, например, +7 928 123-45-67 или 8 (8722) 67-80-91."),
        (
            "<script>",
            "«&lt;script&gt;» — не номер телефона. Введите номер клиента полностью, "
            "например, +7 928 123-45-67 или 8 (8722) 67-80-91.",
        ),
    ],
)
def test_input_that_is_not_a_phone_number_gets_the_form_with_a_message_422(
    console: Console, typed: str, message: str
) -> None:
    page = console.signed_in("boss").get("/clients", params={"phone": typed})
    assert page.status_code == 422
    assert _FIELD_ERROR.findall(page.text) == [message]
    assert f'value="{typed.replace("<", "&lt;").replace(">", "&gt;")}"' in page.text  # kept
    assert _audit(console) == []


def test_a_number_that_never_called_is_not_found_404(console: Console) -> None:
    page = console.signed_in("boss").get("/clients", params={"phone": "8 (928) 777-77-77"})
    assert page.status_code == 404
    assert "По номеру +7 928 777-77-77 обращений на линию не найдено." in page.text
    assert _audit(console) == []
    with session_scope(console.engine) as session:
        assert session.exec(select(Client)).all() == []


def test_a_number_is_found_in_any_writing_and_leads_to_its_record(console: Console) -> None:
    boss = console.signed_in("boss")
    first = boss.get("/clients", params={"phone": "8 (928) 123-45-67"})
    assert first.status_code == 303
    with session_scope(console.engine) as session:
        (client,) = session.exec(select(Client)).all()
    assert (client.phone_e164, client.created_at) == (PHONE, NOW)
    assert first.headers["location"] == f"/clients/{client.id}"
    again = boss.get("/clients", params={"phone": "+7 928 123 45 67"})
    assert again.headers["location"] == f"/clients/{client.id}"  # the same record


def test_the_history_page_every_interaction_newest_first(  # G4
    console: Console, story: StoryIds
) -> None:
    client_id = _client_id(console)
    page = console.signed_in("boss").get(f"/clients/{client_id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Клиент +7 928 123-45-67</h1>" in html
    assert _ENTRY.findall(html) == [
        ("answered", f"call-{story.calls['D']}"),
        ("after_hours", f"call-{story.calls['C']}"),
        ("done", f"callback-{story.tasks['missed']}"),
        ("missed", f"call-{story.calls['B']}"),
        ("open", f"callback-{story.tasks['operator']}"),
        ("answered", f"call-{story.calls['A']}"),
    ]
    assert "<dt>Звонков</dt><dd>4</dd>" in html
    assert "<dt>Заявок на обратный звонок</dt><dd>2</dd>" in html
    assert "<dt>Первое обращение</dt><dd>01.12.2026 10:00</dd>" in html
    # the staff see everything, their own details included
    assert "Алиева Патимат Руслановна (4471, Отдел консультаций)" in html
    assert "Итог не нужен: Вопрос не по линии, итог не нужен" in html
    assert f"Итог звонка: «{QUESTION}»" in html
    # what the caller said in the voice menu, with the recognizer's confidence (staff only)
    assert (
        f"<dt>Вопрос со слов</dt><dd>«{SPOKEN_QUESTION}» "
        "(распознан автоматически, уверенность 87\u00a0%)</dd>"
    ) in html
    assert f"Вне полномочий: {AGENCY}" in html
    assert "Пропущен: истекло время ожидания в очереди" in html
    assert f'href="#callback-{story.tasks["missed"]}"' in html
    assert STRANGER.removeprefix("+7") not in html.replace(" ", "").replace("-", "")
    assert f'href="/clients/{client_id}/print"' in html
    assert f'href="/clients/{client_id}/export.json" download' in html


def test_every_view_print_and_export_is_in_the_audit_log(console: Console) -> None:  # G4
    client_id = _client_id(console)
    boss = console.signed_in("boss")
    assert boss.get(f"/clients/{client_id}").status_code == 200
    console.clock.advance(minutes=1)
    assert boss.get(f"/clients/{PHONE}/print").status_code == 200
    console.clock.advance(minutes=1)
    assert boss.get(f"/clients/{client_id}/export.json").status_code == 200
    rows = [
        (row.at, row.actor, row.action, row.subject, row.client_id, row.detail)
        for row in _audit(console)
    ]
    assert rows == [
        (
            NOW,
            "web:boss",
            "client_history_view",
            f"client:{client_id}",
            client_id,
            "page=1 calls=4 callbacks=2 messages=0",
        ),
        (
            NOW + timedelta(minutes=1),
            "web:boss",
            "client_history_print",
            f"client:{client_id}",
            client_id,
            "calls=4 callbacks=2 messages=0",
        ),
        (
            NOW + timedelta(minutes=2),
            "web:boss",
            "client_history_export_json",
            f"client:{client_id}",
            client_id,
            "calls=4 callbacks=2 messages=0",
        ),
    ]
    assert all(PHONE not in row.subject + row.detail for row in _audit(console))


def test_the_printed_document_holds_the_clients_part_only(console: Console) -> None:  # G4
    client_id = _client_id(console)
    page = console.signed_in("boss").get(f"/clients/{client_id}/print")
    assert page.status_code == 200
    html = page.text
    assert "<h1>История взаимодействия</h1>" in html
    assert "Сведения на 09.12.2026 12:30" in html
    assert "обращения ранее 09.12.2021 могли быть удалены" in html
    assert "<h2>Звонки на линию (4)</h2>" in html
    assert "<h2>Заявки на обратный звонок (2)</h2>" in html
    assert (
        '<tr class="client-print__row"><td>1</td><td>01.12.2026 10:00</td><td>+7 928 123-45-67</td>'
        in html
    )
    assert "<td>Патимат</td><td>3 мин 15 с</td>" in html
    assert "<td>23 с</td>" in html
    assert f"<p>Вопрос: {QUESTION}</p>" in html
    assert f"<p>Вопрос со слов (распознан автоматически): {SPOKEN_QUESTION}</p>" in html
    assert (
        "<p>Перевод в 10:02 в подразделение «Отдел государственной поддержки»: состоялся</p>"
        in html
    )
    assert f"<p>Итог: {RESULT}</p>" in html
    assert "<p>Звонок 03.12.2026 10:05: не ответил</p>" in html
    main = html[html.index('<article class="card client-print">') :]
    for value in STAFF_ONLY:
        assert value not in main, value


def test_the_json_file_for_the_client(console: Console) -> None:  # G4
    client_id = _client_id(console)
    response = console.signed_in("boss").get(f"/clients/{client_id}/export.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="client-history_{client_id}_2026-12-09.json"'
    )
    body = json.loads(response.content)
    assert (body["format"], body["version"], body["prepared_at"]) == (
        "consult-line/client-history",
        1,
        "2026-12-09T12:30:00+03:00",
    )
    assert body["client"]["phone"] == PHONE
    assert [call["arrived_at"] for call in body["calls"]] == [
        "2026-12-01T10:00:00+03:00",
        "2026-12-02T17:30:00+03:00",
        "2026-12-04T19:10:00+03:00",
        "2026-12-07T11:00:00+03:00",
    ]
    assert [task["status"] for task in body["callbacks"]] == ["open", "done"]
    assert [call["spoken_question"] for call in body["calls"]] == [
        SPOKEN_QUESTION,
        None,
        None,
        None,
    ]
    for value in STAFF_ONLY:
        assert value not in response.text, value


def test_a_spoken_question_with_markup_is_text_in_the_page_the_print_and_the_file(  # G4
    console: Console,
) -> None:
    said = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
    _add_calls(
        console,
        [
            {
                "linkedid": "spoken-markup",
                "caller_e164": PHONE,
                "arrived_at": msk(8, 9),
                "in_working_hours": True,
                "outcome": "answered",
                "spoken_question": said,
            }
        ],
    )
    client_id = _client_id(console)
    boss = console.signed_in("boss")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(2)&gt;"
    for path in (f"/clients/{client_id}", f"/clients/{client_id}/print"):
        html = boss.get(path).text
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert escaped in html, path
    body = json.loads(boss.get(f"/clients/{client_id}/export.json").content)
    assert body["calls"][-1]["spoken_question"] == said


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/clients/x", 422, "«x» — не номер телефона."),
        ("/clients/007/print", 422, "Номер записи клиента «007» не может начинаться с нуля."),
        ("/clients/424242", 404, "Записи клиента № 424242 нет."),
        ("/clients/89287777777/export.json", 404, "По номеру +7 928 777-77-77 обращений"),
    ],
)
def test_a_bad_or_unknown_reference_gets_a_clear_page(
    console: Console, path: str, status: int, text: str
) -> None:
    response = console.signed_in("boss").get(path)
    assert response.status_code == status
    assert text in response.text
    assert _audit(console) == []


def test_a_bad_page_number_gets_a_message_and_is_not_audited(console: Console) -> None:
    client_id = _client_id(console)
    page = console.signed_in("boss").get(f"/clients/{client_id}?page=abc")
    assert page.status_code == 422
    assert alert(page) == "Номер страницы — целое число от 1, получено «abc»."
    assert _audit(console) == []


def test_a_long_history_comes_a_hundred_entries_a_page(console: Console) -> None:
    # 100 calls on 8 December after the story: they fill page 1, the story is page 2
    _add_calls(
        console,
        [
            {
                "linkedid": f"many-{n}",
                "caller_e164": PHONE,
                "arrived_at": msk(8, 9) + timedelta(minutes=n),
                "in_working_hours": True,
                "outcome": "answered",
            }
            for n in range(100)
        ],
    )  # 104 calls and 2 tasks in all
    client_id = _client_id(console)
    boss = console.signed_in("boss")
    first = boss.get(f"/clients/{client_id}")
    assert len(_ENTRY.findall(first.text)) == 100
    assert "Строки 1–100 из 106 (страница 1 из 2)" in first.text
    assert f'href="/clients/{client_id}?page=2" rel="next"' in first.text
    second = boss.get(f"/clients/{client_id}?page=2")
    entries = _ENTRY.findall(second.text)
    assert [kind for kind, _ in entries] == [  # the story, newest first
        "answered",
        "after_hours",
        "done",
        "missed",
        "open",
        "answered",
    ]
    beyond = boss.get(f"/clients/{client_id}?page=9")  # the last page
    assert _ENTRY.findall(beyond.text) == entries
    details = [row.detail for row in _audit(console)]
    assert details == [
        "page=1 calls=100 callbacks=0 messages=0",
        "page=2 calls=4 callbacks=2 messages=0",
        "page=2 calls=4 callbacks=2 messages=0",
    ]


def test_a_missed_calls_number_in_the_report_opens_its_history(console: Console) -> None:
    page = console.signed_in("boss").get("/reports/missed?since=2026-12-02&until=2026-12-02")
    assert page.status_code == 200
    assert f'<td class="cell--phone"><a href="/clients/{PHONE}">{PHONE}</a></td>' in page.text


def test_a_numbers_address_opens_its_history_and_gives_the_number_its_record(  # G4
    console: Console, story: StoryIds
) -> None:
    # the report's link: the number has calls but no client record yet
    page = console.signed_in("boss").get(f"/clients/{PHONE}")
    assert page.status_code == 200
    assert "<h1>Клиент +7 928 123-45-67</h1>" in page.text
    assert len(_ENTRY.findall(page.text)) == 6
    with session_scope(console.engine) as session:
        (client,) = session.exec(select(Client)).all()
    assert (client.phone_e164, client.created_at) == (PHONE, NOW)
    assert f'href="/clients/{client.id}/print"' in page.text
    (row,) = _audit(console)
    assert (row.action, row.subject, row.client_id) == (
        "client_history_view",
        f"client:{client.id}",
        client.id,
    )


def test_a_hidden_or_internal_number_in_the_report_links_nowhere(console: Console) -> None:
    _add_calls(
        console,
        [
            {
                "linkedid": f"odd-{caller}",
                "caller_number": caller,
                "arrived_at": msk(2, 11),
                "in_working_hours": True,
                "outcome": "missed",
                "missed_reason": "queue_timeout",
            }
            for caller in ("anonymous", "201")
        ],
    )
    page = console.signed_in("boss").get("/reports/missed?since=2026-12-02&until=2026-12-02")
    assert page.status_code == 200
    assert '<td class="cell--phone">anonymous</td>' in page.text
    assert '<td class="cell--phone">201</td>' in page.text
    assert f'<td class="cell--phone"><a href="/clients/{PHONE}">{PHONE}</a></td>' in page.text
