"""What the IVR reads and writes in the database, one short transaction per step of a call.

Every method is synchronous and opens its own unit of work (:func:`models.db.session_scope`);
the FastAGI flows call them through ``FlowContext.blocking`` so that the event loop never
waits on the database. Time is always passed in (``now``), never read here.

Calls are keyed by Asterisk's Linkedid (the Uniqueid of the inbound channel). The AMI call
log keys its rows the same way, so whichever side sees a call first creates the row and the
other one fills it in.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.calendar_store import load_calendar
from models.callback_tasks import active_task, lock_number, number_lock
from models.db import session_scope
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import ACTIVE_STATUSES, CallbackStatus, TimeWindow, reservation_live
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import (
    COUNTED_OUTCOMES,
    TransferEvidence,
    TransferOutcome,
    TransferRecord,
    may_transfer,
    settle,
)
from models.settings import Settings
from models.tables import (
    Call,
    CallbackSource,
    CallbackTask,
    CallbackWindow,
    CallTransfer,
    Client,
    Employee,
    Language,
    SurveyChannel,
    SurveyResponse,
    TransferKind,
)
from models.topics import Topic

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# Column widths of ``calls`` (models/tables/calls.py).
CALLER_NUMBER_MAX = 64
CALLER_NAME_MAX = 255
DID_MAX = 32
IVR_PATH_MAX = 255
SPOKEN_QUESTION_MAX = 2000  # 15 s of speech is a few hundred characters
# Control, format (bidi overrides, zero-width) and surrogate code points: never stored.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs"})
# A device the dialplan may Dial: technology/resource, nothing that Dial() would read as
# options (",", "&", "(", spaces, quotes, "${").
_DEVICE = re.compile(r"[A-Za-z][A-Za-z0-9]*/[A-Za-z0-9_.@+:/-]+")
_DEVICE_MAX = 64
_CHANNEL_ID_MAX = 64  # call_transfers.channel_id


def clean_text(value: str, limit: int) -> str:
    """Caller-controlled text as it may be stored: unprintable characters removed, cut to
    ``limit`` characters. Quotes, ``$`` and braces are kept: they are text, nothing here
    ever evaluates them."""
    kept = "".join(char for char in value if unicodedata.category(char) not in _UNPRINTABLE)
    return kept[:limit]


def clean_lines(value: str, limit: int) -> str:
    """Text of several lines as it may be stored: like :func:`clean_text`, but line breaks
    and tabs are kept."""
    kept = "".join(
        char for char in value if char in "\n\t" or unicodedata.category(char) not in _UNPRINTABLE
    )
    return kept[:limit]


@dataclass(frozen=True, slots=True)
class SpokenAnswer:
    """An answer the caller said rather than keyed: the recognizer's confidence (0–1, None
    when it gave none)."""

    confidence: float | None


@dataclass(frozen=True, slots=True)
class CallerProfile:
    client_id: int | None
    language: Language | None  # the client's stored preference, None for an unknown caller
    open_callbacks: int  # active callback tasks for this number: the caller awaits our answer


@dataclass(frozen=True, slots=True)
class CallArrival:
    linkedid: str
    arrived_at: datetime
    in_working_hours: bool
    caller_number: str  # raw caller ID number (caller-controlled)
    caller_e164: str | None
    caller_name: str  # raw caller ID name (caller-controlled)
    did: str
    client_id: int | None


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    phone_e164: str
    source: CallbackSource
    requested_at: datetime
    promised_on: date
    windows: tuple[TimeWindow, ...]
    linkedid: str | None = None
    topic: Topic | None = None  # None: taken from the originating call when known
    question: str = ""


class TransferCheckKind(StrEnum):
    ALLOWED = "allowed"
    CAPPED = "capped"
    UNKNOWN_EMPLOYEE = "unknown_employee"


@dataclass(frozen=True, slots=True)
class TransferCheck:
    kind: TransferCheckKind
    device: str | None = None  # set when allowed
    done: int = 0  # completed transfers before this one


@dataclass(frozen=True, slots=True)
class TransferSettled:
    """An attempt whose outcome changed, and the call's completed transfers after it."""

    linkedid: str
    seq: int
    outcome: TransferOutcome
    completed: int


