"""Information mailings in the console (M1–M4), for supervisors and administrators:

* ``GET /mailings`` — the mailings with their progress, and the form of a new draft;
* ``POST /mailings`` — the draft saved (its form's one-time key: sent twice, saved once);
* ``GET /mailings/{id}`` — the letter as recipients will see it (the unsubscribe link and its
  headers included), who started it and when, progress (sent, failed, skipped, unknown, left)
  and the failures with their reasons;
* ``POST /mailings/{id}/start`` — M1–M2: sending starts to every address confirmed now (a
  second submission starts nothing); refused while outgoing mail or the public address is not
  set (``models.mailings.mailing_problem``);
* ``POST /mailings/{id}/pause``, ``/resume``;
* ``GET /mailings/subscribers?q=`` — the register of consents: counts by state, a search by
  address;
* ``POST /mailings/subscribers/{id}/withdraw`` — the consent withdrawn at the person's request
  (audited).

The letters themselves go from ``serve``'s scheduler (``consult_line.mailing_run``).
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from agent_console.auth.refusals import ErrorPage
from agent_console.auth.roles import SUPERVISORS
from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.mailing_pages import (
    DraftForm,
    mailing_page,
    mailings_page,
    register_page,
)
from agent_console.message_notice_form import new_key
from agent_console.templating import Layout, render, render_page
from models.audit_trail import web_actor
from models.db import session_scope
from models.mailing_consent import REGISTER_PAGE, Withdrawal, withdraw_by_staff
from models.mailings import (
    Start,
    create_draft,
    mailing_problem,
    pause_mailing,
    read_mailing_form,
    resume_mailing,
    start_mailing,
)
from models.tables import Mailing
from models.user_sessions import SignedIn

router = APIRouter(prefix="/mailings", tags=["mailings"])

SupervisorDep = Annotated[SignedIn, page(*SUPERVISORS)]
TITLE: Final = "Рассылки"
REGISTER_TITLE: Final = "Согласия на рассылки"
NOTICES: Final = {
    "started": "Рассылка начата: письма отправляются.",
    "paused": "Рассылка приостановлена.",
    "resumed": "Рассылка продолжена.",
    "created": "Черновик сохранён. Проверьте письмо и начните рассылку.",
}
START_REFUSED: Final = {
    Start.ALREADY: "Рассылка уже начата: повторное нажатие ничего не меняет.",
    Start.NO_RECIPIENTS: "Некому отправлять: нет ни одного подтверждённого согласия.",
}


@router.get("", include_in_schema=False)
def mailings(request: Request, backend: BackendDep, user: SupervisorDep) -> Response:
    return _list(request, backend, user, DraftForm(new_key()))


@router.post("", include_in_schema=False)
def create(
    request: Request,
    backend: BackendDep,
    user: SupervisorDep,
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    form_key: Annotated[str, Form()] = "",
) -> Response:
    form = read_mailing_form(subject, body)
    key = form_key.strip()[:64]
    if form.errors or not key:
        typed = DraftForm(key or new_key(), form.subject, form.body, form.errors)
        return _list(request, backend, user, typed, status=422)
    with session_scope(backend.engine) as session:
        draft = create_draft(
            session, form, by=web_actor(user.login), form_key=key, now=backend.clock()
        )
        target = f"/mailings/{draft.id}?done=created"
    return RedirectResponse(target, status_code=303)


@router.get("/subscribers", include_in_schema=False)
def subscribers(
    request: Request, backend: BackendDep, user: SupervisorDep, q: str = "", done: str = ""
) -> Response:
    query = q.strip()[:254]
    notice = "Согласие отозвано." if done == "withdrawn" else ""
    with session_scope(backend.engine) as session:
        shown = register_page(
            session, backend.settings.tz, query, limit=REGISTER_PAGE, notice=notice
        )
    return render_page(request, backend, user, "mailing_subscribers.html", REGISTER_TITLE, shown)


@router.post("/subscribers/{subscriber_id}/withdraw", include_in_schema=False)
def withdraw(
    request: Request,
    backend: BackendDep,
    user: SupervisorDep,
    subscriber_id: str,
    q: Annotated[str, Form()] = "",
) -> Response:
    key = _id(subscriber_id)
    result = Withdrawal.NOT_FOUND
    if key is not None:
        with session_scope(backend.engine) as session:
            result = withdraw_by_staff(
                session, key, login=user.login, actor=web_actor(user.login), now=backend.clock()
            )
    if result is Withdrawal.NOT_FOUND:
        return _error(request, backend, user, "Такой записи в реестре согласий нет.", 404)
    query = f"&{urlencode({'q': q.strip()})}" if q.strip() else ""
    return RedirectResponse(f"/mailings/subscribers?done=withdrawn{query}", status_code=303)


@router.get("/{mailing_id}", include_in_schema=False)
def mailing(
    request: Request, backend: BackendDep, user: SupervisorDep, mailing_id: str, done: str = ""
) -> Response:
    return _mailing(request, backend, user, mailing_id, notice=NOTICES.get(done, ""))


@router.post("/{mailing_id}/start", include_in_schema=False)
def start(request: Request, backend: BackendDep, user: SupervisorDep, mailing_id: str) -> Response:
    key = _id(mailing_id)
    if key is None:
        return _not_found(request, backend, user)
    problem = mailing_problem(backend.settings)
    if problem is not None:
        return _mailing(request, backend, user, mailing_id, error=problem, status=409)
    with session_scope(backend.engine) as session:
        result = start_mailing(session, key, actor=web_actor(user.login), now=backend.clock())
    if result is Start.NOT_FOUND:
        return _not_found(request, backend, user)
    if result is not Start.STARTED:
        error = START_REFUSED[result]
        return _mailing(request, backend, user, mailing_id, error=error, status=409)
    return RedirectResponse(f"/mailings/{key}?done=started", status_code=303)


@router.post("/{mailing_id}/pause", include_in_schema=False)
def pause(request: Request, backend: BackendDep, user: SupervisorDep, mailing_id: str) -> Response:
    return _move(request, backend, user, mailing_id, resume=False)


@router.post("/{mailing_id}/resume", include_in_schema=False)
def resume(request: Request, backend: BackendDep, user: SupervisorDep, mailing_id: str) -> Response:
    return _move(request, backend, user, mailing_id, resume=True)


def _move(
    request: Request, backend: Backend, user: SignedIn, mailing_id: str, *, resume: bool
) -> Response:
    key = _id(mailing_id)
    if key is None:
        return _not_found(request, backend, user)
    change = resume_mailing if resume else pause_mailing
    with session_scope(backend.engine) as session:
        if session.get(Mailing, key) is None:
            return _not_found(request, backend, user)
        moved = change(session, key, actor=web_actor(user.login), now=backend.clock())
    if not moved:  # pressed twice, or the mailing finished meanwhile: the page as it is
        return RedirectResponse(f"/mailings/{key}", status_code=303)
    return RedirectResponse(
        f"/mailings/{key}?done={'resumed' if resume else 'paused'}", status_code=303
    )


def _mailing(
    request: Request,
    backend: Backend,
    user: SignedIn,
    mailing_id: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    key = _id(mailing_id)
    problem = mailing_problem(backend.settings)
    with session_scope(backend.engine) as session:
        found = session.get(Mailing, key) if key is not None else None
        if found is None:
            return _not_found(request, backend, user)
        shown = mailing_page(
            session, found, backend.settings.tz, problem, notice=notice, error=error
        )
    title = f"Рассылка № {shown.row.id}"
    return render_page(request, backend, user, "mailing.html", title, shown, status=status)


def _list(
    request: Request, backend: Backend, user: SignedIn, form: DraftForm, *, status: int = 200
) -> Response:
    with session_scope(backend.engine) as session:
        shown = mailings_page(session, backend.settings.tz, form, mailing_problem(backend.settings))
    return render_page(request, backend, user, "mailings.html", TITLE, shown, status=status)


def _not_found(request: Request, backend: Backend, user: SignedIn) -> Response:
    return _error(request, backend, user, "Такой рассылки нет.", 404)


def _error(
    request: Request, backend: Backend, user: SignedIn, message: str, status: int
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    shown = ErrorPage(message, "/mailings", "К рассылкам")
    return render(request, "error.html", layout=layout, title=TITLE, page=shown, status=status)


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None
