"""The knowledge base (K1–K7): sections and entries loaded from ``scripts_kb/content``.

Lists (topics, tags, links) are stored as JSON text, the same on SQLite and PostgreSQL; search
builds its index in memory from these rows (``scripts_kb.search``), never in SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables._columns import enum_type, utc


class KbSource(StrEnum):
    FILE = "file"  # as loaded from the content files
    EDIT = "edit"  # changed through the API: a file reload no longer overwrites it


class KbSection(SQLModel, table=True):
    __tablename__ = "kb_sections"

    id: str = Field(primary_key=True, max_length=64)
    title: str = Field(max_length=255)
    owner: str = Field(max_length=32)
    topics: str = Field(sa_type=Text)  # JSON list of Topic values
    last_reviewed: date


class KbEntry(SQLModel, table=True):
    __tablename__ = "kb_entries"

    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=24)
    title: str = Field(max_length=255)
    section_id: str = Field(
        sa_column=Column(String(64), ForeignKey("kb_sections.id"), index=True, nullable=False)
    )
    owner: str = Field(max_length=32)
    topics: str = Field(sa_type=Text)  # JSON list of Topic values
    tags: str = Field(sa_type=Text)  # JSON list of strings
    links: str = Field(sa_type=Text)  # JSON list of entry ids
    language: str = Field(max_length=2)
    last_reviewed: date
    body: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64)
    source: KbSource = Field(sa_type=enum_type(KbSource))
    updated_at: datetime = Field(sa_type=utc())
    # Set when the entry's file disappeared: kept for the record, left out of search.
    withdrawn_at: datetime | None = Field(default=None, sa_type=utc())


class KbEntryVersion(SQLModel, table=True):
    """Every change to an entry, file load or API edit: who changed what and when."""

    __tablename__ = "kb_entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(
        sa_column=Column(String(64), ForeignKey("kb_entries.id"), index=True, nullable=False)
    )
    version: int
    kind: str = Field(max_length=24)
    title: str = Field(max_length=255)
    body: str = Field(sa_type=Text)
    tags: str = Field(sa_type=Text)  # JSON list of strings
    topics: str = Field(sa_type=Text)  # JSON list of Topic values
    changed_by: str = Field(max_length=128)
    changed_at: datetime = Field(sa_type=utc())
    source: KbSource = Field(sa_type=enum_type(KbSource))
