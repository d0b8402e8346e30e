"""What of a client's history goes to the client (G4), decided field by field.

The order: the client's messages are kept with the materials of their handling (the
interaction history, G3), and "on the client's request the whole history is given to them"
(G4). So the client gets every interaction and everything that was done with it: when they
called and from which number, the topic, how long they waited, whether and when they were
answered and for how long, the name the consultant introduced themselves with (C5), the
question as they said it in the voice menu (as the recognizer heard it) and as it was written
down, the transfers (to which department, with what result), the agency and contacts they
were referred to (C14), their own survey answers (C15), and every callback request with its
question, promised date, agreed windows, attempts, changes of date with the reason, and its
outcome.

What stays with the staff is not the client's matter but how the Ministry organises its work:
employees' full names, internal numbers and who was assigned a task (the client deals with the
Ministry, not with a person); the knowledge base, which the order makes the staff's working
tool (K1–K2: whether it held the answer, which entry); an operator's reason for writing no
wrap-up; the telephony's own data (the call's Linkedid, the voice-menu path, hang-up causes,
the short-call flag, internal extensions, the recognizer's confidence); the dates of records
that only mark the staff's bookkeeping. The written messages and what was sent for them are
decided in ``message_disclosure``, the personal visits in ``visit_disclosure``.
:data:`DISCLOSURE` holds the decision for every field of
``client_history.records``; :func:`client_document` keeps to it, and the tests check both.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from call_card.labels import (
    ANSWER_RECEIVED_LABELS_RU,
    ATTEMPT_RESULT_LABELS_RU,
    CALL_IN_PROGRESS_RU,
    CALL_OUTCOME_LABELS_RU,
    CALLBACK_STATUS_LABELS_RU,
    LANGUAGE_LABELS_RU,
    QUALITY_LABELS_RU,
    TRANSFER_OUTCOME_LABELS_RU,
)
from call_card.script_text import spoken_name
from client_history.audience import (
    BOOKKEEPING,
    RECORD_KEY,
    TELEPHONY,
    THEIR_OWN,
    WHEN,
    WHO,
    Audience,
    Decision,
    for_client,
    for_staff,
)
from client_history.document import (
    ClientDocument,
    DocAttempt,
    DocCall,
    DocCallback,
    DocClient,
    DocReferral,
    DocReschedule,
    DocSurvey,
    DocTransfer,
    DocWindow,
)
from client_history.labels import CHANNEL_LABELS_RU, CLIENT_SOURCE_LABELS_RU, IN_PROGRESS
from client_history.message_disclosure import MESSAGE_DISCLOSURE, message_doc
from client_history.records import (
    AttemptRecord,
    CallRecord,
    ChangeRecord,
    ClientRecord,
    DismissalRecord,
    ReferralRecord,
    Staff,
    SurveyRecord,
    TaskRecord,
    TransferRecord,
    WindowRecord,
    WrapupRecord,
)
from client_history.timeline import CallbackEntry, CallEntry, Timeline
from client_history.visit_disclosure import VISIT_DISCLOSURE, visit_doc
from models.rules.missed import MISSED_REASON_LABELS_RU
from models.tables import CallbackChangeKind
from models.topics import TOPIC_LABELS_RU, Topic

__all__ = ["DISCLOSURE", "Audience", "client_document"]

DISCLOSURE: dict[type, dict[str, Decision]] = {
    ClientRecord: {
        "id": for_staff(RECORD_KEY),
        "phone": for_client(THEIR_OWN),
        "full_name": for_client(THEIR_OWN),
        "email": for_client(THEIR_OWN),
        "language": for_client(THEIR_OWN),
        "preferred_channel": for_client("their choice of channel (G1)"),
        "extra_channel": for_client("their choice of an extra channel (G2)"),
        "created_at": for_staff(BOOKKEEPING),
    },
    Staff: {
        "full_name": for_staff(
            "the client gets only the name the consultant introduced themselves with in the "
            "greeting (C5), not the employee's full name"
        ),
        "internal_number": for_staff("an internal extension"),
        "department": for_client("where the call was put through to (C9)"),
    },
    CallRecord: {
        "id": for_staff(RECORD_KEY),
        "linkedid": for_staff(TELEPHONY),
        "caller": for_client("the number they called from"),
        "arrived_at": for_client(WHEN),
        "in_working_hours": for_client("shown as the outcome «in after-hours time» (C3)"),
        "language": for_client("their choice in the voice menu"),
        "ivr_path": for_staff(TELEPHONY + "; the topic chosen is given"),
        "topic": for_client("their choice in the voice menu (C1)"),
        "queue_wait_s": for_client("how long they waited"),
        "answered_at": for_client(WHEN),
        "operator": for_client("as the consultant's given name only (see Staff)"),
        "ended_at": for_client(WHEN),
        "talk_s": for_client("how long the consultation lasted"),
        "outcome": for_client("whether they were answered"),
        "missed_reason": for_client("what happened to their call (C13)"),
        "short_call": for_staff("a flag of the supervisors' report (C13)"),
        "hangup_side": for_staff(TELEPHONY),
        "hangup_cause": for_staff(TELEPHONY),
        "spoken_question": for_client(
            "their question in their own words, as the voice menu recognized it: the message "
            "itself (G3)"
        ),
        "spoken_question_confidence": for_staff(
            TELEPHONY + ": the recognizer's measure of itself; the document says the question "
            "was recognized automatically"
        ),
    },
    TransferRecord: {
        "call_id": for_staff(RECORD_KEY),
        "seq": for_staff("the order is shown by time"),
        "at": for_client(WHEN),
        "kind": for_staff(TELEPHONY + " (blind or attended)"),
        "outcome": for_client("whether they were put through (C9, C10)"),
        "from_employee": for_staff(WHO),
        "to_employee": for_client("as the department only (see Staff)"),
        "to_extension": for_staff("an internal extension"),
    },
    WrapupRecord: {
        "call_id": for_staff(RECORD_KEY),
        "created_at": for_staff(BOOKKEEPING),
        "question": for_client("their question, as written down: the message itself (G3)"),
        "topic": for_client("the topic of their question (C1)"),
        "kb_answer_found": for_staff("the knowledge base is the staff's tool (K1–K2, K7)"),
        "kb_entry_id": for_staff("the knowledge base is the staff's tool (K1–K2)"),
        "kb_entry_title": for_staff("the knowledge base is the staff's tool (K1–K2)"),
        "operator": for_staff(WHO + "; the consultant is named on the call"),
    },
    DismissalRecord: {
        "call_id": for_staff(RECORD_KEY),
        "at": for_staff(BOOKKEEPING),
        "reason": for_staff("why an operator wrote no wrap-up: the staff's bookkeeping (K7)"),
        "employee": for_staff(WHO),
    },
    ReferralRecord: {
        "call_id": for_staff(RECORD_KEY),
        "at": for_client(WHEN),
        "agency_title": for_client("the agency they were referred to (C14)"),
        "contacts": for_client("the contacts they were given (C14)"),
        "employee": for_staff(WHO),
    },
    SurveyRecord: {
        "call_id": for_staff(RECORD_KEY),
        "created_at": for_client(WHEN),
        "answer_received": for_client("their own answer (C15)"),
        "quality": for_client("their own answer (C15)"),
        "channel": for_staff(TELEPHONY + " (keypad or speech)"),
        "operator": for_staff(WHO + "; the consultant is named on the call"),
    },
    TaskRecord: {
        "id": for_staff(RECORD_KEY + "; requests are numbered in the document"),
        "phone": for_client("the number they gave for the call back (C11)"),
        "question": for_client("their question (C11)"),
        "topic": for_client("the topic of their question (C1)"),
        "source": for_client("how the request came about, in the client's words"),
        "origin_call_id": for_client("as the number of the call in the document"),
        "requested_at": for_client(WHEN),
        "promised_on": for_client("the date they were promised an answer (C11)"),
        "owner": for_staff(WHO),
        "status": for_client("where their request stands"),
        "closed_at": for_client(WHEN),
        "result_note": for_client("the outcome of their request: material of its handling (G3)"),
    },
    WindowRecord: {
        "task_id": for_staff(RECORD_KEY),
        "starts_at": for_client("the time agreed with them (C11)"),
        "ends_at": for_client("the time agreed with them (C11)"),
    },
    AttemptRecord: {
        "task_id": for_staff(RECORD_KEY),
        "at": for_client("when they were called back (C11)"),
        "result": for_client("what came of the call back"),
        "employee": for_staff(WHO),
    },
    ChangeRecord: {
        "task_id": for_staff(RECORD_KEY),
        "at": for_client(WHEN),
        "kind": for_client("a new date agreed; the closing is shown by the request's outcome"),
        "reason": for_client("why the date changed: material of the handling (G3)"),
        "promised_before": for_client("the date promised before"),
        "promised_after": for_client("the date promised now"),
        "detail": for_client("the windows agreed before and after"),
        "employee": for_staff(WHO),
    },
    **MESSAGE_DISCLOSURE,
    **VISIT_DISCLOSURE,
}


def client_document(
    timeline: Timeline,
    *,
    prepared_at: datetime,
    tz: tzinfo,
    line: str,
    kept_years: int,
    kept_since: date,
) -> ClientDocument:
    """The client's part of ``timeline`` (see :data:`DISCLOSURE`), instants in ``tz``."""
    call_numbers = {entry.call.id: n for n, entry in enumerate(timeline.calls, start=1)}
    task_numbers = {entry.task.id: n for n, entry in enumerate(timeline.callbacks, start=1)}
    return ClientDocument(
        prepared_at=prepared_at.astimezone(tz),
        line=line,
        kept_years=kept_years,
        kept_since=kept_since,
        client=_client_part(timeline.client),
        calls=tuple(
            _call(entry, call_numbers[entry.call.id], task_numbers, tz) for entry in timeline.calls
        ),
        callbacks=tuple(
            _callback(entry, task_numbers[entry.task.id], call_numbers, tz)
            for entry in timeline.callbacks
        ),
        messages=tuple(message_doc(entry, tz) for entry in timeline.messages),
        visits=tuple(visit_doc(entry, tz) for entry in timeline.visits),
    )


