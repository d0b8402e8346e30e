"""«Операторы» (C4), for supervisors and administrators:

* ``GET /reports/operators`` — per operator the calls answered in the period, talk time,
  wrap-ups missing and the training today; filters department and training state; a chart of
  the calls answered; ``?print=1`` the print view; under the table the form that records a
  completed training;
* ``GET /reports/operators.csv``, ``GET /reports/operators.xlsx`` — the table as a file
  (audited, as every report's);
* ``POST /reports/operators/training`` — records a completed training (``models.training_log``,
  audited as ``training_recorded``), then back to the report with the same period and filters
  (303), where the operator's row shows the new state; a mistake gets the report with the
  form, the Russian messages by their fields and status 422, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.navigation import Link
from agent_console.report_pages import (
    PRINT,
    SINCE,
    UNTIL,
    Fact,
    FactGroup,
    Option,
    ReportForm,
    ReportPage,
    choice_group,
    href,
    printing,
    query_values,
    table_view,
)
from agent_console.routes.reports import _download, _period
from agent_console.templating import Layout, render
from models.audit_trail import web_actor
from models.db import session_scope
from models.rules.training import TrainingKind
from models.tables import ServiceIntroduction
from models.training_log import (
    NOTE_MAX,
    TRAINING_KIND_LABELS_RU,
    TrainingForm,
    TrainingInput,
    check_training,
    record_training,
)
from models.user_sessions import SignedIn
from reports.charts import bar_chart
from reports.inputs import FilterValues, InputError, single
from reports.operators import (
    DEPARTMENT,
    OPERATORS,
    TRAINING,
    OperatorsReport,
    answered_series,
    department_names,
    operators,
    operators_report,
    operators_tally,
    training_views,
)
from reports.training_state import TRAINING_STATE_LABELS_RU, TrainingState

router = APIRouter(prefix="/reports", tags=["reports"])

PATH = "/reports/operators"
TRAINING_PATH = "/reports/operators/training"
RECORDED, ALREADY = "recorded", "already"  # after the form: whose training, and whether new
FormText = Annotated[str, Form(max_length=2048)]


@dataclass(frozen=True, slots=True)
class TrainingFormView:
    """The form that records a completed training, as shown (with what was sent)."""

    action: str
    back: str  # the report's query string, to come back to the same period and filters
    today: str  # the date field's max
    employees: list[Option]
    kinds: list[Option]
    services: list[Option]
    completed_on: str = ""
    note: str = ""
    note_max: int = NOTE_MAX
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OperatorsPage(ReportPage):
    training: TrainingFormView | None = None
    notice: str = ""  # after recording a training


@router.get("/operators", include_in_schema=False)
def operators_page(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    """«Операторы» (C4)."""
    values = query_values(request)
    return _report_response(request, backend, user, values)


@router.get("/operators.csv", include_in_schema=False)
def operators_csv(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    return _download(request, backend, user, OPERATORS, "csv")


@router.get("/operators.xlsx", include_in_schema=False)
def operators_xlsx(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*SUPERVISORS)]
) -> Response:
    return _download(request, backend, user, OPERATORS, "xlsx")


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
        return _report_response(request, backend, user, values, sent=sent, errors=checked)
    outcome = RECORDED if recorded else ALREADY
    target = href(PATH, values, **{outcome: str(checked.employee_id)})
    return RedirectResponse(target, status_code=303)


# --------------------------------------------------------------------------- the page


def _report_response(
    request: Request,
    backend: Backend,
    user: SignedIn,
    values: FilterValues,
    *,
    sent: TrainingForm | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    title = OPERATORS.title
    with Session(backend.engine) as session:
        departments = department_names(session)
        try:
            period = _period(values, backend)
            report = operators_report(period, values, backend.settings.tz, backend.today())
            OPERATORS.check(session, values)
        except InputError as refused:
            form = _form(values, departments, invalid=refused.field)
            shown = OperatorsPage(title=title, form=form, error=refused.message)
            return render(
                request,
                "report_operators.html",
                layout=layout,
                title=title,
                page=shown,
                status=422,
            )
        shown = _view(session, values, report, departments, sent=sent, errors=errors or {})
    status = 422 if errors else 200
    return render(
        request, "report_operators.html", layout=layout, title=title, page=shown, status=status
    )


def _form(
    values: FilterValues,
    departments: dict[str, str],
    *,
    report: OperatorsReport | None = None,
    invalid: str = "",
) -> ReportForm:
    period = report.period if report else None
    states = {state.value: TRAINING_STATE_LABELS_RU[state] for state in TrainingState}
    return ReportForm(
        action=PATH,
        since=period.since.isoformat() if period else single(values, SINCE) or "",
        until=period.until.isoformat() if period else single(values, UNTIL) or "",
        radios=[],
        checkboxes=[
            choice_group(values, DEPARTMENT, "Отдел", departments, invalid=invalid),
            choice_group(values, TRAINING, "Обучение", states, invalid=invalid),
        ],
        invalid=invalid,
    )


def _view(
    session: Session,
    values: FilterValues,
    report: OperatorsReport,
    departments: dict[str, str],
    *,
    sent: TrainingForm | None,
    errors: dict[str, str],
) -> OperatorsPage:
    period = report.period
    rows = report.listing(session)
    tally = operators_tally(rows)
    shown_print = printing(values)
    form = _form(values, departments, report=report)
    clean = {RECORDED: "", ALREADY: ""}
    average = (
        f"{tally.talk_average_s:.1f}".replace(".", ",") if tally.talk_average_s is not None else "—"
    )
    return OperatorsPage(
        title=OPERATORS.title,
        form=form,
        period=period.label(),
        filters=[
            Fact(group.legend, ", ".join(o.label for o in group.options if o.checked) or "Все")
            for group in form.checkboxes
        ],
        facts=[
            FactGroup(
                "Итого",
                [
                    Fact("Операторов", str(tally.operators)),
                    Fact("Принято звонков", str(tally.answered)),
                    Fact("Разговор всего, мин", f"{tally.talk_total_min:.1f}".replace(".", ",")),
                    Fact("Разговор в среднем, с", average),
                    Fact("Без итога", str(tally.without_wrapup)),
                ],
            ),
            FactGroup(
                f"Обучение на {report.today:%d.%m.%Y}",
                [
                    Fact(TRAINING_STATE_LABELS_RU[s], str(tally.by_training[s]))
                    for s in TrainingState
                ],
            ),
        ],
        charts=[bar_chart(answered_series(rows, period))],
        table=table_view(
            f"Операторы за {period.label()}", report.columns, [row.cells() for row in rows]
        ),
        downloads=[
            Link(href(f"{PATH}.xlsx", values, **clean), "Скачать XLSX"),
            Link(href(f"{PATH}.csv", values, **clean), "Скачать CSV"),
        ],
        print_href=href(PATH, values, **{PRINT: "1"}, **clean),
        back_href=href(PATH, values, **clean),
        printing=shown_print,
        note=_notice(session, values, report),
        training=None if shown_print else _training_form(session, values, report, sent, errors),
    )


def _notice(session: Session, values: FilterValues, report: OperatorsReport) -> str:
    """After the form: what was recorded, and the operator's training now."""
    for name, said in ((RECORDED, "Обучение записано"), (ALREADY, "Это обучение уже записано")):
        text = (single(values, name) or "").strip()
        if not text.isdigit():
            continue
        employee_id = int(text)
        found = operators(session)
        who = next((o for o in found if o.employee_id == employee_id), None)
        if who is None:
            return ""
        state = training_views(session, [employee_id], report.today).get(employee_id)
        now = f": {state.describe()}" if state else ""
        return f"{said} — {who.full_name} ({who.internal_number}){now}."
    return ""


