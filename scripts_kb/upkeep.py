"""Upkeep of the knowledge base through the API: edits with history (K1–K5) and reviews (K6)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models.rules.kb_freshness import review_due, section_overdue
from models.tables.kb import KbEntry, KbSection, KbSource
from models.topics import Topic
from scripts_kb.content_files import Entry, EntryKind, EntryLanguage
from scripts_kb.history import record_version


@dataclass(frozen=True, slots=True)
class EntryChange:
    """What an edit sets; None leaves the field as it is."""

    title: str | None = None
    body: str | None = None
    tags: Sequence[str] | None = None
    topics: Sequence[Topic] | None = None


@dataclass(frozen=True, slots=True)
class SectionFreshness:
    id: str
    title: str
    owner: str  # the owning department's code
    last_reviewed: date
    review_due: date
    overdue: bool


def edit_entry(
    *, session: Session, row: KbEntry, change: EntryChange, changed_by: str, now: datetime
) -> bool:
    """Applies an edit and records it as a version; False (and nothing recorded) if no change.

    The row becomes ``source='edit'``: a file reload reports it as a conflict instead of
    overwriting it. Its ``content_hash`` is the hash its text would have as a file, so a file
    brought in line with the edit is recognised as the same and no longer reported.
    """
    values: dict[str, str] = {}
    if change.title is not None:
        values["title"] = change.title
    if change.body is not None:
        values["body"] = change.body
    if change.tags is not None:
        values["tags"] = json.dumps(list(change.tags), ensure_ascii=False)
    if change.topics is not None:
        values["topics"] = json.dumps([t.value for t in change.topics], ensure_ascii=False)
    if all(getattr(row, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(row, name, value)
    row.source = KbSource.EDIT
    row.content_hash = _as_file(row).content_hash()
    row.updated_at = now
    session.add(row)
    record_version(session, row, changed_by=changed_by, now=now)
    return True


def _as_file(row: KbEntry) -> Entry:
    return Entry(
        id=row.id,
        kind=EntryKind(row.kind),
        title=row.title,
        section=row.section_id,
        owner=row.owner,
        topics=tuple(Topic(t) for t in json.loads(row.topics)),
        tags=tuple(json.loads(row.tags)),
        language=EntryLanguage(row.language),
        last_reviewed=row.last_reviewed,
        links=tuple(json.loads(row.links)),
        body=row.body,
    )


def freshness(section: KbSection, today: date) -> SectionFreshness:
    return SectionFreshness(
        id=section.id,
        title=section.title,
        owner=section.owner,
        last_reviewed=section.last_reviewed,
        review_due=review_due(section.last_reviewed),
        overdue=section_overdue(section.last_reviewed, today),
    )


def sections_freshness(*, session: Session, today: date) -> list[SectionFreshness]:
    """Every section with its last review and whether it is overdue (K6), in id order."""
    rows = session.exec(select(KbSection).order_by(col(KbSection.id)))
    return [freshness(row, today) for row in rows]


def overdue_sections(*, session: Session, today: date) -> list[SectionFreshness]:
    return [item for item in sections_freshness(session=session, today=today) if item.overdue]


def mark_reviewed(*, session: Session, section: KbSection, today: date) -> SectionFreshness:
    """K6: the owning department has reviewed the section today."""
    section.last_reviewed = max(section.last_reviewed, today)
    session.add(section)
    return freshness(section, today)
