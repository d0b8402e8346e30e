"""«База знаний: поиск» as a page: ``GET /kb/find?q=…&topic=…`` — the same search as
``GET /kb/search`` (a topic raises its own entries), each hit linking to the entry page. The gap
report links each unanswered question here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Request
from sqlmodel import select
from starlette.responses import Response

from agent_console.auth.rules import page
from agent_console.deps import BackendDep
from agent_console.routes.kb import OVERSEERS
from agent_console.templating import Layout, render
from models.db import session_scope
from models.tables.kb import KbSection
from models.topics import TOPIC_LABELS_RU, Topic
from models.user_sessions import SignedIn
from scripts_kb.labels import kind_label
from scripts_kb.search_terms import MAX_QUERY_CHARS, query_problem

router = APIRouter(prefix="/kb", tags=["kb"])

LIMIT = 20
_MARKED = re.compile(r"(\[\[[^\]]*\]\])")


@dataclass(frozen=True, slots=True)
class HitView:
    id: str
    title: str
    kind: str
    section: str
    snippet: list[tuple[str, bool]]  # (text, matched): matched words are marked


@dataclass(frozen=True, slots=True)
class FindPage:
    query: str
    topic: str
    topics: list[tuple[str, str]]
    searched: bool
    hits: list[HitView] = field(default_factory=list)
    error: str = ""


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """``"за [[лицензию]] платят"`` → text and matched parts, for the page to mark."""
    parts = []
    for part in _MARKED.split(snippet):
        if part.startswith("[[") and part.endswith("]]"):
            parts.append((part[2:-2], True))
        elif part:
            parts.append((part, False))
    return parts


def _topic_problem(topic: str) -> str:
    known = ", ".join(f"«{label}»" for label in TOPIC_LABELS_RU.values())
    return f"Неизвестная тема «{topic[:40]}»: выберите одну из списка ({known}) или «любая»."


@router.get("/find", include_in_schema=False)
def find_page(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*OVERSEERS)],
    q: str = "",
    topic: str = "",
) -> Response:
    """The search form; with ``q``, its hits (or why the query cannot be searched)."""
    query = q.strip()[:MAX_QUERY_CHARS]
    topic = topic.strip()
    shown = FindPage(
        query=query,
        topic=topic,
        topics=[(t.value, TOPIC_LABELS_RU[t]) for t in Topic],
        searched=bool(query),
    )
    error = ""
    if topic and topic not in {t.value for t in Topic}:
        error = _topic_problem(topic)
    elif query:
        error = query_problem(query) or ""
    if error:
        shown = FindPage(shown.query, shown.topic, shown.topics, False, error=error)
    elif query:
        hits = backend.kb_index.get().search(query, topic=topic or None, limit=LIMIT)
        with session_scope(backend.engine) as session:
            sections = {row.id: row.title for row in session.exec(select(KbSection))}
        views = [
            HitView(
                id=hit.id,
                title=hit.title,
                kind=kind_label(hit.kind),
                section=sections.get(hit.section, hit.section),
                snippet=snippet_parts(hit.snippet),
            )
            for hit in hits
        ]
        shown = FindPage(shown.query, shown.topic, shown.topics, True, hits=views)
    layout = Layout.of(backend.settings.line_title, user)
    title = "База знаний: поиск"
    status = 422 if error else 200
    return render(request, "kb_find.html", layout=layout, title=title, page=shown, status=status)
