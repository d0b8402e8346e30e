"""«Операторы» over HTTP (C4, K7): the supervisor's page shows the sample days' figures and
training, filters them, downloads them as CSV and XLSX (the same cells, audited); the form
under it records a completed training (checked, audited, once however often it is sent) and the
operator may then go "ready"; bad input gets Russian messages and 422; operators get 403."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.operator_access import operator_for_employee
from models.rules.training import TrainingKind
from models.tables import AuditEntry, Role, TrainingEntry
from tests.agent_console.console import Clock, Console, alert, form_token
from tests.reports.operator_samples import NOW, TODAY, add_operator_calls

DAYS = "since=2026-10-05&until=2026-10-06"
_FACT = re.compile(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>")
_ROW = re.compile(r"<tr>((?:<td class=\"cell--[a-z]+\">[^<]*</td>)+)</tr>")
_CELL = re.compile(r"<td class=\"cell--[a-z]+\">([^<]*)</td>")
_BAR = re.compile(r"<rect class=\"chart__bar\"[^>]*><title>([^<]+)</title>")
_FIELD_ERROR = re.compile(r'<p class="field__error" id="training-([a-z-]+)-error">([^<]+)</p>')


@pytest.fixture
def console(db_engine: Engine) -> tuple[Console, dict[str, int]]:
    ids = add_operator_calls(db_engine)
    console = Console(db_engine, Clock(NOW))
    console.add_user("supervisor", Role.SUPERVISOR)
    console.add_user("admin", Role.ADMIN)
    console.add_user("operator", Role.OPERATOR)  # an operator too: no training, no calls
    return console, ids


def _rows(html: str) -> dict[str, list[str]]:
    """The table's rows by the operator's internal number."""
    rows = [_CELL.findall(row) for row in _ROW.findall(html)]
    return {cells[1]: cells for cells in rows}


def _training(browser: TestClient, **fields: str) -> tuple[int, str, str]:
    """Sends the report page's training form; (status, where to, page)."""
    page = browser.get(f"/reports/operators?{DAYS}&department=second")
    data = {"csrf_token": form_token(page), "back": f"{DAYS}&department=second", **fields}
    sent = browser.post("/reports/operators/training", data=data)
    return sent.status_code, sent.headers.get("location", ""), sent.text


def _entries(engine: Engine, employee_id: int) -> list[tuple[TrainingKind, date, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(TrainingEntry).where(col(TrainingEntry.employee_id) == employee_id)
        )
        return sorted((row.kind, row.completed_on, row.subject) for row in rows)


def _same(value: object, text: str) -> bool:
    """An XLSX cell holds what the CSV wrote: dates as dates, numbers as numbers, text."""
    if isinstance(value, datetime):
        return value.date().isoformat() == text
    if isinstance(value, int | float):
        return float(text) == value
    return str(value) == text


def _audit(engine: Engine, action: str) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(AuditEntry).where(col(AuditEntry.action) == action))
        return [(row.actor, row.subject, row.detail) for row in rows]


def test_the_supervisor_sees_figures_training_and_the_chart(
    console: tuple[Console, dict[str, int]],
) -> None:  # C4, K7
    html = console[0].signed_in("supervisor").get(f"/reports/operators?{DAYS}").text
    facts = dict(_FACT.findall(html))
    # The samples' six and the console's own operator (no calls, no training).
    assert (facts["Операторов"], facts["Принято звонков"]) == ("7", "9")
    assert (facts["Разговор всего, мин"], facts["Разговор в среднем, с"]) == ("14,1", "120,9")
    assert (facts["Без итога"], facts["Нет обучения перед первой сменой"]) == ("4", "3")
    rows = _rows(html)
    assert rows["201"] == [
        "Алиева Патимат", "201", "Консультации", "4", "8,0", "160,0", "1",
        "Обучение в силе", "02.03.2028", "", "02.03.2026",
    ]  # fmt: skip
    assert rows["202"][7:] == [
        "Не обучен по новой услуге", "01.09.2024", "Лицензия через ЕПГУ", "01.07.2024",
    ]  # fmt: skip
    assert rows["203"][7:9] == ["Срок обучения истёк", "20.09.2026"]
    assert rows["205"][7:9] == ["Скоро нужно обучение", "05.11.2026"]
    assert "207" not in rows  # no longer active, no calls
    assert _BAR.findall(html)[:2] == ["Алиева Патимат (201): 4", "Баширов Омар (202): 2"]
    assert 'action="/reports/operators/training"' in html
    assert "style=" not in html


