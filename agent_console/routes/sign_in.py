"""Signing in and out: ``GET``/``POST /sign-in`` (the form), ``POST /sign-out``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from agent_console.auth.cookies import (
    clear_csrf_cookie,
    clear_session_cookie,
    set_csrf_cookie,
    set_session_cookie,
)
from agent_console.auth.csrf import anonymous_token
from agent_console.auth.refusals import SIGN_IN_PATH, local_path
from agent_console.auth.roles import EVERYONE
from agent_console.auth.rules import page, public
from agent_console.auth.sign_in import sign_in, sign_out
from agent_console.deps import Backend, BackendDep
from agent_console.templating import Layout, render
from models.user_sessions import SignedIn

router = APIRouter(tags=["sign-in"])

FormText = Annotated[str, Form(max_length=1024)]


@dataclass(frozen=True, slots=True)
class SignInPage:
    next: str
    login: str = ""
    message: str = ""


@router.get(SIGN_IN_PATH, include_in_schema=False)
def sign_in_form(
    request: Request,
    backend: BackendDep,
    viewer: Annotated[SignedIn | None, public],
    next: str = "/",
) -> Response:
    if viewer is not None:
        return RedirectResponse(local_path(next), status_code=303)
    return _form(request, backend, SignInPage(next=local_path(next)))


@router.post(SIGN_IN_PATH, include_in_schema=False)
def sign_in_submit(
    request: Request,
    backend: BackendDep,
    _viewer: Annotated[SignedIn | None, public],
    login: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    where = request.client.host if request.client else "?"
    result = sign_in(backend=backend, login_text=login, password=password, where=where)
    if result.token is None:
        headers = {"Retry-After": str(result.retry_after_s)} if result.retry_after_s else None
        shown = SignInPage(next=local_path(next), login=login.strip()[:64], message=result.message)
        return _form(request, backend, shown, status=result.status, headers=headers)
    response = RedirectResponse(local_path(next), status_code=303)
    set_session_cookie(response, result.token, backend.settings)
    clear_csrf_cookie(response, backend.settings)
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out_submit(
    request: Request, backend: BackendDep, user: Annotated[SignedIn, page(*EVERYONE)]
) -> Response:
    where = request.client.host if request.client else "?"
    sign_out(backend=backend, user=user, where=where)
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    clear_session_cookie(response, backend.settings)
    return response


def _form(
    request: Request,
    backend: Backend,
    shown: SignInPage,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token, new = anonymous_token(request)
    layout = Layout.of(backend.settings.line_title, None, csrf_token=token)
    response = render(
        request,
        "sign_in.html",
        layout=layout,
        title="Вход",
        page=shown,
        status=status,
        headers=headers,
    )
    if new:
        set_csrf_cookie(response, token, backend.settings)
    return response
