"""The pieces every report page is made of (``templates/report.html`` with the macros of
``templates/report_macros.html``): the period and filter form, the figures, the charts, a
page of the table with links to the others, and the downloads of the whole of it.

A report's route reads its query string with :func:`query_values`, asks its report for the
figures and builds a :class:`ReportPage` from these pieces; a request the report cannot
answer (``reports.inputs.InputError``) gets the same page with the form, the message and no
figures, status 422.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import Request

from agent_console.navigation import Link
from client_history.reference import ref_path
from models.phones import normalize_phone
from reports.charts import ChartView
from reports.inputs import FilterValues, InputError, single
from reports.table import Column, Kind, Row, display

PAGE_ROWS = 200
PRINT_ROWS = 5000
PAGE, PRINT, SINCE, UNTIL = "page", "print", "since", "until"
NO_CALLS = "За этот период с этими фильтрами звонков нет."


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True, slots=True)
class ChoiceGroup:
    name: str
    legend: str
    kind: str  # "checkbox" (none ticked: all) or "radio"
    options: list[Option]
    invalid: bool = False


@dataclass(frozen=True, slots=True)
class ReportForm:
    action: str
    since: str
    until: str
    radios: list[ChoiceGroup]
    checkboxes: list[ChoiceGroup]  # folded away until one of them is used
    invalid: str = ""  # the field at fault: "since", "until" or a group's name

    @property
    def ticked(self) -> int:
        return sum(option.checked for group in self.checkboxes for option in group.options)

    @property
    def unfolded(self) -> bool:
        return bool(self.ticked) or any(group.invalid for group in self.checkboxes)

    @property
    def fold_title(self) -> str:
        names = ", ".join(group.legend.lower() for group in self.checkboxes)
        return f"Фильтры: {names}" + (f" (отмечено: {self.ticked})" if self.ticked else "")


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class FactGroup:
    title: str
    facts: list[Fact]


@dataclass(frozen=True, slots=True)
class Header:
    text: str
    kind: str  # reports.table.Kind: the cells' class (numbers right-aligned, instants unbroken)


@dataclass(frozen=True, slots=True)
class TableView:
    caption: str
    headers: list[Header]
    rows: list[list[str]]
    empty: str = NO_CALLS
    # Per row, the cells that link somewhere (column index → address): a caller's number
    # opens the caller's history (G4).
    links: list[dict[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Pager:
    first_row: int
    last_row: int
    total: int
    page: int
    pages: int
    previous: str  # "" on the first page
    next: str  # "" on the last


@dataclass(frozen=True, slots=True)
class ReportPage:
    title: str
    form: ReportForm
    error: str = ""
    period: str = ""  # "01.10.2026–31.10.2026"
    filters: list[Fact] = field(default_factory=list)  # what was chosen, said in words
    facts: list[FactGroup] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)
    table: TableView | None = None
    breakdowns: list[TableView] = field(default_factory=list)  # small tables of figures
    pager: Pager | None = None
    downloads: list[Link] = field(default_factory=list)
    print_href: str = ""
    back_href: str = ""  # the print view's way back to the report
    printing: bool = False
    note: str = ""  # e.g. the print view shows only the first rows
    extra: object = None  # a report's own part, for its template (the survey's trend)


def query_values(request: Request) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        values.setdefault(name, []).append(value)
    return values


def page_number(values: FilterValues) -> int:
    text = (single(values, PAGE) or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise InputError(f"Номер страницы — целое число от 1, получено «{shown}».", PAGE)
    return int(text)


def printing(values: FilterValues) -> bool:
    return (single(values, PRINT) or "") not in ("", "0")


def choice_group(
    values: FilterValues,
    name: str,
    legend: str,
    labels: Mapping[str, str],
    *,
    kind: str = "checkbox",
    default: str = "",
    invalid: str = "",
) -> ChoiceGroup:
    """A group of the form with the options ticked as sent (an unknown value ticks none)."""
    sent = {value.strip() for value in values.get(name, ())}
    if kind == "radio":
        last = [value.strip() for value in values.get(name, ()) if value.strip()]
        sent = {last[-1] if last and last[-1] in labels else default}
    options = [Option(value, label, value in sent) for value, label in labels.items()]
    return ChoiceGroup(name, legend, kind, options, invalid=invalid == name)


def table_view(
    caption: str, columns: Sequence[Column], rows: Sequence[Row], *, empty: str = ""
) -> TableView:
    return TableView(
        caption=caption,
        empty=empty or NO_CALLS,
        headers=[Header(column.header, column.kind.value) for column in columns],
        rows=[
            [display(value, column.kind) for column, value in zip(columns, row, strict=True)]
            for row in rows
        ],
        links=[_links(columns, row) for row in rows],
    )


def _links(columns: Sequence[Column], row: Row) -> dict[int, str]:
    """A valid E.164 number in a phone column links to that number's history."""
    return {
        index: ref_path(value)
        for index, (column, value) in enumerate(zip(columns, row, strict=True))
        if column.kind is Kind.PHONE and isinstance(value, str) and normalize_phone(value) == value
    }


def pages_of(total: int, *, rows: int = PAGE_ROWS) -> int:
    return max(1, math.ceil(total / rows))


def pager(
    path: str, values: FilterValues, page: int, total: int, *, rows: int = PAGE_ROWS
) -> Pager:
    """Page ``page`` of ``total`` rows, ``rows`` a page."""
    pages = pages_of(total, rows=rows)
    first = (page - 1) * rows
    return Pager(
        first_row=first + 1 if total else 0,
        last_row=min(first + rows, total),
        total=total,
        page=page,
        pages=pages,
        previous=href(path, values, page=str(page - 1)) if page > 1 else "",
        next=href(path, values, page=str(page + 1)) if page < pages else "",
    )


def href(path: str, values: FilterValues, **changes: str) -> str:
    """``path`` with the request's values, less page and print, plus ``changes``."""
    pairs = [
        (name, value)
        for name, sent in values.items()
        if name not in (PAGE, PRINT, *changes)
        for value in sent
    ]
    pairs += [(name, value) for name, value in changes.items() if value]
    return f"{path}?{urlencode(pairs)}" if pairs else path
