"""The knowledge base over HTTP (K1–K7): search, entries with history, sections, gaps.

Plain ``def`` endpoints: FastAPI runs them in worker threads, so reading the database never
blocks the event loop that also serves AGI and AMI.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlmodel import Session

from agent_console.auth.roles import EVERYONE
from agent_console.auth.rules import allow
from agent_console.deps import BackendDep
from agent_console.kb_changes import Stale, review_section, save_edit
from models.db import session_scope
from models.kb_gaps import GapReport, kb_gaps, local_period, report_period
from models.tables.kb import KbEntry, KbEntryVersion, KbSource
from models.tables.staff import Role
from models.topics import Topic
from models.user_sessions import SignedIn
from scripts_kb.history import latest_versions_of, versions
from scripts_kb.search_terms import MAX_QUERY_CHARS, query_problem
from scripts_kb.upkeep import EntryChange, SectionFreshness, sections_freshness

router = APIRouter(prefix="/kb", tags=["kb"])

# Who may do what: every signed-in user reads the KB; its editors change it; its freshness and
# gaps are for those who look after it.
READERS = EVERYONE
EDITORS = (Role.KB_EDITOR, Role.ADMIN)
OVERSEERS = (Role.SUPERVISOR, Role.KB_EDITOR, Role.ADMIN)

TITLE_MAX_CHARS = 255
TAG_MAX_CHARS = 64

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS)
]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TAG_MAX_CHARS)
]


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
    # The version the edit is based on: if the entry has a newer one, 409 and nothing changes.
    version: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> KbEntryUpdate:
        named = self.model_fields_set - {"version"}
        if all(getattr(self, name) is None for name in named):
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


class SpokenGapPublic(BaseModel):
    """A question callers said in the voice menu, as recognized."""

    question: str
    topic: Topic | None
    calls: int
    without_answer: int  # calls whose wrap-up found no answer in the KB
    answered_in: list[str]  # entries wrap-ups of its calls found the answer in


class KbGapReportPublic(BaseModel):
    since: date
    until: date
    wrapups: int
    without_answer: int
    topics: list[TopicGapPublic]
    questions: list[QuestionGapPublic]
    # What callers said (speech): calls of the period with a spoken question, those of them
    # whose wrap-up found no answer, and the questions, the most without an answer first.
    spoken_calls: int
    spoken_without_answer: int
    spoken_questions: list[SpokenGapPublic]


def no_entry_message(entry_id: str) -> str:
    return f"Запись базы знаний {entry_id!r} не найдена."


def no_section_message(section_id: str) -> str:
    return f"Раздел базы знаний {section_id!r} не найден."


def stale_message(stale: Stale) -> str:
    newest = stale.newest
    if newest is None:
        return f"Версии {stale.based_on} у записи нет: перечитайте запись и повторите правку."
    return (
        f"Запись изменена после версии {stale.based_on}: сейчас версия {newest.version} "
        f"({newest.changed_by}). Перечитайте запись и повторите правку."
    )


def _no_entry(entry_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, no_entry_message(entry_id))


def _entry_or_404(session: Session, entry_id: str) -> KbEntry:
    row = session.get(KbEntry, entry_id)
    if row is None:
        raise _no_entry(entry_id)
    return row


def _entry_public(row: KbEntry, version: int) -> KbEntryPublic:
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
        version=version,
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
        row = _entry_or_404(session, entry_id)
        return _entry_public(row, latest_versions_of(session, row.id).get(row.id, 0))


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
    """Changes an entry; the new version's author is the signed-in user's login.

    With ``version`` (the version the edit is based on) an entry changed since is refused
    with 409: the edit would undo that change unseen."""
    change = EntryChange(
        title=update.title, body=update.body, tags=update.tags, topics=update.topics
    )
    saved = save_edit(
        backend, entry_id=entry_id, change=change, login=user.login, based_on=update.version
    )
    if saved is None:
        raise _no_entry(entry_id)
    if isinstance(saved, Stale):
        raise HTTPException(status.HTTP_409_CONFLICT, stale_message(saved))
    return _entry_public(saved.entry, saved.version)


@router.get("/sections", response_model=list[KbSectionPublic], dependencies=[allow(*OVERSEERS)])
def list_sections(backend: BackendDep) -> list[KbSectionPublic]:
    with session_scope(backend.engine) as session:
        items = sections_freshness(session=session, today=backend.today())
    return [_section_public(item) for item in items]


@router.post("/sections/{section_id}/reviewed", response_model=KbSectionPublic)
def section_reviewed(
    backend: BackendDep, user: Annotated[SignedIn, allow(*EDITORS)], section_id: str
) -> KbSectionPublic:
    item = review_section(backend, section_id=section_id, login=user.login)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, no_section_message(section_id))
    return _section_public(item)


@router.get("/gaps", response_model=KbGapReportPublic, dependencies=[allow(*OVERSEERS)])
def gaps(
    backend: BackendDep, since: date | None = None, until: date | None = None
) -> KbGapReportPublic:
    """K7: topics and questions without a KB answer, local days ``since``..``until`` included,
    and the questions callers said in the voice menu (by their calls' arrival).

    By default the last 30 days up to today.
    """
    period = report_period(since, until, backend.today())
    if isinstance(period, str):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, period)
    since, until = period
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
        spoken_calls=report.spoken_calls,
        spoken_without_answer=report.spoken_without_answer,
        spoken_questions=[
            SpokenGapPublic(
                question=q.question,
                topic=q.topic,
                calls=q.calls,
                without_answer=q.without_answer,
                answered_in=list(q.answered_in),
            )
            for q in report.spoken
        ],
    )
