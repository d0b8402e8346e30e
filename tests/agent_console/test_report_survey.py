"""«Опрос после консультации» over HTTP (C15): the supervisor's page shows the sample days'
figures per operator and for the line, the trend and the surveys, filters them, downloads them
as CSV and XLSX (the same cells, audited); bad input gets a Russian message and status 422;
operators get 403."""

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
from reports.survey import COLUMNS
from reports.table import csv_lines
from tests.agent_console.console import Clock, Console, alert
from tests.reports.message_survey_samples import add_sample_message_surveys
from tests.reports.survey_samples import ALIEVA, MSK, OMAROV, add_sample_surveys

NOW = datetime(2026, 10, 14, 7, 0, tzinfo=UTC)  # Wednesday 14 October, 10:00 in Moscow
DAYS = "since=2026-10-05&until=2026-10-06"
_FACT = re.compile(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>")
_ROW = re.compile(r"<tr>(<td class=\"cell--[a-z]+\">[^<]*</td>)+</tr>")
_CELL = re.compile(r"<td class=\"cell--[a-z]+\">([^<]*)</td>")
_DOT = re.compile(r"<circle class=\"chart__dot[^>]*><title>([^<]+)</title>")


@pytest.fixture
def console(db_engine: Engine) -> Console:
    add_sample_surveys(db_engine)
    # The written messages' survey of the same days changes none of the calls' figures (W12).
    add_sample_message_surveys(db_engine)
    console = Console(db_engine, Clock(NOW))
    console.add_user("supervisor", Role.SUPERVISOR)
    console.add_user("admin", Role.ADMIN)
    console.add_user("operator", Role.OPERATOR)
    return console


def _tables(html: str) -> list[list[list[str]]]:
    """Each report table's rows of cells (the operators' first, then the surveys)."""
    found = []
    for part in html.split('<table class="report-table__table">')[1:]:
        body = part.split("</table>")[0]
        found.append([_CELL.findall(row.group(0)) for row in _ROW.finditer(body)])
    return found


def test_the_supervisor_sees_both_questions_per_operator_and_the_trend(console: Console) -> None:
    page = console.signed_in("supervisor").get(f"/reports/survey?{DAYS}")  # C15
    assert page.status_code == 200
    html = page.text
    assert 'Опрос после консультации <span class="report__period">за 05.10.2026–06.10.2026' in html
    facts = dict(_FACT.findall(html))
    assert facts["Принято звонков"] == "9"
    assert facts["Опрос предложен"] == "8"
    assert (facts["Ответили полностью"], facts["Частично (только первый вопрос)"]) == ("5", "2")
    assert (facts["Не ответили"], facts["Доля ответивших"]) == ("1", "87,5 %")
    assert (facts["Да"], facts["Нет"]) == ("5 (71,4 %)", "2 (28,6 %)")
    assert facts["Удовлетворен"] == "3 (60,0 %)"
    assert facts["Не удовлетворен"] == "1 (20,0 %)"
    assert facts["Доля удовлетворенных"] == "60,0 %"
    operators, surveys = _tables(html)
    # name, number, calls, offered, complete, partial, no answer, rate; yes, no;
    # satisfied, partly, not satisfied, satisfied share
    assert operators == [
        [ALIEVA, "201", "4", "4", "2", "1", "1", "75,0", "3", "0", "2", "0", "0", "100,0"],
        [OMAROV, "202", "4", "4", "3", "1", "0", "100,0", "2", "2", "1", "1", "1", "33,3"],
        ["Оператор не установлен", "", "1", "0", "0", "0", "0", "", "0", "0", "0", "0", "0", ""],
        ["Вся линия", "", "9", "8", "5", "2", "1", "87,5", "5", "2", "3", "1", "1", "60,0"],
    ]
    assert [row[0] for row in surveys] == [
        "05.10.2026 00:10",
        "05.10.2026 09:00",
        "05.10.2026 10:00",
        "06.10.2026 09:00",
        "06.10.2026 10:00",
        "06.10.2026 14:00",
        "06.10.2026 23:30",
    ]
    assert surveys[2][5:8] == ["да", "", "частично"]
    assert _DOT.findall(html) == [
        "05.10.2026 — Доля ответивших: 75,0 %",
        "06.10.2026 — Доля ответивших: 100,0 %",
        "05.10.2026 — Доля удовлетворенных: 100,0 %",
        "06.10.2026 — Доля удовлетворенных: 33,3 %",
    ]
    assert "style=" not in html  # CSP: the chart's look is in the style sheets


def test_filters_narrow_figures_and_table(console: Console) -> None:  # C15
    browser = console.signed_in("admin")
    html = browser.get(f"/reports/survey?{DAYS}&operator=202&language=ru").text
    facts = dict(_FACT.findall(html))
    # Omarov in Russian: s5, s7, s8 (s6 was in English).
    assert (facts["Опрос предложен"], facts["Доля ответивших"]) == ("3", "100,0 %")
    assert facts["Доля удовлетворенных"] == "50,0 %"  # s8 satisfied, s5 not; s7 no rating
    operators, surveys = _tables(html)
    assert [row[0] for row in operators] == ["Омаров Руслан Магомедович", "Вся линия"]
    assert [row[0] for row in surveys] == [
        "05.10.2026 00:10",
        "06.10.2026 09:00",
        "06.10.2026 23:30",
    ]
    assert 'value="202" checked' in html
    assert "Омаров Руслан Магомедович (202)" in html  # the form names the operators


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "since=2026-10-31&until=2026-10-01",
            "Конец периода (01.10.2026) раньше начала (31.10.2026).",
        ),
        ("operator=299", "Неизвестное значение «299» фильтра «оператор»: укажите внутренний"),
        ("operator=все", "Неизвестное значение «все» фильтра «оператор»"),
        ("language=de", "Неизвестное значение «de» фильтра «язык»; возможные: ru, en."),
        ("topic=taxes", "Неизвестное значение «taxes» фильтра «тема»"),
    ],
)
def test_bad_input_gets_a_russian_message_and_422(
    console: Console, query: str, message: str
) -> None:
    browser = console.signed_in("supervisor")
    for path in ("/reports/survey", "/reports/survey.csv", "/reports/survey.xlsx"):
        response = browser.get(f"{path}?{DAYS}&{query}")
        assert response.status_code == 422
        assert alert(response).startswith(message)
    with session_scope(console.engine) as session:
        assert not session.exec(
            select(AuditEntry).where(AuditEntry.action == "report_export")
        ).all()


