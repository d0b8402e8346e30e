"""A hand-built interaction history on both sides of the retention cut-off (G3).

``old`` lies before the cut-off, ``new`` at or after it. What a purge must do with each row
is in the names: ``gone_*`` rows go, ``kept_*`` rows stay.

* client ``gone``: one old call with a transfer, a wrap-up, a referral and a survey answer;
  nothing younger, nobody read the record: deleted with all of it;
* client ``mixed``: an old call (goes) and a new one (stays, and so does the client), named
  in the audit log;
* client ``audited``: an old call only, but the audit log names the client: anonymised;
* client ``spanning``: an old missed call whose callback task was closed after the cut-off,
  with an attempt after it: the whole case stays;
* client ``recent``: created after the cut-off, no calls yet: stays;
* a closed old task with its old origin call and an old call attached to it (the two point
  at each other), windows, attempt and change: all go;
* a closed old task whose attached call came after the cut-off: the task and its old origin
  call stay;
* an old task still open: stays with its origin call;
* an old call from a hidden number: goes; a dismissed wrap-up of an old call: goes;
* written messages, dated by their closing or, never closed, by their arrival: client
  ``gone``'s message closed before the cut-off (with a file, a notice and an answered survey)
  goes, and so does a message nobody closed that came before it; a message that came before the
  cut-off but was closed at it stays, and keeps its author, client ``writer`` (no calls); so do
  a message that came at the cut-off and is still open, one closed before it whose answer was
  sent again after it, and one whose survey was answered after it;
* personal visits (V13), dated by the visit: client ``gone``'s old visit with its cancellation
  link and its rating goes; a visit before the cut-off rated after it stays, and so does a
  visit at the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferOutcome
from models.tables import (
    AttemptResult,
    AuditEntry,
    Call,
    CallbackAttempt,
    CallbackChangeKind,
    CallbackSource,
    CallbackTask,
    CallbackTaskChange,
    CallbackWindow,
    CallReferral,
    CallTransfer,
    CallWrapup,
    Channel,
    Client,
    MessageAttachment,
    MessageIntake,
    MessageNotice,
    MessageStatus,
    MessageSurvey,
    NoticeKind,
    NoticeState,
    ReceptionPoint,
    SurveyResponse,
    TransferKind,
    VisitBooking,
    VisitCancelLink,
    VisitChannel,
    VisitSurvey,
    WrapupDismissal,
    WrittenMessage,
)
from tests.factories import add_employee

# What two callers said in the voice menu: a column of their calls, gone with the old one (G3).
GONE_SPOKEN = "как продлить лицензию я иванов"
KEPT_SPOKEN = "сколько стоит лицензия"
KEPT_MESSAGES = {
    "ПО-2026-000003",  # closed at the cut-off
    "ПО-2026-000004",  # came at the cut-off, still open
    "ПО-2026-000005",  # closed before, answered again after it
    "ПО-2026-000006",  # closed before, survey answered after it
}
GONE_MESSAGES = {"ПО-2026-000001", "ПО-2026-000002"}
KEPT_CALLS = {"kept-mixed", "kept-spanning", "kept-task-origin", "kept-task-late", "kept-open"}
GONE_CALLS = {
    "gone-client",
    "gone-mixed",
    "gone-audited",
    "gone-task-origin",
    "gone-task-attached",
    "gone-hidden",
    "gone-dismissed",
}


@dataclass(frozen=True, slots=True)
class Sample:
    gone: int
    mixed: int
    audited: int
    spanning: int
    recent: int
    writer: int
    spanning_task: int
    gone_task: int
    late_task: int
    open_task: int


def build_history(engine: Engine, *, old: datetime, new: datetime) -> Sample:
    employee = add_employee(engine, "201", "PJSIP/201")
    with Session(engine) as session:
        clients = {
            name: Client(phone_e164=f"+7928000000{n}", full_name=name, created_at=old)
            for n, name in enumerate(["gone", "mixed", "audited", "spanning"], start=1)
        }
        clients["recent"] = Client(phone_e164="+79280000009", created_at=new)
        clients["writer"] = Client(email="writer@example.ru", full_name="writer", created_at=old)
        session.add_all(clients.values())
        session.flush()
        ids = {name: _id(client.id) for name, client in clients.items()}

        def call(linkedid: str, at: datetime, client: str | None = None, said: str = "") -> Call:
            row = Call(
                linkedid=linkedid,
                client_id=ids[client] if client else None,
                caller_number=clients[client].phone_e164 or "" if client is not None else "",
                arrived_at=at,
                in_working_hours=True,
                outcome=CallOutcome.ANSWERED,
                ended_at=at + timedelta(minutes=4),
                spoken_question=said,
            )
            session.add(row)
            session.flush()
            return row

        gone = _id(call("gone-client", old - timedelta(days=400), "gone", GONE_SPOKEN).id)
        session.add_all(
            [
                CallTransfer(
                    call_id=gone,
                    seq=1,
                    kind=TransferKind.BLIND,
                    outcome=TransferOutcome.COMPLETED,
                    at=old - timedelta(days=400),
                ),
                CallWrapup(
                    call_id=gone,
                    kb_answer_found=False,
                    question="Как продлить лицензию, я Иванов",
                    created_at=old - timedelta(days=400),
                ),
                CallReferral(call_id=gone, agency_title="Росалкогольтабакконтроль", at=old),
                SurveyResponse(
                    call_id=gone,
                    answer_received=AnswerReceived.YES,
                    quality=QualityRating.SATISFIED,
                    created_at=old - timedelta(days=400),
                ),
            ]
        )
        call("gone-mixed", old, "mixed")
        kept_mixed = _id(call("kept-mixed", new, "mixed", KEPT_SPOKEN).id)
        session.add(CallWrapup(call_id=kept_mixed, kb_answer_found=True, created_at=new))
        call("gone-audited", old - timedelta(days=30), "audited")
        call("gone-hidden", old)
        dismissed = _id(call("gone-dismissed", old).id)
        session.add(WrapupDismissal(call_id=dismissed, employee_id=employee, at=old, reason="сбой"))
        for name in ("mixed", "audited"):
            session.add(
                AuditEntry(
                    at=new,
                    actor="web:supervisor",
                    action="history_read",
                    subject=f"client:{name}",
                    client_id=ids[name],
                )
            )

        def task(origin: Call, status: CallbackStatus, closed_at: datetime | None) -> int:
            row = CallbackTask(
                client_id=origin.client_id,
                phone_e164="+79280000077",
                question="Перезвоните по лицензии",
                source=CallbackSource.MISSED_CALL,
                origin_call_id=origin.id,
                requested_at=origin.arrived_at,
                promised_on=origin.arrived_at.date() + timedelta(days=1),
                status=status,
                closed_at=closed_at,
            )
            session.add(row)
            session.flush()
            origin.callback_task_id = row.id
            return _id(row.id)

        spanning_call = call("kept-spanning", old - timedelta(days=2), "spanning")
        spanning_task = task(spanning_call, CallbackStatus.DONE, new + timedelta(days=1))
        session.add(
            CallbackAttempt(
                task_id=spanning_task, at=new + timedelta(days=1), result=AttemptResult.ANSWERED
            )
        )

        gone_task = task(
            call("gone-task-origin", old - timedelta(days=3)), CallbackStatus.DONE, old
        )
        call("gone-task-attached", old - timedelta(days=2)).callback_task_id = gone_task
        session.add_all(
            [
                CallbackWindow(
                    task_id=gone_task,
                    starts_at=old - timedelta(days=2),
                    ends_at=old - timedelta(days=2) + timedelta(hours=2),
                ),
                CallbackAttempt(task_id=gone_task, at=old, result=AttemptResult.NO_ANSWER),
                CallbackTaskChange(
                    task_id=gone_task,
                    at=old,
                    kind=CallbackChangeKind.CLOSED,
                    reason="ответ дан",
                ),
            ]
        )

        late_task = task(
            call("kept-task-origin", old - timedelta(days=5)), CallbackStatus.FAILED, old
        )
        call("kept-task-late", new).callback_task_id = late_task

        open_task = task(call("kept-open", old - timedelta(days=9)), CallbackStatus.OPEN, None)
        _messages(session, ids, old=old, new=new)
        _visits(session, ids, employee, old=old, new=new)
        session.commit()
    return Sample(
        gone=ids["gone"],
        mixed=ids["mixed"],
        audited=ids["audited"],
        spanning=ids["spanning"],
        recent=ids["recent"],
        writer=ids["writer"],
        spanning_task=spanning_task,
        gone_task=gone_task,
        late_task=late_task,
        open_task=open_task,
    )


def _messages(session: Session, ids: dict[str, int], *, old: datetime, new: datetime) -> None:
    day = timedelta(days=1)

    def message(
        n: int, received: datetime, closed: datetime | None, client: str | None = None
    ) -> int:
        row = WrittenMessage(
            number=f"ПО-2026-{n:06d}",
            received_at=received,
            intake=MessageIntake.EMAIL,
            client_id=ids[client] if client else None,
            body="Прошу разъяснить порядок лицензирования",
            primary_due=received.date() + 3 * day,
            answer_due=received.date() + 30 * day,
            status=MessageStatus.ANSWERED if closed else MessageStatus.REGISTERED,
            closed_at=closed,
        )
        session.add(row)
        session.flush()
        return _id(row.id)

    def notice(message_id: int, at: datetime) -> MessageNotice:
        return MessageNotice(
            message_id=message_id,
            kind=NoticeKind.ANSWER,
            channel=Channel.EMAIL,
            to_address="writer@example.ru",
            body="Ответ по существу",
            state=NoticeState.SENT,
            at=at,
        )

    gone = message(1, old - 60 * day, old - 20 * day, "gone")
    session.add_all(
        [
            MessageAttachment(
                message_id=gone,
                filename="скан.pdf",
                content_type="application/pdf",
                size=4,
                data=b"%PDF",
            ),
            notice(gone, old - 40 * day),
            MessageSurvey(
                message_id=gone,
                token_hash="a" * 64,
                issued_at=old - 40 * day,
                answered_at=old - 39 * day,
                answer_received=AnswerReceived.YES,
            ),
        ]
    )
    message(2, old, None)  # never closed: dated by its arrival
    message(3, old - 30 * day, new, "writer")
    message(4, new, None)
    resent = message(5, old - 90 * day, old - 80 * day)
    session.add_all([notice(resent, old - 80 * day), notice(resent, new)])
    rated = message(6, old - 90 * day, old - 80 * day)
    session.add(
        MessageSurvey(
            message_id=rated,
            token_hash="b" * 64,
            issued_at=old - 80 * day,
            answered_at=new,
            quality=QualityRating.SATISFIED,
        )
    )


def _visits(
    session: Session, ids: dict[str, int], employee: int, *, old: datetime, new: datetime
) -> None:
    day = timedelta(days=1)
    point = ReceptionPoint(
        code="ministry", name_ru="Министерство", name_en="Ministry", address_ru="Махачкала",
        address_en="Makhachkala", updated_at=old - 100 * day,
    )  # fmt: skip
    session.add(point)
    session.flush()

    def visit(at: datetime, client: str | None = None) -> int:
        row = VisitBooking(
            employee_id=employee, point_id=_id(point.id), starts_at=at, ends_at=at + day / 48,
            client_id=ids[client] if client else None, phone_e164="+79280000001",
            channel=VisitChannel.LINE, booked_at=at - 3 * day,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return _id(row.id)

    gone = visit(old - 10 * day, "gone")
    rated = visit(old - 20 * day)
    visit(new)
    session.add_all(
        [
            VisitCancelLink(booking_id=gone, token_hash="c" * 64, issued_at=old - 13 * day),
            VisitSurvey(
                booking_id=gone,
                token_hash="d" * 64,
                issued_at=old - 10 * day,
                answered_at=old - 9 * day,
                quality=QualityRating.SATISFIED,
            ),
            VisitSurvey(booking_id=rated, issued_at=old - 20 * day, answered_at=new),
        ]
    )


def _id(value: int | None) -> int:
    assert value is not None
    return value
