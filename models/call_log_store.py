"""The call log in the database: what the AMI projector and the reconciliation learned.

Synchronous, one short transaction per call (the AMI bridge calls it in a worker thread).
Rows are keyed by Linkedid, like the IVR's (``models.line_store``): whichever side sees a
call first creates the row, the other fills in what is empty.

* :meth:`CallLogStore.record_progress`: a call in progress (``entry.ended_at`` None).
* :meth:`CallLogStore.record_finished`: the end of a call; the outcome (C13) is applied
  **once**. A second finish for the same call, from any source, changes nothing, so
  reconciling calls already logged live is harmless; a call whose live log was cut off is
  finished by the first source that knows its end.

What is never overwritten: the IVR's ``ivr_path``, ``topic`` and ``language``; the arrival
instant and the working-hours flag of whoever created the row (C13 decides "working hours"
at arrival); a non-empty caller ID, DID or client.

Transfers (C10). The dialplan transfer guard (``LineStore.check_transfer``) records each
attempt *before* it happens and knows what AMI cannot (refused by the cap, the employee who
answered); its rows are authoritative. An allowed attempt is PENDING until the AMI bridge
settles it from the guard channel's events (``ami.transfer_watch``). AMI-observed transfers
are merged only when the call finishes, and only those the guard has not recorded: per
extension, the first N transfers seen by the entry are taken to be the guard's N rows.
Merging earlier could insert a row the guard is about to write, and the guard would then
count it against the cap. An attempt still PENDING when the call has finished (its evidence
was missed, e.g. the AMI link dropped) is COMPLETED if the entry saw more completed transfers
to that extension than the rows already count, else FAILED. The call's ``transfer_count``
is kept equal to its COMPLETED rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ami.call_record import CallLogEntry, TransferEntry
from models.calendar_store import load_calendar
from models.callback_tasks import active_task, lock_number, number_lock
from models.db import session_scope
from models.line_store import (
    CALLER_NAME_MAX,
    CALLER_NUMBER_MAX,
    DID_MAX,
    clean_text,
)
from models.phones import normalize_phone
from models.rules.calendar import require_aware
from models.rules.missed import (
    CallFacts,
    CallOutcome,
    MissedReason,
    classify_call,
    opens_callback,
)
from models.rules.transfers import TransferOutcome
from models.settings import Settings
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    CallTransfer,
    Client,
    Employee,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# Column widths (models/tables/calls.py).
_EXTENSION_MAX = 32
_CAUSE_TEXT_MAX = 64
# ami.queue_log.MEMBER_NAME_PREFIX: an operator known only by the queue member's name.
_MEMBER_NAME_PREFIX = "name:"


@dataclass(frozen=True, slots=True)
class FinishedCall:
    """What :meth:`CallLogStore.record_finished` did. True when it changed the database."""

    call_id: int
    linkedid: str
    changed: bool  # False: the call was already finished, nothing was written
    outcome: CallOutcome
    missed_reason: MissedReason | None
    short_call: bool
    callback_task_id: int | None  # the task a missed call is attached to (C13)
    callback_task_opened: bool  # this call opened that task

    def __bool__(self) -> bool:
        return self.changed


class CallLogStore:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings

    def record_progress(self, entry: CallLogEntry) -> None:
        """A call in progress: creates its row or fills it in. A finished call is left as is."""
        self._retrying(lambda session: self._progress(session, entry))

    def record_finished(self, entry: CallLogEntry, now: datetime) -> FinishedCall:
        """Applies the end of the call and its outcome, once (see the module docstring)."""
        if entry.ended_at is None:
            raise ValueError(f"call {entry.linkedid} has not ended")
        require_aware(now, "now")
        # The process-wide lock of models.callback_tasks: a missed call may open a callback
        # task, and one number gets one active task whoever opens it (C11, C13). It also
        # serialises two finishes of one call here (live and reconciliation).
        with number_lock():
            return self._retrying(lambda session: self._finish(session, entry, now))

    def unfinished(self, linkedids: Collection[str]) -> set[str]:
        """Those of ``linkedids`` without an outcome yet (or not in the log at all)."""
        wanted = set(linkedids)
        if not wanted:
            return set()
        with Session(self._engine) as session:
            done = session.exec(
                select(Call.linkedid).where(
                    col(Call.linkedid).in_(sorted(wanted)), col(Call.outcome).is_not(None)
                )
            ).all()
        return wanted - set(done)

    # ------------------------------------------------------------------ transactions

    def _progress(self, session: Session, entry: CallLogEntry) -> None:
        call = self._call_row(session, entry)
        if call.outcome is not None:
            return
        _merge_progress(session, call, entry)
        session.add(call)

    def _finish(self, session: Session, entry: CallLogEntry, now: datetime) -> FinishedCall:
        call = self._call_row(session, entry)
        assert call.id is not None
        if call.outcome is not None:
            return _result(call, changed=False, opened=False)
        assert entry.ended_at is not None
        _merge_progress(session, call, entry)
        # A source's clock may put the end a hair before another source's arrival.
        call.ended_at = max(entry.ended_at, call.arrived_at)
        call.hangup_side = entry.hangup_side
        call.hangup_cause = entry.hangup_cause
        call.hangup_cause_text = clean_text(entry.hangup_cause_text, _CAUSE_TEXT_MAX) or None
        _merge_transfers(session, call, entry.transfers)
        verdict = classify_call(
            CallFacts(
                arrived_at=call.arrived_at,
                ended_at=call.ended_at,
                in_working_hours=call.in_working_hours,  # decided at arrival (C13)
                reached_operator=call.answered_at is not None,
                queue_exit=entry.queue_exit,
            ),
            short_call_threshold_s=self._settings.short_call_threshold_s,
        )
        call.outcome = verdict.outcome
        call.missed_reason = verdict.missed_reason
        call.short_call = verdict.short
        opened = False
        if opens_callback(verdict, min_time_in_line_s=self._settings.missed_callback_min_time_s):
            opened = self._missed_call_callback(session, call, now)
        session.add(call)
        session.flush()
        return _result(call, changed=True, opened=opened)

    def _call_row(self, session: Session, entry: CallLogEntry) -> Call:
        """The call's row, locked for this transaction; created from the entry if missing."""
        query = select(Call).where(Call.linkedid == entry.linkedid)
        # FOR NO KEY UPDATE on PostgreSQL (nothing on SQLite): one finish at a time across
        # processes, without blocking the foreign-key checks of rows that reference the call.
        call = session.exec(query.with_for_update(key_share=True)).first()
        number = clean_text(entry.caller_number, CALLER_NUMBER_MAX)
        e164 = normalize_phone(number)
        training = self._settings.training_line
        if call is None:
            calendar = load_calendar(session=session, settings=self._settings)
            call = Call(
                linkedid=entry.linkedid,
                arrived_at=entry.arrived_at,
                in_working_hours=calendar.is_open(entry.arrived_at),  # C3, for C13
                caller_number=number,
                caller_e164=e164,
                caller_name=clean_text(entry.caller_name, CALLER_NAME_MAX),
                did=clean_text(entry.did, DID_MAX),
                # G3: the call joins the client's history (a simulated caller never does)
                client_id=None if training else _client_id(session, e164),
            )
            session.add(call)
            session.flush()
            return call
        call.caller_number = call.caller_number or number
        call.caller_e164 = call.caller_e164 or normalize_phone(call.caller_number)
        call.caller_name = call.caller_name or clean_text(entry.caller_name, CALLER_NAME_MAX)
        call.did = call.did or clean_text(entry.did, DID_MAX)
        if not training:
            call.client_id = call.client_id or _client_id(session, call.caller_e164)
        return call

    def _missed_call_callback(self, session: Session, call: Call, now: datetime) -> bool:
        """C13: a missed call from an identifiable number gets a callback task, due the next
        working day after arrival; a number with an active task has the call attached to
        it. True when a task was opened."""
        phone = call.caller_e164 or normalize_phone(call.caller_number)
        if phone is None:
            return False
        lock_number(session, phone)
        task = active_task(session, phone)
        opened = task is None
        if task is None:
            calendar = load_calendar(session=session, settings=self._settings)
            arrival_day = call.arrived_at.astimezone(calendar.tz).date()
            task = CallbackTask(
                client_id=call.client_id,
                phone_e164=phone,
                topic=call.topic,
                source=CallbackSource.MISSED_CALL,
                origin_call_id=call.id,
                requested_at=now,
                promised_on=calendar.next_working_day(arrival_day),
            )
            session.add(task)
            session.flush()
            log.info("call %s missed: callback task %s opened", call.linkedid, task.id)
        call.callback_task_id = task.id
        return opened

    def _retrying(self, work: Callable[[Session], _T]) -> _T:
        """One transaction; a unique-key race with a concurrent first writer of the same call
        (the IVR's record_arrival) is retried once, when the other row is visible."""
        try:
            with session_scope(self._engine) as session:
                return work(session)
        except IntegrityError:
            log.info("call log write conflict, retrying once")
            with session_scope(self._engine) as session:
                return work(session)


