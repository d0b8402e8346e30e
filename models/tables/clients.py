"""Clients and their contact-channel preferences (G1–G2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.tables._columns import enum_type, utc


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    POST = "post"
    PORTAL = "portal"


class Language(StrEnum):
    RU = "ru"
    EN = "en"


class Client(SQLModel, table=True):
    __tablename__ = "clients"

    id: int | None = Field(default=None, primary_key=True)
    phone_e164: str | None = Field(default=None, max_length=20, unique=True)
    full_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    language: Language = Field(default=Language.RU, sa_type=enum_type(Language))
    # G1: the channel the client chose for further communication and status notices.
    preferred_channel: Channel = Field(default=Channel.PHONE, sa_type=enum_type(Channel))
    # G2: an optional extra channel where notices are duplicated.
    extra_channel: Channel | None = Field(default=None, sa_type=enum_type(Channel))
    created_at: datetime = Field(sa_type=utc())
