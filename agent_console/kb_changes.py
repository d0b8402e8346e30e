"""Changes to the knowledge base as the API and the pages both make them.

* :func:`review_section` — K6: the owning department has reviewed a section today;
* :func:`save_edit` — an entry edited by the signed-in editor (a new version, its author the
  editor's login), refused when the entry changed after the version the editor started from:
  saving over it would silently undo a colleague's change.

Each change is logged with who made it; an edit drops the cached search index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from agent_console.deps import Backend
from models.db import session_scope
from models.tables.kb import KbEntry, KbEntryVersion, KbSection
from scripts_kb.history import newest_version
from scripts_kb.upkeep import EntryChange, SectionFreshness, edit_entry, mark_reviewed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Saved:
    entry: KbEntry  # as it stands after the edit (detached)
    version: int  # the newest version number
    changed: bool  # False: the edit changed nothing and recorded no version


@dataclass(frozen=True, slots=True)
class Stale:
    """The entry has a newer version than the one the edit started from; nothing was saved."""

    based_on: int
    newest: KbEntryVersion | None


def review_section(backend: Backend, *, section_id: str, login: str) -> SectionFreshness | None:
    """The section reviewed today (the line's date); None: no such section."""
    with session_scope(backend.engine) as session:
        section = session.get(KbSection, section_id)
        if section is None:
            return None
        item = mark_reviewed(session=session, section=section, today=backend.today())
    log.info("база знаний: раздел %s проверен (%s)", section_id, login)
    return item


def save_edit(
    backend: Backend,
    *,
    entry_id: str,
    change: EntryChange,
    login: str,
    based_on: int | None = None,
) -> Saved | Stale | None:
    """Applies ``change``; None: no such entry. ``based_on``: the version the editor read
    (None: no check)."""
    try:
        with session_scope(backend.engine) as session:
            row = session.get(KbEntry, entry_id)
            if row is None:
                return None
            newest = newest_version(session, entry_id)
            number = newest.version if newest is not None else 0
            if based_on is not None and number != based_on:
                return Stale(based_on, newest)
            now = backend.clock()
            changed = edit_entry(session=session, row=row, change=change, changed_by=login, now=now)
            session.flush()  # two edits of one version at once: the second one fails here
    except IntegrityError:
        with session_scope(backend.engine) as session:
            return Stale(based_on or number, newest_version(session, entry_id))
    if changed:
        backend.kb_index.invalidate()
        log.info("база знаний: запись %s изменена (%s)", entry_id, login)
    return Saved(row, number + 1 if changed else number, changed)