def _training_form(
    session: Session,
    values: FilterValues,
    report: OperatorsReport,
    sent: TrainingForm | None,
    errors: dict[str, str],
) -> TrainingFormView:
    sent = sent or TrainingForm(completed_on=report.today.isoformat())
    active = [o for o in operators(session) if o.active]
    states = training_views(session, [o.employee_id for o in active], report.today)
    services = session.exec(
        select(ServiceIntroduction).order_by(col(ServiceIntroduction.introduced_on))
    ).all()
    return TrainingFormView(
        action=TRAINING_PATH,
        back=href("", values, **{RECORDED: "", ALREADY: ""}).removeprefix("?"),
        today=report.today.isoformat(),
        employees=[
            Option(
                str(o.employee_id),
                f"{o.full_name} ({o.internal_number}) — {states[o.employee_id].describe()}",
                sent.employee == str(o.employee_id),
            )
            for o in active
        ],
        kinds=[
            Option(k.value, TRAINING_KIND_LABELS_RU[k], sent.kind == k.value) for k in TrainingKind
        ],
        services=[
            Option(
                s.code, f"{s.title} (введена {s.introduced_on:%d.%m.%Y})", sent.service == s.code
            )
            for s in services
        ],
        completed_on=sent.completed_on,
        note=sent.note,
        errors=errors,
    )
