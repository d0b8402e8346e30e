"""The training line inside ``serve``: a simulated Asterisk in the same process.

When the settings choose the training line (``Settings.training_line``: ``CONSULT_LINE_PBX``
is ``training``, or ``auto`` on a machine with no AMI secret), ``serve`` runs the simulated PBX
(``simulator.training_line``) itself:

* its AMI server listens on a loopback port of its own, bound before the AMI bridge is built;
  the bridge logs in there with a secret made for this run (:meth:`TrainingPbx.bridge_settings`)
  and reaches it through the same code as a real Asterisk;
* its calls run the line's dialplan against this process's FastAGI server;
* callers arrive by the day's profile around ``CONSULT_LINE_TRAINING_CALLS_PER_HOUR`` (the
  working hours from the production calendar), in real time; a share call from a number whose
  callback task is open; ``CONSULT_LINE_TRAINING_OPERATORS`` simulated operators answer what
  the console's operators do not;
* it writes queue_log and CDR where the settings say (under ``var/`` on the training line by
  default), which the bridge reconciles from, as from Asterisk's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from consult_line.wiring import Services
from models.db import session_scope
from models.host_time import host_zone
from models.os_errors import os_error_reason
from models.rules.calendar import ProductionCalendar
from models.rules.callbacks import ACTIVE_STATUSES
from models.settings import Settings
from models.tables import CallbackTask
from simulator.ami_server import AmiUser
from simulator.day_profile import DayProfile, WorkingSpan
from simulator.switch import FastAgiTarget
from simulator.training_line import TrainingLine, TrainingLineOptions

log = logging.getLogger(__name__)

LOOPBACK: Final = "127.0.0.1"
EVERY_ADDRESS: Final = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 (compared, not bound)
REPEAT_NUMBERS: Final = 200  # open tasks a repeat caller is drawn from, at most
WIND_DOWN_S: Final = 5.0  # on shutdown, the calls in progress get this long to end
LOGIN_WAIT_S: Final = 30.0  # callers wait this long at most for the bridge to log in


def agi_target(
    settings: Settings, host: str | None = None, port: int | None = None
) -> FastAgiTarget:
    """Where the simulated PBX finds FastAGI: serve's address, on loopback when it listens on
    every address."""
    chosen = host or settings.agi_host
    return FastAgiTarget(LOOPBACK if chosen in EVERY_ADDRESS else chosen, port or settings.agi_port)


def working_span(calendar: ProductionCalendar) -> WorkingSpan:
    """The day profile's working hours, from the production calendar (C3)."""

    def span(at: float) -> tuple[float, float] | None:
        day = datetime.fromtimestamp(at, calendar.tz).date()
        hours = calendar.hours_on(day)
        if hours is None:
            return None
        opens = datetime.combine(day, hours.opens, tzinfo=calendar.tz)
        closes = datetime.combine(day, hours.closes, tzinfo=calendar.tz)
        return opens.timestamp(), closes.timestamp()

    return span


def open_task_numbers(engine: Engine) -> list[str]:
    """Numbers with an open callback task, as the trunk sends them (``79281234567``); on the
    training line only its own tasks (``models.line_scope``). No number while the database is away
    (every caller is then a new one)."""
    query = (
        select(CallbackTask.phone_e164)
        .where(col(CallbackTask.status).in_(list(ACTIVE_STATUSES)))
        .distinct()
        .limit(REPEAT_NUMBERS)
    )
    try:
        with session_scope(engine) as session:
            return [phone.removeprefix("+") for phone in session.exec(query)]
    except SQLAlchemyError as exc:
        log.debug("учебная линия: заявки для повторных звонков не прочитаны: %s", exc)
        return []


class TrainingPbx:
    """The simulated PBX of one ``serve``: prepared with the bridge, started with FastAGI."""

    def __init__(self, services: Services) -> None:
        self._services = services
        settings = services.settings
        # Bound now, so that the bridge built next knows the port; served from start().
        self._socket = socket.create_server((LOOPBACK, 0))
        self.port: int = self._socket.getsockname()[1]
        self._user = AmiUser(settings.ami_username, secrets.token_urlsafe(24))
        self.line: TrainingLine | None = None
        self.callers_arrive = True  # False: only the calls placed by hand (place_call; tests)
        for path in (settings.queue_log_path, settings.cdr_path):
            if path is not None:  # there from the start, as Asterisk's are
                with contextlib.suppress(OSError):  # the simulator says why when it starts
                    path.touch()

    def bridge_settings(self) -> Settings:
        """The settings the AMI bridge works with: this PBX's address and secret, the line
        named explicitly (a secret alone would make ``auto`` the real line)."""
        return self._services.settings.model_copy(
            update={
                "pbx": "training",
                "ami_host": LOOPBACK,
                "ami_port": self.port,
                "ami_username": self._user.username,
                "ami_secret": SecretStr(self._user.secret),
            }
        )

    def options(self, calendar: ProductionCalendar, now: datetime) -> TrainingLineOptions:
        settings = self._services.settings
        engine = self._services.engine
        return TrainingLineOptions(
            ami_user=self._user,
            ami_socket=self._socket,
            agi=agi_target(settings),
            calls=0,  # until serve stops
            speed=1.0,
            operators=settings.training_operators,
            seed=int(now.timestamp()),
            queue_log_path=settings.queue_log_path,
            cdr_path=settings.cdr_path,
            cdr_zone=settings.cdr_zone(host_zone()),
            start=now.timestamp(),
            profile=DayProfile(settings.training_calls_per_hour, working_span(calendar)),
            repeat_numbers=lambda: open_task_numbers(engine),
        )

    async def start(self, calendar: ProductionCalendar) -> None:
        """Serves AMI and lets the callers in. ``calendar``: read once, for the profile."""
        try:
            line = TrainingLine(self.options(calendar, self._services.clock()))
        except OSError as exc:  # queue_log or CDR cannot be written
            log.error(
                "учебная линия не запущена: файл %s не открывается на запись (%s)",
                exc.filename,
                os_error_reason(exc),
            )
            self._socket.close()
            return
        self.line = line
        await line.start()
        settings = self._services.settings
        log.info(
            "учебная линия: АТС-имитация на AMI %s:%d, звонки через FastAGI %s; "
            "учебных операторов %d, в среднем %g звонков в час рабочего дня",
            LOOPBACK,
            self.port,
            line.options.agi.url,
            settings.training_operators,
            settings.training_calls_per_hour,
        )

    async def let_callers_in(self, logged_in: Callable[[], Awaitable[None]]) -> None:
        """Callers start arriving once the bridge has logged in (``logged_in`` returns): the
        first call's events are then heard live, not finished later from queue_log/CDR."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LOGIN_WAIT_S):
                await logged_in()
        if self.line is not None and self.callers_arrive:
            self.line.begin()

    async def wind_down(self) -> None:
        """No more callers; those on the line hang up (the bridge still logs the ends)."""
        if self.line is not None:
            await self.line.wind_down(WIND_DOWN_S)

    async def stop(self) -> None:
        line = self.line
        if line is None:
            self._socket.close()
            return
        await line.stop()
        log.info("учебная линия остановлена: звонков %d", line.placed)
