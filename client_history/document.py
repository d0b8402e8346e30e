"""The history as handed to the client (G4): what ``disclosure.client_document`` puts in the
printable document and in the JSON file, and nothing else.

Instants are the line's local time (aware), durations whole seconds, codes the stored values
(``answered``, ``no_answer``) with their Russian words beside them (``*_label``). Calls and
callback requests are numbered from 1, oldest first; a call names the requests it opened, and
a request the call that opened it, by these numbers. A written message goes by the number it
was registered under (``ПО-2026-000123``), with its text, deadlines and state, the files that
came with it (names and sizes), every notice and answer sent for it in full, and the client's
survey answers. A personal visit goes by its booking number (as in the confirmation), with its
time, place, who received, how it was booked and cancelled, the interpreter and reminders asked
for, its state and the client's rating (V13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class DocClient:
    phone: str | None  # E.164
    name: str | None
    email: str | None
    language: str
    language_label: str
    preferred_channel: str  # G1
    preferred_channel_label: str
    extra_channel: str | None  # G2
    extra_channel_label: str | None


@dataclass(frozen=True, slots=True)
class DocTransfer:
    at: datetime
    department: str | None  # the department of the employee the call was put through to
    outcome: str
    outcome_label: str


@dataclass(frozen=True, slots=True)
class DocReferral:
    """C14: the agency the client was referred to, and the contacts read out."""

    at: datetime
    agency: str
    contacts: str


@dataclass(frozen=True, slots=True)
class DocSurvey:
    """C15: the client's own answers."""

    at: datetime
    answer_received: str | None
    answer_received_label: str | None
    quality: str | None
    quality_label: str | None


@dataclass(frozen=True, slots=True)
class DocCall:
    number: int
    arrived_at: datetime
    from_phone: str
    language: str | None
    topic: str | None
    topic_label: str | None
    outcome: str  # answered, missed, after_hours, in_progress
    outcome_label: str
    missed_reason: str | None
    missed_reason_label: str | None
    wait_s: int | None  # in the queue
    answered_at: datetime | None
    ended_at: datetime | None
    talk_s: int | None
    consultant: str | None  # the name the operator introduced themselves with (C5)
    question: str | None  # as the operator wrote it down
    spoken_question: str | None  # as the caller said it in the voice menu, recognized
    transfers: tuple[DocTransfer, ...]
    referrals: tuple[DocReferral, ...]
    survey: DocSurvey | None
    callbacks: tuple[int, ...]  # the numbers of the callback requests this call opened


@dataclass(frozen=True, slots=True)
class DocWindow:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class DocAttempt:
    at: datetime
    result: str
    result_label: str


@dataclass(frozen=True, slots=True)
class DocReschedule:
    at: datetime
    promised_before: date | None
    promised_after: date | None
    windows: str  # the agreed windows before and after, in words
    reason: str


@dataclass(frozen=True, slots=True)
class DocCallback:
    number: int
    requested_at: datetime
    phone: str  # the number to call back
    source: str
    source_label: str
    question: str
    topic: str | None
    topic_label: str | None
    promised_on: date
    windows: tuple[DocWindow, ...]
    status: str
    status_label: str
    closed_at: datetime | None
    result: str
    attempts: tuple[DocAttempt, ...]
    reschedules: tuple[DocReschedule, ...]
    call: int | None  # the number of the call that opened it, if it is in this document


@dataclass(frozen=True, slots=True)
class DocAttachment:
    filename: str
    content_type: str
    size: int  # bytes


@dataclass(frozen=True, slots=True)
class DocNotice:
    """A notice or answer sent for the message by one channel (G1–G2), as it was sent."""

    at: datetime
    kind: str  # primary, abuse, redirect, refusal, answer
    kind_label: str
    channel: str
    channel_label: str
    to: str  # the address or number it went to
    subject: str
    text: str
    state: str  # sent, failed, to_print
    state_label: str


@dataclass(frozen=True, slots=True)
class DocMessageSurvey:
    """W12: the client's answers about the handling of their message."""

    at: datetime  # when they answered
    answer_received: str | None
    answer_received_label: str | None
    quality: str | None
    quality_label: str | None
    comment: str


@dataclass(frozen=True, slots=True)
class DocMessage:
    number: str  # «ПО-2026-000123»
    received_at: datetime
    intake: str  # paper, phone, web, email
    intake_label: str
    sender_name: str
    sender_email: str
    sender_phone: str
    sender_address: str
    consent: bool  # the web form's consent to process personal data
    subject: str
    text: str
    topic: str | None
    topic_label: str | None
    need: str
    urgent: bool  # W3–W4
    urgency_note: str
    primary_due: date  # W6
    answer_due: date  # W3–W4
    abuse_notice_due: date | None  # W5, once a person confirmed the abuse
    status: str
    status_label: str
    closed_at: datetime | None
    attachments: tuple[DocAttachment, ...]
    notices: tuple[DocNotice, ...]
    surveys: tuple[DocMessageSurvey, ...]  # answered ones only


@dataclass(frozen=True, slots=True)
class DocVisitRating:
    """V13: the client's rating of their visit."""

    at: datetime  # when they answered
    answer_received: str | None
    answer_received_label: str | None
    quality: str | None
    quality_label: str | None
    comment: str
    at_reception: bool  # given to the employee at the reception rather than by the link


@dataclass(frozen=True, slots=True)
class DocVisit:
    """A personal visit booked (V1–V6, V11, V12)."""

    number: int  # the booking's number, as the confirmation gave it
    starts_at: datetime
    ends_at: datetime
    received_by: str | None  # the employee named in the confirmation
    place: str  # the reception point, its address and room
    booked_at: datetime
    channel: str  # line, web, portal, staff
    channel_label: str
    name: str
    phone: str
    email: str
    language: str
    language_label: str
    interpreter: str  # none, sign_language, tactile (V12)
    interpreter_label: str
    remind_day_before: bool  # V3–V4
    remind_two_hours: bool
    remind_by_email: bool
    remind_by_call: bool
    reminders_label: str
    status: str  # booked, cancelled, visited, no_show
    status_label: str
    cancelled_at: datetime | None
    cancelled_via: str | None
    cancelled_via_label: str | None
    rating: DocVisitRating | None  # answered only


@dataclass(frozen=True, slots=True)
class ClientDocument:
    prepared_at: datetime
    line: str  # the line's name
    kept_years: int  # G3: how long the history is kept
    kept_since: date  # what is older may have been removed
    client: DocClient
    calls: tuple[DocCall, ...]
    callbacks: tuple[DocCallback, ...]
    messages: tuple[DocMessage, ...]
    visits: tuple[DocVisit, ...] = ()
