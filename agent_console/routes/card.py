"""The call card over HTTP, for the operator's workspace (fetch from ``static/workspace.js``).

* ``GET /card/calls/{linkedid}``: the card and its scripts (greeting C5, questions C7,
  farewell…); the caller's spoken question comes with the knowledge-base entries it finds (C8);
* ``GET /card/calls/{linkedid}/transfer-targets``, ``POST …/transfer``: competent employees
  with availability, the transfer with the warning to read first (C9, C10);
* ``GET /card/callback-offer``, ``POST /card/calls/{linkedid}/callback``: the callback task
  (C11) and its read-back;
* ``GET /card/agencies``, ``POST /card/calls/{linkedid}/out-of-remit``: C14;
* ``POST /card/calls/{linkedid}/wrapup``, ``POST …/wrapup-dismissal``, ``GET /card/owed-wrapups``
  (K7).

Every refusal is the data layer's Russian reason (``call_card.refusals``) with 404/422/409 (403:
another operator's call), and nothing is changed. Plain ``def`` endpoints run in worker
threads; the transfer is ``async`` because the AMI action is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from agent_console.auth.rules import allow
from agent_console.deps import Backend, BackendDep, ContextDep
from agent_console.refusal_http import refuse
from ami.actions import blind_transfer
from call_card.agencies import record_out_of_remit
from call_card.callbacks import callback_offer, create_callback
from call_card.card import CallCard, call_card
from call_card.refusals import Refusal
from call_card.scripts import call_scripts
from call_card.transfers import TransferPlan, live_availability, plan_transfer, transfer_targets
from call_card.wrapups import dismiss_wrapup, owed_wrapups, write_wrapup
from models.calendar_store import load_calendar
from models.db import session_scope
from models.kb_agencies import agency_directory
from models.rules.callbacks import TimeWindow
from models.tables.staff import Employee, Role
from models.topics import Topic
from models.user_sessions import SignedIn
from scripts_kb.search import SearchIndex

log = logging.getLogger(__name__)

router = APIRouter(prefix="/card", tags=["card"])

Operator = Annotated[SignedIn, allow(Role.OPERATOR)]

AMI_OFF = "Нет связи с Asterisk: действие не выполнено, попробуйте ещё раз через минуту."
OWED_SINCE = timedelta(days=7)  # the reminder covers the last week's calls


def as_json(value: object) -> Any:
    return jsonable_encoder(value)


class TransferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extension: Annotated[str, Field(min_length=1, max_length=16)]


class WindowIn(BaseModel):
    starts_at: datetime
    ends_at: datetime


class CallbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, Field(max_length=64)]
    windows: Annotated[list[WindowIn], Field(max_length=10)]
    question: Annotated[str, Field(max_length=4000)] = ""


class OutOfRemitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: Annotated[str, Field(min_length=1, max_length=64)] | None


class WrapupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kb_answer_found: bool
    kb_entry_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    question: Annotated[str, Field(max_length=4000)] = ""
    topic: Topic | None = None


class DismissalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=1000)]


@router.get("/calls/{linkedid}")
def card(backend: BackendDep, user: Operator, linkedid: str) -> Any:
    """The call's card and its scripts for the signed-in operator."""
    index = backend.kb_index.get()  # before the session: it reads with a session of its own
    with session_scope(backend.engine) as session:
        found = _card(session, backend, user, linkedid, kb_index=index)
        scripts = call_scripts(session, linkedid=linkedid, operator_id=user.employee_id)
        if isinstance(scripts, Refusal):
            refuse(scripts)
        return as_json({"card": found, "scripts": scripts})


@router.get("/calls/{linkedid}/transfer-targets")
async def targets(context: ContextDep, user: Operator, linkedid: str) -> Any:
    """Employees competent in the call's topic, with availability, and the transfers left."""
    backend = context.backend
    live = live_availability(context.live_snapshot())  # in the loop, where the bridge writes it

    def read() -> Any:
        with session_scope(backend.engine) as session:
            found = _card(session, backend, user, linkedid)
            listed = transfer_targets(
                session, topic=found.topic, operator_id=user.employee_id, live=live
            )
            return as_json({"targets": listed, "transfers": found.transfers})

    return await run_in_threadpool(read)


@router.post("/calls/{linkedid}/transfer")
async def transfer(context: ContextDep, user: Operator, linkedid: str, body: TransferCreate) -> Any:
    """Blind transfer of the operator's leg of the call to a competent employee (C10 cap)."""
    backend = context.backend
    picture = context.live_snapshot()  # in the loop, where the bridge writes it

    def plan() -> tuple[TransferPlan, str]:
        with session_scope(backend.engine) as session:
            found = plan_transfer(
                session,
                linkedid=linkedid,
                operator_id=user.employee_id,
                extension=body.extension,
                live=live_availability(picture),
                cap=backend.settings.max_transfers_per_call,
            )
            if isinstance(found, Refusal):
                refuse(found)
            employee = session.get(Employee, user.employee_id)
            return found, employee.device if employee is not None else ""

    planned, device = await run_in_threadpool(plan)
    channel = _operator_channel(picture, device, linkedid)
    if context.ami is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, AMI_OFF)
    if not channel:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "Звонок уже не соединён с вашим телефоном: переводить нечего.",
        )
    result = await blind_transfer(
        context.ami,
        channel=channel,
        extension=planned.extension,
        history=planned.history,
        cap=backend.settings.max_transfers_per_call,
    )
    if not result.ok:
        raise HTTPException(status.HTTP_409_CONFLICT, result.reason)
    log.info("перевод звонка %s на %s (%s)", linkedid, planned.extension, user.login)
    return as_json(
        {
            "target": planned.target,
            "left_after": planned.left_after,
            "warning": planned.warning,
        }
    )


