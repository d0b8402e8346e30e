"""Information mailings (M1–M4): the register of consents, the mailings, and one delivery per
mailing and recipient.

* ``mailing_subscribers``: one row per address (normalised, unique) with the state of its
  consent, when and how it was given (``consent_source``, ``confirmed_at``) and withdrawn
  (``withdrawal_source``, ``withdrawn_at``, ``withdrawn_by``); the confirmation link's token is
  kept only as its SHA-256. Every change is also written to the audit log
  (``models.mailing_consent``).
* ``mailings``: the subject and text, who wrote it, its state (draft, sending, paused, done).
* ``mailing_deliveries``: the recipients fixed when sending starts, one row per mailing and
  subscriber (unique), with its state, attempts and last error: sending goes on from these
  rows after a restart. Each row has its own unsubscribe token (SHA-256 kept), issued when its
  letter is composed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.rules.mailing_consent import ConsentSource, ConsentState, WithdrawalSource
from models.rules.mailing_delivery import DeliveryState, MailingState
from models.tables._columns import enum_type, owner_key, utc


class MailingSubscriber(SQLModel, table=True):
    __tablename__ = "mailing_subscribers"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    state: ConsentState = Field(sa_type=enum_type(ConsentState), index=True)
    consent_source: ConsentSource = Field(sa_type=enum_type(ConsentSource))
    requested_at: datetime = Field(sa_type=utc())  # the last request on the page
    confirm_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    confirm_sent_at: datetime | None = Field(default=None, sa_type=utc())
    confirmed_at: datetime | None = Field(default=None, sa_type=utc())
    withdrawn_at: datetime | None = Field(default=None, sa_type=utc())
    withdrawal_source: WithdrawalSource | None = Field(
        default=None, sa_type=enum_type(WithdrawalSource)
    )
    withdrawn_by: str = Field(default="", max_length=128)  # the employee, for ``staff``


class Mailing(SQLModel, table=True):
    __tablename__ = "mailings"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: MailingState = Field(sa_type=enum_type(MailingState), index=True)
    created_by: str = Field(max_length=128)
    created_at: datetime = Field(sa_type=utc())
    form_key: str = Field(max_length=64, unique=True)  # the form that created it: once
    started_by: str = Field(default="", max_length=128)
    started_at: datetime | None = Field(default=None, sa_type=utc())
    finished_at: datetime | None = Field(default=None, sa_type=utc())


class MailingDelivery(SQLModel, table=True):
    __tablename__ = "mailing_deliveries"
    __table_args__ = (UniqueConstraint("mailing_id", "subscriber_id"),)

    id: int | None = Field(default=None, primary_key=True)
    mailing_id: int = Field(sa_column=owner_key("mailings.id"))
    subscriber_id: int = Field(sa_column=owner_key("mailing_subscribers.id"))
    state: DeliveryState = Field(sa_type=enum_type(DeliveryState), index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=utc())
    claimed_at: datetime | None = Field(default=None, sa_type=utc())
    sent_at: datetime | None = Field(default=None, sa_type=utc())
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    unsubscribe_hash: str | None = Field(default=None, max_length=64, unique=True)
