"""Calls on the line, keyed by the inbound channel's Linkedid, and their transfers (C9–C13)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from models.rules.missed import CallOutcome, MissedReason
from models.rules.transfers import TransferOutcome
from models.tables._columns import enum_type, owner_key, utc
from models.tables.clients import Language
from models.topics import Topic


class HangupSide(StrEnum):
    CALLER = "caller"
    OPERATOR = "operator"
    SYSTEM = "system"


class TransferKind(StrEnum):
    BLIND = "blind"
    ATTENDED = "attended"


class Call(SQLModel, table=True):
    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_arrived_outcome", "arrived_at", "outcome"),
        Index("ix_calls_client_arrived", "client_id", "arrived_at"),
        # G4: a client's history is found by the number too (most callers have no record).
        Index("ix_calls_caller_arrived", "caller_e164", "arrived_at"),
        Index("ix_calls_operator_arrived", "operator_id", "arrived_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    linkedid: str = Field(max_length=64, unique=True)
    client_id: int | None = Field(default=None, foreign_key="clients.id")
    caller_number: str = Field(default="", max_length=64)
    caller_e164: str | None = Field(default=None, max_length=20)
    caller_name: str = Field(default="", max_length=255)
    did: str = Field(default="", max_length=32)
    arrived_at: datetime = Field(sa_type=utc())
    in_working_hours: bool
    language: Language | None = Field(default=None, sa_type=enum_type(Language))
    ivr_path: str = Field(default="", max_length=255)
    topic: Topic | None = Field(default=None, sa_type=enum_type(Topic))
    queue_joined_at: datetime | None = Field(default=None, sa_type=utc())
    queue_wait_s: float | None = None
    answered_at: datetime | None = Field(default=None, sa_type=utc())
    operator_id: int | None = Field(default=None, foreign_key="employees.id")
    transfer_count: int = 0
    ended_at: datetime | None = Field(default=None, sa_type=utc())
    talk_s: float | None = None
    outcome: CallOutcome | None = Field(default=None, sa_type=enum_type(CallOutcome))
    missed_reason: MissedReason | None = Field(default=None, sa_type=enum_type(MissedReason))
    short_call: bool = False
    hangup_side: HangupSide | None = Field(default=None, sa_type=enum_type(HangupSide))
    hangup_cause: int | None = None
    hangup_cause_text: str | None = Field(default=None, max_length=64)
    # C13: the callback task this missed call belongs to (opened by it, or attached to it).
    # callback_tasks.origin_call_id points back here, so the key is added after both tables
    # exist (use_alter) and the tables still sort for create/drop.
    callback_task_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("callback_tasks.id", use_alter=True, name="fk_calls_callback_task_id"),
            nullable=True,
            index=True,
        ),
    )
    # What the caller said their question was (speech, question capture), as recognized, and
    # the recognizer's confidence; personal data kept and removed with the call (G3).
    spoken_question: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    spoken_question_confidence: float | None = None
    # Made on the training line (a simulated Asterisk): each line's console sees only its own
    # calls when the two share a database (models.line_scope).
    training: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class CallTransfer(SQLModel, table=True):
    __tablename__ = "call_transfers"
    __table_args__ = (UniqueConstraint("call_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(sa_column=owner_key("calls.id"))
    seq: int
    kind: TransferKind = Field(sa_type=enum_type(TransferKind))
    outcome: TransferOutcome = Field(sa_type=enum_type(TransferOutcome))
    from_employee_id: int | None = Field(default=None, foreign_key="employees.id")
    to_employee_id: int | None = Field(default=None, foreign_key="employees.id")
    to_extension: str = Field(default="", max_length=32)
    at: datetime = Field(sa_type=utc())
    # The Uniqueid of the channel the dialplan guard ran on (C10): the caller's own channel
    # for a blind transfer, the consultation leg for an attended one. AMI events on that
    # channel settle a PENDING attempt (ami.transfer_watch).
    channel_id: str | None = Field(default=None, max_length=64)


class CallWrapup(SQLModel, table=True):
    """The operator's wrap-up of a call (K7): did the knowledge base hold the answer?"""

    __tablename__ = "call_wrapups"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(sa_column=owner_key("calls.id", unique=True))
    kb_answer_found: bool
    kb_entry_id: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("kb_entries.id"), nullable=True),
    )
    question: str = Field(default="", sa_type=Text)
    topic: Topic | None = Field(default=None, sa_type=enum_type(Topic))
    created_at: datetime = Field(sa_type=utc(), index=True)
    operator_id: int | None = Field(default=None, foreign_key="employees.id")


class CallReferral(SQLModel, table=True):
    """C14: the call's question lay outside the Ministry's remit. The agency named (a KB entry
    of ``external-agencies``, None when no competent agency was known) and the contacts read
    out, copied as they stood then: the entry may change later, the record must not (G3)."""

    __tablename__ = "call_referrals"
    __table_args__ = (UniqueConstraint("call_id", "agency_entry_id"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(sa_column=owner_key("calls.id"))
    agency_entry_id: str | None = Field(
        default=None,
        sa_column=Column(String(64), ForeignKey("kb_entries.id"), nullable=True),
    )
    agency_title: str = Field(default="", max_length=255)
    contacts: str = Field(default="", sa_type=Text)
    employee_id: int | None = Field(default=None, foreign_key="employees.id")
    at: datetime = Field(sa_type=utc())


class WrapupDismissal(SQLModel, table=True):
    """K7: the operator decided a call needs no wrap-up; who, when and why."""

    __tablename__ = "wrapup_dismissals"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(sa_column=owner_key("calls.id", unique=True))
    employee_id: int = Field(foreign_key="employees.id")
    at: datetime = Field(sa_type=utc())
    reason: str = Field(sa_type=Text)
