"""``GET /health``: which line (the real Asterisk or the training line), database reachability,
schema, production-calendar warnings, line state, the AMI link and its permissions, the
reconciliation sources, sounds the IVR could not play, the speech model, the mail receiver."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from agent_console.auth.rules import public
from agent_console.deps import ContextDep

router = APIRouter(tags=["health"])

# Public: monitors poll it without an account. It says what is wrong (database, AMI, calendar)
# but shows no caller's data.


class YearStatusOut(BaseModel):
    year: int
    source: str
    note: str


class HealthOut(BaseModel):
    status: str
    version: str
    line: dict[str, str] | None
    database: str
    line_open: bool | None
    calendar: list[YearStatusOut]
    warnings: list[str]
    ami: dict[str, Any] | None
    reconciliation: dict[str, Any] | None
    missing_sounds: list[dict[str, Any]]
    speech: dict[str, Any] | None
    mail: dict[str, Any] | None
    visit_calls: dict[str, str] | None


@router.get("/health", response_model=HealthOut, dependencies=[public])
def health(context: ContextDep, response: Response) -> HealthOut:
    # A plain def: FastAPI runs it in a worker thread, so the database check never
    # blocks the event loop that later serves AGI and AMI.
    report = context.health()
    if report.status == "unavailable":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthOut(
        status=report.status,
        version=context.version,
        line=dict(report.line) if report.line is not None else None,
        database=report.database,
        line_open=report.line_open,
        calendar=[
            YearStatusOut(year=s.year, source=s.source.value, note=s.note) for s in report.calendar
        ],
        warnings=list(report.warnings),
        ami=dict(report.ami) if report.ami is not None else None,
        reconciliation=dict(report.reconciliation) if report.reconciliation is not None else None,
        missing_sounds=[dict(sound) for sound in report.missing_sounds],
        speech=dict(report.speech) if report.speech is not None else None,
        mail=dict(report.mail) if report.mail is not None else None,
        visit_calls=dict(report.visit_calls) if report.visit_calls is not None else None,
    )
