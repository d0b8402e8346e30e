"""«База знаний: проверка разделов» (K6): ``GET /kb/review`` lists every section with its owning
department, last review and due date, overdue ones first and marked, each with its entries
linking to the entry page; ``POST /kb/review/{section_id}`` is the page's «Проверено» button
(a form: the section reviewed today, back to the page).

Supervisors, KB editors and administrators see the page; only editors and administrators mark
a section reviewed (the same rule and the same change as ``POST /kb/sections/{id}/reviewed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, select
from starlette.responses import Response

from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.kb_changes import review_section
from agent_console.kb_page_parts import day_text, department_names, not_found
from agent_console.routes.kb import EDITORS, OVERSEERS, no_section_message
from agent_console.templating import Layout, render
from models.db import session_scope
from models.tables.kb import KbEntry
from models.user_sessions import SignedIn
from scripts_kb.labels import kind_label
from scripts_kb.upkeep import SectionFreshness, sections_freshness

router = APIRouter(prefix="/kb", tags=["kb"])

REVIEW_PATH = "/kb/review"
TITLE = "База знаний: проверка разделов"

# The «Показать» filter: value → label.
SHOW: dict[str, str] = {"all": "все разделы", "overdue": "только просроченные"}


@dataclass(frozen=True, slots=True)
class EntryLink:
    id: str
    title: str
    kind: str


@dataclass(frozen=True, slots=True)
class SectionView:
    id: str
    title: str
    owner: str  # the department's name (its code when the staff file does not name it)
    last_reviewed: str
    review_due: str
    overdue: bool
    state: str  # "с 02.12.2026" (beside «Просрочен»), "в срок"
    entries: list[EntryLink]


@dataclass(frozen=True, slots=True)
class ReviewPage:
    today: str
    sections: list[SectionView]
    overdue_count: int
    total: int
    show: str
    show_choices: list[tuple[str, str]]
    can_mark: bool
    notice: str = ""
    error: str = ""


def ordered(items: list[SectionFreshness]) -> list[SectionFreshness]:
    """Overdue first; within each group the earliest due date first, then by id."""
    return sorted(items, key=lambda item: (not item.overdue, item.review_due, item.id))


def _state(item: SectionFreshness) -> str:
    if item.overdue:
        return f"с {day_text(item.review_due + timedelta(days=1))}"
    return "в срок"


def _page(backend: Backend, user: SignedIn, show: str, notice_for: str) -> ReviewPage:
    today: date = backend.today()
    with session_scope(backend.engine) as session:
        items = ordered(sections_freshness(session=session, today=today))
        owners = department_names(session)
        rows = session.exec(
            select(KbEntry.id, KbEntry.title, KbEntry.kind, KbEntry.section_id)
            .where(col(KbEntry.withdrawn_at).is_(None))
            .order_by(col(KbEntry.title), col(KbEntry.id))
        ).all()
    entries: dict[str, list[EntryLink]] = {}
    for entry_id, title, kind, section_id in rows:
        entries.setdefault(section_id, []).append(EntryLink(entry_id, title, kind_label(kind)))
    error = ""
    if show not in SHOW:
        error = (
            f"Неизвестное значение фильтра «{show[:40]}»: можно "
            + " или ".join(f"«{label}»" for label in SHOW.values())
            + ". Показаны все разделы."
        )
        show = "all"
    views = [
        SectionView(
            id=item.id,
            title=item.title,
            owner=owners.get(item.owner, item.owner),
            last_reviewed=day_text(item.last_reviewed),
            review_due=day_text(item.review_due),
            overdue=item.overdue,
            state=_state(item),
            entries=entries.get(item.id, []),
        )
        for item in items
    ]
    notice = ""
    done = next((item for item in items if item.id == notice_for), None)
    if done is not None:
        notice = f"Раздел «{done.title}» отмечен проверенным {day_text(done.last_reviewed)}."
    return ReviewPage(
        today=day_text(today),
        sections=[v for v in views if show == "all" or v.overdue],
        overdue_count=sum(1 for v in views if v.overdue),
        total=len(views),
        show=show,
        show_choices=list(SHOW.items()),
        can_mark=user.has_any(EDITORS),
        notice=notice,
        error=error,
    )


@router.get("/review", include_in_schema=False)
def review_page(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*OVERSEERS)],
    show: str = "all",
    reviewed: str = "",
) -> Response:
    """Sections overdue for review first (K6); ``reviewed`` names the section just marked."""
    shown = _page(backend, user, show.strip(), reviewed)
    layout = Layout.of(backend.settings.line_title, user)
    status = 422 if shown.error else 200
    return render(request, "kb_review.html", layout=layout, title=TITLE, page=shown, status=status)


@router.post("/review/{section_id}", include_in_schema=False)
def mark_reviewed_form(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*EDITORS)],
    section_id: str,
    show: Annotated[str, Form()] = "all",
) -> Response:
    """«Проверено»: the section reviewed today, then back to the page (to the same filter)."""
    item = review_section(backend, section_id=section_id, login=user.login)
    if item is None:
        return not_found(
            request, backend, user, no_section_message(section_id), (REVIEW_PATH, "К разделам")
        )
    query = {"reviewed": section_id} | ({"show": show} if show in SHOW and show != "all" else {})
    where = f"{REVIEW_PATH}?{urlencode(query)}#section-{quote(section_id)}"
    return RedirectResponse(where, status_code=303)
