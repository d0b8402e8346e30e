"""``GET /``: the operator's workspace for operators (queue state, the call card that opens by
itself, its actions: ``templates/workspace.html`` with ``static/workspace.js``), who is signed
in for everyone else; ``GET /session`` the same as JSON, with the CSRF token for clients that
are not a page of the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from agent_console.auth.roles import EVERYONE, SUPERVISORS
from agent_console.auth.rules import allow, page
from agent_console.deps import Backend, BackendDep
from agent_console.navigation import Link
from agent_console.routes.kb import OVERSEERS as KB_OVERSEERS
from agent_console.templating import Layout, render
from models.db import session_scope
from models.tables import Employee, Role
from models.topics import TOPIC_LABELS_RU, Topic
from models.user_sessions import SignedIn

router = APIRouter(tags=["session"])


@dataclass(frozen=True, slots=True)
class HomePage:
    greeting: str
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WorkspacePage:
    device: str  # the operator's phone as the queue names it; the card opens for its calls
    topics: list[tuple[str, str]]  # (value, label) for the wrap-up's topic
    pause_reasons: list[str]


PAUSE_REASONS = ["Перерыв", "Обед", "Обучение", "Работа с обращениями", "Совещание"]


def _workspace(backend: Backend, user: SignedIn) -> WorkspacePage:
    with session_scope(backend.engine) as session:
        employee = session.get(Employee, user.employee_id)
        device = employee.device if employee is not None else ""
    return WorkspacePage(
        device=device,
        topics=[(topic.value, TOPIC_LABELS_RU[topic]) for topic in Topic],
        pause_reasons=PAUSE_REASONS,
    )


class SessionPublic(BaseModel):
    login: str
    full_name: str
    employee_id: int
    roles: list[Role]
    csrf_token: str  # send it back in the X-CSRF-Token header of POST, PUT, PATCH, DELETE


@router.get("/", include_in_schema=False)
def home(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*EVERYONE)]
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    if Role.OPERATOR in user.roles:
        return render(
            request,
            "workspace.html",
            layout=layout,
            title="Рабочее место оператора",
            page=_workspace(backend, user),
        )
    links: list[Link] = []
    if user.has_any(SUPERVISORS):
        links.append(Link("/wallboard", "Табло: очередь, операторы, показатели дня"))
        links.append(Link("/reports/missed", "Отчёт «Пропущенные звонки»"))
        links.append(Link("/reports/survey", "Отчёт «Опрос после консультации»"))
        links.append(Link("/reports/operators", "Отчёт «Операторы»: звонки, итоги, обучение"))
        links.append(Link("/clients", "Клиенты: история обращений по номеру телефона"))
    if user.has_any(KB_OVERSEERS):
        links.append(Link("/kb/review", "База знаний: проверка разделов, пробелы, поиск"))
    if Role.ADMIN in user.roles:
        links.append(Link("/docs", "Документация API"))
    shown = HomePage(greeting=f"Здравствуйте, {user.full_name}!", links=links)
    return render(request, "home.html", layout=layout, title="Главная", page=shown)


@router.get("/session", response_model=SessionPublic)
def session(user: Annotated[SignedIn, allow(*EVERYONE)]) -> SessionPublic:
    """The signed-in user, their roles and the CSRF token of the session."""
    return SessionPublic(
        login=user.login,
        full_name=user.full_name,
        employee_id=user.employee_id,
        roles=[role for role in Role if role in user.roles],
        csrf_token=user.csrf_token,
    )
