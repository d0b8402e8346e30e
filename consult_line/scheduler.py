"""Scheduled jobs, listed in one table, run by APScheduler inside the ``serve`` process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from ami.bridge import AmiBridge
from ami.bus import LiveBus
from consult_line.health import calendar_warnings
from consult_line.mailing_run import Step, send_a_minute
from consult_line.message_reminder_run import ReminderRun, plan_reminders, send_reminders
from consult_line.retention_run import Outcome, begin, purge, summary
from consult_line.visit_rating_run import offer_ratings
from consult_line.visit_reminder_run import log_run, run_once
from consult_line.wiring import Services
from models.callback_reminders import Reminder, overdue, windows_opening
from models.db import session_scope
from models.mailing_consent import expire_requests
from models.mailings import mailing_problem, sending_count
from models.report_counts_upkeep import drop_empty_counts
from scripts_kb.upkeep import SectionFreshness, overdue_sections

log = logging.getLogger(__name__)

CALLBACKS_TOPIC = "callbacks"
SUPERVISOR_TOPIC = "supervisor"
WINDOW_NOTICE_EVERY = timedelta(minutes=5)
# The nightly purge stops after this long and goes on the next night, so that a first run on
# years of history never reaches into the working day.
RETENTION_BUDGET = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class JobContext:
    services: Services
    bus: LiveBus
    bridge: AmiBridge | None  # None when AMI is disabled


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    run: Callable[[JobContext], Awaitable[None]]
    cron: dict[str, str]


async def warn_unknown_calendar_years(context: JobContext) -> None:
    """C3: a year worked on statutory rules only (no known transfer decree, or shortened
    pre-holiday days not yet checked against the official calendar); say so daily."""
    services = context.services
    calendar = await asyncio.to_thread(services.calendar)
    for status in calendar_warnings(calendar, services.clock()):
        if status.needs_confirmation:
            log.warning("производственный календарь: %s", status.note)


async def notify_callback_windows(context: JobContext) -> None:
    """C11: tell the owners whose agreed call-back windows open in the next few minutes."""
    now = context.services.clock()

    def query() -> list[Reminder]:
        with session_scope(context.services.engine) as session:
            return windows_opening(session=session, start=now, end=now + WINDOW_NOTICE_EVERY)

    for reminder in await asyncio.to_thread(query):
        context.bus.publish(CALLBACKS_TOPIC, {"kind": "window_opens", **_payload(reminder)})


async def notify_overdue_callbacks(context: JobContext) -> None:
    """C11: overdue callback tasks go to the supervisor."""
    services = context.services
    now = services.clock()

    def query() -> list[Reminder]:
        calendar = services.calendar()
        with session_scope(services.engine) as session:
            return overdue(session=session, now=now, calendar=calendar)

    late = await asyncio.to_thread(query)
    if late:
        log.warning("просроченные обратные звонки: %d", len(late))
        context.bus.publish(
            SUPERVISOR_TOPIC,
            {"kind": "overdue_callbacks", "tasks": [_payload(r) for r in late]},
        )


async def remind_overdue_kb_sections(context: JobContext) -> None:
    """K6: sections not reviewed for a month: a warning to their departments, a list to the
    supervisor."""
    services = context.services
    today = services.clock().astimezone(services.settings.tz).date()

    def query() -> list[SectionFreshness]:
        with session_scope(services.engine) as session:
            return overdue_sections(session=session, today=today)

    late = await asyncio.to_thread(query)
    for item in late:
        log.warning(
            "база знаний: раздел %s (%s) не проверялся с %s — отдел %s, проверьте его",
            item.id,
            item.title,
            item.last_reviewed.isoformat(),
            item.owner,
        )
    if late:
        context.bus.publish(
            SUPERVISOR_TOPIC,
            {
                "kind": "overdue_kb_sections",
                "sections": [
                    {
                        "id": item.id,
                        "title": item.title,
                        "owner": item.owner,
                        "last_reviewed": item.last_reviewed.isoformat(),
                        "review_due": item.review_due.isoformat(),
                    }
                    for item in late
                ],
            },
        )


async def purge_expired_history(context: JobContext) -> None:
    """G3: the interaction history past its term goes every night, in short batches."""
    services = context.services

    def work() -> Outcome:
        outcome = begin(services)
        deadline = outcome.started + RETENTION_BUDGET
        purge(
            services,
            outcome,
            actor="scheduler",
            keep_going=lambda: services.clock() < deadline,
            audit_when_idle=False,
        )
        return outcome

    outcome = await asyncio.to_thread(work)
    log.info(
        "хранение истории (лет: %d, остаётся всё с %s): %s",
        outcome.term.years,
        outcome.term.first_kept.isoformat(),
        summary(outcome.tally.changes),
    )
    if not outcome.complete:
        log.warning(
            "очистка истории остановлена через %g ч, продолжится следующей ночью",
            RETENTION_BUDGET.total_seconds() / 3600,
        )


async def remind_message_deadlines(context: JobContext) -> None:
    """W3–W6: on a working morning, each owner gets one letter listing their open messages
    whose next deadline is today, the next working day or past; messages nobody can be written
    about go to the supervisors (``consult_line.message_reminder_run``)."""
    services = context.services

    def work() -> ReminderRun:
        run = plan_reminders(services)
        if run.working_day:
            send_reminders(services, run)
        return run

    run = await asyncio.to_thread(work)
    if not run.working_day:
        log.info("напоминания о сроках обращений: %s — нерабочий день", run.today.isoformat())
        return
    if run.not_configured:
        log.warning(
            "напоминания о сроках письменных обращений не отправлены: исходящая почта не "
            "настроена (CONSULT_LINE_SMTP_HOST пуст); писем было бы: %d",
            len(run.letters),
        )
        return
    for letter, reason in run.failed:
        log.warning(
            "напоминание о сроках обращений не отправлено (%s): %s", letter.person.email, reason
        )
    if run.nobody:
        log.warning(
            "обращения со сроками без ответственного, а у руководителей нет адреса почты: %s",
            ", ".join(item.number for item in run.nobody),
        )
    log.info(
        "напоминания о сроках обращений: отправлено %d, уже были сегодня %d, не отправлено %d",
        len(run.sent),
        len(run.already),
        len(run.failed),
    )


async def send_mailings(context: JobContext) -> None:
    """M1–M4: the letters of mailings being sent, at ``CONSULT_LINE_MAILING_PER_MINUTE``;
    after a restart sending goes on where it stopped (``consult_line.mailing_run``)."""
    services = context.services
    problem = mailing_problem(services.settings)
    if problem is not None:
        waiting = await asyncio.to_thread(_sending_mailings, services)
        if waiting:
            log.warning("рассылки (%d) ждут и не отправляются: %s", waiting, problem)
        return
    for result in await send_a_minute(services):
        if result.step in (Step.RETRY, Step.FAILED):
            log.warning("письмо рассылки не отправлено (%s): %s", result.to, result.reason)


async def expire_mailing_requests(context: JobContext) -> None:
    """M1: subscription requests not confirmed in time (``models.mailing_consent``)."""
    services = context.services

    def work() -> int:
        with session_scope(services.engine) as session:
            return expire_requests(session, actor="scheduler", now=services.clock())

    expired = await asyncio.to_thread(work)
    log.info("неподтверждённые запросы подписки на рассылки: истекло %d", expired)


async def offer_visit_ratings(context: JobContext) -> None:
    """V13: visitors whose visit ended get the letter offering to rate it, once, by day
    (``consult_line.visit_rating_run``, ``models.rules.visit_rating``)."""
    run = await asyncio.to_thread(offer_ratings, context.services)
    if run.not_configured:
        log.warning(
            "оценка личного приёма: письма не отправлены, исходящая почта не настроена "
            "(CONSULT_LINE_SMTP_HOST пуст); писем было бы: %d",
            run.due,
        )
        return
    for booking_id, reason in run.failed:
        log.warning("письмо с оценкой приёма № %d не отправлено: %s", booking_id, reason)
    if run.sent or run.failed:
        log.info(
            "оценка личного приёма: отправлено писем %d, не отправлено %d",
            len(run.sent),
            len(run.failed),
        )


def _sending_mailings(services: Services) -> int:
    with session_scope(services.engine) as session:
        return sending_count(session)


async def send_visit_reminders(context: JobContext) -> None:
    """V3–V6: plans new bookings' letters and calls, sends the due letters and places the due
    reminder calls through the AMI link (``consult_line.visit_reminder_run``)."""
    ami = context.bridge.connection if context.bridge is not None else None
    log_run(await run_once(context.services, ami))


async def tidy_report_counts(context: JobContext) -> None:
    """C13, C15: the reports' counts that came to nothing go (``models.report_counts_upkeep``)."""
    removed = await asyncio.to_thread(drop_empty_counts, context.services.engine)
    log.info("счётчики отчётов: удалено пустых строк — %d", removed)