def _client_part(client: ClientRecord) -> DocClient:
    extra = client.extra_channel
    return DocClient(
        phone=client.phone,
        name=client.full_name,
        email=client.email,
        language=client.language.value,
        language_label=LANGUAGE_LABELS_RU[client.language],
        preferred_channel=client.preferred_channel.value,
        preferred_channel_label=CHANNEL_LABELS_RU[client.preferred_channel],
        extra_channel=extra.value if extra else None,
        extra_channel_label=CHANNEL_LABELS_RU[extra] if extra else None,
    )


def _call(entry: CallEntry, number: int, tasks: dict[int, int], tz: tzinfo) -> DocCall:
    call = entry.call
    topic = entry.wrapup.topic if entry.wrapup and entry.wrapup.topic else call.topic
    reason = call.missed_reason
    return DocCall(
        number=number,
        arrived_at=call.arrived_at.astimezone(tz),
        from_phone=call.caller,
        language=call.language.value if call.language else None,
        topic=topic.value if topic else None,
        topic_label=_topic_label(topic),
        outcome=call.outcome.value if call.outcome else IN_PROGRESS,
        outcome_label=CALL_OUTCOME_LABELS_RU[call.outcome] if call.outcome else CALL_IN_PROGRESS_RU,
        missed_reason=reason.value if reason else None,
        missed_reason_label=MISSED_REASON_LABELS_RU[reason] if reason else None,
        wait_s=_seconds(call.queue_wait_s),
        answered_at=_local(call.answered_at, tz),
        ended_at=_local(call.ended_at, tz),
        talk_s=_seconds(call.talk_s),
        consultant=spoken_name(call.operator.full_name) if call.operator else None,
        question=(entry.wrapup.question or None) if entry.wrapup else None,
        spoken_question=call.spoken_question.strip() or None,
        transfers=tuple(_transfer(row, tz) for row in entry.transfers),
        referrals=tuple(
            DocReferral(at=row.at.astimezone(tz), agency=row.agency_title, contacts=row.contacts)
            for row in entry.referrals
        ),
        survey=_survey(entry.survey, tz) if entry.survey else None,
        callbacks=tuple(tasks[task_id] for task_id in entry.task_ids if task_id in tasks),
    )


