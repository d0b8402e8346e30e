"""The training form of «Операторы» (C4), for supervisors and administrators (the report's
page and downloads are ``agent_console.routes.reports``'s):

* ``POST /reports/operators/training`` — records a completed training (``models.training_log``,
  audited as ``training_recorded``), then back to the report with the same period and filters
  (303), where the operator's row shows the new state; a mistake gets the report with the
  form, the Russian messages by their fields and status 422, nothing written.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import page
from agent_console.deps import BackendDep
from agent_console.report_pages import PRINT, href
from agent_console.report_screen import report_path, report_response
from agent_console.screens.operators import ALREADY, RECORDED, OperatorsScreen
from models.audit_trail import web_actor
from models.db import session_scope
from models.training_log import TrainingForm, TrainingInput, check_training, record_training
from models.user_sessions import SignedIn
from reports.operators import OPERATORS

router = APIRouter(prefix="/reports", tags=["reports"])

FormText = Annotated[str, Form(max_length=2048)]


@router.post("/operators/training", include_in_schema=False)
def record_training_submit(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*SUPERVISORS)],
    employee: FormText = "",
    kind: FormText = "",
    service: FormText = "",
    completed_on: FormText = "",
    note: FormText = "",
    back: FormText = "",
) -> Response:
    """Records a completed training (C4); a second identical one changes nothing."""
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(back, keep_blank_values=True):
        if name not in (RECORDED, ALREADY, PRINT):
            values.setdefault(name, []).append(value)
    sent = TrainingForm(employee, kind, service, completed_on, note)
    with session_scope(backend.engine) as session:
        checked = check_training(session, sent, backend.today())
        recorded = isinstance(checked, TrainingInput) and record_training(
            session, checked, at=backend.clock(), actor=web_actor(user.login)
        )
    if isinstance(checked, dict):
        screen = OperatorsScreen(sent=sent, errors=checked)
        return report_response(request, backend, user, screen, values, status=422)
    outcome = RECORDED if recorded else ALREADY
    target = href(report_path(OPERATORS), values, **{outcome: str(checked.employee_id)})
    return RedirectResponse(target, status_code=303)
