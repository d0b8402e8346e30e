"""Bookings with reminders, and the services a run of ``consult_line.visit_reminder_run`` needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult_line.wiring import Services
from models.rules.visit_slots import ReminderChannel
from models.settings import Settings
from models.tables import Language, VisitChannel, VisitReminder
from tests.agent_console.console import Clock
from tests.visits.samples import TUESDAY, at, book_at_before
from visits.store import BookingRequest

VISIT = at(TUESDAY, 10, 30)  # Tuesday 8 December 2026, employee 301
PHONE_DIGITS = "79123456789"


def book(engine: Engine, settings: Settings, **choices: Any) -> int:
    """A booking of VISIT made at BEFORE; the reminders as ``choices`` say (default: a day
    before by e-mail and by a call, with an address)."""
    fields: dict[str, Any] = {
        "email": "ivanova@example.ru",
        "remind_day_before": True,
        "remind_by_email": True,
        "remind_by_call": True,
        **choices,
    }
    request = BookingRequest(
        starts_at=VISIT,
        phone="8 (912) 345-67-89",
        channel=VisitChannel.WEB,
        name="Иванова Анна",
        language=fields.pop("language", Language.RU),
        **fields,
    )
    booking = book_at_before(engine, settings, request, actor="public").booking
    assert booking.id is not None
    return booking.id


def services(engine: Engine, settings: Settings, clock: Clock) -> Services:
    return Services(settings=settings, engine=engine, clock=clock)


def rows(engine: Engine, channel: ReminderChannel | None = None) -> list[VisitReminder]:
    with Session(engine) as session:
        query = select(VisitReminder).order_by(col(VisitReminder.due_at), col(VisitReminder.id))
        if channel is not None:
            query = query.where(col(VisitReminder.channel) == channel)
        return list(session.exec(query).all())