# ---------------------------------------------------------------------------- merging


def _merge_progress(session: Session, call: Call, entry: CallLogEntry) -> None:
    """Facts of a call in progress; a value the entry does not know never erases one."""
    call.queue_joined_at = entry.queue_joined_at or call.queue_joined_at
    if entry.queue_wait_s is not None:
        call.queue_wait_s = entry.queue_wait_s
    call.answered_at = entry.answered_at or call.answered_at
    if entry.talk_s is not None:
        call.talk_s = entry.talk_s
    if entry.operator_interface:
        call.operator_id = _employee_by_device(session, entry.operator_interface) or (
            call.operator_id
        )


def _merge_transfers(session: Session, call: Call, transfers: Sequence[TransferEntry]) -> None:
    """C10: adds the transfers no row records yet; the guard's rows stand (module docstring)."""
    assert call.id is not None
    rows = list(
        session.exec(
            select(CallTransfer)
            .where(CallTransfer.call_id == call.id)
            .order_by(col(CallTransfer.seq))
        ).all()
    )
    _settle_pending(rows, transfers)
    recorded = Counter(row.to_extension for row in rows)
    seen: Counter[str] = Counter()
    seq = max((row.seq for row in rows), default=0)
    for transfer in transfers:
        extension = clean_text(transfer.to_extension, _EXTENSION_MAX)
        seen[extension] += 1
        if seen[extension] <= recorded[extension]:
            continue
        seq += 1
        row = CallTransfer(
            call_id=call.id,
            seq=seq,
            kind=transfer.kind,
            outcome=transfer.outcome,
            from_employee_id=_employee_by_device(session, transfer.from_interface),
            to_employee_id=_employee_by_number(session, extension),
            to_extension=extension,
            at=transfer.at,
        )
        session.add(row)
        rows.append(row)
    call.transfer_count = sum(1 for row in rows if row.outcome is TransferOutcome.COMPLETED)