async def reconcile_calls(context: JobContext) -> None:
    """C13: a nightly sweep over queue_log and CDR, in case a gap went unnoticed."""
    if context.bridge is not None:
        await context.bridge.reconcile()


def _payload(reminder: Reminder) -> dict[str, object]:
    fields = asdict(reminder)
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in fields.items()
    }


JOBS: tuple[Job, ...] = (
    Job("calendar-year-check", warn_unknown_calendar_years, {"hour": "8", "minute": "0"}),
    Job("callback-windows", notify_callback_windows, {"minute": "*/5"}),
    Job("overdue-callbacks", notify_overdue_callbacks, {"minute": "*/15"}),
    Job("nightly-reconciliation", reconcile_calls, {"hour": "3", "minute": "30"}),
    Job("history-retention", purge_expired_history, {"hour": "2", "minute": "30"}),
    Job("report-counts-tidy", tidy_report_counts, {"hour": "4", "minute": "0"}),
    Job("kb-overdue-sections", remind_overdue_kb_sections, {"hour": "9", "minute": "0"}),
    # Every morning before the working day; the job itself skips the production calendar's
    # days off (and works on a working Saturday).
    Job("message-reminders", remind_message_deadlines, {"hour": "8", "minute": "30"}),
    # Every minute, a minute's worth of letters at most (max_instances=1: never two at once).
    Job("mailings", send_mailings, {"minute": "*"}),
    # Every minute: a booking's confirmation goes at once, reminders at their minute.
    Job("visit-reminders", send_visit_reminders, {"minute": "*"}),
    Job("mailing-requests-expiry", expire_mailing_requests, {"hour": "4", "minute": "15"}),
    # By day only (the rule says 09:00–20:00 too): two hours after a visit, or the next
    # working morning for a visit that ended late.
    Job("visit-ratings", offer_visit_ratings, {"hour": "9-19", "minute": "*/15"}),
)


def build_scheduler(context: JobContext) -> AsyncIOScheduler:
    tz = context.services.settings.tz
    scheduler = AsyncIOScheduler(timezone=tz)
    for job in JOBS:
        scheduler.add_job(
            job.run,
            CronTrigger(timezone=tz, **job.cron),
            args=(context,),
            id=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler
