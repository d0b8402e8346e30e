"""The search index the web app keeps between requests, rebuilt when the entries change.

Entries change through the API (in this process: ``invalidate``) and through
``consult-line kb load`` (another process). So each lookup first reads a cheap fingerprint of
the entries (the newest version id, the number of searchable entries): every added, updated or
edited entry appends a version, and a withdrawal changes the count.
"""

from __future__ import annotations

import threading

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.db import session_scope
from models.tables.kb import KbEntry, KbEntryVersion
from scripts_kb.search import SearchIndex
from scripts_kb.store import load_documents

Fingerprint = tuple[int | None, int]


class IndexCache:
    """Thread-safe: FastAPI runs plain ``def`` endpoints in worker threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._fingerprint: Fingerprint | None = None
        self.builds = 0  # how many times the index was built (tests, diagnostics)

    def get(self) -> SearchIndex:
        with self._lock, session_scope(self._engine) as session:
            fingerprint = (
                session.exec(select(func.max(KbEntryVersion.id))).one(),
                session.exec(
                    select(func.count())
                    .select_from(KbEntry)
                    .where(col(KbEntry.withdrawn_at).is_(None))
                ).one(),
            )
            if self._index is None or fingerprint != self._fingerprint:
                self._index = SearchIndex(load_documents(session))
                self._fingerprint = fingerprint
                self.builds += 1
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
