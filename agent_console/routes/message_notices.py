"""Notices and answers about a written message (W5–W7, W10–W12, G1–G2), for experts,
supervisors and administrators:

* ``GET /messages/{number}/notices`` — the message's notices: each channel's state, what a
  person still has to do, resend and print; the notices that may be sent now;
* ``GET /messages/{number}/notices/new?kind=…`` — the form: the text prefilled from the
  knowledge base (``&refusal=`` the grounds of a refusal, ``&agency=`` the agency of a
  redirection), the channels and addresses it will go to;
* ``POST /messages/{number}/notices`` — sends it (``models.message_notices``); sent, the browser
  goes to the notices (303); refused, the form comes back with the reason and the text kept;
* ``GET /messages/{number}/notices/{id}/print`` — the letter as it is printed for the post;
* ``POST /messages/{number}/notices/{id}/resend`` — an e-mail that did not go, sent again.

Opening the notices, the form or a printed letter is written to the audit log
(``models.message_audit``) in the transaction that read it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from agent_console.auth.refusals import ErrorPage
from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.message_notice_form import (
    ComposeForm,
    ComposePage,
    compose_page,
    prefilled,
    with_new_key,
)
from agent_console.message_notice_page import (
    NoticesPage,
    notices_href,
    notices_page,
    print_page,
)
from agent_console.templating import render_page
from mail.notice_mail import notice_mailer
from models.audit_trail import web_actor
from models.db import session_scope
from models.message_audit import (
    MESSAGE_NOTICE_PRINT,
    MESSAGE_NOTICES_VIEW,
    record_message_access,
)
from models.message_notices import (
    NoticeRequest,
    Refused,
    find_message,
    resend_notice,
    send_notice,
)
from models.notice_plan import why_not
from models.tables import Client, MessageNotice, NoticeKind, Role, WrittenMessage
from models.user_sessions import SignedIn

router = APIRouter(prefix="/messages/{number}/notices", tags=["message-notices"])

SENDERS = (Role.EXPERT, Role.SUPERVISOR, Role.ADMIN)
SenderDep = Annotated[SignedIn, page(*SENDERS)]
STALE_FORM = "Форма устарела"


@router.get("", include_in_schema=False)
def notices(
    request: Request,
    backend: BackendDep,
    user: SenderDep,
    number: str,
    sent: str = "",
    resent: str = "",
) -> Response:
    with session_scope(backend.engine) as session:
        found = _found(session, number)
        if found is None:
            return _not_found(request, backend, user, number)
        message, client = found
        _audit(session, backend, user, message, MESSAGE_NOTICES_VIEW, "notices")
        shown = notices_page(
            session,
            backend.settings,
            message,
            client,
            now=backend.clock(),
            sent_key=sent,
            resent_id=_id(resent),
        )
    return _notices(request, backend, user, shown)


@router.get("/new", include_in_schema=False)
def compose(
    request: Request,
    backend: BackendDep,
    user: SenderDep,
    number: str,
    kind: str = "",
    refusal: str = "",
    agency: str = "",
) -> Response:
    chosen = _kind(kind)
    with session_scope(backend.engine) as session:
        found = _found(session, number)
        if found is None or chosen is None:
            return _not_found(request, backend, user, number, kind=chosen is None)
        message, client = found
        reason = why_not(chosen, message.status, message.abuse)
        if reason:
            return _error(request, backend, user, reason, notices_href(number), status=409)
        _audit(session, backend, user, message, MESSAGE_NOTICES_VIEW, f"compose={chosen.value}")
        form = prefilled(
            session,
            message,
            client,
            chosen,
            refusal_id=refusal,
            agency_id=agency,
            tz=backend.settings.tz,
        )
        shown = compose_page(session, backend.settings, message, client, form)
    return _compose(request, backend, user, shown)


@router.post("", include_in_schema=False)
def send(
    request: Request,
    backend: BackendDep,
    user: SenderDep,
    number: str,
    kind: Annotated[str, Form()] = "",
    form_key: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    refusal: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
) -> Response:
    chosen = _kind(kind)
    if chosen is None:
        return _not_found(request, backend, user, number, kind=True)
    typed = ComposeForm(chosen, body.replace("\r\n", "\n"), form_key, refusal, agency)
    sent = send_notice(
        backend.engine,
        backend.settings,
        notice_mailer(backend.settings),
        NoticeRequest(number, chosen, typed.body, form_key, user.login, agency, refusal),
        backend.clock(),
    )
    if isinstance(sent, Refused):
        if sent.not_found:
            return _not_found(request, backend, user, number)
        if sent.reason.startswith(STALE_FORM):
            typed = with_new_key(typed)
        with session_scope(backend.engine) as session:
            found = _found(session, number)
            if found is None:
                return _not_found(request, backend, user, number)
            shown = compose_page(session, backend.settings, *found, typed, error=sent.reason)
        return _compose(request, backend, user, shown, status=409)
    return RedirectResponse(f"{notices_href(number)}?sent={form_key}", status_code=303)


@router.get("/{notice_id}/print", include_in_schema=False)
def print_letter(
    request: Request, backend: BackendDep, user: SenderDep, number: str, notice_id: str
) -> Response:
    with session_scope(backend.engine) as session:
        found = _found(session, number)
        key = _id(notice_id)
        notice = session.get(MessageNotice, key) if found and key is not None else None
        if found is None or notice is None or notice.message_id != found[0].id:
            return _not_found(request, backend, user, number, notice=True)
        message, client = found
        _audit(session, backend, user, message, MESSAGE_NOTICE_PRINT, f"notice={notice.id}")
        shown = print_page(session, backend.settings, message, client, notice, backend.clock())
    title = f"Письмо по обращению {number}"
    return render_page(request, backend, user, "message_notice_print.html", title, shown)


@router.post("/{notice_id}/resend", include_in_schema=False)
def resend(
    request: Request, backend: BackendDep, user: SenderDep, number: str, notice_id: str
) -> Response:
    key = _id(notice_id)
    if key is None:
        return _not_found(request, backend, user, number, notice=True)
    result = resend_notice(
        backend.engine,
        backend.settings,
        notice_mailer(backend.settings),
        number=number,
        notice_id=key,
        by=user.login,
        now=backend.clock(),
    )
    if isinstance(result, Refused):
        if result.not_found:
            return _not_found(request, backend, user, number, notice=True)
        with session_scope(backend.engine) as session:
            found = _found(session, number)
            if found is None:
                return _not_found(request, backend, user, number)
            shown = notices_page(
                session, backend.settings, *found, now=backend.clock(), error=result.reason
            )
        return _notices(request, backend, user, shown, status=409)
    return RedirectResponse(f"{notices_href(number)}?resent={key}", status_code=303)


def _found(session: Session, number: str) -> tuple[WrittenMessage, Client | None] | None:
    message = find_message(session, number)
    if message is None:
        return None
    client = session.get(Client, message.client_id) if message.client_id is not None else None
    return message, client


def _kind(value: str) -> NoticeKind | None:
    return NoticeKind(value) if value in {kind.value for kind in NoticeKind} else None


def _id(value: str) -> int | None:
    """A row id from the address; any other text names no row."""
    return int(value) if value.isdigit() and len(value) < 19 else None


def _audit(
    session: Session,
    backend: Backend,
    user: SignedIn,
    message: WrittenMessage,
    action: str,
    detail: str,
) -> None:
    record_message_access(
        session,
        at=backend.clock(),
        actor=web_actor(user.login),
        action=action,
        number=message.number,
        client_id=message.client_id,
        detail=detail,
    )


def _notices(
    request: Request, backend: Backend, user: SignedIn, shown: NoticesPage, status: int = 200
) -> Response:
    title = f"Уведомления по обращению {shown.number}"
    return render_page(request, backend, user, "message_notices.html", title, shown, status)


def _compose(
    request: Request, backend: Backend, user: SignedIn, shown: ComposePage, status: int = 200
) -> Response:
    title = f"{shown.kind_title}: обращение {shown.number}"
    return render_page(request, backend, user, "message_notice_new.html", title, shown, status)


def _not_found(
    request: Request,
    backend: Backend,
    user: SignedIn,
    number: str,
    *,
    kind: bool = False,
    notice: bool = False,
) -> Response:
    if kind:
        what, back = "Такого вида уведомления нет.", notices_href(number)
    elif notice:
        what, back = f"Такого уведомления по обращению {number} нет.", notices_href(number)
    else:
        what, back = f"Обращения с номером {number} нет.", "/messages"
    return _error(request, backend, user, what, back, status=404)


def _error(
    request: Request,
    backend: Backend,
    user: SignedIn,
    message: str,
    back_href: str,
    *,
    status: int,
) -> Response:
    label = "К списку обращений" if back_href == "/messages" else "К уведомлениям по обращению"
    shown = ErrorPage(message, back_href, label)
    return render_page(request, backend, user, "error.html", "Уведомления", shown, status)
