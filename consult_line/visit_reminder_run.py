"""Sending a booking's letters and placing its reminder calls (V3–V6), from ``serve``'s
scheduler (every minute) and from ``consult-line visits reminders``.

Each run plans the rows of new bookings (``visits.reminder_store.plan_new``), skips those of
cancelled bookings, hands the due letters to the outgoing SMTP server one by one and places the
due calls through AMI ``Originate`` into ``consult-line-visit-reminder``, recording every outcome
on its row. Nothing configured, nothing sent: without ``CONSULT_LINE_SMTP_HOST`` the due
letters fail with that reason, without ``CONSULT_LINE_OUTBOUND_CHANNEL`` (or AMI) the due
calls do; the run says so once (:class:`Run`).

A call's number is the booking's stored E.164 number, as digits, put into the channel template
by this module: the dialplan never sees text a caller typed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Final

from ami.connection import (
    AmiActionError,
    AmiConnection,
    AmiInvalidActionError,
    AmiNotConnectedError,
    AmiOutcomeUnknownError,
    OriginateOutcome,
)
from consult_line.wiring import Services
from ivr.variables import VISIT_REMINDER_ID
from mail.sender import MailSendError, refused_for_good, send_mail
from models.db import session_scope
from models.rules.visit_reminders import CallResult, ReminderState
from models.rules.visit_slots import ReminderChannel
from visits import reminder_store
from visits.reminder_store import ClaimedCall, ClaimedLetter

log = logging.getLogger(__name__)

VISIT_REMINDER_CONTEXT: Final = "consult-line-visit-reminder"
VISIT_REMINDER_EXTEN: Final = "s"
RING_TIMEOUT_S: Final = 40.0  # how long the visitor's phone rings
OUTCOME_MARGIN_S: Final = 10.0
LETTERS_PER_RUN: Final = 30
CALLS_PER_RUN: Final = 5
NO_SMTP: Final = "исходящая почта не настроена (CONSULT_LINE_SMTP_HOST пуст)"
NO_OUTBOUND: Final = "звонки-напоминания выключены: CONSULT_LINE_OUTBOUND_CHANNEL пуст"
NO_AMI: Final = "звонки-напоминания невозможны: связь с Asterisk (AMI) выключена"
NO_TRAINING: Final = "учебная линия: звонков посетителям не делает (её АТС — имитация)"
# OriginateResponse Reason (AST_CONTROL_*): 0 the channel could not be created (no such number,
# trunk refused), 1 hung up (rejected), 3 no answer, 5 busy, 8 congestion.
_REASONS: Final = {
    0: CallResult.INVALID_NUMBER,
    1: CallResult.NO_ANSWER,
    3: CallResult.NO_ANSWER,
    5: CallResult.BUSY,
    8: CallResult.FAILED,
}


@dataclass
class Run:
    planned: int = 0
    skipped: int = 0
    unknown: int = 0
    sent: list[str] = field(default_factory=list)  # "<row id> <kind>"
    retried: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    calls: list[tuple[int, CallResult | None]] = field(default_factory=list)  # None: unknown
    not_configured: list[tuple[str, int]] = field(default_factory=list)  # reason, rows failed


def prepare(services: Services, run: Run) -> None:
    """Plans new bookings' rows, skips the moot ones, recovers those a stop left mid-send."""
    calendar = services.calendar()
    with session_scope(services.engine) as session:
        now = services.clock()
        run.unknown += reminder_store.recover_stale(session, now)
        run.planned += reminder_store.plan_new(session, now=now, calendar=calendar)
        run.skipped += reminder_store.skip_moot(session, now)


def send_letters(services: Services, run: Run, *, limit: int = LETTERS_PER_RUN) -> None:
    """The due letters, up to ``limit``; without SMTP they fail with the reason."""
    settings = services.settings
    if not settings.smtp_host.strip():
        with session_scope(services.engine) as session:
            count = reminder_store.fail_due(
                session, ReminderChannel.EMAIL, NO_SMTP, services.clock()
            )
        if count:
            run.not_configured.append((NO_SMTP, count))
        return
    for _ in range(limit):
        with session_scope(services.engine) as session:
            claimed = reminder_store.claim_letter(session, settings, services.clock())
        if claimed is None:
            return
        _hand_over(services, claimed, run)


def _hand_over(services: Services, claimed: ClaimedLetter, run: Run) -> None:
    letter = claimed.letter
    error: str | None = None
    permanent = False
    try:
        send_mail(services.settings, claimed.to, letter.subject, letter.text)
    except (MailSendError, ValueError) as exc:
        error = str(exc)
        permanent = refused_for_good(exc)
    with session_scope(services.engine) as session:
        state = reminder_store.record_letter(
            session, claimed.reminder_id, error=error, permanent=permanent, now=services.clock()
        )
    if state is ReminderState.SENT:
        run.sent.append(f"{claimed.reminder_id} {claimed.to}")
    elif state is ReminderState.PENDING:
        run.retried.append((claimed.reminder_id, error or ""))
    else:
        run.failed.append((claimed.reminder_id, error or ""))


