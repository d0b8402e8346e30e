"""What the knowledge-base pages share: names in place of codes (departments, entries, authors,
topics), days as the pages write them, the page for an unknown section or entry."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from fastapi import Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from agent_console.auth.refusals import ErrorPage
from agent_console.deps import Backend
from agent_console.templating import Layout, render
from models.tables import Department, Employee, UserAccount
from models.tables.kb import KbEntry
from models.topics import TOPIC_LABELS_RU, Topic
from models.user_sessions import SignedIn
from scripts_kb.history import FILE_AUTHOR
from scripts_kb.labels import FILE_AUTHOR_RU

NO_TOPIC_RU = "без темы"


def count_in(text: str) -> int | None:
    """A version number or a count sent as text (``"3"``); None for anything else."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def day_text(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def topic_label(topic: Topic | None) -> str:
    return NO_TOPIC_RU if topic is None else TOPIC_LABELS_RU[topic]


def department_names(session: Session) -> dict[str, str]:
    """Department code → name (the KB names its owners by the staff file's codes)."""
    return {row.code: row.name for row in session.exec(select(Department))}


def entry_titles(session: Session, ids: Collection[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(select(KbEntry.id, KbEntry.title).where(col(KbEntry.id).in_(ids)))
    return dict(rows.all())


def author_names(session: Session, logins: Collection[str]) -> dict[str, str]:
    """``changed_by`` → how a page shows it: «Иванова Мария (ivanova)», the file load in words;
    a login without an account any more stays as it is."""
    shown = {login: login for login in logins}
    if FILE_AUTHOR in shown:
        shown[FILE_AUTHOR] = FILE_AUTHOR_RU
    if logins:
        rows = session.exec(
            select(UserAccount.login, Employee.full_name)
            .join(Employee, col(Employee.id) == col(UserAccount.employee_id))
            .where(col(UserAccount.login).in_(logins))
        )
        shown.update({login: f"{name} ({login})" for login, name in rows})
    return shown


def not_found(
    request: Request, backend: Backend, user: SignedIn, message: str, back: tuple[str, str]
) -> Response:
    """The 404 page: ``message`` and a link back (href, label)."""
    layout = Layout.of(backend.settings.line_title, user)
    shown = ErrorPage(message, *back)
    return render(request, "error.html", layout=layout, title="Не найдено", page=shown, status=404)
