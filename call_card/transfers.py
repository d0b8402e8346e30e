"""Transfers from the card (C9, C10): whom the call can go to, and whether it may go now.

Targets are the active employees competent for the topic (``employee_competences``), the
operator left out, each with what the console's live state says about their phone, available
first. Whether the transfer may start is decided here before the console sends anything
(``ami.actions.blind_transfer`` / ``attended_transfer`` take the plan's extension and history);
the dialplan's guard decides again and records the attempt, so nothing is written here.

Availability comes from a snapshot of the live state (``ami.live_state.LiveState.snapshot``),
matched to employees by device. Only queue members are in it: an expert who never joins the
queue is "not signed in" there, though their phone may well ring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from ami.live_state import OperatorActivity
from call_card.labels import TRANSFER_OUTCOME_LABELS_RU
from call_card.lookup import call_client, employee_names, find_call_and_operator
from call_card.refusals import Refusal, conflict, invalid, not_found
from call_card.script_text import Slot
from call_card.scripts import Script, ScriptKind, call_language, call_values, script
from models.rules.transfers import (
    MAX_TRANSFERS_PER_CALL,
    TransferDecision,
    TransferOutcome,
    TransferRecord,
    may_transfer,
)
from models.tables import Call, CallTransfer, Department, Employee, EmployeeCompetence, TransferKind
from models.topics import Topic

CALLBACK_OFFER_RU = (
    "Оформите заявку на обратный звонок в карточке звонка: специалист подготовит ответ, "
    "и звонящему перезвонят в удобное время."
)


class Availability(StrEnum):
    READY = "ready"
    PAUSED = "paused"  # paused in the queue or in after-call work: the phone is free
    TALKING = "talking"  # on a call or ringing
    NOT_SIGNED_IN = "not_signed_in"  # not in the queue, or the phone is unreachable


AVAILABILITY_LABELS_RU: dict[Availability, str] = {
    Availability.READY: "Свободен",
    Availability.PAUSED: "На паузе",
    Availability.TALKING: "Разговаривает",
    Availability.NOT_SIGNED_IN: "Не в сети",
}
_AVAILABILITY_ORDER = {availability: rank for rank, availability in enumerate(Availability)}
_ACTIVITIES = frozenset(activity.value for activity in OperatorActivity)
_BY_ACTIVITY: dict[OperatorActivity, Availability] = {
    OperatorActivity.READY: Availability.READY,
    OperatorActivity.PAUSED: Availability.PAUSED,
    OperatorActivity.WRAP_UP: Availability.PAUSED,
    OperatorActivity.RINGING: Availability.TALKING,
    OperatorActivity.ON_CALL: Availability.TALKING,
    OperatorActivity.UNAVAILABLE: Availability.NOT_SIGNED_IN,
}


@dataclass(frozen=True, slots=True)
class TransferTarget:
    employee_id: int
    internal_number: str  # what the transfer dials (consult-line-transfer)
    full_name: str
    department: str
    topics: tuple[Topic, ...]  # all the employee's competences
    availability: Availability
    availability_label: str


@dataclass(frozen=True, slots=True)
class TransferLine:
    """A transfer attempt the call already has."""

    seq: int
    at: datetime
    kind: TransferKind
    outcome: TransferOutcome
    outcome_label: str
    to_name: str  # "" for an unknown number
    to_extension: str


@dataclass(frozen=True, slots=True)
class TransferCount:
    """C10 for the call now: the attempts made and whether one more may start."""

    lines: tuple[TransferLine, ...]
    done: int  # completed transfers
    pending: int  # allowed attempts not settled yet, each holding a slot
    left: int  # transfers that may still be made
    allowed: bool
    reason: str | None  # why not, in Russian; None when allowed


@dataclass(frozen=True, slots=True)
class TransferPlan:
    """The console may start the transfer: send ``extension`` with ``history``."""

    linkedid: str
    target: TransferTarget
    extension: str
    history: tuple[TransferRecord, ...]  # for ami.actions (it checks the cap again)
    left_after: int  # transfers left once this one completes
    warning: Script | None  # C9: what to tell the caller first, the department named


def live_availability(snapshot: Mapping[str, Any]) -> dict[str, Availability]:
    """Device (queue interface) → availability, from ``LiveState.snapshot(now)``; entries it
    cannot read are skipped (they count as not signed in)."""
    found: dict[str, Availability] = {}
    operators = snapshot.get("operators", ())
    for item in operators if isinstance(operators, list) else ():
        if not isinstance(item, Mapping):
            continue
        interface, activity = item.get("interface"), item.get("activity")
        if isinstance(interface, str) and activity in _ACTIVITIES:
            found[interface] = _BY_ACTIVITY[OperatorActivity(activity)]
    return found


def transfer_targets(
    session: Session,
    *,
    topic: Topic | None,
    operator_id: int,
    live: Mapping[str, Availability],
) -> list[TransferTarget]:
    """C9: active employees competent for ``topic`` (None: for any topic), the operator left
    out; available first (ready, paused, talking, not signed in), then by name."""
    query = select(EmployeeCompetence.employee_id)
    if topic is not None:
        query = query.where(EmployeeCompetence.topic == topic)
    employees = session.exec(
        select(Employee, Department)
        .join(Department, col(Department.id) == col(Employee.department_id))
        .where(
            col(Employee.id).in_(query),
            col(Employee.active),
            col(Employee.id) != operator_id,
        )
    ).all()
    competences = _competences(session, [e.id for e, _ in employees if e.id is not None])
    targets = [
        _target(employee, department, competences, live) for employee, department in employees
    ]
    return sorted(
        targets,
        key=lambda t: (_AVAILABILITY_ORDER[t.availability], t.full_name, t.internal_number),
    )


def transfer_count(
    session: Session, call: Call, *, cap: int = MAX_TRANSFERS_PER_CALL
) -> TransferCount:
    """The call's attempts and the C10 decision (``models.rules.transfers.may_transfer``); an
    ended or unanswered call has nothing to transfer."""
    assert call.id is not None
    rows = list(
        session.exec(
            select(CallTransfer)
            .where(CallTransfer.call_id == call.id)
            .order_by(col(CallTransfer.seq))
        )
    )
    decision = may_transfer([TransferRecord(row.at, row.outcome) for row in rows], cap)
    names = employee_names(session, {row.to_employee_id for row in rows})
    lines = tuple(
        TransferLine(
            seq=row.seq,
            at=row.at,
            kind=row.kind,
            outcome=row.outcome,
            outcome_label=TRANSFER_OUTCOME_LABELS_RU[row.outcome],
            to_name=names.get(row.to_employee_id, "") if row.to_employee_id else "",
            to_extension=row.to_extension,
        )
        for row in rows
    )
    reason = _call_state_refusal(call) or _cap_refusal(decision)
    return TransferCount(
        lines=lines,
        done=decision.done,
        pending=decision.pending,
        left=decision.remaining,
        allowed=reason is None,
        reason=reason,
    )


def plan_transfer(
    session: Session,
    *,
    linkedid: str,
    operator_id: int,
    extension: str,
    live: Mapping[str, Availability],
    cap: int = MAX_TRANSFERS_PER_CALL,
) -> TransferPlan | Refusal:
    """Whether the call may be transferred to the employee with internal number
    ``extension`` now; the plan carries what to tell the caller first (C9). Refused: unknown
    call or employee, an inactive employee, the operator themself, a call not answered or
    ended, and the transfer past the cap (C10), with the offer of a callback instead."""
    found = find_call_and_operator(session, linkedid, operator_id)
    if isinstance(found, Refusal):
        return found
    call, operator = found
    employee = session.exec(
        select(Employee).where(Employee.internal_number == extension.strip())
    ).first()
    if employee is None or employee.id is None:
        return not_found(
            f"Сотрудника с внутренним номером {extension.strip()!r} нет в справочнике."
        )
    if not employee.active:
        return conflict(f"{employee.full_name} отключён(а) в справочнике: перевод невозможен.")
    if employee.id == operator.id:
        return invalid("Нельзя перевести звонок на самого себя.")
    if not employee.device:
        return conflict(f"Для сотрудника {employee.full_name} не указан телефон.")
    count = transfer_count(session, call, cap=cap)
    if not count.allowed:
        return conflict(count.reason or "Перевод невозможен.")
    department = session.get(Department, employee.department_id)
    competences = _competences(session, [employee.id])
    target = _target(employee, department, competences, live)
    values = call_values(session, call, operator.full_name)
    values[Slot.DEPARTMENT] = _department_phrase(target)
    language = call_language(call, call_client(session, call))
    return TransferPlan(
        linkedid=call.linkedid,
        target=target,
        extension=employee.internal_number,
        history=tuple(TransferRecord(line.at, line.outcome) for line in count.lines),
        left_after=count.left - 1,
        warning=script(session, ScriptKind.TRANSFER, language=language, values=values),
    )


def _call_state_refusal(call: Call) -> str | None:
    if call.ended_at is not None:
        return "Звонок уже завершён: переводить некого."
    if call.answered_at is None:
        return "Звонок ещё не принят оператором: переводить нечего."
    return None


def _cap_refusal(decision: TransferDecision) -> str | None:
    if decision.allowed:
        return None
    reason = decision.reason or "Перевод невозможен."
    # C10: the transfers are used up, only a callback is left (not while one is in flight).
    return reason if decision.pending else f"{reason} {CALLBACK_OFFER_RU}"


def _competences(session: Session, ids: Sequence[int]) -> dict[int, tuple[Topic, ...]]:
    found: dict[int, list[Topic]] = {}
    if ids:
        rows = session.exec(
            select(EmployeeCompetence).where(col(EmployeeCompetence.employee_id).in_(ids))
        )
        for row in rows:
            found.setdefault(row.employee_id, []).append(row.topic)
    return {key: tuple(sorted(topics, key=list(Topic).index)) for key, topics in found.items()}


def _target(
    employee: Employee,
    department: Department | None,
    competences: Mapping[int, tuple[Topic, ...]],
    live: Mapping[str, Availability],
) -> TransferTarget:
    assert employee.id is not None
    availability = live.get(employee.device, Availability.NOT_SIGNED_IN)
    return TransferTarget(
        employee_id=employee.id,
        internal_number=employee.internal_number,
        full_name=employee.full_name,
        department=department.name if department else "",
        topics=competences.get(employee.id, ()),
        availability=availability,
        availability_label=AVAILABILITY_LABELS_RU[availability],
    )


def _department_phrase(target: TransferTarget) -> str:
    """What the transfer script names: «{department}» is said after «на специалиста —»."""
    return target.department or target.full_name
