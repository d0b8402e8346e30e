"""«Обратные звонки» (C11) and «Переводы звонков» (C10) over HTTP: the supervisor's pages show
the samples' figures and charts, filter them, download them as CSV and XLSX (the same cells,
audited); bad input gets the form back with a Russian message and status 422; operators and
experts get 403 everywhere."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.exports import csv_cell
from models.tables import AuditEntry, Role
from reports.catalogue import REPORTS
from reports.table import XLSX_DATE_FORMAT, Kind
from tests.agent_console.console import Clock, Console, alert
from tests.reports.callback_samples import add_sample_tasks, add_sample_transfers
from tests.reports.samples import MSK, PERIOD

NOW = datetime(2026, 10, 14, 7, 0, tzinfo=UTC)  # Wednesday 14 October, 10:00 in Moscow
DAYS = "since=2026-10-05&until=2026-10-06"
_ROW = re.compile(r"<tr><td class=\"cell--number\">(\d+)</td>")
_TRANSFER_ROW = re.compile(r"<tr><td class=\"cell--instant\">([^<]+)</td>")
_FACT = re.compile(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>")
_BAR = re.compile(r"<rect class=\"chart__bar[^\"]*\"[^>]*><title>([^<]+)</title>")
PAGES = ["/reports/callbacks", "/reports/transfers"]


@pytest.fixture
def console(db_engine: Engine) -> Console:
    add_sample_tasks(db_engine)
    add_sample_transfers(db_engine)
    console = Console(db_engine, Clock(NOW))
    console.add_user("supervisor", Role.SUPERVISOR)
    console.add_user("admin", Role.ADMIN)
    console.add_user("operator", Role.OPERATOR)
    console.add_user("expert", Role.EXPERT)
    return console


def _line(name: str, *figures: int, department: str = "") -> str:
    """A row of a table of figures: a name (and a department), then counts."""
    cells = [name, department] if department else [name]
    text = "".join(f'<td class="cell--text">{cell}</td>' for cell in cells)
    return "<tr>" + text + "".join(f'<td class="cell--number">{n}</td>' for n in figures)


def _facts(html: str) -> dict[str, str]:
    return dict(_FACT.findall(html))


def test_the_callback_page_shows_terms_attempts_owners_and_the_days(console: Console) -> None:
    page = console.signed_in("supervisor").get(f"/reports/callbacks?{DAYS}")
    assert page.status_code == 200
    html = page.text
    assert 'Обратные звонки <span class="report__period">за 05.10.2026–06.10.2026' in html
    facts = _facts(html)
    assert (facts["Заявок"], facts["В срок"], facts["Срок нарушен"]) == ("10", "5", "3")
    assert (facts["Срок не наступил"], facts["Отменена"]) == ("1", "1")
    assert facts["Просрочены сейчас (14.10.2026 10:00)"] == "2"
    assert (facts["Всего попыток"], facts["В среднем на заявку"]) == ("8", "0,80")
    assert facts["Заявок с 2 попытками"] == "2"
    assert _line("Алиева Патимат Руслановна", 4, 2, 1, 4) in html  # tasks, kept, missed, tries
    assert _line("Без ответственного", 2, 0, 1, 0) in html
    assert _BAR.findall(html) == [
        "05.10.2026, пн, в срок: 3",
        "05.10.2026, пн, срок нарушен: 2",
        "06.10.2026, вт, в срок: 2",
        "06.10.2026, вт, срок нарушен: 1",
    ]
    assert 'class="chart__bar chart__bar--missed"' in html
    assert len(_ROW.findall(html)) == 10
    assert "Строки 1–10 из 10 (страница 1 из 1)" in html
    assert "style=" not in html  # CSP


def test_the_callback_filters_narrow_the_page(console: Console) -> None:  # C11
    html = console.signed_in("admin").get(f"/reports/callbacks?{DAYS}&owner=202&term=kept").text
    assert _facts(html)["Заявок"] == "3"  # t3, t10, t7
    assert 'value="202" checked' in html
    assert "Омаров Руслан Магомедович (202)" in html


def test_the_transfer_page_shows_calls_by_transfers_and_the_targets(console: Console) -> None:
    html = console.signed_in("supervisor").get(f"/reports/transfers?{DAYS}").text
    facts = _facts(html)
    assert (facts["Принято звонков"], facts["Без переводов"], facts["1 перевод"]) == ("4", "1", "2")
    assert facts["2 перевода"] == "1"
    assert facts["Отклонён: лимит переводов"] == "1"
    assert facts["Звонков с отклонённым третьим переводом"] == "1"
    # completed, refused, failed, pending, in all
    assert _line("Курбанов Шамиль Ахмедович", 2, 1, 0, 1, 4, department="Юридический отдел") in html
    assert _line("Нет в справочнике", 0, 0, 1, 0, 1) in html  # by department
    assert _BAR.findall(html) == ["Без переводов: 1", "1 перевод: 2", "2 перевода: 1"]
    assert len(_TRANSFER_ROW.findall(html)) == 8
    narrowed = console.signed_in("supervisor").get(f"/reports/transfers?{DAYS}&department=none")
    assert len(_TRANSFER_ROW.findall(narrowed.text)) == 1


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        (
            "/reports/callbacks",
            "since=2026-10-31&until=2026-10-01",
            "Конец периода (01.10.2026) раньше начала (31.10.2026).",
        ),
        ("/reports/callbacks", "term=late", "Неизвестное значение «late» фильтра «срок»"),
        ("/reports/callbacks", "owner=777", "Неизвестное значение «777» фильтра «ответственный»"),
        ("/reports/transfers", "outcome=lost", "Неизвестное значение «lost» фильтра «исход»"),
        ("/reports/transfers", "department=tax", "Неизвестное значение «tax» фильтра «отдел»"),
    ],
)
def test_bad_input_gets_the_form_and_a_russian_message(
    console: Console, path: str, query: str, message: str
) -> None:
    browser = console.signed_in("supervisor")
    response = browser.get(f"{path}?{query}")
    assert response.status_code == 422
    assert alert(response).startswith(message)
    assert 'class="report-form"' in response.text
    assert "report-table" not in response.text
    for extension in ("csv", "xlsx"):
        download = browser.get(f"{path}.{extension}?{query}")
        assert download.status_code == 422
        assert alert(download).startswith(message)


@pytest.mark.parametrize(
    ("path", "query", "rows"),
    [
        ("/reports/callbacks", "term=kept&term=missed", 8),
        ("/reports/transfers", "outcome=completed&outcome=refused", 5),
    ],
)
def test_the_xlsx_holds_the_csvs_cells_and_both_are_audited(
    console: Console, path: str, query: str, rows: int
) -> None:
    browser = console.signed_in("supervisor")
    text = browser.get(f"{path}.csv?{DAYS}&{query}")
    assert text.status_code == 200
    name = path.removeprefix("/reports/")
    assert text.headers["content-disposition"] == (
        f'attachment; filename="{name}_2026-10-05_2026-10-06.csv"'
    )
    lines = list(csv.reader(io.StringIO(text.text)))
    assert len(lines) == rows + 1
    book = openpyxl.load_workbook(io.BytesIO(browser.get(f"{path}.xlsx?{DAYS}&{query}").content))
    sheet = book.worksheets[0]
    phones = [column.kind is Kind.PHONE for column in REPORTS[name].query(PERIOD, {}, MSK).columns]
    read = [
        [_as_csv(cell, phone) for cell, phone in zip(row, phones, strict=True)]
        for row in sheet.iter_rows(min_row=2)
    ]
    assert [cell.value for cell in next(sheet.iter_rows())] == lines[0]
    assert read == lines[1:]  # cell by cell
    assert len(book.sheetnames) == 5  # the table and four sheets of totals
    with session_scope(console.engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "report_export"))
        found = [(e.actor, e.subject, e.detail.rsplit(" ", 1)[1]) for e in entries]
    subject = f"report:{name}"
    assert found == [
        ("web:supervisor", subject, "format=csv"),
        ("web:supervisor", subject, "format=xlsx"),
    ]


def _as_csv(cell: Any, phone: bool) -> str:
    """An XLSX cell as the CSV writes it: instants with Moscow's offset, dates as dates."""
    value = cell.value
    if isinstance(value, datetime) and cell.number_format == XLSX_DATE_FORMAT:
        return value.date().isoformat()
    if isinstance(value, datetime):
        return value.replace(tzinfo=MSK).isoformat(timespec="seconds")
    return csv_cell(value, phone=phone)


@pytest.mark.parametrize("path", [f"{p}{e}" for p in PAGES for e in ("", ".csv", ".xlsx")])
def test_operators_and_experts_get_403(console: Console, path: str) -> None:
    for login in ("operator", "expert"):
        response = console.signed_in(login).get(f"{path}?{DAYS}")
        assert response.status_code == 403
    with session_scope(console.engine) as session:
        exports = select(AuditEntry).where(AuditEntry.action == "report_export")
        assert session.exec(exports).all() == []


@pytest.mark.parametrize(("path", "rows"), [("/reports/callbacks", 10), ("/reports/transfers", 8)])
def test_the_print_view_has_every_row_and_no_form(console: Console, path: str, rows: int) -> None:
    html = console.signed_in("supervisor").get(f"{path}?{DAYS}&print=1").text
    assert 'class="report-form"' not in html
    assert 'src="/static/report_print.js"' in html
    assert len(_ROW.findall(html) or _TRANSFER_ROW.findall(html)) == rows
