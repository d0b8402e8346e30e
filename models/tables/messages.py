"""Written messages (W2–W12, G1–G2): what came in, by which way, its deadlines, what was sent back.

A message is registered once, with a number, the instant it arrived and its client; the
deadlines are worked out from the production calendar when it is registered (and again when
staff change its urgency) and stored, so that lists and reminders only compare dates. Every
notice and answer the line sends is a row of :class:`MessageNotice`, one per channel it went by
(G1–G2: the client's chosen channel and the extra one), with what was sent and how it went.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from models.rules.message_states import AbuseCheck, MessageStatus, NoticeKind
from models.tables._columns import enum_type, owner_key, utc
from models.tables.clients import Channel
from models.topics import Topic


class MessageIntake(StrEnum):
    """How the message reached the Ministry."""

    PAPER = "paper"  # a letter, registered by staff
    PHONE = "phone"  # dictated on the line, registered by staff
    WEB = "web"  # the public form
    EMAIL = "email"  # the mailbox forwarded to the service


class NoticeState(StrEnum):
    SENT = "sent"  # e-mail: the outgoing server took the letter
    SENDING = "sending"  # e-mail: handed to the outgoing server, its answer not yet recorded
    FAILED = "failed"  # with the reason; sent again by staff
    TO_PRINT = "to_print"  # post: printed and sent by the office
    TO_CALL = "to_call"  # phone: a person calls the client and reads it out
    TO_DELIVER = "to_deliver"  # SMS, the state portal: a person sends it there (no gateway)


class WrittenMessage(SQLModel, table=True):
    __tablename__ = "written_messages"
    __table_args__ = (
        Index("ix_written_messages_status_answer_due", "status", "answer_due"),
        Index("ix_written_messages_received_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)  # «ПО-2026-000123»
    received_at: datetime = Field(sa_type=utc())
    intake: MessageIntake = Field(sa_type=enum_type(MessageIntake))
    client_id: int | None = Field(default=None, foreign_key="clients.id", index=True)
    # The sender as they wrote it (caller-controlled text: stored cleaned, always escaped).
    sender_name: str = Field(default="", max_length=255)
    sender_email: str = Field(default="", max_length=255)
    sender_phone: str = Field(default="", max_length=64)
    sender_address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    subject: str = Field(default="", max_length=255)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The Message-ID of a mail: the same mail delivered twice is registered once.
    email_message_id: str | None = Field(default=None, max_length=255, unique=True)
    # The console form's one-time key: the same form sent twice is registered once.
    form_key: str | None = Field(default=None, max_length=64, unique=True)
    consent: bool = False  # the web form's consent to process personal data
    # W2: classification, suggested from the text and confirmed by staff.
    topic: Topic | None = Field(default=None, sa_type=enum_type(Topic))
    need: str = Field(default="", max_length=255)  # the typical client need
    classified_by_id: int | None = Field(default=None, foreign_key="employees.id")
    # W3–W4: urgency and the substantive answer's deadline (working days, calendar).
    urgent: bool = False
    urgency_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    primary_due: date  # W6
    answer_due: date  # W3–W4
    abuse: AbuseCheck = Field(default=AbuseCheck.CLEAN, sa_type=enum_type(AbuseCheck))
    abuse_words: str = Field(default="", max_length=255)  # what the lexicon found
    abuse_notice_due: date | None = None  # W5, once confirmed
    status: MessageStatus = Field(
        default=MessageStatus.REGISTERED, sa_type=enum_type(MessageStatus)
    )
    owner_id: int | None = Field(default=None, foreign_key="employees.id", index=True)
    registered_by: str = Field(default="", max_length=64)  # a login, "web" or "mail"
    closed_at: datetime | None = Field(default=None, sa_type=utc())


class MessageAttachment(SQLModel, table=True):
    __tablename__ = "message_attachments"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(sa_column=owner_key("written_messages.id"))
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MessageNotice(SQLModel, table=True):
    """One notice or answer sent for a message by one channel (G1–G2)."""

    __tablename__ = "message_notices"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(sa_column=owner_key("written_messages.id"))
    kind: NoticeKind = Field(sa_type=enum_type(NoticeKind))
    channel: Channel = Field(sa_type=enum_type(Channel))
    to_address: str = Field(default="", max_length=255)
    subject: str = Field(default="", max_length=255)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: NoticeState = Field(sa_type=enum_type(NoticeState))
    error: str = Field(default="", max_length=255)
    at: datetime = Field(sa_type=utc())
    by: str = Field(default="", max_length=64)  # a login, or "scheduler"
    # The console form's one-time key, the same on every channel's row of one sending: the
    # same form sent twice sends once.
    form_key: str | None = Field(default=None, max_length=64)
