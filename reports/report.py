"""What every report is to the page, the downloads and ``consult-line report``.

A :class:`ReportSpec` names a report and turns a period and filters into a
:class:`ReportQuery` (or refuses them with ``reports.inputs.InputError``); the query reads its
table from the database as rows of typed cells, and its totals as further sheets. The page
shows the same query a page of rows at a time; CSV and XLSX write all of it, read in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Protocol, TextIO, runtime_checkable
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.settings import Settings
from reports.inputs import FilterValues
from reports.period import Period
from reports.table import Column, Row, Sheet, write_csv, write_xlsx


class ReportQuery(Protocol):
    @property
    def columns(self) -> tuple[Column, ...]: ...

    def rows(self, session: Session) -> Iterator[Row]:
        """Every row of the table, in order, read from the database in batches."""
        ...

    def sheets(self, session: Session) -> list[Sheet]:
        """The totals, for the XLSX's further sheets."""
        ...

    def describe(self) -> str:
        """The period and the filters in one line, for the audit log."""
        ...


def known_values(session: Session, values: FilterValues) -> None:
    """Most reports know every filter value without the database: nothing to check."""


@runtime_checkable
class Preparing(Protocol):
    """A report that needs more than the period before it runs: the instant and the line's
    calendar (deadlines, C11), the line's date (training due today, C4), or a look at the
    directory (a filter naming an employee). Raises ``reports.inputs.InputError`` for a value
    nobody has."""

    def prepared(self, session: Session, now: datetime, settings: Settings) -> ReportQuery: ...


@dataclass(frozen=True, slots=True)
class ReportSpec:
    name: str  # in the page's address and the command: "missed"
    title: str  # "Пропущенные звонки"
    file_stem: str  # downloads are FILE_STEM_SINCE_UNTIL.csv
    filters: tuple[str, ...]  # names of its filters, as in the query string and the command
    query: Callable[[Period, FilterValues, ZoneInfo], ReportQuery]
    # Filter values only the database knows (a department's code): InputError if unknown.
    check: Callable[[Session, FilterValues], None] = known_values

    def made(
        self,
        session: Session,
        period: Period,
        values: FilterValues,
        now: datetime,
        settings: Settings,
    ) -> ReportQuery:
        """The report's query ready to run (a :class:`Preparing` one prepared), or
        ``reports.inputs.InputError`` for a request it refuses."""
        query = self.query(period, values, settings.tz)
        self.check(session, values)
        if isinstance(query, Preparing):
            return query.prepared(session, now, settings)
        return query

    def file_name(self, period: Period, extension: str) -> str:
        return f"{self.file_stem}_{period.slug()}.{extension}"


def export_csv(query: ReportQuery, session: Session, out: TextIO) -> int:
    return write_csv(query.columns, query.rows(session), out)


def export_xlsx(spec: ReportSpec, query: ReportQuery, session: Session, out: IO[bytes]) -> int:
    return write_xlsx(
        query.columns, query.rows(session), out, title=spec.title, sheets=query.sheets(session)
    )