class LineStore:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings

    @property
    def engine(self) -> Engine:
        """For flows whose own package reads the database (``visits`` for reminder calls)."""
        return self._engine

    # ------------------------------------------------------------------ reading

    def calendar(self) -> ProductionCalendar:
        """Fresh from the override tables, so an admin's edit applies to the next call."""
        with session_scope(self._engine) as session:
            return load_calendar(session=session, settings=self._settings)

    def caller_profile(self, phone_e164: str | None) -> CallerProfile:
        if phone_e164 is None:
            return CallerProfile(client_id=None, language=None, open_callbacks=0)
        with session_scope(self._engine) as session:
            client = self._client(session, phone_e164)
            open_callbacks = session.exec(
                select(func.count())
                .select_from(CallbackTask)
                .where(
                    CallbackTask.phone_e164 == phone_e164,
                    col(CallbackTask.status).in_(ACTIVE_STATUSES),
                )
            ).one()
        return CallerProfile(
            client_id=client.id if client else None,
            language=client.language if client else None,
            open_callbacks=int(open_callbacks),
        )

    # ------------------------------------------------------------------ the call log

    def record_arrival(self, arrival: CallArrival) -> None:
        """Creates the call's row, or fills in what another writer (the AMI call log, a retry)
        left empty. The first writer's arrival instant and working-hours flag stand."""
        self._retrying(lambda session: self._record_arrival(session, arrival))

    def _record_arrival(self, session: Session, arrival: CallArrival) -> None:
        number = clean_text(arrival.caller_number, CALLER_NUMBER_MAX)
        name = clean_text(arrival.caller_name, CALLER_NAME_MAX)
        did = clean_text(arrival.did, DID_MAX)
        call = _call_by_linkedid(session, arrival.linkedid)
        if call is None:
            session.add(
                Call(
                    linkedid=arrival.linkedid,
                    arrived_at=arrival.arrived_at,
                    in_working_hours=arrival.in_working_hours,
                    caller_number=number,
                    caller_e164=arrival.caller_e164,
                    caller_name=name,
                    did=did,
                    client_id=arrival.client_id,
                )
            )
            session.flush()
            return
        call.caller_number = call.caller_number or number
        call.caller_name = call.caller_name or name
        call.did = call.did or did
        call.caller_e164 = call.caller_e164 or arrival.caller_e164
        call.client_id = call.client_id or arrival.client_id
        session.add(call)

    def record_ivr(
        self, linkedid: str, ivr_path: str, topic: Topic | None, language: Language | None
    ) -> bool:
        """Where the caller went in the menu; False if the call has no row (nothing stored)."""
        with session_scope(self._engine) as session:
            call = _call_by_linkedid(session, linkedid)
            if call is None:
                log.warning("record_ivr: no call %s", linkedid)
                return False
            call.ivr_path = clean_text(ivr_path, IVR_PATH_MAX)
            call.topic = topic if topic is not None else call.topic
            call.language = language if language is not None else call.language
            session.add(call)
        return True

    # ------------------------------------------------------------------ callbacks (C11)

    def open_callback(self, request: CallbackRequest) -> int:
        """The id of the number's active task: an existing one gets the new windows and
        question added (its promised date becomes the earlier of the two, so no promise
        made to the caller is broken), otherwise a new task is created."""
        # One active task per number, shared with the call log's missed-call tasks (C13).
        with number_lock():
            return self._retrying(lambda session: self._open_callback(session, request))

    def _open_callback(self, session: Session, request: CallbackRequest) -> int:
        lock_number(session, request.phone_e164)
        call = _call_by_linkedid(session, request.linkedid) if request.linkedid else None
        topic = request.topic if request.topic is not None else (call.topic if call else None)
        task = active_task(session, request.phone_e164)
        if task is None:
            client = self._client(session, request.phone_e164)
            task = CallbackTask(
                client_id=client.id if client else None,
                phone_e164=request.phone_e164,
                question=request.question,
                topic=topic,
                source=request.source,
                origin_call_id=call.id if call else None,
                requested_at=request.requested_at,
                promised_on=request.promised_on,
            )
        else:
            task.promised_on = min(task.promised_on, request.promised_on)
            if request.question and request.question not in task.question:
                task.question = "\n\n".join(
                    part for part in (task.question, request.question) if part
                )
            task.topic = task.topic or topic
        session.add(task)
        session.flush()
        assert task.id is not None
        _add_windows(session, task.id, request.windows)
        return task.id

    def callback_number(self, task_id: int, channel_id: str, now: datetime) -> str | None:
        """The digits to dial for an active task, which becomes in progress, given only to the
        channel that holds the task's live click-to-call reservation (the Originate's
        ChannelId, ``models.operator_access.reserve_callback``). None for a task that is
        missing, closed, not reserved by ``channel_id``, or whose number is not plain E.164."""
        with session_scope(self._engine) as session:
            task = session.get(CallbackTask, task_id)
            if task is None or task.status not in ACTIVE_STATUSES:
                return None
            held = task.dialling_channel_id == channel_id
            if not held or not reservation_live(task.dialling_since, now):
                log.warning("callback task %d: %s holds no reservation", task_id, channel_id)
                return None
            digits = task.phone_e164.removeprefix("+")
            if not task.phone_e164.startswith("+") or not digits.isdigit() or not digits.isascii():
                log.error("callback task %d has a malformed number", task_id)
                return None
            if task.status is not CallbackStatus.IN_PROGRESS:
                log.info("callback task %d in progress at %s", task_id, now.isoformat())
            task.status = CallbackStatus.IN_PROGRESS
            session.add(task)
        return digits

    # ------------------------------------------------------------------ transfers (C10)

    def check_transfer(
        self,
        linkedid: str,
        extension: str,
        now: datetime,
        cap: int,
        *,
        attended: bool = False,
        channel_id: str | None = None,
    ) -> TransferCheck:
        """Decides a transfer of call ``linkedid`` to internal number ``extension`` and records
        the attempt: PENDING when allowed (it holds one of the call's slots until
        :meth:`settle_transfer` says whether it completed), REFUSED when the cap is reached,
        FAILED for an unknown or inactive employee (so the call log shows the attempt; it does
        not count). ``channel_id``: the Uniqueid of the channel the guard runs on, which the
        settling evidence names. Two guards deciding at once cannot both take the last slot:
        their rows collide on (call, seq) and the second decides again, seeing the first."""
        return self._retrying(
            lambda session: self._check_transfer(
                session, linkedid, extension, now, cap, attended=attended, channel_id=channel_id
            )
        )

    def _check_transfer(
        self,
        session: Session,
        linkedid: str,
        extension: str,
        now: datetime,
        cap: int,
        *,
        attended: bool,
        channel_id: str | None,
    ) -> TransferCheck:
        call = self._call_or_minimal(session, linkedid, now)
        assert call.id is not None
        rows = _transfers(session, call.id)
        decision = may_transfer([TransferRecord(row.at, row.outcome) for row in rows], cap)
        employee = _active_employee(session, extension)
        if not decision.allowed:
            kind, outcome = TransferCheckKind.CAPPED, TransferOutcome.REFUSED
        elif employee is None:
            kind, outcome = TransferCheckKind.UNKNOWN_EMPLOYEE, TransferOutcome.FAILED
        else:
            kind, outcome = TransferCheckKind.ALLOWED, TransferOutcome.PENDING
        session.add(
            CallTransfer(
                call_id=call.id,
                seq=max((row.seq for row in rows), default=0) + 1,
                # The dialplan tells the consultation leg of an attended transfer apart
                # (XFER_LEG=consult: an unanswered Local leg); everything else is blind.
                kind=TransferKind.ATTENDED if attended else TransferKind.BLIND,
                outcome=outcome,
                to_employee_id=employee.id if employee else None,
                to_extension=extension,
                at=now,
                channel_id=channel_id[:_CHANNEL_ID_MAX] if channel_id else None,
            )
        )
        call.transfer_count = decision.done
        session.add(call)
        session.flush()
        if kind is TransferCheckKind.ALLOWED:
            assert employee is not None
            return TransferCheck(kind, device=employee.device, done=decision.done)
        return TransferCheck(kind, done=decision.done)

    def settle_transfer(
        self, linkedid: str, channel_id: str, evidence: TransferEvidence
    ) -> TransferSettled | None:
        """Applies what AMI (``ami.transfer_watch``) or the dialplan learned about the latest
        attempt the guard recorded on ``channel_id`` (``models.rules.transfers.settle``).
        The settled attempt, or None when nothing changed."""
        with session_scope(self._engine) as session:
            call = _call_by_linkedid(session, linkedid)
            if call is None or call.id is None:
                return None
            rows = _transfers(session, call.id)
            mine = [row for row in rows if row.channel_id == channel_id]
            if not mine:
                return None
            return _settle(session, call, rows, mine[-1], evidence)

    def transfer_failed(self, linkedid: str, dialstatus: str, channel_id: str = "") -> bool:
        """The guard's Dial on ``channel_id`` was not answered: its attempt becomes FAILED and
        no longer counts against the cap. Without a row for that channel (or a channel), the
        call's latest counted attempt. False when nothing changed."""
        with session_scope(self._engine) as session:
            call = _call_by_linkedid(session, linkedid)
            if call is None or call.id is None:
                log.warning("transfer_failed: no call %s (%s)", linkedid, dialstatus)
                return False
            rows = _transfers(session, call.id)
            mine = [row for row in rows if channel_id and row.channel_id == channel_id]
            counted = [row for row in rows if row.outcome in COUNTED_OUTCOMES]
            target = mine[-1] if mine else (counted[-1] if counted else None)
            if target is None:
                log.warning("transfer_failed: call %s has no transfer in flight", linkedid)
                return False
            settled = _settle(session, call, rows, target, TransferEvidence.NOT_ANSWERED)
            if settled is not None:
                log.info("call %s: transfer %d failed (%s)", linkedid, target.seq, dialstatus)
        return settled is not None

    # ------------------------------------------------------------------ survey (C15)

    def save_survey(
        self,
        linkedid: str,
        operator_device: str | None,
        answer_received: AnswerReceived | None,
        quality: QualityRating | None,
        now: datetime,
        *,
        heard: SpokenAnswer | None = None,
    ) -> None:
        """Stores what the caller answered so far; answers already given are kept. ``heard``:
        the answers given now were spoken, with the recognizer's confidence (else keyed)."""
        self._retrying(
            lambda session: self._save_survey(
                session, linkedid, operator_device, answer_received, quality, now, heard
            )
        )

    def _save_survey(
        self,
        session: Session,
        linkedid: str,
        operator_device: str | None,
        answer_received: AnswerReceived | None,
        quality: QualityRating | None,
        now: datetime,
        heard: SpokenAnswer | None,
    ) -> None:
        call = self._call_or_minimal(session, linkedid, now)
        assert call.id is not None
        response = session.exec(
            select(SurveyResponse).where(SurveyResponse.call_id == call.id)
        ).first()
        if response is None:
            response = SurveyResponse(call_id=call.id, created_at=now)
        if operator_device:
            operator = session.exec(
                select(Employee).where(Employee.device == operator_device)
            ).first()
            response.operator_id = operator.id if operator else response.operator_id
        via = SurveyChannel.KEYPAD if heard is None else SurveyChannel.SPEECH
        confidence = None if heard is None else heard.confidence
        if answer_received is not None:
            response.answer_received = answer_received
            response.answer_received_channel = via
            response.answer_received_confidence = confidence
        if quality is not None:
            response.quality = quality
            response.quality_channel = via
            response.quality_confidence = confidence
        if heard is not None:
            response.channel = SurveyChannel.SPEECH
        session.add(response)
        session.flush()

    def save_spoken_question(
        self, linkedid: str, question: str, confidence: float | None, now: datetime
    ) -> None:
        """What the caller said their question was (speech, question capture), kept with the
        call as recognized; a second capture replaces the first."""

        def save(session: Session) -> None:
            call = self._call_or_minimal(session, linkedid, now)
            call.spoken_question = clean_text(question, SPOKEN_QUESTION_MAX)
            call.spoken_question_confidence = confidence
            session.add(call)

        self._retrying(save)

    # ------------------------------------------------------------------ helpers

    def _call_or_minimal(self, session: Session, linkedid: str, now: datetime) -> Call:
        """The call's row; a call the log has not seen yet gets a minimal one."""
        call = _call_by_linkedid(session, linkedid)
        if call is None:
            calendar = load_calendar(session=session, settings=self._settings)
            call = Call(linkedid=linkedid, arrived_at=now, in_working_hours=calendar.is_open(now))
            session.add(call)
            session.flush()
        return call

    def _client(self, session: Session, phone_e164: str) -> Client | None:
        """The client with this number; none for a caller the training line simulated (its
        number is invented and may be a real person's)."""
        if self._settings.training_line:
            return None
        return session.exec(select(Client).where(Client.phone_e164 == phone_e164)).first()

    def _retrying(self, work: Callable[[Session], _T]) -> _T:
        """Runs ``work`` in a transaction; a unique-key race with a concurrent writer (two
        first writes of one call) is retried once, when the other row is visible."""
        try:
            with session_scope(self._engine) as session:
                return work(session)
        except IntegrityError:
            log.info("write conflict, retrying once")
            with session_scope(self._engine) as session:
                return work(session)


