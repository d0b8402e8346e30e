"""Reading a client's history from the database.

A row belongs to the client when it is linked to the client's record *or* carries the client's
number: the line never creates client records by itself, so most callers' calls and tasks are
found by the number only (as on the call card, ``call_card.history``). A callback task also
belongs to the client when one of the client's calls opened it, whatever number the client gave
for the call back. A written message belongs to the client record it was registered to
(``models.message_store`` finds or creates the record by the sender's e-mail and phone); a
personal visit booking to its client record or the client's number (``visits.store`` links
each booking to the record of its number).

The history is read in two steps, so that a page of it costs the same for a client who called
twice and for one who called two thousand times: :func:`entry_keys` lists every call, task and
message (id and instant only, by the indexes ``ix_calls_client_arrived``,
``ix_calls_caller_arrived`` and those of ``callback_tasks`` and ``written_messages``), then
:func:`load_timeline` reads the chosen ones in full, a few hundred at a time. The files that
came with a message are read without their bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from typing import Any, TypeVar, get_type_hints

from sqlalchemy import ColumnElement, Row
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from call_card.history import owner_filter
from call_card.lookup import insert_once
from client_history.records import (
    AttachmentRecord,
    AttemptRecord,
    CallRecord,
    ChangeRecord,
    ClientRecord,
    DismissalRecord,
    MessageRecord,
    MessageSurveyRecord,
    NoticeRecord,
    Records,
    ReferralRecord,
    Staff,
    SurveyRecord,
    TaskRecord,
    TransferRecord,
    VisitRecord,
    VisitSurveyRecord,
    WindowRecord,
    WrapupRecord,
)
from client_history.reference import ClientNumber, ClientRef, PhoneNumber
from client_history.timeline import EntryKind, Timeline, build_timeline, entry_order
from models.exports import batches  # 500 ids in one IN (...) list
from models.tables import (
    Call,
    CallbackAttempt,
    CallbackTask,
    CallbackTaskChange,
    CallbackWindow,
    CallReferral,
    CallTransfer,
    CallWrapup,
    Channel,
    Client,
    Department,
    Employee,
    KbEntry,
    Language,
    MessageAttachment,
    MessageNotice,
    MessageSurvey,
    ReceptionPoint,
    SurveyResponse,
    VisitBooking,
    VisitSurvey,
    WrapupDismissal,
    WrittenMessage,
)

_R = TypeVar("_R", bound=Hashable)  # a frozen record of client_history.records


@dataclass(frozen=True, slots=True)
class EntryKey:
    """A call, task or message of the history, before it is read in full."""

    kind: EntryKind
    ref_id: int
    at: datetime


# --------------------------------------------------------------------------- the client


def find_client(session: Session, ref: ClientRef) -> ClientRecord | None:
    """The client record ``ref`` names, if there is one."""
    if isinstance(ref, ClientNumber):
        client = session.get(Client, ref.client_id)
    else:
        client = session.exec(select(Client).where(col(Client.phone_e164) == ref.e164)).first()
    return None if client is None else client_record(client)


def number_has_history(session: Session, phone: PhoneNumber) -> bool:
    """Whether any call came from the number or any callback task was taken for it."""
    call = select(Call.id).where(col(Call.caller_e164) == phone.e164).limit(1)
    task = select(CallbackTask.id).where(col(CallbackTask.phone_e164) == phone.e164).limit(1)
    return session.exec(call).first() is not None or session.exec(task).first() is not None


def open_client(session: Session, ref: ClientRef, now: datetime) -> ClientRecord | None:
    """The client ``ref`` names; None when there is nobody to show.

    A number with calls or tasks but no client record gets a record now: the audit log names
    a client only by the record's number (``audit_log.client_id``), so that the purge of the
    history past its term (G3) can anonymise the record without touching the log.
    """
    found = find_client(session, ref)
    if found is not None or isinstance(ref, ClientNumber):
        return found
    if not number_has_history(session, ref):
        return None
    insert_once(
        session,
        Client,
        phone_e164=ref.e164,
        language=Language.RU,
        preferred_channel=Channel.PHONE,
        created_at=now,
    )
    return find_client(session, ref)  # ours, or the one created meanwhile


def client_record(client: Client) -> ClientRecord:
    assert client.id is not None
    return ClientRecord(
        id=client.id,
        phone=client.phone_e164,
        full_name=client.full_name,
        email=client.email,
        language=client.language,
        preferred_channel=client.preferred_channel,
        extra_channel=client.extra_channel,
        created_at=client.created_at,
    )


# --------------------------------------------------------------------------- what there is


def entry_keys(session: Session, client: ClientRecord) -> list[EntryKey]:
    """Every call, callback task, written message and visit of the client, oldest first."""
    calls = [
        EntryKey(EntryKind.CALL, call_id, at)
        for call_id, at in session.exec(
            select(Call.id, Call.arrived_at).where(_owned(Call.client_id, Call.caller_e164, client))
        )
        if call_id is not None
    ]
    owned_tasks = select(CallbackTask.id, CallbackTask.requested_at).where(
        _owned(CallbackTask.client_id, CallbackTask.phone_e164, client)
    )
    opened_by_calls = (
        select(CallbackTask.id, CallbackTask.requested_at)
        .join(Call, col(Call.id) == col(CallbackTask.origin_call_id))
        .where(_owned(Call.client_id, Call.caller_e164, client))
    )
    tasks = {
        task_id: at
        for query in (owned_tasks, opened_by_calls)
        for task_id, at in session.exec(query)
        if task_id is not None
    }
    keys = calls + [EntryKey(EntryKind.CALLBACK, task_id, at) for task_id, at in tasks.items()]
    keys += [
        EntryKey(EntryKind.MESSAGE, message_id, at)
        for message_id, at in session.exec(
            select(WrittenMessage.id, WrittenMessage.received_at).where(
                col(WrittenMessage.client_id) == client.id
            )
        )
        if message_id is not None
    ]
    keys += [
        EntryKey(EntryKind.VISIT, visit_id, at)
        for visit_id, at in session.exec(
            select(VisitBooking.id, VisitBooking.starts_at).where(
                _owned(VisitBooking.client_id, VisitBooking.phone_e164, client)
            )
        )
        if visit_id is not None
    ]
    keys.sort(key=lambda key: entry_order(key.kind, key.at, key.ref_id))
    return keys


def _owned(client_column: Any, phone_column: Any, client: ClientRecord) -> ColumnElement[bool]:
    return owner_filter(client_column, phone_column, client.id, client.phone)


# --------------------------------------------------------------------------- in full


def load_timeline(session: Session, client: ClientRecord, keys: Sequence[EntryKey]) -> Timeline:
    """The calls, tasks and messages of ``keys`` read in full, as a timeline."""

    def ids(kind: EntryKind) -> list[int]:
        return [key.ref_id for key in keys if key.kind is kind]

    return build_timeline(
        client,
        load_records(
            session,
            ids(EntryKind.CALL),
            ids(EntryKind.CALLBACK),
            ids(EntryKind.MESSAGE),
            ids(EntryKind.VISIT),
        ),
    )


def load_records(
    session: Session,
    call_ids: Sequence[int],
    task_ids: Sequence[int],
    message_ids: Sequence[int] = (),
    visit_ids: Sequence[int] = (),
) -> Records:
    rows: dict[type, list[Row[Any]]] = {
        CallRecord: _rows(session, Call, Call.id, call_ids),
        TransferRecord: _rows(session, CallTransfer, CallTransfer.call_id, call_ids),
        WrapupRecord: _rows(session, CallWrapup, CallWrapup.call_id, call_ids),
        DismissalRecord: _rows(session, WrapupDismissal, WrapupDismissal.call_id, call_ids),
        ReferralRecord: _rows(session, CallReferral, CallReferral.call_id, call_ids),
        SurveyRecord: _rows(session, SurveyResponse, SurveyResponse.call_id, call_ids),
        TaskRecord: _rows(session, CallbackTask, CallbackTask.id, task_ids),
        WindowRecord: _rows(session, CallbackWindow, CallbackWindow.task_id, task_ids),
        AttemptRecord: _rows(session, CallbackAttempt, CallbackAttempt.task_id, task_ids),
        ChangeRecord: _rows(session, CallbackTaskChange, CallbackTaskChange.task_id, task_ids),
        MessageRecord: _rows(session, WrittenMessage, WrittenMessage.id, message_ids),
        AttachmentRecord: _rows(
            session,
            MessageAttachment,
            MessageAttachment.message_id,
            message_ids,
            without=("data",),  # the files themselves: only their names and sizes are shown
        ),
        NoticeRecord: _rows(session, MessageNotice, MessageNotice.message_id, message_ids),
        MessageSurveyRecord: _rows(session, MessageSurvey, MessageSurvey.message_id, message_ids),
        VisitRecord: _rows(session, VisitBooking, VisitBooking.id, visit_ids),
        VisitSurveyRecord: _rows(session, VisitSurvey, VisitSurvey.booking_id, visit_ids),
    }
    staff = _staff(
        session,
        (
            getattr(row, column)
            for record, found in rows.items()
            for column in _employee_columns(record)
            for row in found
        ),
    )
    titles = _kb_titles(session, [row.kb_entry_id for row in rows[WrapupRecord]])
    places = _places(session, [row.point_id for row in rows[VisitRecord]])
    return Records(
        calls=_records(
            CallRecord, rows, staff, caller=lambda row: row.caller_e164 or row.caller_number
        ),
        transfers=_records(TransferRecord, rows, staff),
        wrapups=_records(
            WrapupRecord, rows, staff, kb_entry_title=lambda row: titles.get(row.kb_entry_id or "")
        ),
        dismissals=_records(DismissalRecord, rows, staff),
        referrals=_records(ReferralRecord, rows, staff),
        surveys=_records(SurveyRecord, rows, staff),
        tasks=_records(TaskRecord, rows, staff, phone=lambda row: row.phone_e164),
        windows=_records(WindowRecord, rows, staff),
        attempts=_records(AttemptRecord, rows, staff),
        changes=_records(ChangeRecord, rows, staff),
        messages=_records(MessageRecord, rows, staff),
        attachments=_records(AttachmentRecord, rows, staff),
        notices=_records(NoticeRecord, rows, staff),
        message_surveys=_records(MessageSurveyRecord, rows, staff),
        visits=_records(VisitRecord, rows, staff, point=lambda row: places.get(row.point_id, "")),
        visit_surveys=_records(VisitSurveyRecord, rows, staff),
    )


def _records(
    record: type[_R],
    rows: dict[type, list[Row[Any]]],
    staff: dict[int, Staff],
    **computed: Callable[[Row[Any]], object],
) -> tuple[_R, ...]:
    """The ``record``s of the rows read for it: a field is the row's column of the same name,
    an employee (a field typed ``Staff``) is named from the column ``<field>_id``, and the
    fields of ``computed`` are computed from the row."""
    copied = [(name, column) for name, column in _columns(record) if name not in computed]
    found = []
    for row in rows[record]:
        values = {name: compute(row) for name, compute in computed.items()}
        for name, column in copied:
            value = getattr(row, column)
            values[name] = _named(staff, value) if column != name else value
        found.append(record(**values))
    return tuple(found)


@cache
def _columns(record: type) -> tuple[tuple[str, str], ...]:
    """Each field of ``record`` with the column it is read from."""
    hints = get_type_hints(record)
    return tuple(
        (field.name, f"{field.name}_id" if hints[field.name] == Staff | None else field.name)
        for field in fields(record)
    )


def _employee_columns(record: type) -> list[str]:
    return [column for name, column in _columns(record) if column != name]


def _rows(
    session: Session,
    table: type[SQLModel],
    key: Any,
    ids: Sequence[int],
    *,
    without: Sequence[str] = (),
) -> list[Row[Any]]:
    """The rows of ``table`` whose ``key`` is one of ``ids``, read a batch at a time, as plain
    rows (building ORM objects would take most of the time of a long history), every column
    but those named in ``without``."""
    columns = [
        column
        for column in table.__table__.columns  # type: ignore[attr-defined]
        if column.name not in without
    ]
    connection = session.connection()
    found: list[Row[Any]] = []
    for batch in batches(ids):
        found += connection.execute(sa_select(*columns).where(col(key).in_(batch))).all()
    return found


def _staff(session: Session, ids: Iterable[int | None]) -> dict[int, Staff]:
    wanted = sorted({value for value in ids if value is not None})
    found: dict[int, Staff] = {}
    for batch in batches(wanted):
        query = (
            select(Employee.id, Employee.full_name, Employee.internal_number, Department.name)
            .join(Department, col(Department.id) == col(Employee.department_id))
            .where(col(Employee.id).in_(batch))
        )
        for employee_id, full_name, number, department in session.exec(query):
            if employee_id is not None:
                found[employee_id] = Staff(full_name, number, department)
    return found


def _named(staff: dict[int, Staff], employee_id: int | None) -> Staff | None:
    return None if employee_id is None else staff.get(employee_id)


def _kb_titles(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({value for value in ids if value})
    if not wanted:
        return {}
    query = select(KbEntry.id, KbEntry.title).where(col(KbEntry.id).in_(wanted))
    return dict(session.exec(query).all())


def _places(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The reception points' names and addresses (a handful of rows)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    points = session.exec(select(ReceptionPoint).where(col(ReceptionPoint.id).in_(wanted)))
    return {
        point.id: ", ".join(
            part for part in (point.name_ru, point.address_ru, point.room_ru) if part
        )
        for point in points
        if point.id is not None
    }
