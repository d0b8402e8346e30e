"""Bookings of personal visits for the tests of their rating (V13): the example schedule, and
visits booked on Tuesday 8 December 2026 (employee 301 receives 10:00–13:00, 30-minute slots)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from models.settings import Settings
from models.tables import Language, VisitBooking, VisitChannel
from tests.visits.samples import TUESDAY, at, book_at_before
from visits.store import BookingRequest


def book_at(
    engine: Engine,
    settings: Settings,
    hour: int,
    minute: int = 0,
    *,
    email: str = "",
    language: Language = Language.RU,
    name: str = "",
    phone: str = "+79281234567",
) -> VisitBooking:
    """A visit booked by the line on Tuesday at ``hour:minute`` (Moscow)."""
    request = BookingRequest(
        starts_at=at(TUESDAY, hour, minute),
        phone=phone,
        channel=VisitChannel.LINE,
        name=name,
        email=email,
        language=language,
    )
    return book_at_before(engine, settings, request).booking


def tuesday(hour: int, minute: int = 0) -> datetime:
    return at(TUESDAY, hour, minute)
