"""Wrap-ups owed (K7): an answered call that ended without a wrap-up is owed by the operator
who answered it, until the wrap-up is written or dismissed with a recorded reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from call_card.refusals import Refusal, RefusalKind
from call_card.wrapups import (
    Dismissal,
    WrapupState,
    dismiss_wrapup,
    owed_wrapups,
    wrapup_state,
    write_wrapup,
)
from models.call_wrapups import record_wrapup
from models.db import session_scope
from models.tables import Call, CallWrapup, WrapupDismissal
from models.topics import Topic
from tests.call_card.samples import NOW, add_call, add_person

SINCE = NOW - timedelta(days=1)


def _owed(engine: Engine, operator: int) -> list[str]:
    with session_scope(engine) as session:
        return [owed.linkedid for owed in owed_wrapups(session, operator_id=operator, since=SINCE)]


def _dismiss(
    engine: Engine, operator: int, linkedid: str = "call-1", reason: str = "Ошиблись номером"
) -> Dismissal | Refusal:
    with session_scope(engine) as session:
        return dismiss_wrapup(
            session, linkedid=linkedid, operator_id=operator, reason=reason, now=NOW
        )


def _state(engine: Engine, linkedid: str) -> WrapupState:
    with session_scope(engine) as session:
        call = session.exec(select(Call).where(Call.linkedid == linkedid)).one()
        return wrapup_state(session, call)


def test_operators_ended_answered_calls_without_a_wrapup_are_owed_latest_first(
    db_engine: Engine,
) -> None:
    # K7
    operator = add_person(db_engine, "201", "Оператор Один")
    colleague = add_person(db_engine, "202", "Коллега Два")
    add_call(
        db_engine, "older", operator_id=operator, ended=True, arrived_at=NOW - timedelta(hours=2)
    )
    add_call(
        db_engine, "newer", operator_id=operator, ended=True, arrived_at=NOW - timedelta(hours=1)
    )
    add_call(db_engine, "talking", operator_id=operator)  # not ended yet
    add_call(db_engine, "missed", ended=True)  # nobody answered
    add_call(db_engine, "theirs", operator_id=colleague, ended=True)
    add_call(
        db_engine, "last-week", operator_id=operator, ended=True, arrived_at=NOW - timedelta(days=7)
    )
    assert _owed(db_engine, operator) == ["newer", "older"]
    assert _state(db_engine, "talking") is WrapupState.NOT_DUE
    assert _state(db_engine, "missed") is WrapupState.NOT_DUE
    assert _state(db_engine, "older") is WrapupState.OWED


def test_recorded_wrapup_is_no_longer_owed(db_engine: Engine) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    add_call(db_engine, "call-1", operator_id=operator, ended=True)
    with session_scope(db_engine) as session:
        call = session.exec(select(Call).where(Call.linkedid == "call-1")).one()
        record_wrapup(
            session=session,
            call=call,
            kb_answer_found=False,
            kb_entry_id=None,
            question="Как продлить лицензию?",
            topic=None,
            operator_id=operator,
            now=NOW,
        )
    assert _owed(db_engine, operator) == []
    assert _state(db_engine, "call-1") is WrapupState.RECORDED
    refused = _dismiss(db_engine, operator)
    assert refused == Refusal(RefusalKind.CONFLICT, "Итог этого звонка уже записан.")


def test_dismissal_records_who_when_and_why_once(db_engine: Engine) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    add_call(db_engine, "call-1", operator_id=operator, ended=True)
    dismissed = _dismiss(db_engine, operator, reason="  Звонящий молчал  ")
    assert dismissed == Dismissal("call-1", operator, "Оператор Один", NOW, "Звонящий молчал")
    assert _owed(db_engine, operator) == []
    assert _state(db_engine, "call-1") is WrapupState.DISMISSED
    again = _dismiss(db_engine, operator)
    assert again == Refusal(RefusalKind.CONFLICT, "Итог этого звонка уже отмечен как ненужный.")
    with session_scope(db_engine) as session:
        (row,) = session.exec(select(WrapupDismissal)).all()
    assert (row.employee_id, row.at, row.reason) == (operator, NOW, "Звонящий молчал")


@pytest.mark.parametrize(
    ("linkedid", "who", "reason", "kind", "words"),
    [
        ("call-1", "operator", " ", RefusalKind.INVALID, "Укажите, почему итог звонка не нужен."),
        ("call-1", "operator", "п" * 501, RefusalKind.INVALID, "не длиннее 500 символов"),
        ("nope", "operator", "x", RefusalKind.NOT_FOUND, "Звонок 'nope' не найден."),
        ("talking", "operator", "x", RefusalKind.CONFLICT, "Звонок ещё идёт"),
        ("missed", "operator", "x", RefusalKind.CONFLICT, "не был принят оператором"),
        ("call-1", "colleague", "x", RefusalKind.CONFLICT, "оператор, который его принял"),
    ],
)
def test_bad_dismissal_is_refused_and_the_wrapup_stays_owed(
    db_engine: Engine, linkedid: str, who: str, reason: str, kind: RefusalKind, words: str
) -> None:
    people = {
        "operator": add_person(db_engine, "201", "Оператор Один"),
        "colleague": add_person(db_engine, "202", "Коллега Два"),
    }
    add_call(db_engine, "call-1", operator_id=people["operator"], ended=True)
    add_call(db_engine, "talking", operator_id=people["operator"])
    add_call(db_engine, "missed", ended=True)
    refused = _dismiss(db_engine, people[who], linkedid, reason)
    assert isinstance(refused, Refusal)
    assert (refused.kind, words in refused.reason) == (kind, True), refused.reason
    assert _owed(db_engine, people["operator"]) == ["call-1"]


def test_wrapup_written_from_the_card_settles_the_debt(engine: Engine) -> None:
    # K7: the wrap-up feeds the report of questions the KB lacks
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator, ended=True)
    with session_scope(engine) as session:
        row = write_wrapup(
            session,
            linkedid="call-1",
            operator_id=operator,
            kb_answer_found=True,
            kb_entry_id="script-greeting",
            question=" Как записаться на приём? ",
            topic=None,
            now=NOW,
        )
    assert isinstance(row, CallWrapup)
    assert (row.question, row.topic, row.operator_id) == (
        "Как записаться на приём?",
        Topic.STATE_SERVICES,
        operator,
    )
    assert _owed(engine, operator) == []


@pytest.mark.parametrize(
    ("linkedid", "found", "entry", "question", "kind", "words"),
    [
        ("nope", False, None, "", RefusalKind.NOT_FOUND, "Звонок 'nope' не найден."),
        ("call-1", True, "kb-nope", "", RefusalKind.NOT_FOUND, "Записи базы знаний 'kb-nope' нет."),
        ("call-1", False, "script-greeting", "", RefusalKind.INVALID, "только если ответ"),
        ("call-1", False, None, "в" * 2001, RefusalKind.INVALID, "не длиннее 2000 символов"),
        ("written", False, None, "", RefusalKind.CONFLICT, "Итог этого звонка уже записан."),
    ],
)
def test_bad_wrapup_is_refused_and_nothing_written(
    engine: Engine,
    linkedid: str,
    found: bool,
    entry: str | None,
    question: str,
    kind: RefusalKind,
    words: str,
) -> None:
    operator = add_person(engine, "201", "Оператор Один")
    add_call(engine, "call-1", operator_id=operator, ended=True)
    written = add_call(engine, "written", operator_id=operator, ended=True)
    with session_scope(engine) as session:
        session.add(CallWrapup(call_id=written, kb_answer_found=False, created_at=NOW))
    with session_scope(engine) as session:
        refused = write_wrapup(
            session,
            linkedid=linkedid,
            operator_id=operator,
            kb_answer_found=found,
            kb_entry_id=entry,
            question=question,
            topic=None,
            now=NOW,
        )
    assert isinstance(refused, Refusal)
    assert (refused.kind, words in refused.reason) == (kind, True), refused.reason
    assert _owed(engine, operator) == ["call-1"]