def _call_by_linkedid(session: Session, linkedid: str) -> Call | None:
    return session.exec(select(Call).where(Call.linkedid == linkedid)).first()


def _transfers(session: Session, call_id: int) -> list[CallTransfer]:
    query = select(CallTransfer).where(CallTransfer.call_id == call_id)
    return list(session.exec(query.order_by(col(CallTransfer.seq))).all())


def _settle(
    session: Session,
    call: Call,
    rows: Sequence[CallTransfer],
    row: CallTransfer,
    evidence: TransferEvidence,
) -> TransferSettled | None:
    outcome = settle(row.outcome, evidence, attended=row.kind is TransferKind.ATTENDED)
    if outcome is row.outcome:
        return None
    row.outcome = outcome
    session.add(row)
    call.transfer_count = sum(1 for r in rows if r.outcome is TransferOutcome.COMPLETED)
    session.add(call)
    return TransferSettled(call.linkedid, row.seq, outcome, call.transfer_count)


def _active_employee(session: Session, extension: str) -> Employee | None:
    employee = session.exec(
        select(Employee).where(Employee.internal_number == extension, col(Employee.active))
    ).first()
    if employee is None:
        return None
    if len(employee.device) > _DEVICE_MAX or not _DEVICE.fullmatch(employee.device):
        # Admin data, but it goes into Dial(): a device Dial could read as options is refused.
        log.error("employee %s has an unusable device %r", extension, employee.device)
        return None
    return employee


def _add_windows(session: Session, task_id: int, windows: Sequence[TimeWindow]) -> None:
    present = {
        (row.starts_at, row.ends_at)
        for row in session.exec(select(CallbackWindow).where(CallbackWindow.task_id == task_id))
    }
    for window in windows:
        if (window.starts_at, window.ends_at) in present:
            continue
        present.add((window.starts_at, window.ends_at))
        session.add(
            CallbackWindow(task_id=task_id, starts_at=window.starts_at, ends_at=window.ends_at)
        )
