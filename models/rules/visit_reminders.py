"""The letters and calls of a personal-visit booking (V3–V6), as pure rules; ``now`` passed in.

:func:`plan` says which rows a booking gets: the confirmation letter at once when there is an
e-mail address (V5), and each reminder the visitor chose («за сутки», «за 2 часа») by each
channel chosen (e-mail, a call; V3–V4, both when the law asks to duplicate), due at
:func:`models.rules.visit_slots.reminder_at`. A cancelled booking, a visit that has begun, a
reminder that ``reminder_at`` drops and one whose moment passed more than :data:`PLAN_GRACE`
ago get nothing.

A reminder call is placed only while the line works and before the visit (:func:`may_call`).
Busy and no answer are tried again :data:`CALL_RETRY_AFTER` later, :data:`CALL_ATTEMPTS` times
in all, as long as the next try still falls in such a moment; an invalid number is not tried
again (:func:`after_call_failure`). Letters are retried as a mailing's letters are
(``models.rules.mailing_delivery.after_failure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from models.rules.calendar import ProductionCalendar, require_aware
from models.rules.visit_slots import ReminderChannel, ReminderKind, reminder_at

PLAN_GRACE: Final = timedelta(minutes=15)
CALL_ATTEMPTS: Final = 3
CALL_RETRY_AFTER: Final = timedelta(minutes=20)


class MessageKind(StrEnum):
    CONFIRMATION = "confirmation"  # V5: the letter sent on booking
    DAY_BEFORE = "day_before"  # V3–V4 «за сутки»
    TWO_HOURS = "two_hours"  # V3–V4 «за 2 часа»


class ReminderState(StrEnum):
    PENDING = "pending"  # waiting for due_at (or next_attempt_at)
    SENDING = "sending"  # claimed: the letter being handed over, the call being placed
    SENT = "sent"  # the letter handed over; the call answered (call_result says how it went)
    FAILED = "failed"  # given up: last_error says why
    SKIPPED = "skipped"  # the booking was cancelled (or the visit began) before its turn
    UNKNOWN = "unknown"  # a stop caught it mid-send: not sent again


class CallResult(StrEnum):
    ANSWERED = "answered"  # picked up, no answer to the menu yet
    CONFIRMED = "confirmed"  # 1
    CANCELLED = "cancelled"  # 2: the booking is cancelled (V6)
    NO_ANSWER = "no_answer"  # not picked up, or no key pressed, or hung up before choosing
    BUSY = "busy"
    INVALID_NUMBER = "invalid_number"  # the number cannot be reached at all
    FAILED = "failed"  # Asterisk could not place the call (congestion, refused)


CALL_RESULT_RU: Final = {
    CallResult.ANSWERED: "ответил",
    CallResult.CONFIRMED: "подтвердил запись",
    CallResult.CANCELLED: "отменил запись",
    CallResult.NO_ANSWER: "нет ответа",
    CallResult.BUSY: "занято",
    CallResult.INVALID_NUMBER: "номер недоступен",
    CallResult.FAILED: "звонок не состоялся",
}
KIND_RU: Final = {
    MessageKind.CONFIRMATION: "подтверждение записи",
    MessageKind.DAY_BEFORE: "напоминание за сутки",
    MessageKind.TWO_HOURS: "напоминание за 2 часа",
}
CHANNEL_RU: Final = {ReminderChannel.EMAIL: "письмо", ReminderChannel.CALL: "звонок"}
STATE_RU: Final = {
    ReminderState.PENDING: "ждёт своего времени",
    ReminderState.SENDING: "отправляется",
    ReminderState.SENT: "отправлено",
    ReminderState.FAILED: "не отправлено",
    ReminderState.SKIPPED: "пропущено",
    ReminderState.UNKNOWN: "неизвестно (прервано при отправке)",
}
_RETRIED: Final = frozenset({CallResult.NO_ANSWER, CallResult.BUSY, CallResult.FAILED})
_KINDS: Final = {
    ReminderKind.DAY_BEFORE: MessageKind.DAY_BEFORE,
    ReminderKind.TWO_HOURS: MessageKind.TWO_HOURS,
}


@dataclass(frozen=True, slots=True)
class Choices:
    """What the booking holds that planning depends on."""

    starts_at: datetime
    booked_at: datetime
    has_email: bool
    cancelled: bool = False
    remind_day_before: bool = False
    remind_two_hours: bool = False
    remind_by_email: bool = False
    remind_by_call: bool = False


@dataclass(frozen=True, slots=True, order=True)
class Planned:
    due_at: datetime
    kind: MessageKind
    channel: ReminderChannel


def plan(choices: Choices, *, now: datetime, calendar: ProductionCalendar) -> list[Planned]:
    """The rows the booking gets, in time order (see the module's text)."""
    require_aware(now, "now")
    if choices.cancelled or now >= choices.starts_at:
        return []
    rows: list[Planned] = []
    if choices.has_email:
        rows.append(Planned(choices.booked_at, MessageKind.CONFIRMATION, ReminderChannel.EMAIL))
    kinds = [
        kind
        for kind, wanted in (
            (ReminderKind.DAY_BEFORE, choices.remind_day_before),
            (ReminderKind.TWO_HOURS, choices.remind_two_hours),
        )
        if wanted
    ]
    channels = [
        channel
        for channel, wanted in (
            (ReminderChannel.EMAIL, choices.remind_by_email and choices.has_email),
            (ReminderChannel.CALL, choices.remind_by_call),
        )
        if wanted
    ]
    for kind in kinds:
        for channel in channels:
            due = reminder_at(
                kind,
                channel,
                starts_at=choices.starts_at,
                booked_at=choices.booked_at,
                calendar=calendar,
            )
            if due is not None and due > now - PLAN_GRACE:
                rows.append(Planned(due, _KINDS[kind], channel))
    return sorted(rows)


def may_call(now: datetime, starts_at: datetime, calendar: ProductionCalendar) -> bool:
    """A reminder call only while the line works (C3) and before the visit."""
    require_aware(now, "now")
    return now < starts_at and calendar.is_open(now)


@dataclass(frozen=True, slots=True)
class AfterCall:
    retry_at: datetime | None  # None: given up
    reason: str  # why given up, in Russian ("" when retried)


def after_call_failure(
    result: CallResult,
    attempts: int,
    *,
    now: datetime,
    starts_at: datetime,
    calendar: ProductionCalendar,
) -> AfterCall:
    """A call that did not reach the visitor (``attempts`` made, this one included)."""
    label = CALL_RESULT_RU[result]
    if result not in _RETRIED:
        return AfterCall(None, f"{label}: повторно не звоним")
    if attempts >= CALL_ATTEMPTS:
        return AfterCall(None, f"{label}: попыток — {attempts}, больше не звоним")
    retry_at = now + CALL_RETRY_AFTER
    if not may_call(retry_at, starts_at, calendar):
        return AfterCall(
            None, f"{label}: для новой попытки линия уже не работает или приём начался"
        )
    return AfterCall(retry_at, "")
