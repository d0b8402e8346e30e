"""The stored facts of a client's history as plain values (``store`` reads them; the timeline
and the client's document are built from them without the database).

Instants are aware (UTC as stored); employees are named by :class:`Staff`. ``store`` fills a
field from the table's column of the same name, and a field typed ``Staff | None`` from the
column ``<field>_id``; the few other fields it computes. Every field of these classes has a
decision in ``disclosure.DISCLOSURE``: it goes to the client or stays with the staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from models.rules.callbacks import CallbackStatus
from models.rules.missed import CallOutcome, MissedReason
from models.rules.survey import AnswerReceived, QualityRating
from models.rules.transfers import TransferOutcome
from models.tables import (
    AbuseCheck,
    AttemptResult,
    CallbackChangeKind,
    CallbackSource,
    Channel,
    HangupSide,
    Interpreter,
    Language,
    MessageIntake,
    MessageStatus,
    NoticeKind,
    NoticeState,
    SurveyChannel,
    TransferKind,
    VisitChannel,
    VisitStatus,
)
from models.topics import Topic


@dataclass(frozen=True, slots=True)
class Staff:
    """An employee as the history names them."""

    full_name: str
    internal_number: str
    department: str


@dataclass(frozen=True, slots=True)
class ClientRecord:
    id: int
    phone: str | None  # E.164; None once the record was anonymised (G3)
    full_name: str | None
    email: str | None
    language: Language
    preferred_channel: Channel  # G1
    extra_channel: Channel | None  # G2
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: int
    linkedid: str
    caller: str  # E.164, or the caller ID as received
    arrived_at: datetime
    in_working_hours: bool
    language: Language | None
    ivr_path: str
    topic: Topic | None  # chosen in the voice menu
    queue_wait_s: float | None
    answered_at: datetime | None
    operator: Staff | None
    ended_at: datetime | None
    talk_s: float | None
    outcome: CallOutcome | None  # None: the call is still on
    missed_reason: MissedReason | None
    short_call: bool
    hangup_side: HangupSide | None
    hangup_cause: int | None
    spoken_question: str  # what the caller said their question was, as recognized; "" none
    spoken_question_confidence: float | None  # the recognizer's, 0–1


@dataclass(frozen=True, slots=True)
class TransferRecord:
    call_id: int
    seq: int
    at: datetime
    kind: TransferKind
    outcome: TransferOutcome
    from_employee: Staff | None
    to_employee: Staff | None
    to_extension: str


@dataclass(frozen=True, slots=True)
class WrapupRecord:
    """The operator's wrap-up of a call (K7)."""

    call_id: int
    created_at: datetime
    question: str
    topic: Topic | None  # the operator's classification
    kb_answer_found: bool
    kb_entry_id: str | None
    kb_entry_title: str | None
    operator: Staff | None


@dataclass(frozen=True, slots=True)
class DismissalRecord:
    """The operator decided the call needs no wrap-up (K7)."""

    call_id: int
    at: datetime
    reason: str
    employee: Staff | None


@dataclass(frozen=True, slots=True)
class ReferralRecord:
    """C14: the question lay outside the Ministry's remit; the agency and contacts given."""

    call_id: int
    at: datetime
    agency_title: str
    contacts: str
    employee: Staff | None


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """C15: the caller's answers after the consultation."""

    call_id: int
    created_at: datetime
    answer_received: AnswerReceived | None
    quality: QualityRating | None
    channel: SurveyChannel
    operator: Staff | None


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A callback task (C11)."""

    id: int
    phone: str
    question: str
    topic: Topic | None
    source: CallbackSource
    origin_call_id: int | None
    requested_at: datetime
    promised_on: date
    owner: Staff | None
    status: CallbackStatus
    closed_at: datetime | None
    result_note: str


@dataclass(frozen=True, slots=True)
class WindowRecord:
    task_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    task_id: int
    at: datetime
    result: AttemptResult
    employee: Staff | None


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """What an employee did to a task by hand: a new date agreed, or the task closed."""

    task_id: int
    at: datetime
    kind: CallbackChangeKind
    reason: str
    promised_before: date | None
    promised_after: date | None
    detail: str
    employee: Staff | None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A written message of the client (W2–W12): what they wrote, its deadlines and state."""

    id: int
    number: str
    received_at: datetime
    intake: MessageIntake
    sender_name: str
    sender_email: str
    sender_phone: str
    sender_address: str
    subject: str
    body: str
    email_message_id: str | None
    form_key: str | None
    consent: bool
    topic: Topic | None
    need: str
    classified_by: Staff | None
    urgent: bool
    urgency_note: str
    primary_due: date
    answer_due: date
    abuse: AbuseCheck
    abuse_words: str
    abuse_notice_due: date | None
    status: MessageStatus
    owner: Staff | None
    registered_by: str
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    """A file that came with a message: its name and size (the bytes are never read here)."""

    id: int
    message_id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """A notice or answer sent for a message by one channel (G1–G2)."""

    id: int
    message_id: int
    kind: NoticeKind
    channel: Channel
    to_address: str
    subject: str
    body: str
    state: NoticeState
    error: str
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class MessageSurveyRecord:
    """W12: a survey link sent with a notice, and the client's answers once they gave them."""

    message_id: int
    issued_at: datetime
    answered_at: datetime | None
    answer_received: AnswerReceived | None
    quality: QualityRating | None
    comment: str


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A personal visit booked for the client (V1–V6, V11, V12), held or cancelled."""

    id: int  # the booking's number, given in the confirmation
    starts_at: datetime
    ends_at: datetime
    employee: Staff | None  # who receives
    point: str  # computed: the reception point's name and address
    status: VisitStatus
    phone_e164: str
    name: str
    email: str
    language: Language
    interpreter: Interpreter
    remind_day_before: bool
    remind_two_hours: bool
    remind_by_email: bool
    remind_by_call: bool
    channel: VisitChannel
    booked_by: Staff | None
    booked_at: datetime
    cancelled_at: datetime | None
    cancelled_via: VisitChannel | None
    cancelled_by: str


@dataclass(frozen=True, slots=True)
class VisitSurveyRecord:
    """V13: the rating of a visit: the link sent, or the answers taken at the reception."""

    booking_id: int
    issued_at: datetime
    answered_at: datetime | None
    answer_received: AnswerReceived | None
    quality: QualityRating | None
    comment: str
    recorded_by: str


@dataclass(frozen=True, slots=True)
class Records:
    """Everything stored about some of a client's calls, tasks and messages."""

    calls: tuple[CallRecord, ...] = ()
    transfers: tuple[TransferRecord, ...] = ()
    wrapups: tuple[WrapupRecord, ...] = ()
    dismissals: tuple[DismissalRecord, ...] = ()
    referrals: tuple[ReferralRecord, ...] = ()
    surveys: tuple[SurveyRecord, ...] = ()
    tasks: tuple[TaskRecord, ...] = ()
    windows: tuple[WindowRecord, ...] = ()
    attempts: tuple[AttemptRecord, ...] = ()
    changes: tuple[ChangeRecord, ...] = ()
    messages: tuple[MessageRecord, ...] = ()
    attachments: tuple[AttachmentRecord, ...] = ()
    notices: tuple[NoticeRecord, ...] = ()
    message_surveys: tuple[MessageSurveyRecord, ...] = ()
    visits: tuple[VisitRecord, ...] = ()
    visit_surveys: tuple[VisitSurveyRecord, ...] = ()
