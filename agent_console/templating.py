"""Server-rendered pages: the Jinja2 templates shipped in ``agent_console/templates``.

A route builds the page's view model in Python and hands it over whole with :func:`render`;
the templates hold no logic beyond loops and ifs. Every page gets the :class:`Layout` (the
line's name, who is signed in, the CSRF token for the ``<meta>`` tag and the forms) and
``training_line``: the app serves the training line (``base.html`` says so on every page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from agent_console.auth.roles import role_titles
from agent_console.deps import Backend, get_context
from agent_console.navigation import REPORT_LINKS, Link, menu_for
from models.user_sessions import SignedIn

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"


@dataclass(frozen=True, slots=True)
class Layout:
    line_title: str
    csrf_token: str
    user_name: str = ""  # empty: nobody is signed in
    user_login: str = ""
    roles: list[str] = field(default_factory=list)
    menu: list[Link] = field(default_factory=list)  # the pages this user may open

    @classmethod
    def of(cls, line_title: str, user: SignedIn | None, csrf_token: str = "") -> Layout:
        if user is None:
            return cls(line_title=line_title, csrf_token=csrf_token)
        return cls(
            line_title=line_title,
            csrf_token=user.csrf_token,
            user_name=user.full_name,
            user_login=user.login,
            roles=role_titles(user.roles),
            menu=menu_for(user.roles),
        )


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=TEMPLATES_DIR)


def render(
    request: Request,
    template: str,
    *,
    layout: Layout,
    title: str,
    page: Any = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "layout": layout,
        "title": title,
        "page": page,
        "report_links": REPORT_LINKS,
        "training_line": get_context(request).training_line,
    }
    return templates().TemplateResponse(
        request, template, context, status_code=status, headers=headers
    )


def render_for(
    request: Request,
    line_title: str,
    user: SignedIn,
    template: str,
    *,
    title: str,
    page: Any,
    status: int = 200,
) -> Response:
    """:func:`render` of a console page for the signed-in ``user`` (their menu and token)."""
    layout = Layout.of(line_title, user)
    return render(request, template, layout=layout, title=title, page=page, status=status)


def render_page(
    request: Request,
    backend: Backend,
    user: SignedIn,
    template: str,
    title: str,
    page: Any,
    status: int = 200,
) -> Response:
    """:func:`render_for` under the line's title from ``backend``'s settings."""
    return render_for(
        request, backend.settings.line_title, user, template, title=title, page=page, status=status
    )
