"""The knowledge base over HTTP (K1–K7): search, entries with history, sections, gaps.

Plain ``def`` endpoints: FastAPI runs them in worker threads, so reading the database never
blocks the event loop that also serves AGI and AMI.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlmodel import Session

from agent_console.auth.roles import EVERYONE
from agent_console.auth.rules import allow
from agent_console.deps import BackendDep
from models.db import session_scope
from models.kb_gaps import GapReport, kb_gaps, local_period
from models.tables.kb import KbEntry, KbEntryVersion, KbSection, KbSource
from models.tables.staff import Role
from models.topics import Topic
from models.user_sessions import SignedIn
from scripts_kb.history import latest_versions_of, versions
from scripts_kb.search_terms import MAX_QUERY_CHARS, query_problem
from scripts_kb.upkeep import (
    EntryChange,
    SectionFreshness,
    edit_entry,
    mark_reviewed,
    sections_freshness,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/kb", tags=["kb"])

GAP_PERIOD_DAYS = 30

# Who may do what: every signed-in user reads the KB; its editors change it; its freshness and
# gaps are for those who look after it.
READERS = EVERYONE
EDITORS = (Role.KB_EDITOR, Role.ADMIN)
OVERSEERS = (Role.SUPERVISOR, Role.KB_EDITOR, Role.ADMIN)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class KbHitPublic(BaseModel):
    id: str
    kind: str
    title: str
    section: str
    score: float
    snippet: str  # matched words in [[…]]


class KbEntryPublic(BaseModel):
    id: str
    kind: str
    title: str
    section_id: str
    owner: str
    topics: list[Topic]
    tags: list[str]
    links: list[str]
    language: str
    last_reviewed: date
    body: str
    source: KbSource
    updated_at: datetime
    withdrawn_at: datetime | None
    version: int  # the newest version number


class KbEntryUpdate(BaseModel):
    """Fields to change; the ones left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    tags: list[Tag] | None = None
    topics: Annotated[list[Topic], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> KbEntryUpdate:
        if self.model_fields_set == set() or all(
            getattr(self, name) is None for name in self.model_fields_set
        ):
            raise ValueError("нечего изменять: укажите title, body, tags или topics")
        return self


class KbEntryVersionPublic(BaseModel):
    version: int
    kind: str
    title: str
    body: str
    tags: list[str]
    topics: list[Topic]
    changed_by: str
    changed_at: datetime
    source: KbSource


class KbSectionPublic(BaseModel):
    id: str
    title: str
    owner: str
    last_reviewed: date
    review_due: date
    overdue: bool


class TopicGapPublic(BaseModel):
    topic: Topic | None
    count: int


class QuestionGapPublic(BaseModel):
    question: str
    topic: Topic | None
    count: int


class KbGapReportPublic(BaseModel):
    since: date
    until: date
    wrapups: int
    without_answer: int
    topics: list[TopicGapPublic]
    questions: list[QuestionGapPublic]


def _entry_or_404(session: Session, entry_id: str) -> KbEntry:
    row = session.get(KbEntry, entry_id)
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Запись базы знаний {entry_id!r} не найдена."
        )
    return row


def _entry_public(session: Session, row: KbEntry) -> KbEntryPublic:
    return KbEntryPublic(
        id=row.id,
        kind=row.kind,
        title=row.title,
        section_id=row.section_id,
        owner=row.owner,
        topics=json.loads(row.topics),
        tags=json.loads(row.tags),
        links=json.loads(row.links),
        language=row.language,
        last_reviewed=row.last_reviewed,
        body=row.body,
        source=row.source,
        updated_at=row.updated_at,
        withdrawn_at=row.withdrawn_at,
        version=latest_versions_of(session, row.id).get(row.id, 0),
    )


def _version_public(version: KbEntryVersion) -> KbEntryVersionPublic:
    return KbEntryVersionPublic(
        version=version.version,
        kind=version.kind,
        title=version.title,
        body=version.body,
        tags=json.loads(version.tags),
        topics=json.loads(version.topics),
        changed_by=version.changed_by,
        changed_at=version.changed_at,
        source=version.source,
    )


def _section_public(item: SectionFreshness) -> KbSectionPublic:
    return KbSectionPublic(
        id=item.id,
        title=item.title,
        owner=item.owner,
        last_reviewed=item.last_reviewed,
        review_due=item.review_due,
        overdue=item.overdue,
    )


