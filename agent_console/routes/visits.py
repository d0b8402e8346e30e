"""The staff page of personal visits, ``/visits`` (V1–V2, V6, V12): operators, supervisors and
administrators.

* ``GET /visits?day=YYYY-MM-DD`` — the day's bookings (today by default) per reception point:
  time, whom, the visitor, phone, the interpreter asked for (highlighted: the reception arranges
  the interpreter, V12), language, channel, status; the booking form (channel «staff», the
  macros of the call card);
* ``POST /visits/book`` — books; the page again with the confirmation to tell the visitor, or
  the form kept with the reason (422; 409 when the time was taken meanwhile);
* ``POST /visits/{id}/cancel`` — cancels (V6, channel «staff»), audited with the login;
* ``POST /visits/{id}/attendance`` (``visited=yes|no``) — «пришёл» / «не пришёл» once the visit
  has begun (``visits.store.mark_attendance``);
* ``POST /visits/{id}/rating`` (``received``, ``quality``, ``comment``) — the rating the visitor
  gave at the reception (V13, ``visits.rating.record_on_spot``), once.

Plain HTML forms with the session's CSRF token; an action answers with a redirect back to the
day (303), a refused one with the page and its reason (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from agent_console.auth.rules import page
from agent_console.deps import Backend, BackendDep
from agent_console.public_survey_form import VISIT_TEXTS_RU, read_survey_form
from agent_console.templating import render_for
from agent_console.visit_form import (
    BookingRow,
    Confirmed,
    FormView,
    VisitForm,
    book_from_form,
    booking_rows,
    day_label,
    form_view,
    read_visit_form,
    refusal_field,
    with_errors,
    without_slot,
)
from models.calendar_store import load_calendar
from models.db import session_scope
from models.rules.visit_slots import BookingRefusal
from models.tables import Language, Role, VisitBooking, VisitChannel
from models.user_sessions import SignedIn
from visits.rating import RatingError, record_on_spot
from visits.store import BookingError, bookings_between, cancel_visit, get_booking, mark_attendance

PATH: Final = "/visits"
TITLE: Final = "Личный приём"
NOT_FOUND: Final = "Такой записи нет."
NOT_RATED: Final = "Оценка не записана: "

router = APIRouter(tags=["visits"])
Staff = Annotated[SignedIn, page(Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)]


@dataclass(frozen=True, slots=True)
class PointDay:
    point: str
    rows: list[BookingRow]


@dataclass(frozen=True, slots=True)
class VisitsPage:
    day: str
    day_label: str
    previous: str
    next: str
    points: list[PointDay]
    view: FormView
    confirmed: Confirmed | None = None
    message: str = ""  # a refused action
    counts: dict[str, int] = field(default_factory=dict)


@router.get(PATH, include_in_schema=False)
def visits_page(request: Request, backend: BackendDep, user: Staff, day: str = "") -> Response:
    return _page(request, backend, user, _day(backend, day), VisitForm())


@router.post(PATH + "/book", include_in_schema=False)
async def visits_book(request: Request, backend: BackendDep, user: Staff) -> Response:  # V2
    sent = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = read_visit_form(sent)
    day = form.chosen_day() or backend.today()
    if sent.get("step") == "day":
        return _page(request, backend, user, day, without_slot(form))
    if not form.valid:
        return _page(request, backend, user, day, form, status=422)
    try:
        with session_scope(backend.engine) as session:
            confirmed = book_from_form(
                session=session,
                settings=backend.settings,
                calendar=load_calendar(session=session, settings=backend.settings),
                form=form,
                channel=VisitChannel.STAFF,
                actor=f"web:{user.login}",
                now=backend.clock(),
                booked_by_id=user.employee_id,
            )
    except BookingError as error:
        place = refusal_field(error)
        if place:
            shown = with_errors(form, {place: str(error)})
            return _page(request, backend, user, day, shown, status=422)
        taken = error.reason is BookingRefusal.TAKEN
        return _page(
            request,
            backend,
            user,
            day,
            without_slot(form),
            form_message=str(error),
            status=409 if taken else 422,
        )
    return _page(request, backend, user, day, VisitForm(day=form.day), confirmed=confirmed)


@router.post(PATH + "/{booking_id}/cancel", include_in_schema=False)
def visits_cancel(
    request: Request, backend: BackendDep, user: Staff, booking_id: int
) -> Response:  # V6
    def cancel(session: Session, booking: VisitBooking) -> None:
        actor = f"web:{user.login}"
        now = backend.clock()
        cancel_visit(session=session, booking=booking, via=VisitChannel.STAFF, actor=actor, now=now)

    return _act(request, backend, user, booking_id, cancel)


@router.post(PATH + "/{booking_id}/attendance", include_in_schema=False)
def visits_attendance(
    request: Request,
    backend: BackendDep,
    user: Staff,
    booking_id: int,
    visited: Annotated[str, Form()] = "",
) -> Response:
    def mark(session: Session, booking: VisitBooking) -> None:
        actor = f"web:{user.login}"
        now = backend.clock()
        mark_attendance(
            session=session, booking=booking, visited=visited == "yes", actor=actor, now=now
        )

    return _act(request, backend, user, booking_id, mark)


@router.post(PATH + "/{booking_id}/rating", include_in_schema=False)
def visits_rating(
    request: Request,
    backend: BackendDep,
    user: Staff,
    booking_id: int,
    received: Annotated[str, Form()] = "",
    quality: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:  # V13
    form = read_survey_form(received, quality, comment, VISIT_TEXTS_RU)

    def rate(session: Session, booking: VisitBooking) -> None:
        if not form.valid:
            raise BookingError(None, NOT_RATED + " ".join(form.errors.values()))
        try:
            record_on_spot(
                session=session,
                booking=booking,
                answers=form.answers(),
                actor=f"web:{user.login}",
                now=backend.clock(),
            )
        except RatingError as error:
            raise BookingError(None, str(error)) from None

    return _act(request, backend, user, booking_id, rate)


def _act(
    request: Request,
    backend: Backend,
    user: SignedIn,
    booking_id: int,
    action: Callable[[Session, VisitBooking], None],
) -> Response:
    """The action on the booking, then back to its day (303); refused: the page and why."""
    try:
        with session_scope(backend.engine) as session:
            booking = get_booking(session, booking_id)
            if booking is None:
                raise BookingError(None, NOT_FOUND)
            day = booking.starts_at.astimezone(backend.settings.tz).date()
            action(session, booking)
    except BookingError as error:
        return _refused(request, backend, user, error)
    return RedirectResponse(f"{PATH}?day={day.isoformat()}", status_code=303)


def _refused(request: Request, backend: Backend, user: SignedIn, error: BookingError) -> Response:
    status = 404 if str(error) == NOT_FOUND else 409
    return _page(
        request, backend, user, backend.today(), VisitForm(), message=str(error), status=status
    )


def _day(backend: Backend, text: str) -> date:
    try:
        return date.fromisoformat(text) if text else backend.today()
    except ValueError:
        return backend.today()


def _page(
    request: Request,
    backend: Backend,
    user: SignedIn,
    day: date,
    form: VisitForm,
    *,
    confirmed: Confirmed | None = None,
    message: str = "",
    form_message: str = "",
    status: int = 200,
) -> Response:
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        start = datetime.combine(day, datetime.min.time(), tzinfo=calendar.tz)
        bookings = list(
            bookings_between(session, start, start + timedelta(days=1), active_only=False)
        )
        rows = booking_rows(session, bookings, calendar=calendar, now=now)
        view = form_view(session, calendar=calendar, now=now, form=form, message=form_message)
    points: dict[str, list[BookingRow]] = {}
    for row in rows:
        points.setdefault(row.point, []).append(row)
    shown = VisitsPage(
        day=day.isoformat(),
        day_label=f"{day_label(day, Language.RU)} {day.year}",
        previous=(day - timedelta(days=1)).isoformat(),
        next=(day + timedelta(days=1)).isoformat(),
        points=[PointDay(point, listed) for point, listed in points.items()],
        view=view,
        confirmed=confirmed,
        message=message,
    )
    return render_for(
        request,
        backend.settings.line_title,
        user,
        "visits.html",
        title=TITLE,
        page=shown,
        status=status,
    )
