"""Recording a call's wrap-up (K7): one per call, by the operator who answered it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models.tables.calls import Call, CallWrapup
from models.topics import Topic


class WrapupExistsError(Exception):
    """The call already has a wrap-up."""


class NotYourCallError(Exception):
    """The call was answered by another operator: the wrap-up is theirs to write."""


def record_wrapup(
    *,
    session: Session,
    call: Call,
    kb_answer_found: bool,
    kb_entry_id: str | None,
    question: str,
    topic: Topic | None,
    operator_id: int,
    now: datetime,
) -> CallWrapup:
    """``operator_id`` writes the wrap-up: the one who answered (when the call log knows who
    that was). The topic defaults to the one chosen in the IVR."""
    assert call.id is not None
    if call.operator_id is not None and call.operator_id != operator_id:
        raise NotYourCallError(call.linkedid)
    existing = session.exec(select(CallWrapup).where(col(CallWrapup.call_id) == call.id)).first()
    if existing is not None:
        raise WrapupExistsError(call.linkedid)
    wrapup = CallWrapup(
        call_id=call.id,
        kb_answer_found=kb_answer_found,
        kb_entry_id=kb_entry_id,
        question=question.strip(),
        topic=topic if topic is not None else call.topic,
        created_at=now,
        operator_id=operator_id,
    )
    session.add(wrapup)
    session.flush()
    return wrapup