def test_downloads_hold_the_pages_table_and_are_audited(
    console: tuple[Console, dict[str, int]],
) -> None:
    engine = console[0].engine
    browser = console[0].signed_in("supervisor")
    query = f"{DAYS}&department=consult&training=trained&training=new_service"
    text = browser.get(f"/reports/operators.csv?{query}")
    assert text.headers["content-disposition"] == (
        'attachment; filename="operators_2026-10-05_2026-10-06.csv"'
    )
    rows = list(csv.reader(io.StringIO(text.text)))
    assert rows[1:] == [
        ["Алиева Патимат", "201", "Консультации", "4", "8.0", "160.0", "1", "Обучение в силе",
         "2028-03-02", "", "2026-03-02"],
        ["Баширов Омар", "202", "Консультации", "2", "1.3", "38.0", "2",
         "Не обучен по новой услуге", "2024-09-01", "Лицензия через ЕПГУ", "2024-07-01"],
    ]  # fmt: skip
    book = openpyxl.load_workbook(
        io.BytesIO(browser.get(f"/reports/operators.xlsx?{query}").content)
    )
    sheet = book["Операторы"]
    cells = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert [str(c) for c in cells[0]] == rows[0]
    for read, written in zip(cells[1:], rows[1:], strict=True):  # cell by cell, typed
        assert [v for v, t in zip(read, written, strict=True) if not _same(v, t)] == []
    assert [row[1] for row in book["Итоги"].iter_rows(min_row=2, max_row=6, values_only=True)] == [
        2, 6, 9.3, 111.2, 3,  # 201 and 202: 480 + 76 = 556 s over 3 + 2 known calls
    ]  # fmt: skip
    detail = "since=2026-10-05 until=2026-10-06 department=consult training=new_service,trained"
    assert _audit(engine, "report_export") == [
        ("web:supervisor", "report:operators", f"{detail} format=csv"),
        ("web:supervisor", "report:operators", f"{detail} format=xlsx"),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-10-06&until=2026-10-05", "Конец периода (05.10.2026) раньше начала"),
        ("department=third", "Неизвестное значение «third» фильтра «отдел»; возможные: "),
        ("training=lapsed", "Неизвестное значение «lapsed» фильтра «обучение»"),
    ],
)
def test_bad_input_gets_the_form_and_a_russian_message(
    console: tuple[Console, dict[str, int]], query: str, message: str
) -> None:
    browser = console[0].signed_in("supervisor")
    for path in ("/reports/operators", "/reports/operators.csv", "/reports/operators.xlsx"):
        response = browser.get(f"{path}?{query}")
        assert response.status_code == 422
        assert alert(response).startswith(message)
    assert _audit(console[0].engine, "report_export") == []


def test_a_training_recorded_once_lifts_the_c4_block(
    console: tuple[Console, dict[str, int]],
) -> None:  # C4
    engine, gasanova = console[0].engine, console[1]["203"]  # lapsed on 20.09.2026
    browser = console[0].signed_in("supervisor")
    with Session(engine) as session:
        access = operator_for_employee(session, gasanova, TODAY)
        assert access is not None and not access.training.may_take_calls  # noqa: PT018
    form = {"employee": str(gasanova), "kind": "periodic", "completed_on": "2026-10-13"}
    status, location, _ = _training(browser, **form, note="Повторное, группа 3")
    assert status == 303
    assert location == (f"/reports/operators?{DAYS}&department=second&recorded={gasanova}")
    page = browser.get(location).text
    assert _rows(page)["203"][7:9] == ["Обучение в силе", "13.10.2028"]
    assert "Обучение записано — Гасанова Зарема (203): Обучение в силе до 13.10.2028." in page
    # Sent again (a double click, the page reloaded): nothing more is written.
    status, location, _ = _training(browser, **form, note="Повторное, группа 3")
    assert (status, location.endswith(f"&already={gasanova}")) == (303, True)
    assert _entries(engine, gasanova) == [
        (TrainingKind.INITIAL, date(2022, 5, 16), ""),
        (TrainingKind.NEW_SERVICE, date(2024, 9, 20), "alco-epgu"),
        (TrainingKind.PERIODIC, date(2026, 10, 13), "Повторное, группа 3"),
    ]
    assert _audit(engine, "training_recorded") == [
        (
            "web:supervisor",
            "employee:203",
            "kind=periodic completed_on=2026-10-13 note=Повторное, группа 3",
        )
    ]
    with Session(engine) as session:  # the queue's C4 check reads the same rule
        access = operator_for_employee(session, gasanova, TODAY)
        assert access is not None and access.training.may_take_calls  # noqa: PT018