def _transfer(row: TransferRecord, tz: tzinfo) -> DocTransfer:
    return DocTransfer(
        at=row.at.astimezone(tz),
        department=row.to_employee.department if row.to_employee else None,
        outcome=row.outcome.value,
        outcome_label=TRANSFER_OUTCOME_LABELS_RU[row.outcome],
    )


def _survey(row: SurveyRecord, tz: tzinfo) -> DocSurvey:
    answer, quality = row.answer_received, row.quality
    return DocSurvey(
        at=row.created_at.astimezone(tz),
        answer_received=answer.value if answer else None,
        answer_received_label=ANSWER_RECEIVED_LABELS_RU[answer] if answer else None,
        quality=quality.value if quality else None,
        quality_label=QUALITY_LABELS_RU[quality] if quality else None,
    )


def _callback(entry: CallbackEntry, number: int, calls: dict[int, int], tz: tzinfo) -> DocCallback:
    task = entry.task
    origin = task.origin_call_id
    return DocCallback(
        number=number,
        requested_at=task.requested_at.astimezone(tz),
        phone=task.phone,
        source=task.source.value,
        source_label=CLIENT_SOURCE_LABELS_RU[task.source],
        question=task.question,
        topic=task.topic.value if task.topic else None,
        topic_label=_topic_label(task.topic),
        promised_on=task.promised_on,
        windows=tuple(
            DocWindow(starts_at=row.starts_at.astimezone(tz), ends_at=row.ends_at.astimezone(tz))
            for row in entry.windows
        ),
        status=task.status.value,
        status_label=CALLBACK_STATUS_LABELS_RU[task.status],
        closed_at=_local(task.closed_at, tz),
        result=task.result_note,
        attempts=tuple(_attempt(row, tz) for row in entry.attempts),
        reschedules=tuple(
            _reschedule(row, tz)
            for row in entry.changes
            if row.kind is CallbackChangeKind.RESCHEDULED
        ),
        call=calls.get(origin) if origin is not None else None,
    )


def _attempt(row: AttemptRecord, tz: tzinfo) -> DocAttempt:
    return DocAttempt(
        at=row.at.astimezone(tz),
        result=row.result.value,
        result_label=ATTEMPT_RESULT_LABELS_RU[row.result],
    )


def _reschedule(row: ChangeRecord, tz: tzinfo) -> DocReschedule:
    return DocReschedule(
        at=row.at.astimezone(tz),
        promised_before=row.promised_before,
        promised_after=row.promised_after,
        windows=row.detail,
        reason=row.reason,
    )


def _topic_label(topic: Topic | None) -> str | None:
    return TOPIC_LABELS_RU[topic] if topic else None


def _local(value: datetime | None, tz: tzinfo) -> datetime | None:
    return None if value is None else value.astimezone(tz)


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)
