"""«Пропущенные звонки» over HTTP (C13): the supervisor's page shows the sample days' figures,
filters them, pages the table, prints it and downloads it as CSV and XLSX (audited); bad input
gets the form back with a Russian message and status 422, never a 500; operators get 403."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.rules.missed import CallOutcome, MissedReason
from models.tables import AuditEntry, Call, Role
from tests.agent_console.console import Clock, Console, alert
from tests.reports.samples import add_sample_calls, msk

NOW = datetime(2026, 10, 14, 7, 0, tzinfo=UTC)  # Wednesday 14 October, 10:00 in Moscow
DAYS = "since=2026-10-05&until=2026-10-06"
_ROW = re.compile(r"<tr><td class=\"cell--instant\">([^<]+)</td>")
_FACT = re.compile(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>")
_BAR = re.compile(r"<rect class=\"chart__bar\"[^>]*><title>([^<]+)</title>")


@pytest.fixture
def console(db_engine: Engine) -> Console:
    add_sample_calls(db_engine)
    console = Console(db_engine, Clock(NOW))
    console.add_user("supervisor", Role.SUPERVISOR)
    console.add_user("admin", Role.ADMIN)
    console.add_user("operator", Role.OPERATOR)
    console.add_user("expert", Role.EXPERT)
    return console


def _rows(html: str) -> list[str]:
    return _ROW.findall(html)


def _facts(html: str) -> dict[str, str]:
    return dict(_FACT.findall(html))


def test_the_supervisor_sees_the_periods_figures_charts_and_calls(console: Console) -> None:
    page = console.signed_in("supervisor").get(f"/reports/missed?{DAYS}")
    assert page.status_code == 200
    html = page.text
    assert 'Пропущенные звонки <span class="report__period">за 05.10.2026–06.10.2026' in html
    facts = _facts(html)
    assert (facts["Пропущено"], facts["Из них коротких"]) == ("8", "2")
    assert facts["Звонящий положил трубку в очереди"] == "2"
    assert facts["Нет заявки"] == "2"
    assert facts["Выполнена"] == "2"
    bars = _BAR.findall(html)
    assert bars[:2] == ["05.10.2026, пн: 5", "06.10.2026, вт: 3"]  # by day
    assert "09:00–10:00: 3" in bars  # by hour of the day: m1, m2, m5
    assert _rows(html)[0] == "05.10.2026 00:00"
    assert len(_rows(html)) == 8
    assert "Строки 1–8 из 8 (страница 1 из 1)" in html
    assert 'aria-labelledby="chart-by-day-title chart-by-day-desc"' in html
    assert (
        '<title id="chart-by-day-title">Пропущенные звонки по дням, 05.10.2026–06.10.2026</title>'
        in html
    )
    assert "style=" not in html  # CSP: no inline style, the chart's look is in reports.css


def test_the_default_period_is_this_month_up_to_today(console: Console) -> None:
    html = console.signed_in("admin").get("/reports/missed").text
    assert 'value="2026-10-01"' in html
    assert 'value="2026-10-14"' in html
    assert _facts(html)["Пропущено"] == "10"  # the samples, 04.10 23:59:59 and 07.10 00:30


def test_filters_narrow_figures_table_and_downloads(console: Console) -> None:  # C13
    browser = console.signed_in("supervisor")
    html = browser.get(f"/reports/missed?{DAYS}&reason=queue_timeout&callback=done").text
    assert _facts(html)["Пропущено"] == "1"  # m3
    assert _rows(html) == ["05.10.2026 10:15"]
    assert 'value="queue_timeout" checked' in html
    assert '<details class="report-form__more" open>' in html  # a filter in use stays shown
    assert (
        'href="/reports/missed.xlsx?since=2026-10-05&amp;until=2026-10-06&amp;reason=queue_timeout'
        '&amp;callback=done"' in html
    )
    short = browser.get(f"/reports/missed?{DAYS}&short=only&topic=none").text
    assert _rows(short) == ["05.10.2026 09:05"]  # m1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "since=2026-10-31&until=2026-10-01",
            "Конец периода (01.10.2026) раньше начала (31.10.2026).",
        ),
        (
            "since=2025-10-15&until=2026-10-14&chart=hour",
            "График по часам строится за период не длиннее 7 дней, а выбрано 365: сократите "
            "период или выберите график по дням.",
        ),
        (
            "since=2025-01-01&until=2026-10-14",
            "Период длиннее 366 дней (652): выберите не больше года.",
        ),
        ("reason=hung_up", "Неизвестное значение «hung_up» фильтра «причина»; возможные: "),
        ("callback=maybe", "Неизвестное значение «maybe» фильтра «обратный звонок»"),
        ("chart=week", "Неизвестное значение «week» фильтра «график»; возможные: day, hour."),
        ("since=14.10.2026", "Дата начала периода — в виде ГГГГ-ММ-ДД, получено «14.10.2026»."),
        ("since=0001-01-01&until=0001-01-02", "Дата 0001-01-01 вне допустимых лет (2000–2100)."),
        ("page=-1", "Номер страницы — целое число от 1, получено «-1»."),
    ],
)
def test_bad_input_gets_the_form_and_a_russian_message(
    console: Console, query: str, message: str
) -> None:
    response = console.signed_in("supervisor").get(f"/reports/missed?{query}")
    assert response.status_code == 422
    assert alert(response).startswith(message)
    assert 'class="report-form"' in response.text  # to put it right
    assert "report-table" not in response.text  # and no figures
    download = console.signed_in("supervisor").get(f"/reports/missed.csv?{query}")
    if "chart" in query or "page" in query:
        assert download.status_code == 200  # the files have neither chart nor pages
    else:
        assert download.status_code == 422
        assert alert(download).startswith(message)


def test_the_table_is_paged_200_rows_at_a_time(console: Console) -> None:
    with session_scope(console.engine) as session:
        for n in range(205):
            arrived = msk(8, 9) + timedelta(seconds=n)
            session.add(
                Call(
                    linkedid=f"many-{n}",
                    arrived_at=arrived,
                    in_working_hours=True,
                    ended_at=arrived + timedelta(seconds=30),
                    outcome=CallOutcome.MISSED,
                    missed_reason=MissedReason.ABANDONED_IN_QUEUE,
                )
            )
    browser = console.signed_in("supervisor")
    first = browser.get("/reports/missed?since=2026-10-08&until=2026-10-08").text
    assert len(_rows(first)) == 200
    assert "Строки 1–200 из 205 (страница 1 из 2)" in first
    assert 'href="/reports/missed?since=2026-10-08&amp;until=2026-10-08&amp;page=2"' in first
    second = browser.get("/reports/missed?since=2026-10-08&until=2026-10-08&page=2").text
    assert _rows(second) == ["08.10.2026 09:03"] * 5
    beyond = browser.get("/reports/missed?since=2026-10-08&until=2026-10-08&page=9")
    assert beyond.status_code == 200
    assert "Строки 201–205 из 205 (страница 2 из 2)" in beyond.text
    printed = browser.get("/reports/missed?since=2026-10-08&until=2026-10-08&print=1").text
    assert len(_rows(printed)) == 205  # the print view has every row
    csv_text = browser.get("/reports/missed.csv?since=2026-10-08&until=2026-10-08").text
    assert len(csv_text.splitlines()) == 206  # and so has the file


def test_the_print_view_says_the_filters_in_words(console: Console) -> None:
    html = console.signed_in("supervisor").get(f"/reports/missed?{DAYS}&topic=none&print=1").text
    assert 'class="report-form"' not in html
    assert 'src="/static/report_print.js"' in html
    facts = _facts(html)
    assert facts["Тема"] == "Тема не выбрана"
    assert facts["Причина"] == "Все"
    assert len(_rows(html)) == 3  # m0, m1, m7
    assert f'href="/reports/missed?{DAYS.replace("&", "&amp;")}&amp;topic=none"' in html


def test_downloads_hold_the_pages_calls_and_are_audited(console: Console) -> None:
    browser = console.signed_in("supervisor")
    query = f"{DAYS}&reason=abandoned_in_queue&reason=queue_timeout"
    text = browser.get(f"/reports/missed.csv?{query}")
    assert text.status_code == 200
    assert text.headers["content-type"] == "text/csv; charset=utf-8"
    assert text.headers["content-disposition"] == (
        'attachment; filename="missed-calls_2026-10-05_2026-10-06.csv"'
    )
    rows = list(csv.reader(io.StringIO(text.text)))
    assert [row[0] for row in rows] == [
        "Поступил",
        "2026-10-05T09:40:10+03:00",
        "2026-10-05T10:15:00+03:00",
        "2026-10-06T09:10:00+03:00",
        "2026-10-06T17:59:59+03:00",
    ]
    book = browser.get(f"/reports/missed.xlsx?{query}")
    assert book.headers["content-disposition"].endswith('missed-calls_2026-10-05_2026-10-06.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["Пропущенные звонки"]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [row[1] for row in rows[1:]]
    with session_scope(console.engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "report_export"))
        found = [(e.actor, e.subject, e.detail) for e in entries]
    detail = "since=2026-10-05 until=2026-10-06 reason=abandoned_in_queue,queue_timeout"
    assert found == [
        ("web:supervisor", "report:missed", f"{detail} format=csv"),
        ("web:supervisor", "report:missed", f"{detail} format=xlsx"),
    ]


@pytest.mark.parametrize("path", ["/reports/missed", "/reports/missed.csv", "/reports/missed.xlsx"])
def test_an_operator_gets_403_on_the_report_and_its_files(console: Console, path: str) -> None:
    for login in ("operator", "expert"):
        response = console.signed_in(login).get(f"{path}?{DAYS}")
        assert response.status_code == 403
        assert "Недостаточно прав: нужна одна из ролей" in response.text
    with session_scope(console.engine) as session:
        assert (
            session.exec(select(AuditEntry).where(AuditEntry.action == "report_export")).all() == []
        )


def test_the_home_page_links_the_report_for_supervisors_only(console: Console) -> None:
    link = 'href="/reports/missed"'
    assert link in console.signed_in("supervisor").get("/").text
    assert link in console.signed_in("admin").get("/").text
    assert link not in console.signed_in("expert").get("/").text
