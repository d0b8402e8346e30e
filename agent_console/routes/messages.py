"""Written messages in the console (W2–W6, C1), for operators, experts, supervisors and
administrators:

* ``GET /messages`` — «Письменные обращения», soonest open deadline first, overdue ones marked,
  a page at a time (``?page=``); ``?view=`` «Мои», «Просроченные», «Без исполнителя»;
  ``?state=`` filters by state, ``?q=`` finds a message by number, sender, e-mail or phone
  (an operator telling a caller where their message stands);
* ``GET``/``POST /messages/new`` — registering a paper letter or a message taken by phone;
  registered, the browser goes to the message (303); sent twice, it is one message;
* ``GET /messages/{number}`` — the message, its deadlines, attachments, client and the notices
  sent; for experts, supervisors and administrators also the handling forms
  (``agent_console.routes.message_handling``) and the links to send the notices allowed now;
* ``GET /messages/{number}/attachments/{attachment_id}`` — an attachment, as a download.

Looking at a message or downloading its attachment is written to the audit log
(``models.message_audit``) in the transaction that read it.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from agent_console.auth.refusals import ErrorPage
from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.message_form import MessageForm, blank_form, draft_of, form_errors
from agent_console.message_handling_forms import DONE_RU, HandlingForm, Sent, handling
from agent_console.message_list import (
    chosen_status,
    chosen_view,
    list_page,
    message_href,
    page_of,
)
from agent_console.message_page import disposition, load_message, message_page, served_type
from agent_console.templating import Layout, render
from models.audit_trail import web_actor
from models.calendar_store import load_calendar
from models.db import session_scope
from models.message_audit import MESSAGE_ATTACHMENT, MESSAGE_VIEW, record_message_access
from models.message_handling import active_employees
from models.message_queue import QueueQuery, load_queue
from models.message_store import register_message
from models.tables import Employee, MessageAttachment, Role
from models.user_sessions import SignedIn
from scripts_kb.suggestion import suggest

router = APIRouter(prefix="/messages", tags=["messages"])

STAFF = (Role.OPERATOR, Role.EXPERT, Role.SUPERVISOR, Role.ADMIN)
HANDLERS = (Role.EXPERT, Role.SUPERVISOR, Role.ADMIN)  # an operator sees and registers only
ASSIGNERS = (Role.SUPERVISOR, Role.ADMIN)  # give a message to anyone
LIST_TITLE = "Письменные обращения"
NEW_TITLE = "Регистрация обращения"
StaffDep = Annotated[SignedIn, page(*STAFF)]


@router.get("", include_in_schema=False)
def list_view(
    request: Request,
    backend: BackendDep,
    user: StaffDep,
    view: str = "",
    state: str = "",
    q: str = "",
    page: str = "",
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    today = backend.today()
    shown_view, status = chosen_view(view), chosen_status(state)
    query = QueueQuery(
        today=today, view=shown_view, status=status, text=q, employee_id=user.employee_id
    )
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        found = load_queue(session, query, page=page_of(page))
        shown = list_page(
            found, view=shown_view, status=status, query=q, today=today, calendar=calendar
        )
    return render(request, "messages.html", layout=layout, title=LIST_TITLE, page=shown)


@router.get("/new", include_in_schema=False)
def new_page(request: Request, backend: BackendDep, user: StaffDep) -> Response:
    return _form(request, backend, user, blank_form())


@router.post("/new", include_in_schema=False)
def new_submit(
    request: Request,
    backend: BackendDep,
    user: StaffDep,
    form_key: Annotated[str, Form()] = "",
    intake: Annotated[str, Form()] = "",
    sender_name: Annotated[str, Form()] = "",
    sender_email: Annotated[str, Form()] = "",
    sender_phone: Annotated[str, Form()] = "",
    sender_address: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    typed = MessageForm(
        form_key=form_key,
        intake=intake,
        sender_name=sender_name,
        sender_email=sender_email,
        sender_phone=sender_phone,
        sender_address=sender_address,
        subject=subject,
        body=body,
    )
    errors = form_errors(typed)
    if errors:
        if "form" in errors:  # a form without its key: a fresh key, the text kept
            typed = replace(typed, form_key=blank_form().form_key)
        return _form(request, backend, user, replace(typed, errors=errors), status=422)
    draft = draft_of(typed, now=backend.clock(), login=user.login)
    registered = register_message(backend.engine, backend.settings, draft)
    return RedirectResponse(f"{message_href(registered.number)}?registered=1", status_code=303)


def _form(
    request: Request, backend: Backend, user: SignedIn, form: MessageForm, status: int = 200
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    shown = {**asdict(form), "intakes": form.intakes}
    return render(
        request, "message_new.html", layout=layout, title=NEW_TITLE, page=shown, status=status
    )


@router.get("/{number}", include_in_schema=False)
def message_view(
    request: Request,
    backend: BackendDep,
    user: StaffDep,
    number: str,
    registered: str = "",
    done: str = "",
) -> Response:
    notice = ""
    if registered:
        notice = f"Обращение зарегистрировано под номером {number}."
    elif done in {form.value for form in HandlingForm}:
        notice = DONE_RU[HandlingForm(done)]
    return show_message(request, backend, user, number, notice=notice)


def show_message(
    request: Request,
    backend: Backend,
    user: SignedIn,
    number: str,
    *,
    notice: str = "",
    sent: Sent | None = None,
) -> Response:
    """The message's page (its look audited); ``sent``: a handling form refused (422)."""
    layout = Layout.of(backend.settings.line_title, user)
    handles = user.has_any(HANDLERS)
    with session_scope(backend.engine) as session:
        found = load_message(session, number)
        if found is None:
            return not_found(request, layout, number)
        message, client = found
        shown = message_page(
            session, message, client, backend.today(), backend.settings.tz, sends_notices=handles
        )
        forms = None
        if handles:
            owner = session.get(Employee, message.owner_id) if message.owner_id else None
            forms = handling(
                message,
                suggestion=suggest(backend.kb_index.get(), message.subject, message.body),
                me=user.employee_id,
                owner=owner,
                employees=active_employees(session) if user.has_any(ASSIGNERS) else None,
                calendar=load_calendar(session=session, settings=backend.settings),
                sent=sent,
            )
        record_message_access(
            session,
            at=backend.clock(),
            actor=web_actor(user.login),
            action=MESSAGE_VIEW,
            number=message.number,
            client_id=message.client_id,
            detail=f"attachments={len(shown.attachments)}",
        )
    shown = replace(shown, notice=notice, forms=forms)
    return render(
        request,
        "message.html",
        layout=layout,
        title=f"Обращение {shown.number}",
        page=shown,
        status=422 if sent is not None else 200,
    )


