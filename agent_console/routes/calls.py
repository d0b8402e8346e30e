"""Calls over HTTP: ``POST /calls/{linkedid}/wrapup``, the operator's wrap-up (K7)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import col, select

from agent_console.auth.rules import allow
from agent_console.deps import BackendDep
from models.call_wrapups import NotYourCallError, WrapupExistsError, record_wrapup
from models.db import session_scope
from models.tables.calls import Call
from models.tables.kb import KbEntry
from models.tables.staff import Role
from models.topics import Topic
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)

router = APIRouter(prefix="/calls", tags=["calls"])


class CallWrapupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kb_answer_found: bool
    kb_entry_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    question: Annotated[str, Field(max_length=2000)] = ""
    topic: Topic | None = None  # the call's IVR topic when left out

    @model_validator(mode="after")
    def _entry_only_with_an_answer(self) -> CallWrapupCreate:
        if not self.kb_answer_found and self.kb_entry_id is not None:
            raise ValueError("kb_entry_id указывается, только если ответ найден в базе знаний")
        return self


class CallWrapupPublic(BaseModel):
    linkedid: str
    kb_answer_found: bool
    kb_entry_id: str | None
    question: str
    topic: Topic | None
    created_at: datetime
    operator_id: int | None


@router.post(
    "/{linkedid}/wrapup", response_model=CallWrapupPublic, status_code=status.HTTP_201_CREATED
)
def wrapup(
    backend: BackendDep,
    user: Annotated[SignedIn, allow(Role.OPERATOR)],
    linkedid: str,
    body: CallWrapupCreate,
) -> CallWrapupPublic:
    """The signed-in operator's wrap-up of a call they answered (K7)."""
    with session_scope(backend.engine) as session:
        call = session.exec(select(Call).where(col(Call.linkedid) == linkedid)).first()
        if call is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Звонок {linkedid!r} не найден.")
        if body.kb_entry_id is not None and session.get(KbEntry, body.kb_entry_id) is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"Запись базы знаний {body.kb_entry_id!r} не найдена.",
            )
        try:
            row = record_wrapup(
                session=session,
                call=call,
                kb_answer_found=body.kb_answer_found,
                kb_entry_id=body.kb_entry_id,
                question=body.question,
                topic=body.topic,
                operator_id=user.employee_id,
                now=backend.clock(),
            )
        except NotYourCallError as exc:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"Звонок {linkedid!r} принял другой оператор: итог записывает он.",
            ) from exc
        except WrapupExistsError as exc:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"Итог звонка {linkedid!r} уже записан."
            ) from exc
        public = CallWrapupPublic(
            linkedid=linkedid,
            kb_answer_found=row.kb_answer_found,
            kb_entry_id=row.kb_entry_id,
            question=row.question,
            topic=row.topic,
            created_at=row.created_at,
            operator_id=row.operator_id,
        )
    log.info("итог звонка %s записан (%s)", linkedid, user.login)
    return public
