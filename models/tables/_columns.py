"""Column helpers so that every table stores enums and instants the same way."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Enum, ForeignKey, Integer

from models.types import UtcDateTime


def enum_type(enum_cls: type[StrEnum]) -> Enum:
    """A VARCHAR holding the enum's values, identical on SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utc() -> Any:
    return UtcDateTime()


def require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime refused")
    return value


def owner_key(target: str, *, primary_key: bool = False, unique: bool = False) -> Any:
    """A required foreign key to the row that owns this one; deleting the owner deletes it."""
    return Column(
        Integer,
        ForeignKey(target, ondelete="CASCADE"),
        primary_key=primary_key,
        unique=unique,
        index=not (primary_key or unique),
        nullable=False,
    )