@router.get("/{number}/attachments/{attachment_id}", include_in_schema=False)
def attachment(
    request: Request, backend: BackendDep, user: StaffDep, number: str, attachment_id: str
) -> Response:
    # Any text in the address: a malformed id is a missing attachment (a page, not JSON).
    key = int(attachment_id) if attachment_id.isdigit() and len(attachment_id) < 19 else None
    with session_scope(backend.engine) as session:
        found = load_message(session, number)
        stored = session.get(MessageAttachment, key) if found and key is not None else None
        if found is None or stored is None or stored.message_id != found[0].id:
            layout = Layout.of(backend.settings.line_title, user)
            return not_found(request, layout, number, attachment=True)
        record_message_access(
            session,
            at=backend.clock(),
            actor=web_actor(user.login),
            action=MESSAGE_ATTACHMENT,
            number=found[0].number,
            client_id=found[0].client_id,
            detail=f"attachment={stored.id}",
        )
        data, kind, name = stored.data, served_type(stored.content_type), stored.filename
    return Response(data, media_type=kind, headers={"Content-Disposition": disposition(name)})


def not_found(
    request: Request, layout: Layout, number: str, *, attachment: bool = False
) -> Response:
    what = (
        f"Вложения к обращению {number} с таким номером нет."
        if attachment
        else (f"Обращения с номером {number} нет.")
    )
    back = ErrorPage(what, "/messages", "К списку обращений")
    return render(request, "error.html", layout=layout, title=LIST_TITLE, page=back, status=404)