@router.get("/search", response_model=list[KbHitPublic], dependencies=[allow(*READERS)])
def search(
    backend: BackendDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)],
    topic: Topic | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    language: Literal["ru", "en"] | None = None,
) -> list[KbHitPublic]:
    """Entries above the relevance floor, best first; none found is an empty list.

    A query with nothing to search (empty, punctuation, stopwords only) is refused with 422.
    """
    problem = query_problem(q)
    if problem is not None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
    index = backend.kb_index.get()
    hits = index.search(q, topic=topic, limit=limit, language=language)
    return [
        KbHitPublic(
            id=h.id, kind=h.kind, title=h.title, section=h.section, score=h.score, snippet=h.snippet
        )
        for h in hits
    ]


@router.get("/entries/{entry_id}", response_model=KbEntryPublic, dependencies=[allow(*READERS)])
def get_entry(backend: BackendDep, entry_id: str) -> KbEntryPublic:
    with session_scope(backend.engine) as session:
        return _entry_public(session, _entry_or_404(session, entry_id))


@router.get(
    "/entries/{entry_id}/versions",
    response_model=list[KbEntryVersionPublic],
    dependencies=[allow(*READERS)],
)
def get_versions(backend: BackendDep, entry_id: str) -> list[KbEntryVersionPublic]:
    with session_scope(backend.engine) as session:
        _entry_or_404(session, entry_id)
        return [_version_public(v) for v in versions(session=session, entry_id=entry_id)]


@router.patch("/entries/{entry_id}", response_model=KbEntryPublic)
def update_entry(
    backend: BackendDep,
    user: Annotated[SignedIn, allow(*EDITORS)],
    entry_id: str,
    update: KbEntryUpdate,
) -> KbEntryPublic:
    """Changes an entry; the new version's author is the signed-in user's login."""
    with session_scope(backend.engine) as session:
        row = _entry_or_404(session, entry_id)
        change = EntryChange(
            title=update.title, body=update.body, tags=update.tags, topics=update.topics
        )
        changed = edit_entry(
            session=session, row=row, change=change, changed_by=user.login, now=backend.clock()
        )
        session.flush()
        public = _entry_public(session, row)
    if changed:
        backend.kb_index.invalidate()
        log.info("база знаний: запись %s изменена (%s)", entry_id, user.login)
    return public


@router.get("/sections", response_model=list[KbSectionPublic], dependencies=[allow(*OVERSEERS)])
def list_sections(backend: BackendDep) -> list[KbSectionPublic]:
    with session_scope(backend.engine) as session:
        items = sections_freshness(session=session, today=backend.today())
    return [_section_public(item) for item in items]


@router.post("/sections/{section_id}/reviewed", response_model=KbSectionPublic)
def section_reviewed(
    backend: BackendDep, user: Annotated[SignedIn, allow(*EDITORS)], section_id: str
) -> KbSectionPublic:
    with session_scope(backend.engine) as session:
        section = session.get(KbSection, section_id)
        if section is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"Раздел базы знаний {section_id!r} не найден."
            )
        item = mark_reviewed(session=session, section=section, today=backend.today())
    log.info("база знаний: раздел %s проверен (%s)", section_id, user.login)
    return _section_public(item)


@router.get("/gaps", response_model=KbGapReportPublic, dependencies=[allow(*OVERSEERS)])
def gaps(
    backend: BackendDep, since: date | None = None, until: date | None = None
) -> KbGapReportPublic:
    """K7: topics and questions without a KB answer, local days ``since``..``until`` included.

    By default the last 30 days up to today.
    """
    until = until or backend.today()
    since = since or until - timedelta(days=GAP_PERIOD_DAYS - 1)
    if since > until:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "Начало периода (since) позже его конца (until)."
        )
    start, end = local_period(since, until, backend.settings.tz)
    with session_scope(backend.engine) as session:
        report = kb_gaps(session=session, since=start, until=end)
    return gap_report_public(report, since, until)


def gap_report_public(report: GapReport, since: date, until: date) -> KbGapReportPublic:
    return KbGapReportPublic(
        since=since,
        until=until,
        wrapups=report.wrapups,
        without_answer=report.without_answer,
        topics=[TopicGapPublic(topic=t.topic, count=t.count) for t in report.topics],
        questions=[
            QuestionGapPublic(question=q.question, topic=q.topic, count=q.count)
            for q in report.questions
        ],
    )
