"""``GET /``: who is signed in (the workspace comes here later); ``GET /session`` the same as
JSON, with the CSRF token for clients that are not a page of the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from agent_console.auth.roles import EVERYONE
from agent_console.auth.rules import allow, page
from agent_console.deps import BackendDep
from agent_console.templating import Layout, render
from models.tables import Role
from models.user_sessions import SignedIn

router = APIRouter(tags=["session"])


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True, slots=True)
class HomePage:
    greeting: str
    links: list[Link] = field(default_factory=list)


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
    links = [Link("/docs", "Документация API")] if Role.ADMIN in user.roles else []
    shown = HomePage(greeting=f"Здравствуйте, {user.full_name}!", links=links)
    layout = Layout.of(backend.settings.line_title, user)
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