@router.get("/callback-offer")
def offer(backend: BackendDep, _user: Operator) -> Any:
    """The date promised to a caller now and the windows to offer on it (C11)."""
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
    found = callback_offer(
        calendar, now=backend.clock(), working_days=backend.settings.callback_answer_working_days
    )
    if isinstance(found, Refusal):
        refuse(found)
    return as_json(found)


@router.post("/calls/{linkedid}/callback", status_code=status.HTTP_201_CREATED)
def callback(backend: BackendDep, user: Operator, linkedid: str, body: CallbackCreate) -> Any:
    """The callback task for the caller's confirmed number (C11); sent twice, it is one task."""
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
    created = create_callback(
        backend.engine,
        linkedid=linkedid,
        operator_id=user.employee_id,
        phone=body.phone,
        windows=[TimeWindow(w.starts_at, w.ends_at) for w in body.windows],
        question=body.question,
        calendar=calendar,
        working_days=backend.settings.callback_answer_working_days,
        now=backend.clock(),
    )
    if isinstance(created, Refusal):
        refuse(created)
    log.info("задача обратного звонка %d по звонку %s (%s)", created.task_id, linkedid, user.login)
    return as_json(created)


@router.get("/agencies")
def agencies(backend: BackendDep, _user: Operator, topic: Topic | None = None) -> Any:
    """The directory of agencies for out-of-remit questions (C14), the topic's first."""
    with session_scope(backend.engine) as session:
        return as_json(agency_directory(session, topic=topic))


@router.post("/calls/{linkedid}/out-of-remit", status_code=status.HTTP_201_CREATED)
def out_of_remit(backend: BackendDep, user: Operator, linkedid: str, body: OutOfRemitCreate) -> Any:
    """Records that the question was outside the remit and which agency was named (C14)."""
    with session_scope(backend.engine) as session:
        found = record_out_of_remit(
            session,
            linkedid=linkedid,
            operator_id=user.employee_id,
            agency_id=body.agency_id,
            now=backend.clock(),
        )
        if isinstance(found, Refusal):
            refuse(found)
        return as_json(found)


@router.post("/calls/{linkedid}/wrapup", status_code=status.HTTP_201_CREATED)
def wrapup(backend: BackendDep, user: Operator, linkedid: str, body: WrapupCreate) -> Any:
    """The call's wrap-up (K7): topic, need, whether the KB had the answer."""
    with session_scope(backend.engine) as session:
        found = write_wrapup(
            session,
            linkedid=linkedid,
            operator_id=user.employee_id,
            kb_answer_found=body.kb_answer_found,
            kb_entry_id=body.kb_entry_id,
            question=body.question,
            topic=body.topic,
            now=backend.clock(),
        )
        if isinstance(found, Refusal):
            refuse(found)
        return as_json(
            {
                "linkedid": linkedid,
                "kb_answer_found": found.kb_answer_found,
                "kb_entry_id": found.kb_entry_id,
                "question": found.question,
                "topic": found.topic,
                "created_at": found.created_at,
                "operator_id": found.operator_id,
            }
        )


@router.post("/calls/{linkedid}/wrapup-dismissal", status_code=status.HTTP_201_CREATED)
def wrapup_dismissal(
    backend: BackendDep, user: Operator, linkedid: str, body: DismissalCreate
) -> Any:
    """No wrap-up for this call, and why (K7): the reminder stops."""
    with session_scope(backend.engine) as session:
        found = dismiss_wrapup(
            session,
            linkedid=linkedid,
            operator_id=user.employee_id,
            reason=body.reason,
            now=backend.clock(),
        )
        if isinstance(found, Refusal):
            refuse(found)
        return as_json(found)


@router.get("/owed-wrapups")
def owed(
    backend: BackendDep, user: Operator, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> Any:
    """The operator's calls of the last week still without a wrap-up (the reminder)."""
    since = backend.clock() - OWED_SINCE
    with session_scope(backend.engine) as session:
        return as_json(
            owed_wrapups(session, operator_id=user.employee_id, since=since, limit=limit)
        )


def _card(
    session: Session,
    backend: Backend,
    user: SignedIn,
    linkedid: str,
    *,
    kb_index: SearchIndex | None = None,
) -> CallCard:
    """The call's card for the signed-in operator, or the HTTP refusal; the spoken question
    is searched in ``kb_index`` when one is given."""
    found = call_card(
        session,
        linkedid=linkedid,
        operator_id=user.employee_id,
        calendar=load_calendar(session=session, settings=backend.settings),
        now=backend.clock(),
        transfer_cap=backend.settings.max_transfers_per_call,
        kb_index=kb_index,
    )
    if isinstance(found, Refusal):
        refuse(found)
    return found


def _operator_channel(picture: Mapping[str, Any], device: str, linkedid: str) -> str:
    """The operator's own leg of ``linkedid`` as the live picture knows it ("" if none)."""
    for operator in picture.get("operators", []):
        if operator.get("interface") == device and operator.get("linkedid") == linkedid:
            return str(operator.get("channel", ""))
    return ""