def _settle_pending(rows: Sequence[CallTransfer], transfers: Sequence[TransferEntry]) -> None:
    """The call has finished: attempts still PENDING (module docstring)."""
    seen = Counter(
        clean_text(t.to_extension, _EXTENSION_MAX)
        for t in transfers
        if t.outcome is TransferOutcome.COMPLETED
    )
    seen.subtract(row.to_extension for row in rows if row.outcome is TransferOutcome.COMPLETED)
    for row in rows:
        if row.outcome is not TransferOutcome.PENDING:
            continue
        completed = seen[row.to_extension] > 0
        seen[row.to_extension] -= 1
        row.outcome = TransferOutcome.COMPLETED if completed else TransferOutcome.FAILED


def _result(call: Call, *, changed: bool, opened: bool) -> FinishedCall:
    assert call.id is not None
    assert call.outcome is not None
    return FinishedCall(
        call_id=call.id,
        linkedid=call.linkedid,
        changed=changed,
        outcome=call.outcome,
        missed_reason=call.missed_reason,
        short_call=call.short_call,
        callback_task_id=call.callback_task_id,
        callback_task_opened=opened,
    )


# --------------------------------------------------------------------------- look-ups


def _client_id(session: Session, phone_e164: str | None) -> int | None:
    if phone_e164 is None:
        return None
    client = session.exec(select(Client).where(Client.phone_e164 == phone_e164)).first()
    return client.id if client else None


def device_key(device: str) -> str:
    """A device or queue interface without its technology and context, for matching across
    technologies: ``PJSIP/201``, ``SIP/201``, ``Local/201@from-queue/n`` and ``name:201``
    all give ``201``."""
    value = device.strip().removeprefix(_MEMBER_NAME_PREFIX)
    value = value.split("/", 1)[1] if "/" in value else value
    return value.split("@", 1)[0].split("/", 1)[0].strip().lower()


def _employee_by_device(session: Session, interface: str) -> int | None:
    """The employee whose device is the queue member's interface: the same device string,
    else the only employee with the same device key or internal number (the interface may
    be a Local channel or a member name for the same phone: technology-agnostic)."""
    if not interface.strip():
        return None
    exact = session.exec(
        select(Employee).where(func.lower(Employee.device) == interface.strip().lower())
    ).all()
    if len(exact) == 1:
        return exact[0].id
    key = device_key(interface)
    if not key:
        return None
    employees = session.exec(select(Employee)).all()
    matches = [e for e in employees if device_key(e.device) == key or e.internal_number == key]
    active = [e for e in matches if e.active]
    for candidates in (matches, active):
        if len(candidates) == 1:
            return candidates[0].id
    if matches:
        log.warning(
            "interface %r matches %d employees: operator left unknown", interface, len(matches)
        )
    return None


def _employee_by_number(session: Session, extension: str) -> int | None:
    if not extension:
        return None
    employee = session.exec(select(Employee).where(Employee.internal_number == extension)).first()
    return employee.id if employee else None