async def place_calls(
    services: Services, ami: AmiConnection | None, run: Run, *, limit: int = CALLS_PER_RUN
) -> None:
    """The due calls, up to ``limit`` at once, each awaited to its OriginateResponse."""
    reason = _call_problem(services, ami)
    if reason is not None:
        with session_scope(services.engine) as session:
            count = reminder_store.fail_due(session, ReminderChannel.CALL, reason, services.clock())
        if count:
            run.not_configured.append((reason, count))
        return
    assert ami is not None
    claimed = await asyncio.to_thread(_claim_calls, services, limit)
    await asyncio.gather(*(_place(services, ami, call, run) for call in claimed))


def _call_problem(services: Services, ami: AmiConnection | None) -> str | None:
    if not services.settings.outbound_channel:
        return NO_OUTBOUND
    if services.settings.training_line:
        return NO_TRAINING
    if ami is None:
        return NO_AMI
    return None


def _claim_calls(services: Services, limit: int) -> list[ClaimedCall]:
    calendar = services.calendar()
    claimed: list[ClaimedCall] = []
    for _ in range(limit):
        with session_scope(services.engine) as session:
            call = reminder_store.claim_call(session, services.clock(), calendar)
        if call is None:
            break
        claimed.append(call)
    return claimed


def dial_channel(template: str, digits: str) -> str:
    """The Originate channel: the template with the booking's digits (nothing else)."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("only a stored number's digits are ever dialled")
    return template.replace("{number}", digits, 1)


async def _place(services: Services, ami: AmiConnection, call: ClaimedCall, run: Run) -> None:
    settings = services.settings
    try:
        handle = await ami.originate(
            channel=dial_channel(settings.outbound_channel, call.digits),
            context=VISIT_REMINDER_CONTEXT,
            exten=VISIT_REMINDER_EXTEN,
            variables={VISIT_REMINDER_ID: str(call.reminder_id)},
            caller_id=settings.outbound_caller_id,
            ring_timeout_ms=int(RING_TIMEOUT_S * 1000),
            channel_id=call.channel_id,
        )
    except AmiNotConnectedError:
        await asyncio.to_thread(_release, services, call)  # nothing sent: next run
        return
    except (AmiInvalidActionError, ValueError) as exc:
        await _record(services, call, CallResult.INVALID_NUMBER, run, str(exc))
        return
    except AmiActionError as exc:
        await _record(services, call, CallResult.FAILED, run, exc.message)
        return
    except AmiOutcomeUnknownError:
        run.calls.append((call.reminder_id, None))  # left sending: unknown after a while
        return
    try:
        async with asyncio.timeout(RING_TIMEOUT_S + OUTCOME_MARGIN_S):
            outcome = await handle.outcome
    except (AmiOutcomeUnknownError, TimeoutError):
        run.calls.append((call.reminder_id, None))
        return
    await _record(services, call, call_result(outcome), run, "")


def call_result(outcome: OriginateOutcome) -> CallResult:
    if outcome.success:
        return CallResult.ANSWERED
    if outcome.reason is None:
        return CallResult.FAILED
    return _REASONS.get(outcome.reason, CallResult.FAILED)


async def _record(
    services: Services, call: ClaimedCall, result: CallResult, run: Run, detail: str
) -> None:
    def work() -> ReminderState:
        calendar = services.calendar()
        with session_scope(services.engine) as session:
            return reminder_store.record_call(
                session, call, result, now=services.clock(), calendar=calendar
            )

    state = await asyncio.to_thread(work)
    run.calls.append((call.reminder_id, result))
    if state is ReminderState.PENDING:
        run.retried.append((call.reminder_id, result.value))
    elif state is ReminderState.FAILED:
        run.failed.append((call.reminder_id, f"{result.value} {detail}".strip()))


def _release(services: Services, call: ClaimedCall) -> None:
    with session_scope(services.engine) as session:
        reminder_store.release_call(session, call)


async def run_once(services: Services, ami: AmiConnection | None) -> Run:
    """One whole run: prepare, letters, calls."""
    run = Run()
    await asyncio.to_thread(prepare, services, run)
    await asyncio.to_thread(send_letters, services, run)
    await place_calls(services, ami, run)
    return run


def log_run(run: Run) -> None:
    """The scheduler's log of a run: each unconfigured channel once, failures one by one."""
    for reason, count in run.not_configured:
        log.warning("письма и звонки по записям на приём не отправлены (%d): %s", count, reason)
    for reminder_id, reason in run.failed:
        log.warning("напоминание о приёме %d не отправлено: %s", reminder_id, reason)
    if run.planned or run.sent or run.calls or run.skipped or run.unknown:
        log.info(
            "записи на приём: запланировано %d, писем отправлено %d, звонков %d, "
            "пропущено %d, прервано отправкой %d",
            run.planned,
            len(run.sent),
            len(run.calls),
            run.skipped,
            run.unknown,
        )
