"""The report's two files: the XLSX, read back with openpyxl, holds on its first sheet the same
cells as the CSV (numbers as numbers, instants as the line's local time, text never a
formula), and the totals on further sheets."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.tables import Call, CallbackSource, CallbackTask
from reports.missed import MISSED, missed_report
from reports.report import export_csv, export_xlsx
from reports.table import Column, write_xlsx
from tests.reports.samples import MSK, PERIOD, add_sample_calls, msk

FORMULA_NOTE = '=HYPERLINK("http://example.org","Открыть")'
RAW_CALLER = "+=1+2"  # a caller ID that is no phone number
PHONE = 1  # the column of the caller's number


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    add_sample_calls(db_engine)
    with session_scope(db_engine) as session:  # text from outside that looks like a formula
        task = CallbackTask(
            phone_e164="+79280000008",
            source=CallbackSource.MISSED_CALL,
            requested_at=msk(6, 16),
            promised_on=msk(7, 9).date(),
            status=CallbackStatus.CANCELLED,
            closed_at=msk(6, 16, 30),
            result_note=FORMULA_NOTE,
        )
        session.add(task)
        session.flush()
        session.add(
            Call(
                linkedid="formula",
                caller_number=RAW_CALLER,
                arrived_at=msk(6, 16),
                in_working_hours=True,
                ended_at=msk(6, 16) + timedelta(seconds=20),
                outcome=CallOutcome.MISSED,
                missed_reason=MissedReason.ABANDONED_IN_IVR,
                callback_task_id=task.id,
            )
        )
    return db_engine


def _files(engine: Engine) -> tuple[list[list[str]], openpyxl.Workbook]:
    report = missed_report(PERIOD, {}, MSK)
    text, binary = io.StringIO(newline=""), io.BytesIO()
    with Session(engine) as session:
        assert export_csv(report, session, text) == 9
        assert export_xlsx(MISSED, report, session, binary) == 9
    rows = list(csv.reader(io.StringIO(text.getvalue(), newline="")))
    return rows, openpyxl.load_workbook(io.BytesIO(binary.getvalue()))


def _same(value: object, text: str, column: int) -> bool:
    """Whether the CSV's ``text`` says the XLSX's ``value``, by the CSV's conventions."""
    if value is None:
        return text == ""
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, int | float):
        return float(text) == value
    if isinstance(value, datetime):  # local time in the XLSX, with the line's offset in the CSV
        return datetime.fromisoformat(text) == value.replace(tzinfo=MSK)
    assert isinstance(value, str)
    if column == PHONE and re.fullmatch(r"\+[1-9][0-9]{1,14}", value):
        return text == value
    if value[:1] in ("=", "+", "-", "@"):
        return text == "'" + value
    return text == value


def test_the_xlsx_holds_the_csvs_cells_typed(engine: Engine) -> None:
    rows, book = _files(engine)
    sheet = book["Пропущенные звонки"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(cells) == len(rows) == 10  # the header and nine calls
    assert cells[0] == rows[0]
    assert rows[0][:4] == ["Поступил", "Номер", "Тема", "Причина"]
    for xlsx_row, csv_row in zip(cells[1:], rows[1:], strict=True):
        assert len(xlsx_row) == len(csv_row)
        for column, (value, text) in enumerate(zip(xlsx_row, csv_row, strict=True)):
            assert _same(value, text, column), (column, value, text)
    m3 = cells[4]  # 05.10 10:15, timed out in the queue
    assert m3[:2] == [msk(5, 10, 15).replace(tzinfo=None), "+79280000003"]
    assert (m3[4], m3[5], m3[6], m3[10]) == (300, 320, False, 2)
    assert rows[4][0] == "2026-10-05T10:15:00+03:00"
    assert sheet.freeze_panes == "A2"


def test_text_that_looks_like_a_formula_stays_text(engine: Engine) -> None:
    rows, book = _files(engine)
    sheet = book["Пропущенные звонки"]
    last = list(sheet.iter_rows())[-2]  # 06.10 16:00, before m6 at 17:59:59
    assert (last[1].value, last[1].data_type) == (RAW_CALLER, "s")
    assert (last[14].value, last[14].data_type) == (FORMULA_NOTE, "s")
    assert rows[-2][1] == "'" + RAW_CALLER  # the CSV quotes it; a valid E.164 it would not
    assert rows[-2][14] == "'" + FORMULA_NOTE
    assert rows[2][1] == "+79280000001"


def test_the_totals_sheets_hold_the_pages_figures(engine: Engine) -> None:
    _rows, book = _files(engine)
    assert book.sheetnames == ["Пропущенные звонки", "По дням", "По часам суток", "Итоги"]
    by_day = [[cell.value for cell in row] for row in book["По дням"].iter_rows()]
    assert by_day == [
        ["Дата", "Пропущено"],
        [msk(5, 0).replace(tzinfo=None), 5],
        [msk(6, 0).replace(tzinfo=None), 4],  # m5, m7, the formula call, m6
    ]
    by_hour = {row[0].value: row[1].value for row in book["По часам суток"].iter_rows(min_row=2)}
    assert (by_hour["09:00–10:00"], by_hour["16:00–17:00"], by_hour["05:00–06:00"]) == (3, 1, 0)
    totals = {row[0].value: row[1].value for row in book["Итоги"].iter_rows(min_row=2)}
    assert totals["Всего"] == 9
    assert totals["Из них коротких"] == 2
    assert totals["Звонящий положил трубку в голосовом меню"] == 2
    assert totals["Обратный звонок: Отменена"] == 2
    assert totals["Обратный звонок: Нет заявки"] == 2


def test_text_an_xlsx_would_take_for_an_error_or_cannot_hold_stays_readable_text() -> None:
    columns = (Column("Итог заявки"),)
    binary = io.BytesIO()
    write_xlsx(columns, [("#N/A",), ("до\x01после",), ("обычный текст",)], binary, title="Лист")
    cells = [row[0] for row in openpyxl.load_workbook(binary)["Лист"].iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ("#N/A", "s"),
        ("допосле", "s"),
        ("обычный текст", "s"),
    ]
