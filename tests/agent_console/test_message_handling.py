"""Handling a written message from its page (W2–W5, C1): the forms an expert, supervisor or
administrator gets and an operator does not; what each form changes, the Russian reasons of a
refusal with the typed text kept, a form sent twice; the notices sent and the links to send
the ones allowed now; the lists «Мои», «Просроченные», «Без исполнителя»."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.tables import (
    AbuseCheck,
    AuditEntry,
    Channel,
    MessageIntake,
    MessageNotice,
    MessageStatus,
    NoticeKind,
    NoticeState,
    Role,
    WrittenMessage,
)
from models.topics import Topic
from scripts_kb.content_files import load_content
from scripts_kb.store import load_into_db
from tests.agent_console.console import Clock, Console, form_token

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday, 12:00 in Moscow
NUMBER = "ПО-2026-000001"  # registered Mon 30.11.2026: primary due Thu 03.12 (overdue)
SUSPECTED = "ПО-2026-000002"
CLOSED = "ПО-2026-000003"
PAGE = f"/messages/{NUMBER}"
HANDLERS = ("expert", "supervisor", "admin")


def _message(number: str, **fields: object) -> WrittenMessage:
    values: dict[str, object] = {
        "number": number,
        "received_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        "intake": MessageIntake.EMAIL,
        "sender_name": "Магомедов Ахмед",
        "sender_email": "ahmed@example.ru",
        "subject": "Лицензия на алкоголь",
        "body": "Хочу открыть магазин. Сколько стоит госпошлина за лицензию на продажу алкоголя?",
        "primary_due": date(2026, 12, 3),
        "answer_due": date(2026, 12, 30),  # 30 days, the statutory term
        "registered_by": "mail",
    } | fields
    return WrittenMessage.model_validate(values)


@pytest.fixture
def console(db_engine: Engine) -> Console:
    console = Console(db_engine, Clock(NOW))
    for role in Role:
        console.add_user(role.value.replace("_", "-"), role)
    with session_scope(db_engine) as session:
        load_into_db(session=session, content=load_content(), now=NOW)
        session.add_all(
            [
                _message(NUMBER),
                _message(
                    SUSPECTED,
                    body="Вы там все идиоты!",
                    abuse=AbuseCheck.SUSPECTED,
                    abuse_words="идиоты",
                    abuse_notice_due=date(2026, 12, 7),
                ),
                _message(CLOSED, status=MessageStatus.ANSWERED),
            ]
        )
    return console


def _post(browser: TestClient, path: str, **fields: str) -> Response:
    token = form_token(browser.get(path.rsplit("/", 1)[0]))
    return browser.post(path, data={"csrf_token": token, **fields})


def _stored(console: Console, number: str = NUMBER) -> WrittenMessage:
    with Session(console.engine) as session:
        return session.exec(
            select(WrittenMessage).where(col(WrittenMessage.number) == number)
        ).one()


def _changes(console: Console) -> list[tuple[str, str]]:
    with Session(console.engine) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("message_"))
            .where(col(AuditEntry.action) != "message_view")
            .order_by(col(AuditEntry.id))
        )
        return [(e.actor, e.action) for e in entries]


def _alert(html: str) -> str:
    found = re.findall(r'role="alert">([^<]+)<', html)
    return found[0] if found else ""


# --------------------------------------------------------------------------- who may


def test_an_operator_sees_where_the_message_stands_but_no_handling(console: Console) -> None:
    page = console.signed_in("operator").get(PAGE)
    assert page.status_code == 200
    assert 'id="message-state">зарегистрировано<' in page.text
    assert "Работа с обращением" not in page.text
    assert "/notices/new" not in page.text
    assert "/classification" not in page.text


def test_an_operators_handling_is_refused_and_nothing_changes(console: Console) -> None:
    browser = console.signed_in("operator")
    token = form_token(browser.get("/messages/new"))
    for path, fields in (
        ("classification", {"topic": "general", "need": "Справка"}),
        ("urgency", {"urgent": "1", "term": "5", "reason": "Срочно"}),
        ("abuse", {"verdict": "confirm"}),
        ("take", {}),
        ("owner", {"owner": "1"}),
    ):
        refused = browser.post(f"{PAGE}/{path}", data={"csrf_token": token, **fields})
        assert refused.status_code == 403, path
        assert "Недостаточно прав" in refused.text
    stored = _stored(console)
    assert (stored.topic, stored.urgent, stored.abuse, stored.owner_id) == (
        None,
        False,
        AbuseCheck.CLEAN,
        None,
    )


@pytest.mark.parametrize("login", HANDLERS)
def test_handlers_get_the_forms_and_only_supervisors_give_messages_away(
    console: Console, login: str
) -> None:
    html = console.signed_in(login).get(PAGE).text
    assert "Работа с обращением" in html
    for form in ("classification", "urgency", "abuse", "take"):
        assert f'action="/messages/{quote(NUMBER)}/{form}"' in html
    assigns = f'action="/messages/{quote(NUMBER)}/owner"' in html
    assert assigns is (login != "expert")


def test_an_expert_cannot_give_a_message_to_someone_else(console: Console) -> None:
    browser = console.signed_in("expert")
    refused = _post(browser, f"{PAGE}/owner", owner="1")
    assert refused.status_code == 403
    assert _stored(console).owner_id is None


def test_a_handling_form_without_its_csrf_token_is_refused(console: Console) -> None:
    browser = console.signed_in("expert")
    del browser.headers["X-CSRF-Token"]
    refused = browser.post(f"{PAGE}/take", data={})
    assert refused.status_code == 403
    assert _stored(console).owner_id is None


# --------------------------------------------------------------------------- W2


def test_the_knowledge_base_suggests_and_the_expert_confirms(console: Console) -> None:  # W2
    browser = console.signed_in("expert")
    html = browser.get(PAGE).text
    assert (
        "Предложение базы знаний: тема «Государственные услуги и статус заявлений», "
        "потребность «Сколько стоит лицензия" in html
    )
    assert '<option value="state_services" selected>' in html  # the suggestion, preselected
    need = re.search(r'id="field-need" name="need" type="text" value="([^"]*)"', html)
    assert need is not None
    assert need.group(1).startswith("Сколько стоит лицензия")
    assert '<datalist id="needs">' in html
    done = _post(browser, f"{PAGE}/classification", topic="state_services", need=need.group(1))
    assert done.status_code == 303
    assert (
        done.headers["location"] == f"/messages/{quote(NUMBER)}?done=classification#classification"
    )
    page = browser.get(done.headers["location"])
    assert "Классификация сохранена." in page.text
    assert 'id="message-topic">Государственные услуги и статус заявлений<' in page.text
    stored = _stored(console)
    assert (stored.topic, stored.need.startswith("Сколько стоит")) == (Topic.STATE_SERVICES, True)
    assert _changes(console) == [("web:expert", "message_classified")]


def test_a_classification_without_a_need_comes_back_with_the_choice_kept(
    console: Console,
) -> None:
    browser = console.signed_in("expert")
    refused = _post(browser, f"{PAGE}/classification", topic="control_supervision", need=" ")
    assert refused.status_code == 422
    html = refused.text
    assert 'id="field-need-error">Укажите типовую потребность клиента' in html
    assert '<option value="control_supervision" selected>' in html
    assert _stored(console).topic is None
    assert _changes(console) == []


# --------------------------------------------------------------------------- W3–W4


def test_urgent_with_a_term_then_back_to_the_statutory_term(console: Console) -> None:  # W3–W4
    browser = console.signed_in("expert")
    fields = {"urgent": "1", "term": "5", "reason": "Магазин открывается 10.12"}
    first = _post(browser, f"{PAGE}/urgency", **fields)
    again = _post(browser, f"{PAGE}/urgency", **fields)  # sent twice: harmless
    assert first.status_code == again.status_code == 303
    page = browser.get(PAGE).text
    # From Mon 30.11.2026, 5 working days: 01, 02, 03, 04, 07.12.
    assert 'id="due-answer"><span class="due">07.12.2026</span>' in page
    assert "<strong>срочное</strong>: Магазин открывается 10.12" in page
    assert 'name="term" type="text" value="5"' in page  # the term, read back from the date
    assert _changes(console) == [("web:expert", "message_urgency")]
    assert _post(browser, f"{PAGE}/urgency", urgent="0").status_code == 303
    stored = _stored(console)
    assert (stored.urgent, stored.answer_due) == (False, date(2026, 12, 30))


@pytest.mark.parametrize(
    ("term", "says"),
    [
        ("0", "Срок ответа на срочное обращение — от 1 до 15 рабочих дней, указано 0."),
        ("16", "Срок ответа на срочное обращение — от 1 до 15 рабочих дней, указано 16."),
        ("пять", "укажите целое число, указано «пять»."),
    ],
)
def test_a_bad_term_is_said_in_russian_and_nothing_changes(
    console: Console, term: str, says: str
) -> None:
    browser = console.signed_in("supervisor")
    refused = _post(browser, f"{PAGE}/urgency", urgent="1", term=term, reason="Срочно <b>!</b>")
    assert refused.status_code == 422
    html = refused.text
    error = re.search(r'id="field-term-error">([^<]+)<', html)
    assert error is not None
    assert says in error.group(1)
    assert f'name="term" type="text" value="{term}"' in html  # what was typed, kept
    assert "Срочно &lt;b&gt;!&lt;/b&gt;</textarea>" in html
    stored = _stored(console)
    assert (stored.urgent, stored.answer_due) == (False, date(2026, 12, 30))
    assert _changes(console) == []


# --------------------------------------------------------------------------- W5


def test_a_suspected_message_confirmed_then_only_the_abuse_notice_may_go(
    console: Console,
) -> None:  # W5
    browser = console.signed_in("expert")
    page = f"/messages/{SUSPECTED}"
    html = browser.get(page).text
    assert "(найдено: идиоты)" in html
    assert "/notices/new" not in html  # a person decides first
    assert _post(browser, f"{page}/abuse", verdict="confirm").status_code == 303
    html = browser.get(page).text
    assert 'id="message-abuse">оскорбления подтверждены' in html
    links = re.findall(r'href="(/messages/[^"]+/notices/new\?kind=\w+)"', html)
    assert links == [f"/messages/{quote(SUSPECTED)}/notices/new?kind=abuse"]
    assert "07.12.2026" in html  # the notice's deadline from registration stays
    assert "(не требуется)" in html  # no answer on the merits
    stored = _stored(console, SUSPECTED)
    assert (stored.abuse, stored.abuse_notice_due) == (AbuseCheck.CONFIRMED, date(2026, 12, 7))


def test_a_suspicion_dismissed_is_handled_as_any_other_message(console: Console) -> None:
    browser = console.signed_in("admin")
    page = f"/messages/{SUSPECTED}"
    assert _post(browser, f"{page}/abuse", verdict="dismiss").status_code == 303
    html = browser.get(page).text
    kinds = re.findall(r"/notices/new\?kind=(\w+)", html)
    assert kinds == ["primary", "redirect", "refusal", "answer"]
    assert 'id="due-abuse"' not in html
    assert _stored(console, SUSPECTED).abuse_notice_due is None


def test_a_clean_message_flagged_by_a_person(console: Console) -> None:  # W5
    browser = console.signed_in("expert")
    assert "Отметить как оскорбительное" in browser.get(PAGE).text
    flagged = _post(browser, f"{PAGE}/abuse", verdict="confirm", note="угроза в приложении")
    assert flagged.status_code == 303
    stored = _stored(console)
    # 5 working days from Mon 30.11.2026: 01, 02, 03, 04, 07.12.
    assert (stored.abuse, stored.abuse_notice_due) == (AbuseCheck.CONFIRMED, date(2026, 12, 7))


# --------------------------------------------------------------------------- owner


def test_take_it_and_a_supervisor_gives_it_to_someone_else(console: Console) -> None:
    expert = console.signed_in("expert")
    assert _post(expert, f"{PAGE}/take").status_code == 303
    html = expert.get(f"{PAGE}?done=take").text
    assert "Обращение закреплено за вами." in html
    assert 'action="/messages/%D0%9F%D0%9E-2026-000001/take"' not in html
    colleague = console.signed_in("admin")
    refused = _post(colleague, f"{PAGE}/take")
    assert refused.status_code == 422
    assert "Обращение уже у исполнителя: Сотрудник 402." in _alert(refused.text)
    supervisor = console.signed_in("supervisor")
    options = dict(
        re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', supervisor.get(PAGE).text)
    )
    operator_id = next(key for key, name in options.items() if name == "Сотрудник 401")
    assert _post(supervisor, f"{PAGE}/owner", owner=operator_id).status_code == 303
    assert 'id="message-owner">Сотрудник 401<' in supervisor.get(PAGE).text
    assert _stored(console).owner_id == int(operator_id)


def test_a_closed_message_offers_classification_only(console: Console) -> None:
    html = console.signed_in("supervisor").get(f"/messages/{CLOSED}").text
    assert 'id="classification"' in html
    assert 'id="urgency"' not in html
    assert 'id="handling-closed"' in html
    assert "/notices/new" not in html


# --------------------------------------------------------------------------- notices


def test_the_notices_sent_are_listed_with_what_went_wrong(console: Console) -> None:
    message_id = _stored(console).id
    assert message_id is not None
    with session_scope(console.engine) as session:
        session.add_all(
            [
                MessageNotice(
                    message_id=message_id,
                    kind=NoticeKind.PRIMARY,
                    channel=Channel.EMAIL,
                    to_address="ahmed@example.ru",
                    state=NoticeState.SENT,
                    at=datetime(2026, 12, 1, 7, 5, tzinfo=UTC),
                    by="expert",
                ),
                MessageNotice(
                    message_id=message_id,
                    kind=NoticeKind.PRIMARY,
                    channel=Channel.SMS,
                    to_address="+79281234567",
                    state=NoticeState.FAILED,
                    error="<шлюз> не ответил",
                    at=datetime(2026, 12, 1, 7, 6, tzinfo=UTC),
                    by="scheduler",
                ),
            ]
        )
    html = console.signed_in("operator").get(PAGE).text
    rows = re.findall(r'<tr class="(message__notice[^"]*)">(.*?)</tr>', html, re.S)
    assert [kind for kind, _ in rows] == [
        "message__notice",
        "message__notice message__notice--failed",
    ]
    cells = [re.findall(r"<td>([^<]*)</td>", row) for _, row in rows]
    assert cells == [
        [
            "первичный ответ",
            "электронная почта",
            "ahmed@example.ru",
            "отправлено",
            "01.12.2026 10:05",
            "expert",
            "—",
        ],
        [
            "первичный ответ",
            "SMS",
            "+79281234567",
            "не отправлено",
            "01.12.2026 10:06",
            "scheduler",
            "&lt;шлюз&gt; не ответил",
        ],
    ]


@pytest.mark.parametrize(
    ("status", "abuse", "kinds"),
    [
        (MessageStatus.REGISTERED, AbuseCheck.CLEAN, ["primary", "redirect", "refusal", "answer"]),
        (MessageStatus.ACKNOWLEDGED, AbuseCheck.DISMISSED, ["redirect", "refusal", "answer"]),
        (MessageStatus.ACKNOWLEDGED, AbuseCheck.SUSPECTED, []),
        (MessageStatus.REDIRECTED, AbuseCheck.CONFIRMED, ["abuse"]),
        (MessageStatus.ABUSIVE, AbuseCheck.CONFIRMED, []),
    ],
)
def test_links_to_send_only_the_notices_allowed_now(
    console: Console, status: MessageStatus, abuse: AbuseCheck, kinds: list[str]
) -> None:
    with session_scope(console.engine) as session:
        message = session.exec(
            select(WrittenMessage).where(col(WrittenMessage.number) == NUMBER)
        ).one()
        message.status, message.abuse = status, abuse
        session.add(message)
    html = console.signed_in("expert").get(PAGE).text
    hrefs = re.findall(r'href="([^"]*/notices/new\?kind=\w+)"', html)
    assert hrefs == [f"/messages/{quote(NUMBER)}/notices/new?kind={kind}" for kind in kinds]
    assert "/notices/new" not in console.signed_in("operator").get(PAGE).text


# --------------------------------------------------------------------------- lists


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="messages__row" id="message-([^"]+)">', html)


def test_the_lists_mine_overdue_and_without_an_owner(console: Console) -> None:
    supervisor = console.signed_in("supervisor")
    assert _post(console.signed_in("expert"), f"{PAGE}/take").status_code == 303
    mine = console.signed_in("expert").get("/messages?view=mine").text
    assert _rows(mine) == [NUMBER]
    assert _rows(supervisor.get("/messages?view=mine").text) == []
    overdue = supervisor.get("/messages?view=overdue").text
    # Both open messages' primary answers were due Thu 03.12; today is Mon 07.12.
    assert _rows(overdue) == [NUMBER, SUSPECTED]
    row = re.search(rf'id="message-{NUMBER}">(.*?)</tr>', overdue, re.S)
    assert row is not None
    assert '<td class="messages__owner">Сотрудник 402</td>' in row.group(1)
    late = "2\u00a0раб.\u00a0дн. (4\u00a0кал.\u00a0дн.)"  # Thu 03.12 → Fri 04 and Mon 07
    assert f'<td class="messages__late">{late}</td>' in row.group(1)
    assert 'aria-current="page">Просроченные<' in overdue
    assert _rows(supervisor.get("/messages?view=unassigned").text) == [SUSPECTED]
    assert "Просрочено на" not in supervisor.get("/messages").text


def test_the_list_goes_a_page_at_a_time(console: Console) -> None:
    with session_scope(console.engine) as session:
        session.add_all(
            _message(f"ПО-2026-{n:06d}", primary_due=date(2026, 12, 9)) for n in range(10, 70)
        )
    browser = console.signed_in("operator")
    first = browser.get("/messages?state=registered").text
    assert len(_rows(first)) == 50
    assert "Строки 1–50 из 62 (страница 1 из 2)" in first
    assert 'href="/messages?state=registered&amp;page=2" rel="next"' in first
    second = browser.get("/messages?state=registered&page=2").text
    assert len(_rows(second)) == 12
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert len(_rows(browser.get("/messages?page=abc").text)) == 50
