"""«Операторы» (C4, ``reports.operators``): per operator the calls answered in the period,
talk time, wrap-ups missing and the training today, a chart of the calls answered, the whole
table on one page; under it the form that records a completed training
(``templates/report_operators.html``), shown again with its messages when it was sent wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from agent_console.deps import Backend
from agent_console.report_pages import (
    ChoiceGroup,
    Fact,
    FactGroup,
    Option,
    choice_group,
    href,
    printing,
    table_view,
)
from agent_console.report_screen import Body, Choices, ReportScreen
from models.rules.training import TrainingKind
from models.tables import ServiceIntroduction
from models.training_log import NOTE_MAX, TRAINING_KIND_LABELS_RU, TrainingForm
from reports.charts import bar_chart
from reports.inputs import FilterValues, single
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
from reports.period import Period
from reports.report import ReportSpec
from reports.training_state import TRAINING_STATE_LABELS_RU, TrainingState

TRAINING_PATH = "/reports/operators/training"
RECORDED, ALREADY = "recorded", "already"  # after the form: whose training, and whether new


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


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorsScreen(ReportScreen[OperatorsReport]):
    sent: TrainingForm | None = None  # the training form as sent, when it was refused
    errors: dict[str, str] = field(default_factory=dict)  # its messages by field
    spec: ReportSpec = OPERATORS
    unit: str = "операторов"
    template: str = "report_operators.html"
    one_time: tuple[str, ...] = (RECORDED, ALREADY)
    paged: bool = False

    def choices(self, session: Session) -> Choices:
        return department_names(session)

    def made(
        self, session: Session, period: Period, values: FilterValues, backend: Backend
    ) -> OperatorsReport:
        report = operators_report(period, values, backend.settings.tz, backend.today())
        OPERATORS.check(session, values)
        return report

    def groups(
        self, values: FilterValues, choices: Choices, invalid: str
    ) -> tuple[list[ChoiceGroup], list[ChoiceGroup]]:
        states = {state.value: TRAINING_STATE_LABELS_RU[state] for state in TrainingState}
        return [], [
            choice_group(values, DEPARTMENT, "Отдел", choices, invalid=invalid),
            choice_group(values, TRAINING, "Обучение", states, invalid=invalid),
        ]

    def body(
        self,
        session: Session,
        values: FilterValues,
        query: OperatorsReport,
        number: int,
        choices: Choices,
    ) -> Body:
        period, today = query.period, query.today
        assert today is not None, "made with the line's date"
        rows = query.listing(session)
        tally = operators_tally(rows)
        average = (
            f"{tally.talk_average_s:.1f}".replace(".", ",")
            if tally.talk_average_s is not None
            else "—"
        )
        return Body(
            facts=[
                FactGroup(
                    "Итого",
                    [
                        Fact("Операторов", str(tally.operators)),
                        Fact("Принято звонков", str(tally.answered)),
                        Fact(
                            "Разговор всего, мин", f"{tally.talk_total_min:.1f}".replace(".", ",")
                        ),
                        Fact("Разговор в среднем, с", average),
                        Fact("Без итога", str(tally.without_wrapup)),
                    ],
                ),
                FactGroup(
                    f"Обучение на {today:%d.%m.%Y}",
                    [
                        Fact(TRAINING_STATE_LABELS_RU[s], str(tally.by_training[s]))
                        for s in TrainingState
                    ],
                ),
            ],
            charts=[bar_chart(answered_series(rows, period))],
            table=table_view(
                f"Операторы за {period.label()}", query.columns, [row.cells() for row in rows]
            ),
            total=len(rows),
            note=_notice(session, values, today),
            extra=None if printing(values) else self._training_form(session, values, today),
        )

    def _training_form(
        self, session: Session, values: FilterValues, today: date
    ) -> TrainingFormView:
        sent = self.sent or TrainingForm(completed_on=today.isoformat())
        active = [o for o in operators(session) if o.active]
        states = training_views(session, [o.employee_id for o in active], today)
        services = session.exec(
            select(ServiceIntroduction).order_by(col(ServiceIntroduction.introduced_on))
        ).all()
        return TrainingFormView(
            action=TRAINING_PATH,
            back=href("", values, **{RECORDED: "", ALREADY: ""}).removeprefix("?"),
            today=today.isoformat(),
            employees=[
                Option(
                    str(o.employee_id),
                    f"{o.full_name} ({o.internal_number}) — {states[o.employee_id].describe()}",
                    sent.employee == str(o.employee_id),
                )
                for o in active
            ],
            kinds=[
                Option(k.value, TRAINING_KIND_LABELS_RU[k], sent.kind == k.value)
                for k in TrainingKind
            ],
            services=[
                Option(
                    s.code,
                    f"{s.title} (введена {s.introduced_on:%d.%m.%Y})",
                    sent.service == s.code,
                )
                for s in services
            ],
            completed_on=sent.completed_on,
            note=sent.note,
            errors=self.errors,
        )


def _notice(session: Session, values: FilterValues, today: date) -> str:
    """After the form: what was recorded, and the operator's training now."""
    for name, said in ((RECORDED, "Обучение записано"), (ALREADY, "Это обучение уже записано")):
        text = (single(values, name) or "").strip()
        if not text.isdigit():
            continue
        employee_id = int(text)
        who = next((o for o in operators(session) if o.employee_id == employee_id), None)
        if who is None:
            return ""
        state = training_views(session, [employee_id], today).get(employee_id)
        now = f": {state.describe()}" if state else ""
        return f"{said} — {who.full_name} ({who.internal_number}){now}."
    return ""
