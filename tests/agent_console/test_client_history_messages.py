"""A client's written messages in their history over HTTP (G3, G4): on the supervisors' page
beside the calls, each linking to the message's own page with its notices and survey; in the
printed document and the JSON file whole (text, deadlines, state, files by name and size, every
notice in full, the survey answers), the staff's part left out; the sender's text escaped."""

from __future__ import annotations

import html as html_text
import json
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.db import session_scope
from models.tables import AuditEntry, Client, Role, WrittenMessage
from tests.agent_console.console import Clock, Console
from tests.client_history.message_samples import (
    ABUSE_WORDS_A,
    ADDRESS_B,
    ANSWER_TEXT,
    MESSAGE_STAFF_ONLY,
    NUMBER_A,
    NUMBER_B,
    PRIMARY_SUBJECT,
    PRIMARY_TEXT,
    SMS_ERROR,
    SURVEY_COMMENT,
    TEXT_A,
    URGENCY_NOTE,
    MessageIds,
    write_story_messages,
)
from tests.client_history.samples import EXPERT, PHONE, STAFF_ONLY, StoryIds, write_story

NOW = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)  # 12:30 in Moscow
_ENTRY = re.compile(r'<li class="timeline__entry timeline__entry--(\w+)" id="([\w-]+)">')


@pytest.fixture
def story(db_engine: Engine) -> StoryIds:
    return write_story(db_engine, client=True)


@pytest.fixture
def written(db_engine: Engine, story: StoryIds) -> MessageIds:
    return write_story_messages(db_engine, story)


@pytest.fixture
def client_id(db_engine: Engine, written: MessageIds) -> int:
    with session_scope(db_engine) as session:
        client = session.exec(select(Client).where(col(Client.phone_e164) == PHONE)).one()
        assert client.id is not None
        return client.id


@pytest.fixture
def console(db_engine: Engine, written: MessageIds) -> Console:
    console = Console(db_engine, Clock(NOW))
    console.add_user("boss", Role.SUPERVISOR)
    return console


def _escaped(text: str) -> str:
    return html_text.escape(text, quote=True).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")


def test_messages_stand_among_the_calls_newest_first_linking_to_their_pages(  # G3
    console: Console, story: StoryIds, written: MessageIds, client_id: int
) -> None:
    page = console.signed_in("boss").get(f"/clients/{client_id}")
    assert page.status_code == 200
    html = page.text
    assert _ENTRY.findall(html) == [
        ("answered", f"call-{story.calls['D']}"),
        ("open", f"message-{written.messages['B']}"),  # 05.12, awaiting the answer
        ("after_hours", f"call-{story.calls['C']}"),
        ("answered", f"message-{written.messages['A']}"),  # 03.12, answered
        ("done", f"callback-{story.tasks['missed']}"),
        ("missed", f"call-{story.calls['B']}"),
        ("open", f"callback-{story.tasks['operator']}"),
        ("answered", f"call-{story.calls['A']}"),
    ]
    assert "<dt>Письменных обращений</dt><dd>2</dd>" in html
    assert f'<a href="/messages/{quote(NUMBER_A)}">Письменное обращение № {NUMBER_A}</a>' in html
    entry_a = _entry(html, f"message-{written.messages['A']}")
    for shown in (
        "<dt>Способ</dt><dd>почта</dd>",
        "<dt>Тема</dt><dd>Меры государственной поддержки</dd>",
        "<dt>Первичный ответ до</dt><dd>08.12.2026</dd>",
        "<dt>Ответ по существу до</dt><dd>09.12.2026</dd>",
        f"<dt>Срочное</dt><dd>{URGENCY_NOTE}</dd>",
        f"<dt>Оскорбления</dt><dd>подозрение снято ({ABUSE_WORDS_A})</dd>",  # staff see it
        f"<dt>Ответственный</dt><dd>{EXPERT.full_name} (4472, {EXPERT.department})</dd>",
        "<dt>Закрыто</dt><dd>08.12.2026 16:05</dd>",
        "<dt>Вложения</dt><dd>заявка.pdf (240 КБ); фото станка.jpg (1,5 МБ)</dd>",
        '<span class="timeline__status">дан ответ</span>',
        "04.12.2026 10:00</span> Первичный ответ → электронная почта maryam@example.ru: "
        "отправлено — clerk-login",
        f"Первичный ответ → SMS {PHONE}: не отправлено ({SMS_ERROR}) — clerk-login",
        "08.12.2026 16:00</span> Ответ по существу → электронная почта maryam@example.ru: "
        "отправлено — expert-login",
        "04.12.2026 10:00</span> Ссылка на опрос отправлена, ответа нет",
        f"08.12.2026 18:30</span> Опрос: ответ получен, частично удовлетворен; «{SURVEY_COMMENT}»",
    ):
        assert shown in entry_a, shown
    entry_b = _entry(html, f"message-{written.messages['B']}")
    assert "<dt>Уведомление об оскорблениях до</dt><dd>14.12.2026</dd>" in entry_b
    assert "<dt>Ответственный</dt><dd>нет</dd>" in entry_b
    assert f"<dt>Адрес</dt><dd>{ADDRESS_B}</dd>" in entry_b


