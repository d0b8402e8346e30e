"""The insert a repeated submit cannot double: the second is skipped, the session goes on."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from call_card.lookup import insert_once
from models.db import session_scope
from models.tables import WrapupDismissal
from tests.call_card.samples import NOW, add_call, add_person


def test_second_insert_of_the_same_key_is_skipped_and_the_transaction_goes_on(
    db_engine: Engine,
) -> None:
    operator = add_person(db_engine, "201", "Оператор Один")
    call_id = add_call(db_engine, "call-1", operator_id=operator, ended=True)
    row = {"call_id": call_id, "employee_id": operator, "at": NOW}
    with session_scope(db_engine) as session:
        assert insert_once(session, WrapupDismissal, reason="первый", **row)
        assert not insert_once(session, WrapupDismissal, reason="второй", **row)
        (kept,) = session.exec(select(WrapupDismissal)).all()  # still usable
    assert (kept.reason, kept.at) == ("первый", NOW)
