"""A report's table: Russian column headers, typed cells, and the two writers every report
shares, CSV and XLSX.

A cell is text, a whole number, a decimal, a flag, a local instant (aware, in the line's zone),
a date or ``None`` (no value). The CSV follows the conventions of ``consult-line export``
(:func:`models.exports.csv_cell`): UTF-8, comma, instants in ISO 8601 with their offset,
flags ``true``/``false``, text a spreadsheet would run as a formula quoted with ``'``. The
XLSX holds the same cells with their types: numbers as numbers, flags as booleans, instants
as the line's local time (a spreadsheet has no zones), every text as text — never a formula —
so its first sheet equals the CSV cell by cell. Further sheets hold the report's totals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import IO, TextIO, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from models.exports import csv_cell

Cell = str | int | float | bool | datetime | date | None
Row = Sequence[Cell]

XLSX_INSTANT_FORMAT = "DD.MM.YYYY HH:MM:SS"
XLSX_DATE_FORMAT = "DD.MM.YYYY"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


class Kind(StrEnum):
    TEXT = "text"
    PHONE = "phone"  # text; a valid E.164 number is written as is (models.exports.PHONE_FIELDS)
    NUMBER = "number"  # int or float
    FLAG = "flag"
    INSTANT = "instant"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: int = 14  # XLSX column width, in characters


@dataclass(frozen=True, slots=True)
class Sheet:
    """A further XLSX sheet: a small table of totals (a chart's figures, counts by reason)."""

    title: str  # at most 31 characters, none of []:*?/\
    columns: tuple[Column, ...]
    rows: list[Row]


def write_csv(columns: Sequence[Column], rows: Iterable[Row], out: TextIO) -> int:
    """The header, then one line per row; returns the number of rows."""
    count = -1
    for line in csv_lines(columns, rows):
        out.write(line)
        count += 1
    return count


def csv_lines(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[str]:
    """The CSV line by line (each with its CRLF), the header first: for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    yield _taken(buffer)
    for row in rows:
        writer.writerow(
            [
                csv_cell(value, phone=column.kind is Kind.PHONE)
                for column, value in zip(columns, row, strict=True)
            ]
        )
        yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Row],
    out: IO[bytes],
    *,
    title: str,
    sheets: Sequence[Sheet] = (),
) -> int:
    """A workbook: ``title`` holds the table (header frozen), then each of ``sheets``. Rows
    are written as they come (openpyxl's write-only mode keeps them out of memory); returns
    the number of rows of the table."""
    book = Workbook(write_only=True)
    table = _sheet(book, title, columns)
    count = 0
    for row in rows:
        table.append(_xlsx_row(table, columns, row))
        count += 1
    for extra in sheets:
        sheet = _sheet(book, extra.title, extra.columns)
        for row in extra.rows:
            sheet.append(_xlsx_row(sheet, extra.columns, row))
    book.save(out)  # a binary file object: what ZipFile takes
    return count


def _sheet(book: Workbook, title: str, columns: Sequence[Column]) -> WriteOnlyWorksheet:
    sheet = book.create_sheet(title)
    assert isinstance(sheet, WriteOnlyWorksheet)
    # Worksheet._setup, which the write-only sheet shares, gives it column_dimensions; the
    # type stubs leave them out.
    dimensions = cast(Worksheet, sheet).column_dimensions
    for number, column in enumerate(columns, start=1):
        dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    return sheet


def _xlsx_row(sheet: WriteOnlyWorksheet, columns: Sequence[Column], row: Row) -> list[object]:
    return [_xlsx_cell(sheet, value) for _column, value in zip(columns, row, strict=True)]


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> object:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = XLSX_INSTANT_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=datetime.combine(value, time(0)))
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, str) and (
        value.startswith("=") or value in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(value)
    ):
        # Text stays text: openpyxl would store "=..." as a formula and "#N/A" as an error.
        # Characters XML cannot hold (control characters) are dropped.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return value


def display(value: Cell, kind: Kind) -> str:
    """A cell as the page shows it: ``05.10.2026 09:12``, ``да``/``нет``, ``12,5``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
