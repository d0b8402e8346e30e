"""Personal visits (V1–V6, V11, V12): where and when the Ministry receives, and the bookings.

``reception_points`` are the places (address, room, how to get there, in Russian and English:
V5, V11); ``reception_hours`` say which employee receives at which point on which weekday and
hours, in slots of how many minutes (loaded from the schedule file, ``consult-line visits
schedule``). A booking (``visit_bookings``) names the employee, the point and the slot's start
and end; it does not point at a ``reception_hours`` row, so a later change of the schedule
keeps the bookings already made. A partial unique index lets one slot of one employee hold one
active booking: of two concurrent bookings one wins, the other gets «время уже занято».
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.tables._columns import enum_type, owner_key, utc
from models.tables.clients import Language


class VisitStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    # Marked by the reception once the visit has begun (``visits.store.mark_attendance``); such
    # a booking leaves the active-slot index, but its slot has begun and is not bookable anyway.
    VISITED = "visited"
    NO_SHOW = "no_show"


class VisitChannel(StrEnum):
    """How a booking was made or cancelled (V1–V2, V6)."""

    LINE = "line"  # by the consultation line (an operator in the call card)
    WEB = "web"  # the Ministry's website (the public page, the link from the confirmation)
    PORTAL = "portal"  # the state services portal
    STAFF = "staff"  # an employee in the console or an administrator by the command line


class Interpreter(StrEnum):
    """V12: an interpreter the visitor asks to be admitted with."""

    NONE = "none"
    SIGN_LANGUAGE = "sign_language"  # сурдопереводчик
    TACTILE = "tactile"  # тифлосурдопереводчик / тифлопереводчик


class ReceptionPoint(SQLModel, table=True):
    __tablename__ = "reception_points"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_ru: str = Field(max_length=255)
    name_en: str = Field(max_length=255)
    address_ru: str = Field(max_length=255)
    address_en: str = Field(max_length=255)
    room_ru: str = Field(default="", max_length=255)
    room_en: str = Field(default="", max_length=255)
    directions_ru: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    directions_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: datetime = Field(sa_type=utc())


class ReceptionHours(SQLModel, table=True):
    """One employee receiving at one point on one weekday (0 Monday … 6 Sunday)."""

    __tablename__ = "reception_hours"
    __table_args__ = (
        UniqueConstraint("employee_id", "weekday", "opens", name="uq_reception_hours_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(sa_column=owner_key("employees.id"))
    point_id: int = Field(sa_column=owner_key("reception_points.id"))
    weekday: int
    opens: time
    closes: time
    slot_minutes: int


class VisitBooking(SQLModel, table=True):
    __tablename__ = "visit_bookings"
    __table_args__ = (
        Index(
            "uq_visit_bookings_active_slot",
            "employee_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index("ix_visit_bookings_starts_at", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employees.id")
    point_id: int = Field(foreign_key="reception_points.id")
    starts_at: datetime = Field(sa_type=utc())
    ends_at: datetime = Field(sa_type=utc())
    status: VisitStatus = Field(default=VisitStatus.BOOKED, sa_type=enum_type(VisitStatus))
    client_id: int | None = Field(default=None, foreign_key="clients.id", index=True)
    phone_e164: str = Field(max_length=20, index=True)
    name: str = Field(default="", max_length=255)
    email: str = Field(default="", max_length=255)
    language: Language = Field(default=Language.RU, sa_type=enum_type(Language))
    interpreter: Interpreter = Field(default=Interpreter.NONE, sa_type=enum_type(Interpreter))
    # V3–V4: which reminders the visitor asked for, and by which channels.
    remind_day_before: bool = False
    remind_two_hours: bool = False
    remind_by_email: bool = False
    remind_by_call: bool = False
    channel: VisitChannel = Field(sa_type=enum_type(VisitChannel))
    booked_by_id: int | None = Field(default=None, foreign_key="employees.id")
    booked_at: datetime = Field(sa_type=utc())
    cancelled_at: datetime | None = Field(default=None, sa_type=utc())
    cancelled_via: VisitChannel | None = Field(default=None, sa_type=enum_type(VisitChannel))
    cancelled_by: str = Field(default="", max_length=128)  # an actor: web:<login>, cli:<user>


class VisitCancelLink(SQLModel, table=True):
    """A cancellation link's token (V6), kept only as its SHA-256; one row per issued link."""

    __tablename__ = "visit_cancel_links"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(sa_column=owner_key("visit_bookings.id"))
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(sa_type=utc())
