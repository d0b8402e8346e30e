"""Version history of knowledge-base entries: every change appends a numbered version."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.tables.kb import KbEntry, KbEntryVersion

FILE_AUTHOR = "kb load"  # ``changed_by`` of versions written by a file load


def latest_versions(session: Session) -> dict[str, int]:
    """The newest version number of every entry that has one."""
    rows = session.exec(
        select(KbEntryVersion.entry_id, func.max(KbEntryVersion.version)).group_by(
            col(KbEntryVersion.entry_id)
        )
    )
    return {entry_id: number for entry_id, number in rows}


def record_version(
    session: Session,
    row: KbEntry,
    *,
    changed_by: str,
    now: datetime,
    latest: Mapping[str, int] | None = None,
) -> KbEntryVersion:
    """Appends the row's current text as its next version (``latest`` saves a query per row)."""
    if latest is None:
        latest = latest_versions_of(session, row.id)
    version = KbEntryVersion(
        entry_id=row.id,
        version=latest.get(row.id, 0) + 1,
        kind=row.kind,
        title=row.title,
        body=row.body,
        tags=row.tags,
        topics=row.topics,
        changed_by=changed_by,
        changed_at=now,
        source=row.source,
    )
    session.add(version)
    return version


def latest_versions_of(session: Session, entry_id: str) -> dict[str, int]:
    number = session.exec(
        select(func.max(KbEntryVersion.version)).where(col(KbEntryVersion.entry_id) == entry_id)
    ).one()
    return {entry_id: number} if number is not None else {}


def versions(*, session: Session, entry_id: str) -> list[KbEntryVersion]:
    """The entry's versions, oldest first."""
    return list(
        session.exec(
            select(KbEntryVersion)
            .where(col(KbEntryVersion.entry_id) == entry_id)
            .order_by(col(KbEntryVersion.version))
        )
    )


def newest_version(session: Session, entry_id: str) -> KbEntryVersion | None:
    return session.exec(
        select(KbEntryVersion)
        .where(col(KbEntryVersion.entry_id) == entry_id)
        .order_by(col(KbEntryVersion.version).desc())
        .limit(1)
    ).first()
