"""``consult-line kb load``: the checked content into the database, idempotently.

Rules of a reload:
* a new file entry is added; a changed one (content hash) is updated; an unchanged one is left;
* an entry edited through the API (``source='edit'``) is never overwritten by its file: when
  the file differs, the reload reports it as a conflict, every time, until someone resolves it;
* an entry whose file was removed is not deleted: it is marked ``withdrawn_at`` (kept for the
  record, left out of search) and reported; its file coming back clears the mark. An edited
  entry whose file was removed is only reported;
* every entry the load adds or updates gets a new version (``scripts_kb.history``);
* a section's ``last_reviewed`` only moves forward: a review marked through the API (K6) is
  kept when the file still carries an older date.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.tables.kb import KbEntry, KbSection, KbSource
from scripts_kb.content_files import Entry, KbContent, Section
from scripts_kb.history import FILE_AUTHOR, latest_versions, record_version
from scripts_kb.search import Document


@dataclass
class LoadSummary:
    sections_added: list[str] = field(default_factory=list)
    sections_updated: list[str] = field(default_factory=list)
    sections_missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    edited_without_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.sections_added
            or self.sections_updated
            or self.added
            or self.updated
            or self.withdrawn
        )

    def lines(self) -> list[str]:
        lines = [
            f"Разделы: добавлено {len(self.sections_added)}, "
            f"обновлено {len(self.sections_updated)}.",
            f"Записи: добавлено {len(self.added)}, обновлено {len(self.updated)}, "
            f"без изменений {self.unchanged}.",
        ]
        lines += [f"  добавлена: {entry_id}" for entry_id in self.added]
        lines += [f"  обновлена: {entry_id}" for entry_id in self.updated]
        lines += [
            f"КОНФЛИКТ: {entry_id} изменена через API, файл отличается и НЕ применён"
            for entry_id in self.conflicts
        ]
        lines += [
            f"Снята (файла больше нет, запись скрыта из поиска): {entry_id}"
            for entry_id in self.withdrawn
        ]
        lines += [
            f"Файла больше нет, но запись изменена через API и оставлена: {entry_id}"
            for entry_id in self.edited_without_file
        ]
        lines += [
            f"Раздел есть в базе, но не в sections.yaml (оставлен): {section_id}"
            for section_id in self.sections_missing
        ]
        if not self.changed and not self.conflicts:
            lines.append("База знаний без изменений.")
        return lines


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def load_into_db(*, session: Session, content: KbContent, now: datetime) -> LoadSummary:
    summary = LoadSummary()
    _load_sections(session, content.sections, summary)
    session.flush()
    rows = {row.id: row for row in session.exec(select(KbEntry))}
    latest = latest_versions(session)
    for entry in content.entries:
        row = rows.pop(entry.id, None)
        changed = _load_entry(session, row, entry, now, summary)
        if changed is not None:
            record_version(session, changed, changed_by=FILE_AUTHOR, now=now, latest=latest)
    for row in sorted(rows.values(), key=lambda r: r.id):
        if row.source == KbSource.EDIT:
            summary.edited_without_file.append(row.id)
        elif row.withdrawn_at is None:
            row.withdrawn_at = now
            row.updated_at = now
            session.add(row)
            summary.withdrawn.append(row.id)
    return summary


def _load_sections(session: Session, sections: Sequence[Section], summary: LoadSummary) -> None:
    rows = {row.id: row for row in session.exec(select(KbSection))}
    for section in sections:
        values: dict[str, Any] = {
            "title": section.title,
            "owner": section.owner,
            "topics": _json([t.value for t in section.topics]),
            "last_reviewed": section.last_reviewed,
        }
        row = rows.pop(section.id, None)
        if row is not None:
            values["last_reviewed"] = max(section.last_reviewed, row.last_reviewed)
        if row is None:
            session.add(KbSection(id=section.id, **values))
            summary.sections_added.append(section.id)
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
            summary.sections_updated.append(section.id)
    summary.sections_missing.extend(sorted(rows))


def _entry_values(entry: Entry) -> dict[str, Any]:
    return {
        "kind": entry.kind.value,
        "title": entry.title,
        "section_id": entry.section,
        "owner": entry.owner,
        "topics": _json([t.value for t in entry.topics]),
        "tags": _json(entry.tags),
        "links": _json(entry.links),
        "language": entry.language.value,
        "last_reviewed": entry.last_reviewed,
        "body": entry.body,
        "content_hash": entry.content_hash(),
    }


def _load_entry(
    session: Session, row: KbEntry | None, entry: Entry, now: datetime, summary: LoadSummary
) -> KbEntry | None:
    """Applies one file entry; returns the row when it was added or changed."""
    values = _entry_values(entry)
    if row is None:
        row = KbEntry(id=entry.id, source=KbSource.FILE, updated_at=now, **values)
        session.add(row)
        summary.added.append(entry.id)
        return row
    if row.content_hash == values["content_hash"] and row.withdrawn_at is None:
        summary.unchanged += 1
        return None
    if row.source == KbSource.EDIT:
        if row.content_hash == values["content_hash"]:
            summary.unchanged += 1
        else:
            summary.conflicts.append(entry.id)
        return None
    for name, value in values.items():
        setattr(row, name, value)
    row.withdrawn_at = None
    row.updated_at = now
    session.add(row)
    summary.updated.append(entry.id)
    return row


def entry_document(entry: Entry) -> Document:
    """The searchable form of a content file's entry (what ``load_documents`` gives after a
    load), for tools and tests that search the files without a database."""
    return Document(
        id=entry.id,
        kind=entry.kind.value,
        title=entry.title,
        section=entry.section,
        topics=tuple(topic.value for topic in entry.topics),
        tags=tuple(entry.tags),
        language=entry.language.value,
        body=entry.body,
    )


def load_documents(session: Session) -> list[Document]:
    """The searchable entries (not withdrawn), in id order: the same on every database."""
    rows = session.exec(
        select(KbEntry).where(col(KbEntry.withdrawn_at).is_(None)).order_by(col(KbEntry.id))
    )
    return [
        Document(
            id=row.id,
            kind=row.kind,
            title=row.title,
            section=row.section_id,
            topics=tuple(json.loads(row.topics)),
            tags=tuple(json.loads(row.tags)),
            language=row.language,
            body=row.body,
        )
        for row in rows
    ]