def test_a_new_service_training_names_its_service(
    console: tuple[Console, dict[str, int]],
) -> None:  # C4
    engine, bashirov = console[0].engine, console[1]["202"]
    browser = console[0].signed_in("admin")
    form = {"employee": str(bashirov), "kind": "new_service", "service": "alco-epgu"}
    status, _, _ = _training(browser, **form, completed_on="2026-10-14")
    assert status == 303
    assert _entries(engine, bashirov)[-1] == (
        TrainingKind.NEW_SERVICE,
        date(2026, 10, 14),
        "alco-epgu",
    )
    assert _audit(engine, "training_recorded") == [
        ("web:admin", "employee:202", "kind=new_service completed_on=2026-10-14 service=alco-epgu")
    ]
    rows = _rows(browser.get(f"/reports/operators?{DAYS}").text)
    assert rows["202"][7:9] == ["Обучение в силе", "14.10.2028"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"kind": "periodic", "completed_on": "2026-10-15"},
            {"completed_on": "Дата обучения не может быть позже сегодняшнего дня (14.10.2026)."},
        ),
        ({"kind": "periodic", "completed_on": ""}, {"completed_on": "Укажите дату обучения."}),
        (
            {"kind": "periodic", "completed_on": "13.10.2026"},
            {"completed_on": "Дата обучения — в виде ГГГГ-ММ-ДД, получено «13.10.2026»."},
        ),
        ({"kind": "yearly", "completed_on": "2026-10-13"}, {"kind": "Выберите вид обучения."}),
        (
            {"kind": "new_service", "completed_on": "2026-10-13"},
            {"service": "Для обучения по новой услуге выберите услугу."},
        ),
        (
            {"kind": "new_service", "service": "alco-epgu", "completed_on": "2024-08-31"},
            {
                "completed_on": "Обучение по услуге «Лицензия через ЕПГУ» не может быть раньше "
                "её введения (01.09.2024)."
            },
        ),
        (
            {"employee": "", "kind": "initial", "completed_on": "2026-10-13", "note": "ы" * 256},
            {
                "employee": "Выберите оператора из списка.",
                "note": "Примечание — не длиннее 255 символов (сейчас 256).",
            },
        ),
    ],
)
def test_a_wrong_training_form_is_refused_field_by_field(
    console: tuple[Console, dict[str, int]], fields: dict[str, str], errors: dict[str, str]
) -> None:
    engine, davudov = console[0].engine, console[1]["204"]
    browser = console[0].signed_in("supervisor")
    status, _, html = _training(browser, **{"employee": str(davudov), **fields})
    assert status == 422
    assert dict(_FIELD_ERROR.findall(html)) == {
        name.replace("_", "-"): text for name, text in errors.items()
    }
    assert "Обучение не записано: исправьте поля, отмеченные ниже." in html
    assert "report-table" in html  # the report is still there, with its filters
    assert 'value="second" checked' in html
    assert _entries(engine, davudov) == []
    assert _audit(engine, "training_recorded") == []


def test_a_former_employee_or_a_non_operator_is_not_trained_here(
    console: tuple[Console, dict[str, int]],
) -> None:
    browser = console[0].signed_in("supervisor")
    for employee in (console[1]["206"], 999_999, "abc"):
        status, _, html = _training(
            browser, employee=str(employee), kind="initial", completed_on="2026-10-13"
        )
        assert status == 422
        assert dict(_FIELD_ERROR.findall(html)) == {"employee": "Выберите оператора из списка."}
    assert _audit(console[0].engine, "training_recorded") == []


def test_operators_get_403_on_the_report_its_files_and_the_form(
    console: tuple[Console, dict[str, int]],
) -> None:
    engine = console[0].engine
    browser = console[0].signed_in("operator")
    for path in ("/reports/operators", "/reports/operators.csv", "/reports/operators.xlsx"):
        response = browser.get(f"{path}?{DAYS}")
        assert response.status_code == 403
        assert "Недостаточно прав: нужна одна из ролей" in response.text
    token = form_token(browser.get("/"))
    mine = str(console[1]["204"])
    sent = browser.post(
        "/reports/operators/training",
        data={
            "csrf_token": token,
            "employee": mine,
            "kind": "initial",
            "completed_on": "2026-10-13",
        },
    )
    assert sent.status_code == 403
    assert _entries(engine, console[1]["204"]) == []
    assert _audit(engine, "training_recorded") == _audit(engine, "report_export") == []
