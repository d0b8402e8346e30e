"""``POST /training/phone``: the training line's «Ответить» and «Завершить» — the operator's
simulated phone picks up when the queue rings it, or puts down during the conversation.

Registered only on the training line (``agent_console.app``); the real line has neither the
route nor the buttons. The key goes to the simulated PBX as AMI's ``UserEvent`` over the
bridge's connection (``ami.training_phone``); what follows (AgentConnect, the card, the
conversation's end) arrives as from Asterisk. A key that does not fit the phone's state
(answer while nothing rings) is refused with the reason, as the live picture shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from agent_console.auth.rules import allow
from agent_console.deps import AppContext, ContextDep
from ami.live_state import OperatorActivity
from ami.training_phone import HandsetKey, press_handset
from models.db import session_scope
from models.tables import Employee
from models.tables.staff import Role
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)

router = APIRouter(prefix="/training", tags=["training"])

NO_DEVICE = "Для вас не указан телефон: обратитесь к администратору."
AMI_OFF = "Нет связи с учебной АТС: попробуйте ещё раз через несколько секунд."
# The activity the phone must be in for a key, and what is said when it is not.
_NEEDS: dict[HandsetKey, tuple[OperatorActivity, str]] = {
    HandsetKey.ANSWER: (OperatorActivity.RINGING, "Ваш телефон сейчас не звонит."),
    HandsetKey.HANG_UP: (OperatorActivity.ON_CALL, "Сейчас нет разговора."),
}
_DONE = {HandsetKey.ANSWER: "Телефон ответил.", HandsetKey.HANG_UP: "Разговор завершён."}


class PhoneKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: HandsetKey


class PhoneKeyPressed(BaseModel):
    key: HandsetKey
    label: str


@router.post("/phone", response_model=PhoneKeyPressed)
async def press(
    context: ContextDep,
    user: Annotated[SignedIn, allow(Role.OPERATOR)],
    body: PhoneKey,
) -> PhoneKeyPressed:
    """Answers the ringing simulated phone (``answer``) or ends its conversation (``hangup``)."""
    device = await run_in_threadpool(_device, context, user.employee_id)
    if not device:
        raise HTTPException(status.HTTP_409_CONFLICT, NO_DEVICE)
    needed, refusal = _NEEDS[body.key]
    if _activity(context.live_snapshot(), device) != needed:  # in the loop, as the bridge
        raise HTTPException(status.HTTP_409_CONFLICT, refusal)
    ami = context.ami
    if ami is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, AMI_OFF)
    result = await press_handset(ami, device=device, key=body.key)
    if not result.ok:
        raise HTTPException(status.HTTP_409_CONFLICT, result.reason)
    log.info("учебная линия: оператор %s, телефон %s: %s", user.login, device, body.key.value)
    return PhoneKeyPressed(key=body.key, label=_DONE[body.key])


def _device(context: AppContext, employee_id: int) -> str:
    with session_scope(context.backend.engine) as session:
        employee = session.get(Employee, employee_id)
        return employee.device if employee is not None and employee.active else ""


def _activity(picture: Mapping[str, Any], device: str) -> str | None:
    for operator in picture.get("operators", ()):
        if operator.get("interface") == device:
            return str(operator.get("activity"))
    return None
