"""Booking a personal visit from the call card (V2, V5, V6, V11, V12): HTML pieces that
``static/workspace.js`` puts into the card's section «Запись на личный приём».

* ``GET /card/calls/{linkedid}/visits`` — the caller's upcoming bookings (by the client record
  and the caller's number) with «Отменить», and the booking form (``templates/visit_macros.html``)
  prefilled from the call: the caller's number (typed when hidden), the client's name, the IVR
  language;
* ``POST /card/calls/{linkedid}/visits`` — books (channel «line», the operator as the booking
  employee); the piece again with the confirmation to read out (201), or with the form kept and
  the reason (422; 409 «время уже занято» with the free time read anew);
* ``POST /card/calls/{linkedid}/visits/{booking_id}/cancel`` — cancels (V6, channel «line»,
  audited with the operator's login).

The requests come from ``fetch`` with the session's CSRF header (the ``allow`` rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from agent_console.auth.rules import allow
from agent_console.deps import Backend, BackendDep
from agent_console.refusal_http import refuse
from agent_console.templating import Layout, render
from agent_console.visit_form import (
    BookingRow,
    Confirmed,
    FormView,
    VisitForm,
    book_from_form,
    booking_rows,
    form_view,
    read_visit_form,
    refusal_field,
    with_errors,
    without_slot,
)
from call_card.lookup import call_client, find_call_and_operator
from call_card.refusals import Refusal
from models.calendar_store import load_calendar
from models.db import session_scope
from models.phones import format_phone, normalize_phone
from models.rules.calendar import ProductionCalendar
from models.rules.visit_slots import BookingRefusal
from models.tables import Call, Language, Role, VisitChannel
from models.user_sessions import SignedIn
from visits.store import BookingError, cancel_visit, get_booking, upcoming_bookings

router = APIRouter(prefix="/card", tags=["card"])
Operator = Annotated[SignedIn, allow(Role.OPERATOR)]
NOT_FOUND: Final = "Такой записи нет."


@dataclass(frozen=True, slots=True)
class CardVisits:
    linkedid: str
    upcoming: list[BookingRow]
    view: FormView
    confirmed: Confirmed | None = None
    message: str = ""  # a refused cancellation


@router.get("/calls/{linkedid}/visits", include_in_schema=False)
def card_visits(request: Request, backend: BackendDep, user: Operator, linkedid: str) -> Response:
    with session_scope(backend.engine) as session:
        call = _call(session, user, linkedid)
        client = call_client(session, call)
        form = VisitForm(
            phone=format_phone(call.caller_e164) if call.caller_e164 else "",
            name=(client.full_name or "") if client is not None else "",
            language=call.language or Language.RU,
        )
        calendar = load_calendar(session=session, settings=backend.settings)
        shown = _piece(session, backend, calendar, call, form)
    return _render(request, backend, user, shown)


@router.post("/calls/{linkedid}/visits", include_in_schema=False)
async def card_visit_book(
    request: Request, backend: BackendDep, user: Operator, linkedid: str
) -> Response:  # V2, V5, V12
    sent = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = read_visit_form(sent)
    now = backend.clock()
    status, message, confirmed = 200, "", None
    with session_scope(backend.engine) as session:
        call = _call(session, user, linkedid)
        calendar = load_calendar(session=session, settings=backend.settings)
        if sent.get("step") == "day":
            form = without_slot(form)
        elif not form.valid:
            status = 422
        else:
            try:
                confirmed = book_from_form(
                    session=session,
                    settings=backend.settings,
                    calendar=calendar,
                    form=form,
                    channel=VisitChannel.LINE,
                    actor=f"web:{user.login}",
                    now=now,
                    booked_by_id=user.employee_id,
                )
                status = 201
                form = VisitForm(phone=form.phone, name=form.name, language=form.language)
            except BookingError as error:
                session.rollback()
                place = refusal_field(error)
                status = 409 if error.reason is BookingRefusal.TAKEN else 422
                if place:
                    form = with_errors(form, {place: str(error)})
                else:
                    form, message = without_slot(form), str(error)
        shown = _piece(
            session, backend, calendar, call, form, form_message=message, confirmed=confirmed
        )
    return _render(request, backend, user, shown, status=status)


@router.post("/calls/{linkedid}/visits/{booking_id}/cancel", include_in_schema=False)
def card_visit_cancel(
    request: Request, backend: BackendDep, user: Operator, linkedid: str, booking_id: int
) -> Response:  # V6
    status, message = 200, ""
    with session_scope(backend.engine) as session:
        call = _call(session, user, linkedid)
        booking = get_booking(session, booking_id)
        if booking is None:
            status, message = 404, NOT_FOUND
        else:
            try:
                cancel_visit(
                    session=session,
                    booking=booking,
                    via=VisitChannel.LINE,
                    actor=f"web:{user.login}",
                    now=backend.clock(),
                )
            except BookingError as error:
                status, message = 409, str(error)
        form = read_visit_form(_form_fields(request))
        calendar = load_calendar(session=session, settings=backend.settings)
        shown = _piece(session, backend, calendar, call, without_slot(form), message=message)
    return _render(request, backend, user, shown, status=status)


def _form_fields(request: Request) -> dict[str, str]:
    """The form's fields sent along with a cancellation (the query string): kept as typed."""
    return {k: v for k, v in request.query_params.items()}


def _call(session: Session, user: SignedIn, linkedid: str) -> Call:
    found = find_call_and_operator(session, linkedid, user.employee_id)
    if isinstance(found, Refusal):
        refuse(found)
    return found[0]


def _piece(
    session: Session,
    backend: Backend,
    calendar: ProductionCalendar,
    call: Call,
    form: VisitForm,
    *,
    form_message: str = "",
    message: str = "",
    confirmed: Confirmed | None = None,
) -> CardVisits:
    now = backend.clock()
    client = call_client(session, call)
    phones = {call.caller_e164, normalize_phone(form.phone) if form.phone else None} - {None}
    found = {
        b.id: b
        for phone in phones or {None}
        for b in upcoming_bookings(
            session,
            client_id=client.id if client is not None else None,
            phone_e164=phone,
            now=now,
        )
    }
    listed = sorted(found.values(), key=lambda b: (b.starts_at, b.id or 0))
    return CardVisits(
        linkedid=call.linkedid,
        upcoming=booking_rows(session, listed, calendar=calendar, now=now),
        view=form_view(session, calendar=calendar, now=now, form=form, message=form_message),
        confirmed=confirmed,
        message=message,
    )


def _render(
    request: Request, backend: Backend, user: SignedIn, shown: CardVisits, *, status: int = 200
) -> Response:
    layout = Layout.of(backend.settings.line_title, user)
    return render(
        request,
        "card_visits.html",
        layout=layout,
        title="Запись на личный приём",
        page=shown,
        status=status,
    )
