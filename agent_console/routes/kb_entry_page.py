"""A knowledge-base entry as a page: ``GET /kb/view/{entry_id}`` (read-only: its text, section,
owner, topics, tags, related entries and its version history — who changed it and when), and
for KB editors and administrators ``GET``/``POST /kb/edit/{entry_id}``, a plain form for the
title, text, tags and topics.

The form carries the version it was opened at. If the entry gained a version since (a colleague
saved first), nothing is saved: the form comes back with the editor's text as typed, the
current text beside it and a message saying who changed the entry and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.kb_changes import Stale, save_edit
from agent_console.kb_page_parts import (
    author_names,
    count_in,
    day_text,
    department_names,
    entry_titles,
    not_found,
    topic_label,
)
from agent_console.navigation import Link
from agent_console.routes.kb import (
    EDITORS,
    OVERSEERS,
    TAG_MAX_CHARS,
    TITLE_MAX_CHARS,
    no_entry_message,
)
from agent_console.templating import Layout, render
from models.db import session_scope
from models.tables.kb import KbEntry, KbEntryVersion, KbSection
from models.topics import TOPIC_LABELS_RU, Topic
from models.user_sessions import SignedIn
from scripts_kb.history import newest_version, versions
from scripts_kb.labels import SOURCE_LABELS_RU, kind_label, language_label
from scripts_kb.upkeep import EntryChange

router = APIRouter(prefix="/kb", tags=["kb"])

BACK_TO_SECTIONS = ("/kb/review", "К разделам базы знаний")


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    when: str
    who: str
    source: str
    title: str
    body: str
    tags: list[str]
    topics: list[str]


@dataclass(frozen=True, slots=True)
class EntryPage:
    id: str
    title: str
    kind: str
    language: str
    section: Link
    owner: str
    topics: list[str]
    tags: list[str]
    related: list[Link]
    last_reviewed: str
    source: str
    updated: str
    withdrawn: str  # "" unless the entry's file was removed
    body: str
    history: list[VersionView]  # newest first
    can_edit: bool
    notice: str = ""


@dataclass(frozen=True, slots=True)
class TopicChoice:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True, slots=True)
class EditForm:
    id: str
    title: str
    body: str
    tags: str  # one a line
    topics: list[TopicChoice]
    version: int  # the version the form was opened at (or, after a conflict, the newest)
    errors: dict[str, str] = field(default_factory=dict)  # field → message
    conflict: str = ""
    current: VersionView | None = None  # after a conflict: the entry as it stands


def _when(moment: datetime, zone: tzinfo) -> str:
    return f"{moment.astimezone(zone):%d.%m.%Y %H:%M}"


def _version_views(session: Session, rows: list[KbEntryVersion], zone: tzinfo) -> list[VersionView]:
    names = author_names(session, {row.changed_by for row in rows})
    return [
        VersionView(
            number=row.version,
            when=_when(row.changed_at, zone),
            who=names[row.changed_by],
            source=SOURCE_LABELS_RU[row.source],
            title=row.title,
            body=row.body,
            tags=json.loads(row.tags),
            topics=[topic_label(Topic(t)) for t in json.loads(row.topics)],
        )
        for row in rows
    ]


def _entry_page(
    session: Session, row: KbEntry, zone: tzinfo, can_edit: bool, notice: str
) -> EntryPage:
    section = session.get(KbSection, row.section_id)
    related_ids: list[str] = json.loads(row.links)
    titles = entry_titles(session, related_ids)
    history = _version_views(session, versions(session=session, entry_id=row.id), zone)
    return EntryPage(
        id=row.id,
        title=row.title,
        kind=kind_label(row.kind),
        language=language_label(row.language),
        section=Link(
            f"/kb/review#section-{quote(row.section_id)}",
            section.title if section is not None else row.section_id,
        ),
        owner=department_names(session).get(row.owner, row.owner),
        topics=[topic_label(Topic(t)) for t in json.loads(row.topics)],
        tags=json.loads(row.tags),
        related=[Link(f"/kb/view/{quote(i)}", titles.get(i, i)) for i in related_ids],
        last_reviewed=day_text(row.last_reviewed),
        source=SOURCE_LABELS_RU[row.source],
        updated=_when(row.updated_at, zone),
        withdrawn=_when(row.withdrawn_at, zone) if row.withdrawn_at is not None else "",
        body=row.body,
        history=history[::-1],
        can_edit=can_edit,
        notice=notice,
    )


def _notice(saved: str, unchanged: str) -> str:
    number = count_in(saved)
    if number is not None:
        return f"Изменения сохранены: версия {number}."
    if unchanged:
        return "Изменений не было: запись осталась прежней."
    return ""


# --------------------------------------------------------------------------- the entry


@router.get("/view/{entry_id}", include_in_schema=False)
def entry_page(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*OVERSEERS)],
    entry_id: str,
    saved: str = "",
    unchanged: str = "",
) -> Response:
    """The entry and its history; ``saved``/``unchanged`` after an edit."""
    zone = backend.settings.tz
    with session_scope(backend.engine) as session:
        row = session.get(KbEntry, entry_id)
        if row is None:
            message = no_entry_message(entry_id)
            return not_found(request, backend, user, message, BACK_TO_SECTIONS)
        shown = _entry_page(session, row, zone, user.has_any(EDITORS), _notice(saved, unchanged))
    layout = Layout.of(backend.settings.line_title, user)
    return render(request, "kb_entry.html", layout=layout, title=shown.title, page=shown)


# --------------------------------------------------------------------------- the edit form


def _choices(chosen: list[str]) -> list[TopicChoice]:
    return [TopicChoice(t.value, TOPIC_LABELS_RU[t], t.value in chosen) for t in Topic]


def _form_of(row: KbEntry, version: int) -> EditForm:
    return EditForm(
        id=row.id,
        title=row.title,
        body=row.body,
        tags="\n".join(json.loads(row.tags)),
        topics=_choices(json.loads(row.topics)),
        version=version,
    )


def _render_form(
    request: Request, backend: Backend, user: SignedIn, form: EditForm, status: int = 200
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    title = f"Правка: {form.title or form.id}"
    return render(request, "kb_edit.html", layout=layout, title=title, page=form, status=status)


@router.get("/edit/{entry_id}", include_in_schema=False)
def edit_page(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*EDITORS)],
    entry_id: str,
) -> Response:
    with session_scope(backend.engine) as session:
        row = session.get(KbEntry, entry_id)
        if row is None:
            message = no_entry_message(entry_id)
            return not_found(request, backend, user, message, BACK_TO_SECTIONS)
        newest = newest_version(session, entry_id)
        form = _form_of(row, newest.version if newest is not None else 0)
    return _render_form(request, backend, user, form)


@dataclass(frozen=True, slots=True)
class Checked:
    change: EntryChange
    errors: dict[str, str]


def check_form(
    *, title: str, body: str, tags: str, topics: list[str], stored_topics: list[str]
) -> Checked:
    """The form's fields as an edit, or the reasons it cannot be one (field → Russian text).

    Topics keep the stored order (a form that changes nothing records no version)."""
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Укажите заголовок."
    elif len(title) > TITLE_MAX_CHARS:
        errors["title"] = f"Заголовок — не длиннее {TITLE_MAX_CHARS} символов."
    body = body.strip()
    if not body:
        errors["body"] = "Текст записи не может быть пустым."
    tag_list = [line.strip() for line in tags.splitlines() if line.strip()]
    too_long = [tag for tag in tag_list if len(tag) > TAG_MAX_CHARS]
    if too_long:
        errors["tags"] = f"Тег «{too_long[0][:40]}…» длиннее {TAG_MAX_CHARS} символов."
    known = {t.value for t in Topic}
    unknown = [t for t in topics if t not in known]
    if unknown:
        errors["topics"] = f"Неизвестная тема «{unknown[0][:40]}»."
    elif not topics:
        errors["topics"] = "Отметьте хотя бы одну тему."
    chosen = [t for t in stored_topics if t in topics]
    chosen += [t.value for t in Topic if t.value in topics and t.value not in chosen]
    change = EntryChange(
        title=title,
        body=body,
        tags=tag_list,
        topics=[Topic(t) for t in chosen if t in known],
    )
    return Checked(change, errors)


@router.post("/edit/{entry_id}", include_in_schema=False)
def edit_submit(
    request: Request,
    backend: BackendDep,
    user: Annotated[SignedIn, page(*EDITORS)],
    entry_id: str,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    topics: Annotated[list[str] | None, Form()] = None,
    version: Annotated[str, Form()] = "",
) -> Response:
    """Saves the form as a new version, or shows it again with the reason nothing was saved."""
    topics = topics or []
    with session_scope(backend.engine) as session:
        row = session.get(KbEntry, entry_id)
        if row is None:
            message = no_entry_message(entry_id)
            return not_found(request, backend, user, message, BACK_TO_SECTIONS)
        stored_topics: list[str] = json.loads(row.topics)
    checked = check_form(
        title=title, body=body, tags=tags, topics=topics, stored_topics=stored_topics
    )
    errors = dict(checked.errors)
    based_on = count_in(version)
    if based_on is None:
        errors["form"] = "Форма пришла без номера версии: откройте правку записи заново."
    typed = EditForm(
        id=entry_id,
        title=title,
        body=body,
        tags=tags,
        topics=_choices(topics),
        version=based_on or 0,
        errors=errors,
    )
    if errors:
        return _render_form(request, backend, user, typed, status=422)
    saved = save_edit(
        backend, entry_id=entry_id, change=checked.change, login=user.login, based_on=typed.version
    )
    if saved is None:
        return not_found(request, backend, user, no_entry_message(entry_id), BACK_TO_SECTIONS)
    if isinstance(saved, Stale):
        return _render_form(request, backend, user, _conflict(backend, typed, saved), status=409)
    query = f"saved={saved.version}" if saved.changed else "unchanged=1"
    return RedirectResponse(f"/kb/view/{quote(entry_id)}?{query}", status_code=303)


def _conflict(backend: Backend, typed: EditForm, stale: Stale) -> EditForm:
    """The form again, as typed, now based on the newest version, with that version shown."""
    newest = stale.newest
    if newest is None:  # no history at all: nothing to compare with
        message = "Запись изменилась, пока вы её правили. Ваш текст — в форме ниже."
        return replace(typed, version=0, conflict=message)
    with session_scope(backend.engine) as session:
        current = _version_views(session, [newest], backend.settings.tz)[0]
    message = (
        f"Пока вы правили запись, её изменил(а) {current.who} {current.when} "
        f"(версия {newest.version}; вы начинали с версии {stale.based_on}). Ничего не сохранено "
        "и ничего не потеряно: ваш текст — в форме, текущий текст записи — ниже. Перенесите "
        "в форму нужное из текущего текста и сохраните снова."
    )
    return replace(typed, version=newest.version, conflict=message, current=current)
