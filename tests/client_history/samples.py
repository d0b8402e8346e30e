"""One client's history, written by hand: four calls (answered with a transfer, a wrap-up and
a survey; missed; after hours in English; answered with a referral to another agency, a
dismissed wrap-up and a partial survey) and two callback tasks (one opened by the missed call,
called back and closed; one the operator opened with another number to call back).

:func:`story_records` holds it as plain values for the pure tests; :func:`write_story` writes
the same story into a database for the store and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from client_history.records import (
    AttemptRecord,
    CallRecord,
    ChangeRecord,
    ClientRecord,
    DismissalRecord,
    Records,
    ReferralRecord,
    Staff,
    SurveyRecord,
    TaskRecord,
    TransferRecord,
    WindowRecord,
    WrapupRecord,
)
from models.db import session_scope
from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferOutcome
from models.tables import (
    AttemptResult,
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
    Department,
    Employee,
    HangupSide,
    Language,
    SurveyChannel,
    SurveyResponse,
    TransferKind,
    WrapupDismissal,
)
from models.topics import Topic

MSK = ZoneInfo("Europe/Moscow")
PHONE = "+79281234567"
OTHER_PHONE = "+79280000001"  # the number the client gave for a call back
STRANGER = "+79285550000"

OPERATOR = Staff("Алиева Патимат Руслановна", "4471", "Отдел консультаций")
EXPERT = Staff("Магомедов Руслан Ахмедович", "4472", "Отдел государственной поддержки")

QUESTION = "Какие документы нужны для субсидии на оборудование?"
# what the caller said in the voice menu, as recognized (speech), and the recognizer's confidence
SPOKEN_QUESTION = "какие документы на субсидию для станка"
SPOKEN_CONFIDENCE = 0.87
AGENCY = "Управление Роспотребнадзора по Республике Дагестан"
CONTACTS = "+7 (8722) 68-00-00, по будням 9:00–18:00"
DISMISSAL = "Вопрос не по линии, итог не нужен"
RESULT = "Рассказали о сроках рассмотрения заявления"
RESCHEDULE_REASON = "Клиент попросил перезвонить после 11"
WINDOWS_CHANGE = "Окна: было 03.12.2026 10:00–12:00; стало 03.12.2026 11:00–12:00."
TASK_QUESTION = "Перезвонить с перечнем документов"
LINKEDID = "1795867058.0"
IVR_PATH = "language:1>topic:2"

# Values the client's document must never hold (client_history.disclosure).
STAFF_ONLY = (
    OPERATOR.full_name,
    "Алиева",
    EXPERT.full_name,
    "Магомедов",
    OPERATOR.internal_number,
    EXPERT.internal_number,
    OPERATOR.department,  # the operator's own department: only a transfer's is given
    LINKEDID,
    IVR_PATH,
    DISMISSAL,
    "keypad",
    "speech",
    str(SPOKEN_CONFIDENCE),
)


def msk(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=MSK)


CLIENT = ClientRecord(
    id=7,
    phone=PHONE,
    full_name="Гаджиева Марьям",
    email="maryam@example.ru",
    language=Language.RU,
    preferred_channel=Channel.EMAIL,
    extra_channel=Channel.SMS,
    created_at=msk(1, 9),
)

CALL_A = CallRecord(
    id=11,
    linkedid=LINKEDID,
    caller=PHONE,
    arrived_at=msk(1, 10),
    in_working_hours=True,
    language=Language.RU,
    ivr_path=IVR_PATH,
    topic=Topic.SUPPORT_MEASURES,
    queue_wait_s=23.4,
    answered_at=msk(1, 10, 0, 30),
    operator=OPERATOR,
    ended_at=msk(1, 10, 3, 45),
    talk_s=195.2,
    outcome=CallOutcome.ANSWERED,
    missed_reason=None,
    short_call=False,
    hangup_side=HangupSide.CALLER,
    hangup_cause=16,
    spoken_question=SPOKEN_QUESTION,
    spoken_question_confidence=SPOKEN_CONFIDENCE,
)
CALL_B = CallRecord(
    id=12,
    linkedid="1795950000.4",
    caller=PHONE,
    arrived_at=msk(2, 17, 30),
    in_working_hours=True,
    language=Language.RU,
    ivr_path="language:1>topic:1",
    topic=Topic.STATE_SERVICES,
    queue_wait_s=300.0,
    answered_at=None,
    operator=None,
    ended_at=msk(2, 17, 35, 5),
    talk_s=None,
    outcome=CallOutcome.MISSED,
    missed_reason=MissedReason.QUEUE_TIMEOUT,
    short_call=False,
    hangup_side=HangupSide.SYSTEM,
    hangup_cause=16,
    spoken_question="",
    spoken_question_confidence=None,
)
CALL_C = CallRecord(
    id=13,
    linkedid="1796000000.9",
    caller=PHONE,
    arrived_at=msk(4, 19, 10),
    in_working_hours=False,
    language=Language.EN,
    ivr_path="language:2",
    topic=None,
    queue_wait_s=None,
    answered_at=None,
    operator=None,
    ended_at=msk(4, 19, 11),
    talk_s=None,
    outcome=CallOutcome.AFTER_HOURS,
    missed_reason=None,
    short_call=False,
    hangup_side=HangupSide.CALLER,
    hangup_cause=16,
    spoken_question="",
    spoken_question_confidence=None,
)
CALL_D = CallRecord(
    id=14,
    linkedid="1796200000.2",
    caller=PHONE,
    arrived_at=msk(7, 11),
    in_working_hours=True,
    language=Language.RU,
    ivr_path="language:1>topic:4",
    topic=Topic.CONTROL_SUPERVISION,
    queue_wait_s=8.0,
    answered_at=msk(7, 11, 0, 8),
    operator=OPERATOR,
    ended_at=msk(7, 11, 1, 9),
    talk_s=61.0,
    outcome=CallOutcome.ANSWERED,
    missed_reason=None,
    short_call=False,
    hangup_side=HangupSide.OPERATOR,
    hangup_cause=16,
    spoken_question="",
    spoken_question_confidence=None,
)

TRANSFER = TransferRecord(
    call_id=11,
    seq=1,
    at=msk(1, 10, 2),
    kind=TransferKind.BLIND,
    outcome=TransferOutcome.COMPLETED,
    from_employee=OPERATOR,
    to_employee=EXPERT,
    to_extension=EXPERT.internal_number,
)
WRAPUP = WrapupRecord(
    call_id=11,
    created_at=msk(1, 10, 5),
    question=QUESTION,
    topic=Topic.SUPPORT_MEASURES,
    kb_answer_found=False,
    kb_entry_id=None,
    kb_entry_title=None,
    operator=OPERATOR,
)
SURVEY_A = SurveyRecord(
    call_id=11,
    created_at=msk(1, 10, 4, 10),
    answer_received=AnswerReceived.YES,
    quality=QualityRating.SATISFIED,
    channel=SurveyChannel.KEYPAD,
    operator=OPERATOR,
)
REFERRAL = ReferralRecord(
    call_id=14, at=msk(7, 11, 0, 50), agency_title=AGENCY, contacts=CONTACTS, employee=OPERATOR
)
DISMISSED = DismissalRecord(call_id=14, at=msk(7, 11, 3), reason=DISMISSAL, employee=OPERATOR)
SURVEY_D = SurveyRecord(
    call_id=14,
    created_at=msk(7, 11, 1, 30),
    answer_received=AnswerReceived.NO,
    quality=None,
    channel=SurveyChannel.SPEECH,
    operator=OPERATOR,
)

TASK_MISSED = TaskRecord(
    id=21,
    phone=PHONE,
    question="",
    topic=Topic.STATE_SERVICES,
    source=CallbackSource.MISSED_CALL,
    origin_call_id=12,
    requested_at=msk(2, 17, 35, 6),
    promised_on=date(2026, 12, 4),
    owner=OPERATOR,
    status=CallbackStatus.DONE,
    closed_at=msk(3, 11, 10),
    result_note=RESULT,
)
TASK_OPERATOR = TaskRecord(
    id=22,
    phone=OTHER_PHONE,
    question=TASK_QUESTION,
    topic=Topic.SUPPORT_MEASURES,
    source=CallbackSource.OPERATOR,
    origin_call_id=11,
    requested_at=msk(1, 10, 3, 30),
    promised_on=date(2026, 12, 4),
    owner=EXPERT,
    status=CallbackStatus.OPEN,
    closed_at=None,
    result_note="",
)
WINDOW = WindowRecord(task_id=21, starts_at=msk(3, 11), ends_at=msk(3, 12))
NO_ANSWER = AttemptRecord(21, msk(3, 10, 5), AttemptResult.NO_ANSWER, OPERATOR)
ANSWERED = AttemptRecord(21, msk(3, 11, 2), AttemptResult.ANSWERED, OPERATOR)
RESCHEDULED = ChangeRecord(
    task_id=21,
    at=msk(3, 10, 10),
    kind=CallbackChangeKind.RESCHEDULED,
    reason=RESCHEDULE_REASON,
    promised_before=date(2026, 12, 4),
    promised_after=date(2026, 12, 4),
    detail=WINDOWS_CHANGE,
    employee=OPERATOR,
)
CLOSED = ChangeRecord(
    task_id=21,
    at=msk(3, 11, 10),
    kind=CallbackChangeKind.CLOSED,
    reason="",
    promised_before=date(2026, 12, 4),
    promised_after=date(2026, 12, 4),
    detail="Выполнена",
    employee=OPERATOR,
)


def story_records() -> Records:
    """The story, each kind of row in a shuffled order (the timeline orders them)."""
    return Records(
        calls=(CALL_D, CALL_B, CALL_A, CALL_C),
        transfers=(TRANSFER,),
        wrapups=(WRAPUP,),
        dismissals=(DISMISSED,),
        referrals=(REFERRAL,),
        surveys=(SURVEY_D, SURVEY_A),
        tasks=(TASK_MISSED, TASK_OPERATOR),
        windows=(WINDOW,),
        attempts=(ANSWERED, NO_ANSWER),
        changes=(CLOSED, RESCHEDULED),
    )


# --------------------------------------------------------------------------- in a database


@dataclass(frozen=True, slots=True)
class StoryIds:
    calls: dict[str, int]  # "A".."D", and "stranger"
    tasks: dict[str, int]  # "missed", "operator", "stranger"
    operator: int
    expert: int


def write_story(engine: Engine, *, client: bool = False) -> StoryIds:
    """The story in ``engine``; with ``client`` the client's record exists too (with the
    name, e-mail and channels of :data:`CLIENT`), else the number has none. A stranger's call
    and task are written beside it."""
    with session_scope(engine) as session:
        operator = _employee(session, OPERATOR, "consult")
        expert = _employee(session, EXPERT, "support")
        client_id = None
        if client:
            record = Client(
                phone_e164=PHONE,
                full_name=CLIENT.full_name,
                email=CLIENT.email,
                language=CLIENT.language,
                preferred_channel=CLIENT.preferred_channel,
                extra_channel=CLIENT.extra_channel,
                created_at=CLIENT.created_at,
            )
            session.add(record)
            session.flush()
            client_id = record.id
        staff = {OPERATOR: operator, EXPERT: expert}
        calls = {
            name: _call(session, call, staff, client_id)
            for name, call in (("A", CALL_A), ("B", CALL_B), ("C", CALL_C), ("D", CALL_D))
        }
        stranger = replace(CALL_A, linkedid="stranger.1", caller=STRANGER)
        calls["stranger"] = _call(session, stranger, staff, None)
        session.add(
            CallTransfer(
                call_id=calls["A"],
                seq=TRANSFER.seq,
                kind=TRANSFER.kind,
                outcome=TRANSFER.outcome,
                from_employee_id=operator,
                to_employee_id=expert,
                to_extension=TRANSFER.to_extension,
                at=TRANSFER.at,
            )
        )
        session.add(
            CallWrapup(
                call_id=calls["A"],
                kb_answer_found=WRAPUP.kb_answer_found,
                question=WRAPUP.question,
                topic=WRAPUP.topic,
                created_at=WRAPUP.created_at,
                operator_id=operator,
            )
        )
        for call_name, survey in (("A", SURVEY_A), ("D", SURVEY_D)):
            session.add(
                SurveyResponse(
                    call_id=calls[call_name],
                    operator_id=operator,
                    answer_received=survey.answer_received,
                    quality=survey.quality,
                    channel=survey.channel,
                    created_at=survey.created_at,
                )
            )
        session.add(
            CallReferral(
                call_id=calls["D"],
                agency_title=AGENCY,
                contacts=CONTACTS,
                employee_id=operator,
                at=REFERRAL.at,
            )
        )
        session.add(
            WrapupDismissal(
                call_id=calls["D"], employee_id=operator, at=DISMISSED.at, reason=DISMISSAL
            )
        )
        tasks = {
            "missed": _task(session, TASK_MISSED, operator, calls["B"], client_id),
            "operator": _task(session, TASK_OPERATOR, expert, calls["A"], None),
            "stranger": _task(
                session,
                replace(TASK_OPERATOR, phone=STRANGER),
                expert,
                calls["stranger"],
                None,
            ),
        }
        missed = tasks["missed"]
        session.add(
            CallbackWindow(task_id=missed, starts_at=WINDOW.starts_at, ends_at=WINDOW.ends_at)
        )
        for attempt in (NO_ANSWER, ANSWERED):
            session.add(
                CallbackAttempt(
                    task_id=missed, at=attempt.at, employee_id=operator, result=attempt.result
                )
            )
        for change in (RESCHEDULED, CLOSED):
            session.add(
                CallbackTaskChange(
                    task_id=missed,
                    at=change.at,
                    employee_id=operator,
                    kind=change.kind,
                    reason=change.reason,
                    promised_before=change.promised_before,
                    promised_after=change.promised_after,
                    detail=change.detail,
                )
            )
        return StoryIds(calls=calls, tasks=tasks, operator=operator, expert=expert)


def _employee(session: Session, person: Staff, code: str) -> int:
    department = Department(code=code, name=person.department)
    session.add(department)
    session.flush()
    assert department.id is not None
    employee = Employee(
        internal_number=person.internal_number,
        full_name=person.full_name,
        device=f"PJSIP/{person.internal_number}",
        department_id=department.id,
        updated_at=CLIENT.created_at,
    )
    session.add(employee)
    session.flush()
    assert employee.id is not None
    return employee.id


def _call(session: Session, call: CallRecord, staff: dict[Staff, int], client: int | None) -> int:
    row = Call(
        linkedid=call.linkedid,
        client_id=client,
        caller_number=call.caller.removeprefix("+"),
        caller_e164=call.caller,
        arrived_at=call.arrived_at,
        in_working_hours=call.in_working_hours,
        language=call.language,
        ivr_path=call.ivr_path,
        topic=call.topic,
        queue_wait_s=call.queue_wait_s,
        answered_at=call.answered_at,
        operator_id=staff[call.operator] if call.operator else None,
        ended_at=call.ended_at,
        talk_s=call.talk_s,
        outcome=call.outcome,
        missed_reason=call.missed_reason,
        short_call=call.short_call,
        hangup_side=call.hangup_side,
        hangup_cause=call.hangup_cause,
        spoken_question=call.spoken_question,
        spoken_question_confidence=call.spoken_question_confidence,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def _task(session: Session, task: TaskRecord, owner: int, origin: int, client: int | None) -> int:
    row = CallbackTask(
        client_id=client,
        phone_e164=task.phone,
        question=task.question,
        topic=task.topic,
        source=task.source,
        origin_call_id=origin,
        requested_at=task.requested_at,
        promised_on=task.promised_on,
        owner_id=owner,
        status=task.status,
        closed_at=task.closed_at,
        result_note=task.result_note,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
