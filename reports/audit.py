"""Every report written to a file is in the audit log: it carries callers' numbers.

``actor`` as elsewhere (``web:<login>``, ``cli:<system user>``); ``subject`` the report
(``report:missed``); ``detail`` the period, the filters, the format and, when known, how many
rows were written (``interrupted`` when the output broke off).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models.tables import AuditEntry
from reports.report import ReportQuery, ReportSpec

ACTION = "report_export"


def record_report_export(
    session: Session,
    *,
    at: datetime,
    actor: str,
    spec: ReportSpec,
    query: ReportQuery,
    extension: str,
    rows: int | None = None,
    complete: bool = True,
) -> None:
    detail = f"{query.describe()} format={extension}"
    if rows is not None:
        detail += f" rows={rows}"
    if not complete:
        detail += " interrupted"
    session.add(
        AuditEntry(
            at=at, actor=actor[:128], action=ACTION, subject=f"report:{spec.name}", detail=detail
        )
    )
