"""Admin-edited production-calendar corrections on top of ``holidays.RU`` (C3)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Field, SQLModel

from models.tables._columns import utc


class CalendarOverride(SQLModel, table=True):
    """A later decree, a shortened pre-holiday day or an emergency extra working day."""

    __tablename__ = "calendar_overrides"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    working: bool
    opens_at: time | None = None
    closes_at: time | None = None
    reason: str = Field(max_length=255)
    created_at: datetime = Field(sa_type=utc())
    created_by: str = Field(max_length=128)


class CalendarYearConfirmation(SQLModel, table=True):
    """The admin's statement that a year's transfer decree has been entered as overrides."""

    __tablename__ = "calendar_year_confirmations"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    source: str = Field(max_length=255)
    confirmed_at: datetime = Field(sa_type=utc())
    confirmed_by: str = Field(max_length=128)
