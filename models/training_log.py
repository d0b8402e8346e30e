"""A completed training recorded in the console by a supervisor or administrator (C4): the
form's fields checked with a Russian sentence each, then a ``training_records`` row and an
audit entry (``training_recorded``: who, when, which employee, what).

The training's ``subject`` follows the staff file: the service's code for a training on a new
service, otherwise the note (the note is in the audit entry either way). The same training
sent twice (a double click, a form sent again) is recorded once: the employee's row is locked
(PostgreSQL; SQLite has one writer at a time) and the row is inserted only if no training of
that kind, day and subject is there yet — one ``INSERT … SELECT … WHERE NOT EXISTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, literal
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from models.rules.calendar import require_aware
from models.rules.training import TrainingKind
from models.tables import AuditEntry, Employee, EmployeeRole, Role, ServiceIntroduction
from models.tables.staff import TrainingEntry

TRAINING_RECORDED = "training_recorded"
NOTE_MAX = 255
FIRST_YEAR = 2000

TRAINING_KIND_LABELS_RU: dict[TrainingKind, str] = {
    TrainingKind.INITIAL: "Перед первой сменой",
    TrainingKind.PERIODIC: "Повторное (раз в два года)",
    TrainingKind.NEW_SERVICE: "По новой услуге",
}


@dataclass(frozen=True, slots=True)
class TrainingForm:
    """The form as sent: every field text, empty when missing."""

    employee: str = ""
    kind: str = ""
    service: str = ""
    completed_on: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class TrainingInput:
    employee_id: int
    internal_number: str
    full_name: str
    kind: TrainingKind
    service_code: str  # "" unless a new service
    completed_on: date
    note: str

    @property
    def subject(self) -> str:
        return self.service_code if self.kind is TrainingKind.NEW_SERVICE else self.note


def check_training(
    session: Session, form: TrainingForm, today: date
) -> TrainingInput | dict[str, str]:
    """The training to record, or a Russian message for each field at fault."""
    errors: dict[str, str] = {}
    employee = _operator(session, form.employee.strip())
    if employee is None:
        errors["employee"] = "Выберите оператора из списка."
    kind = next((k for k in TrainingKind if k.value == form.kind.strip()), None)
    if kind is None:
        errors["kind"] = "Выберите вид обучения."
    service = None
    if kind is TrainingKind.NEW_SERVICE:
        code = form.service.strip()
        if not code:
            errors["service"] = "Для обучения по новой услуге выберите услугу."
        else:
            service = session.exec(
                select(ServiceIntroduction).where(col(ServiceIntroduction.code) == code)
            ).first()
            if service is None:
                errors["service"] = "Такой услуги нет в справочнике: выберите из списка."
    completed_on = _completed_on(form.completed_on, today, errors)
    if service is not None and completed_on is not None and completed_on < service.introduced_on:
        errors["completed_on"] = (
            f"Обучение по услуге «{service.title}» не может быть раньше её введения "
            f"({service.introduced_on:%d.%m.%Y})."
        )
    note = form.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Примечание — не длиннее {NOTE_MAX} символов (сейчас {len(note)})."
    if errors:
        return errors
    assert employee is not None
    assert employee.id is not None
    assert kind is not None
    assert completed_on is not None
    return TrainingInput(
        employee_id=employee.id,
        internal_number=employee.internal_number,
        full_name=employee.full_name,
        kind=kind,
        service_code=service.code if service is not None else "",
        completed_on=completed_on,
        note=note,
    )


def record_training(session: Session, item: TrainingInput, *, at: datetime, actor: str) -> bool:
    """Writes the training and its audit entry; False (and nothing written) when the same
    training is recorded already."""
    require_aware(at, "at")
    session.exec(select(Employee.id).where(col(Employee.id) == item.employee_id).with_for_update())
    same = sql_select(col(TrainingEntry.id)).where(
        col(TrainingEntry.employee_id) == item.employee_id,
        col(TrainingEntry.kind) == item.kind,
        col(TrainingEntry.completed_on) == item.completed_on,
        col(TrainingEntry.subject) == item.subject,
    )
    values = sql_select(
        literal(item.employee_id),
        literal(item.kind.value),
        literal(item.completed_on),
        literal(item.subject),
        literal(actor),
    ).where(~same.exists())
    statement = (
        insert(TrainingEntry)
        .from_select(["employee_id", "kind", "completed_on", "subject", "recorded_by"], values)
        .returning(col(TrainingEntry.id))
    )
    if session.connection().execute(statement).first() is None:
        return False
    detail = f"kind={item.kind.value} completed_on={item.completed_on.isoformat()}"
    if item.service_code:
        detail += f" service={item.service_code}"
    if item.note:
        detail += f" note={item.note}"
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            action=TRAINING_RECORDED,
            subject=f"employee:{item.internal_number}",
            detail=detail,
        )
    )
    return True


def _operator(session: Session, text: str) -> Employee | None:
    if not text.isdigit() or len(text) > 18:
        return None
    return session.exec(
        select(Employee)
        .join(EmployeeRole, col(EmployeeRole.employee_id) == col(Employee.id))
        .where(
            col(Employee.id) == int(text),
            col(Employee.active),
            col(EmployeeRole.role) == Role.OPERATOR,
        )
    ).first()


def _completed_on(text: str, today: date, errors: dict[str, str]) -> date | None:
    text = text.strip()
    if not text:
        errors["completed_on"] = "Укажите дату обучения."
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 20 else text[:20] + "…"
        errors["completed_on"] = f"Дата обучения — в виде ГГГГ-ММ-ДД, получено «{shown}»."
        return None
    if day > today:
        errors["completed_on"] = (
            f"Дата обучения не может быть позже сегодняшнего дня ({today:%d.%m.%Y})."
        )
        return None
    if day.year < FIRST_YEAR:
        errors["completed_on"] = f"Дата обучения — не раньше {FIRST_YEAR} года."
        return None
    return day
