"""``POST /queue/state``: the operator's own place in the queue — ready, on pause with a reason,
or signed out — through ``ami.actions`` (C4: no "ready" while training is missing or lapsed).

Supervisors are told on the live bus, topic ``supervisor``: ``{"kind": "operator_state", ...}``
for a change, ``{"kind": "operator_refused", ...}`` when C4 kept an operator out of the queue.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from agent_console.auth.rules import allow
from agent_console.deps import AppContext, ContextDep
from ami.actions import (
    ActionResult,
    queue_login,
    queue_logout,
    queue_pause,
    queue_unpause,
    training_refusal,
)
from consult_line.scheduler import SUPERVISOR_TOPIC
from models.db import session_scope
from models.operator_access import OperatorAccess, operator_for_employee
from models.tables.staff import Role
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)

router = APIRouter(prefix="/queue", tags=["queue"])

AMI_OFF = "Нет связи с Asterisk: состояние не изменено, попробуйте ещё раз через минуту."
NOT_AN_OPERATOR = (
    "Вы не числитесь активным сотрудником с внутренним номером: обратитесь к руководителю."
)


class QueueState(StrEnum):
    READY = "ready"
    PAUSED = "paused"
    SIGNED_OUT = "signed_out"


STATE_LABELS_RU = {
    QueueState.READY: "готов(а) принимать звонки",
    QueueState.PAUSED: "на паузе",
    QueueState.SIGNED_OUT: "вне очереди",
}


class QueueStateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: QueueState
    reason: Annotated[str, Field(max_length=80)] = ""

    @model_validator(mode="after")
    def _pause_has_a_reason(self) -> QueueStateChange:
        if self.state is QueueState.PAUSED and not self.reason.strip():
            raise ValueError("укажите причину паузы")
        return self


class QueueStatePublic(BaseModel):
    state: QueueState
    label: str
    reason: str


@router.post("/state", response_model=QueueStatePublic)
async def change_state(
    context: ContextDep,
    user: Annotated[SignedIn, allow(Role.OPERATOR)],
    body: QueueStateChange,
) -> QueueStatePublic:
    """Ready, paused (with a reason) or out of the queue; refused with the reason in Russian."""
    operator = await run_in_threadpool(_operator, context, user.employee_id)
    if operator is None:
        raise HTTPException(status.HTTP_409_CONFLICT, NOT_AN_OPERATOR)
    if body.state is QueueState.READY:
        refusal = training_refusal(operator.training)  # C4, even while Asterisk is away
        if refusal is not None:
            _tell(context, "operator_refused", operator, body, refusal.reason)
            raise HTTPException(status.HTTP_409_CONFLICT, refusal.reason)
    if context.ami is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, AMI_OFF)
    result = await _act(context, operator, body)
    if not result.ok:
        _tell(context, "operator_refused", operator, body, result.reason)
        raise HTTPException(status.HTTP_409_CONFLICT, result.reason)
    _tell(context, "operator_state", operator, body, "")
    log.info("оператор %s: %s", user.login, body.state.value)
    reason = body.reason.strip() if body.state is QueueState.PAUSED else ""
    return QueueStatePublic(state=body.state, label=STATE_LABELS_RU[body.state], reason=reason)


async def _act(
    context: AppContext, operator: OperatorAccess, body: QueueStateChange
) -> ActionResult:
    ami = context.ami
    assert ami is not None
    if body.state is QueueState.SIGNED_OUT:
        return await queue_logout(ami, operator)
    if body.state is QueueState.PAUSED:
        joined = await queue_login(ami, operator, paused=True, pause_reason=body.reason.strip())
        if not joined.ok:
            return joined
        return await queue_pause(ami, operator, reason=body.reason.strip())
    joined = await queue_login(ami, operator)
    if not joined.ok:
        return joined
    return await queue_unpause(ami, operator)


def _operator(context: AppContext, employee_id: int) -> OperatorAccess | None:
    backend = context.backend
    with session_scope(backend.engine) as session:
        return operator_for_employee(session, employee_id, backend.today())


def _tell(
    context: AppContext,
    kind: str,
    operator: OperatorAccess,
    body: QueueStateChange,
    reason: str,
) -> None:
    if context.bus is None:
        return
    payload: dict[str, Any] = {
        "kind": kind,
        "employee_id": operator.employee_id,
        "full_name": operator.full_name,
        "device": operator.device,
        "state": body.state.value,
        "pause_reason": body.reason.strip(),
        "refusal": reason,
        "at": context.backend.clock().isoformat(),
    }
    context.bus.publish(SUPERVISOR_TOPIC, payload)
