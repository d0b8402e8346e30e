"""The rows every card function starts from, with the refusal when they are missing, and the
one insert that a repeated submit cannot double."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from call_card.refusals import Refusal, conflict, not_found
from models.tables import Call, Client, Employee


def find_call(session: Session, linkedid: str) -> Call | Refusal:
    call = session.exec(select(Call).where(col(Call.linkedid) == linkedid)).first()
    if call is None or call.id is None:
        return not_found(f"Звонок {linkedid!r} не найден.")
    return call


def find_operator(session: Session, operator_id: int) -> Employee | Refusal:
    """The active employee acting in the console."""
    employee = session.get(Employee, operator_id)
    if employee is None or employee.id is None:
        return not_found(f"Сотрудник с кодом {operator_id} не найден в справочнике.")
    if not employee.active:
        return conflict(f"Сотрудник {employee.full_name} отключён в справочнике.")
    return employee


def find_call_and_operator(
    session: Session, linkedid: str, operator_id: int
) -> tuple[Call, Employee] | Refusal:
    """The call and the active employee acting on it: what most card functions start from."""
    call = find_call(session, linkedid)
    if isinstance(call, Refusal):
        return call
    operator = find_operator(session, operator_id)
    if isinstance(operator, Refusal):
        return operator
    return call, operator


def call_client(session: Session, call: Call) -> Client | None:
    """The call's client: linked by the call log, else the one with the caller's number."""
    if call.client_id is not None:
        return session.get(Client, call.client_id)
    if call.caller_e164 is None:
        return None
    return session.exec(select(Client).where(Client.phone_e164 == call.caller_e164)).first()


def employee_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Employee).where(col(Employee.id).in_(wanted)))
    return {row.id: row.full_name for row in rows if row.id is not None}


def insert_once(session: Session, table: type[SQLModel], **values: Any) -> bool:
    """Inserts one row unless it would break a unique key (a form sent twice at once): one
    ``INSERT … ON CONFLICT DO NOTHING``, so the session's transaction stays usable either
    way. True when the row was inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    columns = table.__table__.c  # type: ignore[attr-defined]
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(columns.id)
    # RETURNING, not rowcount: psycopg reports no row count for this statement.
    return session.connection().execute(statement).first() is not None