def test_the_xlsx_holds_the_csvs_cells_and_the_figures(console: Console) -> None:  # C15
    browser = console.signed_in("supervisor")
    text = browser.get(f"/reports/survey.csv?{DAYS}&topic=state_services")
    assert text.headers["content-disposition"] == (
        'attachment; filename="survey_2026-10-05_2026-10-06.csv"'
    )
    rows = list(csv.reader(io.StringIO(text.text)))
    assert rows[0][:3] == ["Поступил", "Оператор", "Внутренний номер"]
    assert [row[0] for row in rows[1:]] == [  # s8, s1, s5, s6
        "2026-10-05T00:10:00+03:00",
        "2026-10-05T09:00:00+03:00",
        "2026-10-06T09:00:00+03:00",
        "2026-10-06T10:00:00+03:00",
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(browser.get(f"/reports/survey.xlsx?{DAYS}&topic=state_services").content)
    )
    assert book.sheetnames == ["Опрос после консультации", "По операторам", "По дням", "Итоги"]
    sheet = book["Опрос после консультации"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # Read back and written again as CSV, the workbook's cells are the CSV's, one by one.
    again = list(csv_lines(COLUMNS, [_aware(row) for row in cells[1:]]))
    assert list(csv.reader(io.StringIO("".join(again)))) == rows
    by_operator = [[c.value for c in row] for row in book["По операторам"].iter_rows(min_row=2)]
    # Topic "state services": Alieva s1 (complete, satisfied); Omarov s5, s6, s8.
    assert by_operator == [
        ["Алиева Патимат Руслановна", "201", 1, 1, 1, 0, 0, 100, 1, 0, 1, 0, 0, 100],
        ["Омаров Руслан Магомедович", "202", 3, 3, 3, 0, 0, 100, 2, 1, 1, 1, 1, 33.3],
        ["Вся линия", None, 4, 4, 4, 0, 0, 100, 3, 1, 2, 1, 1, 50],
    ]
    trend = [[c.value for c in row][2:] for row in book["По дням"].iter_rows(min_row=2)]
    assert trend == [[2, 2, 100, 2, 2, 100], [2, 2, 100, 2, 0, 0]]
    with session_scope(console.engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "report_export"))
        found = [(e.actor, e.subject, e.detail) for e in entries]
    detail = "since=2026-10-05 until=2026-10-06 topic=state_services"
    assert found == [
        ("web:supervisor", "report:survey", f"{detail} format=csv"),
        ("web:supervisor", "report:survey", f"{detail} format=xlsx"),
    ]


def _aware(row: list[object]) -> list[object]:
    """The workbook's local times as the line's instants again (Moscow, +03:00)."""
    return [value.replace(tzinfo=MSK) if isinstance(value, datetime) else value for value in row]


@pytest.mark.parametrize("path", ["/reports/survey", "/reports/survey.csv", "/reports/survey.xlsx"])
def test_an_operator_gets_403_on_the_report_and_its_files(console: Console, path: str) -> None:
    response = console.signed_in("operator").get(f"{path}?{DAYS}")
    assert response.status_code == 403
    assert "Недостаточно прав: нужна одна из ролей" in response.text


def test_the_home_page_links_the_report_for_supervisors(console: Console) -> None:
    link = 'href="/reports/survey"'
    assert link in console.signed_in("supervisor").get("/").text
    assert link in console.signed_in("admin").get("/").text