def _entry(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</ul>", html.index("timeline__events", start))]


def test_the_senders_text_is_escaped_on_the_page_and_in_the_print(  # G3
    console: Console, client_id: int
) -> None:
    boss = console.signed_in("boss")
    for path in (f"/clients/{client_id}", f"/clients/{client_id}/print"):
        html = boss.get(path).text
        assert "<b>Срок подачи</b>" not in html, path
        assert "&lt;b&gt;Срок подачи&lt;/b&gt;" in html, path


def test_the_printed_document_holds_each_message_whole(  # G4
    console: Console, client_id: int
) -> None:
    page = console.signed_in("boss").get(f"/clients/{client_id}/print")
    assert page.status_code == 200
    html = page.text
    main = html[html.index('<article class="card client-print">') :]
    assert "<h2>Письменные обращения (2)</h2>" in main
    assert (
        f'<tr class="client-print__row"><td>{NUMBER_A}</td><td>03.12.2026 09:15</td>'
        "<td>почта</td><td>Меры государственной поддержки</td><td>09.12.2026</td>"
        "<td>дан ответ</td></tr>"
    ) in main
    for shown in (
        "<p>Отправитель: Гаджиева Марьям; электронная почта: maryam@example.ru</p>",
        f"<p>Текст обращения:\n{_escaped(TEXT_A)}</p>",
        f"<p>Признано срочным: {URGENCY_NOTE}</p>",
        "<p>Сроки: первичный ответ — до 08.12.2026, ответ по существу — до 09.12.2026</p>",
        "<p>Вложения: заявка.pdf (240 КБ, application/pdf); "
        "фото станка.jpg (1,5 МБ, image/jpeg)</p>",
        "<p>04.12.2026 10:00 — первичный ответ, электронная почта (maryam@example.ru): "
        f"отправлено\nТема: {PRIMARY_SUBJECT}\n{PRIMARY_TEXT}</p>",
        f"<p>04.12.2026 10:01 — первичный ответ, SMS ({PHONE}): не отправлено\n",
        f"\n{ANSWER_TEXT}</p>",
        "<p>Опрос о рассмотрении обращения, 08.12.2026 18:30: ответ получен, "
        f"частично удовлетворен; отзыв: «{SURVEY_COMMENT}»</p>",
        "<p>Рассмотрение завершено 08.12.2026 16:05</p>",
        f"<td>{NUMBER_B}</td>",
        "уведомление о недопустимости оскорблений — до 14.12.2026</p>",
        "<p>Дано согласие на обработку персональных данных</p>",
    ):
        assert shown in main, shown
    for value in (*STAFF_ONLY, *MESSAGE_STAFF_ONLY, "11.12.2026", EXPERT.full_name):
        assert value not in main, value


def test_the_json_file_holds_the_messages_and_the_audit_counts_them(  # G4
    console: Console, client_id: int
) -> None:
    response = console.signed_in("boss").get(f"/clients/{client_id}/export.json")
    assert response.status_code == 200
    body = json.loads(response.content)
    first, second = body["messages"]
    assert (first["number"], first["text"], first["status"]) == (NUMBER_A, TEXT_A, "answered")
    assert (first["primary_due"], first["answer_due"]) == ("2026-12-08", "2026-12-09")
    assert [(f["filename"], f["size"]) for f in first["attachments"]] == [
        ("заявка.pdf", 245_760),
        ("фото станка.jpg", 1_572_864),
    ]
    assert [notice["text"] for notice in first["notices"]][::2] == [PRIMARY_TEXT, ANSWER_TEXT]
    assert first["surveys"][0]["comment"] == SURVEY_COMMENT
    assert (second["number"], second["sender_address"]) == (NUMBER_B, ADDRESS_B)
    assert len(response.content) < 100_000  # the files' 1.8 MB of bytes are not in it
    for value in (*STAFF_ONLY, *MESSAGE_STAFF_ONLY):
        assert value not in response.text, value
    with session_scope(console.engine) as session:
        (audit,) = session.exec(
            select(AuditEntry).where(col(AuditEntry.action).startswith("client_history"))
        ).all()
        assert audit.detail == "calls=4 callbacks=2 messages=2"


def test_a_message_without_a_client_record_is_in_no_history(
    console: Console, client_id: int
) -> None:
    with session_scope(console.engine) as session:
        message = session.exec(
            select(WrittenMessage).where(col(WrittenMessage.number) == NUMBER_B)
        ).one()
        message.client_id = None  # nobody to reach: no history holds it
    body = json.loads(console.signed_in("boss").get(f"/clients/{client_id}/export.json").content)
    assert [message["number"] for message in body["messages"]] == [NUMBER_A]
