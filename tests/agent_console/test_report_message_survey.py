"""The written messages' survey on the survey report's page (W12): the channel «Письменные
обращения» shows the links sent and answered, the answers by question and each answer with the
client's comment (escaped), downloads the same as CSV and XLSX (audited), and refuses the calls'
filters with a Russian message."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.tables import AuditEntry, Role
from reports.message_survey import COLUMNS
from reports.survey import CALLS_ONLY
from tests.agent_console.console import Clock, Console, alert
from tests.reports.message_survey_samples import (
    COMMENT_M1,
    COMMENT_M2,
    add_sample_message_surveys,
)
from tests.reports.survey_samples import add_sample_surveys

NOW = datetime(2026, 10, 14, 7, 0, tzinfo=UTC)
DAYS = "since=2026-10-05&until=2026-10-06"
MESSAGES = f"{DAYS}&channel=messages"
_FACT = re.compile(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>")
_CELL = re.compile(r"<td class=\"cell--[a-z]+\">([^<]*)</td>")


@pytest.fixture
def numbers(db_engine: Engine) -> list[str]:
    """The sample messages' numbers; the calls' surveys of the same days stay out of it."""
    add_sample_surveys(db_engine)
    return add_sample_message_surveys(db_engine)


@pytest.fixture
def console(db_engine: Engine, numbers: list[str]) -> Console:
    console = Console(db_engine, Clock(NOW))
    console.add_user("supervisor", Role.SUPERVISOR)
    return console


def _rows(html: str) -> list[list[str]]:
    body = html.split('<table class="report-table__table">')[1].split("</table>")[0]
    return [_CELL.findall(row) for row in body.split("<tr>")[2:]]


def test_the_supervisor_reads_the_messages_survey_with_its_comments(
    console: Console, numbers: list[str]
) -> None:  # W12
    html = console.signed_in("supervisor").get(f"/reports/survey?{MESSAGES}").text
    facts = dict(_FACT.findall(html))
    assert (facts["Отправлено ссылок"], facts["Из них ответили"]) == ("4", "3 (75,0 %)")
    assert facts["Доля ответивших"] == "75,0 %"
    assert (facts["Ответов за период"], facts["С комментарием"]) == ("3", "2 (66,7 %)")
    assert (facts["Да"], facts["Нет"]) == ("2 (66,7 %)", "1 (33,3 %)")
    assert facts["Частично удовлетворен"] == "1 (33,3 %)"
    assert facts["Доля удовлетворенных"] == "33,3 %"
    assert "Принято звонков" not in facts  # none of the calls' figures
    m1, m2, _m3, m4, _m5, _m6 = numbers
    assert _rows(html) == [
        [m4, "20.09.2026 09:00", "28.09.2026 10:00", "05.10.2026 00:10", "да",
         "частично удовлетворен", ""],
        [m1, "01.10.2026 10:00", "05.10.2026 09:00", "05.10.2026 12:00", "да", "удовлетворен",
         COMMENT_M1],
        [m2, "02.10.2026 11:00", "05.10.2026 10:00", "06.10.2026 23:50", "нет",
         "не удовлетворен", "=HYPERLINK(&#34;http://x&#34;) &lt;b&gt;Ответа нет&lt;/b&gt;"],
    ]  # fmt: skip
    assert "<b>Ответа нет" not in html  # the client's words are text, never markup
    assert 'name="channel" value="messages" checked' in html
    assert "report-form__more" not in html  # the calls' filters are folded away
    assert "chart-survey-trend" not in html
    assert "Канал</dt><dd>Письменные обращения" in console.signed_in("supervisor").get(
        f"/reports/survey?{MESSAGES}&print=1"
    ).text.replace("\n", "")


def test_the_calls_stay_the_default_channel(console: Console) -> None:
    html = console.signed_in("supervisor").get(f"/reports/survey?{DAYS}").text
    assert 'name="channel" value="calls" checked' in html
    assert "report-form__more" in html
    assert dict(_FACT.findall(html))["Принято звонков"] == "9"
    assert "Отправлено ссылок" not in html


def test_an_empty_period_says_so(console: Console) -> None:
    html = console.signed_in("supervisor").get(
        "/reports/survey?since=2026-08-01&until=2026-08-31&channel=messages"
    )
    assert "За этот период ответов на опрос по письменным обращениям нет." in html.text
    facts = dict(_FACT.findall(html.text))
    assert (facts["Отправлено ссылок"], facts["Доля ответивших"]) == ("0", "—")


def test_the_downloads_hold_the_same_rows_and_the_figures(console: Console) -> None:  # W12
    browser = console.signed_in("supervisor")
    text = browser.get(f"/reports/survey.csv?{MESSAGES}").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [column.header for column in COLUMNS]
    assert [row[3] for row in rows[1:]] == [
        "2026-10-05T00:10:00+03:00",
        "2026-10-05T12:00:00+03:00",
        "2026-10-06T23:50:00+03:00",
    ]
    # The comments as the clients wrote them; one a spreadsheet would run is quoted.
    assert [row[6] for row in rows[1:]] == ["", COMMENT_M1, "'" + COMMENT_M2]
    book = openpyxl.load_workbook(
        io.BytesIO(browser.get(f"/reports/survey.xlsx?{MESSAGES}").content)
    )
    assert book.sheetnames == ["Опрос после консультации", "Итоги"]
    table = [[cell.value for cell in row] for row in book["Опрос после консультации"].iter_rows()]
    assert [row[0] for row in table[1:]] == [row[0] for row in rows[1:]]
    totals = {row[0].value: row[1].value for row in book["Итоги"].iter_rows(min_row=2)}
    assert (totals["Отправлено ссылок"], totals["Доля ответивших, %"]) == (4, 75)
    with session_scope(console.engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "report_export"))
        details = [entry.detail for entry in entries]
    assert details == [
        "since=2026-10-05 until=2026-10-06 channel=messages format=csv",
        "since=2026-10-05 until=2026-10-06 channel=messages format=xlsx",
    ]


@pytest.mark.parametrize("query", ["operator=201", "topic=general", "language=en"])
def test_the_calls_filters_with_the_messages_get_a_russian_message_and_422(
    console: Console, query: str
) -> None:
    browser = console.signed_in("supervisor")
    for path in ("/reports/survey", "/reports/survey.csv", "/reports/survey.xlsx"):
        response = browser.get(f"{path}?{MESSAGES}&{query}")
        assert response.status_code == 422
        assert alert(response) == CALLS_ONLY
    page = browser.get(f"/reports/survey?{MESSAGES}&{query}").text
    assert 'name="topic"' in page  # the calls' filters shown again, to be unticked
    name, value = query.split("=")
    if name != "operator":  # the sample operators are no operators of the directory
        assert f'name="{name}" value="{value}" checked' in page
