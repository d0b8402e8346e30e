"""Scheduled jobs, listed in one table, run by APScheduler inside the ``serve`` process."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from consult_line.health import calendar_warnings
from consult_line.wiring import Services
from models.rules.calendar import YearSource

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    run: Callable[[Services], None]
    cron: dict[str, str]


def warn_unknown_calendar_years(services: Services) -> None:
    """C3: a year without a known transfer decree is worked on statutory holidays; say so daily."""
    for status in calendar_warnings(services.calendar(), services.clock()):
        if status.source is YearSource.STATUTORY_ONLY:
            log.warning("производственный календарь: %s", status.note)


JOBS: tuple[Job, ...] = (
    Job("calendar-year-check", warn_unknown_calendar_years, {"hour": "8", "minute": "0"}),
)


def build_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=services.settings.tz)
    for job in JOBS:
        scheduler.add_job(
            job.run,
            CronTrigger(timezone=services.settings.tz, **job.cron),
            args=(services,),
            id=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler
