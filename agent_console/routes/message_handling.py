"""Handling a written message from its page (W2–W5): plain HTML forms, no script needed. Experts,
supervisors and administrators; an operator sees the message and registers new ones only.

* ``POST /messages/{number}/classification`` — topic and typical need (W2);
* ``POST /messages/{number}/urgency`` — urgent with a term of 1–15 working days and the reason,
  or not urgent (W3–W4): the substantive answer's deadline is worked out again;
* ``POST /messages/{number}/abuse`` — the abuse verdict: confirmed or dismissed (W5);
* ``POST /messages/{number}/take`` — «Взять себе»: the message nobody owns becomes yours;
* ``POST /messages/{number}/owner`` — supervisors and administrators: any active employee, or
  nobody.

Done, the browser goes back to the message (303), which says so; refused (``models.
message_handling``: nothing changed), the message's page comes back with what was typed and
the reason beside the form (422). A form sent twice changes nothing the second time. Every
change is in the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.message_handling_forms import HandlingForm, Sent
from agent_console.message_list import message_href
from agent_console.routes.messages import ASSIGNERS, HANDLERS, not_found, show_message
from agent_console.templating import Layout
from models.audit_trail import web_actor
from models.calendar_store import load_calendar
from models.db import session_scope
from models.message_handling import (
    Actor,
    Outcome,
    Refused,
    assign,
    classify,
    locked_message,
    review_abuse,
    set_urgency,
    take,
)
from models.rules.calendar import ProductionCalendar
from models.tables import WrittenMessage
from models.user_sessions import SignedIn

log = logging.getLogger(__name__)

router = APIRouter(prefix="/messages", tags=["messages"])

HandlerDep = Annotated[SignedIn, page(*HANDLERS)]
AssignerDep = Annotated[SignedIn, page(*ASSIGNERS)]
Text = Annotated[str, Form()]
# What a handling does to the locked message: (session, message, actor, now, calendar).
Change = Callable[[Session, WrittenMessage, Actor, datetime, ProductionCalendar], Outcome]


@router.post("/{number}/classification", include_in_schema=False)
def classification(
    request: Request,
    backend: BackendDep,
    user: HandlerDep,
    number: str,
    topic: Text = "",
    need: Text = "",
) -> Response:
    return _handle(
        request,
        backend,
        user,
        number,
        HandlingForm.CLASSIFICATION,
        {"topic": topic, "need": need},
        lambda session, m, by, at, _c: classify(
            session, m, topic=topic, need=need, actor=by, at=at
        ),
    )


@router.post("/{number}/urgency", include_in_schema=False)
def urgency(
    request: Request,
    backend: BackendDep,
    user: HandlerDep,
    number: str,
    urgent: Text = "",
    term: Text = "",
    reason: Text = "",
) -> Response:
    statutory = backend.settings.message_answer_days
    return _handle(
        request,
        backend,
        user,
        number,
        HandlingForm.URGENCY,
        {"urgent": urgent, "term": term, "reason": reason},
        lambda session, m, by, at, calendar: set_urgency(
            session,
            m,
            urgent=urgent == "1",
            term=term,
            reason=reason,
            actor=by,
            at=at,
            calendar=calendar,
            statutory_days=statutory,
        ),
    )


@router.post("/{number}/abuse", include_in_schema=False)
def abuse(
    request: Request,
    backend: BackendDep,
    user: HandlerDep,
    number: str,
    verdict: Text = "",
    note: Text = "",
) -> Response:
    return _handle(
        request,
        backend,
        user,
        number,
        HandlingForm.ABUSE,
        {"verdict": verdict, "note": note},
        lambda session, m, by, at, calendar: review_abuse(
            session, m, verdict=verdict, note=note, actor=by, at=at, calendar=calendar
        ),
    )


@router.post("/{number}/take", include_in_schema=False)
def take_message(request: Request, backend: BackendDep, user: HandlerDep, number: str) -> Response:
    return _handle(
        request,
        backend,
        user,
        number,
        HandlingForm.TAKE,
        {},
        lambda session, m, by, at, _c: take(session, m, actor=by, at=at),
    )


@router.post("/{number}/owner", include_in_schema=False)
def owner(
    request: Request, backend: BackendDep, user: AssignerDep, number: str, owner: Text = ""
) -> Response:
    return _handle(
        request,
        backend,
        user,
        number,
        HandlingForm.OWNER,
        {"owner": owner},
        lambda session, m, by, at, _c: assign(session, m, owner=owner, actor=by, at=at),
    )


def _handle(
    request: Request,
    backend: Backend,
    user: SignedIn,
    number: str,
    form: HandlingForm,
    sent: dict[str, str],
    change: Change,
) -> Response:
    actor = Actor(user.employee_id, web_actor(user.login))
    with session_scope(backend.engine) as session:
        message = locked_message(session, number)
        if message is None:
            return not_found(request, Layout.of(backend.settings.line_title, user), number)
        calendar = load_calendar(session=session, settings=backend.settings)
        outcome = change(session, message, actor, backend.clock(), calendar)
    if isinstance(outcome, Refused):
        refused = Sent(form, sent, outcome.reason, outcome.field)
        return show_message(request, backend, user, number, sent=refused)
    if outcome.changed:
        log.info("обращение %s: %s (%s)", number, form.value, user.login)
    return RedirectResponse(f"{message_href(number)}?done={form.value}#{form.value}", 303)
