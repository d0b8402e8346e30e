"""Audit log of access to personal data (who read or exported what, and when)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from models.tables._columns import utc


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=utc(), index=True)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=128)
    client_id: int | None = Field(default=None, foreign_key="clients.id", index=True)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
