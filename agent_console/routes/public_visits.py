"""The public pages of personal visits, without sign-in (V1, V5, V6, V11, V12):

* ``GET``/``POST /public/visits`` — V1: choose a day and a free time, give a phone (required),
  a name, an e-mail, an interpreter (V12) and reminders; in Russian, in English with
  ``?lang=en`` (V11). Plain HTML, no script. The POST carries a signed form token (the
  ``public_form`` rule) and is limited per address and in all (``OnceDesk``); the token's nonce
  names the filled-in form, so a form sent twice books once and shows the same confirmation. A
  slot taken meanwhile gives the form again (409) with «время уже занято», the fields kept and
  the free time read anew; a time in the past, on a holiday or not in the schedule (a forged
  form) gives the form again with the reason (422). The confirmation page shows the place and
  how to get there (V5), the interpreter and the cancellation link (V6). Nothing is mailed
  here: the confirmation e-mail goes from the scheduler.
* ``GET``/``POST /public/visits/cancel/<token>`` — V6: the cancellation link; the GET shows the
  booking (date, time, place, the visitor's own name) and one button and changes nothing, the
  POST cancels (channel «web»). The ``public_link`` rule: the token in the path is the proof.
  Cancelled already, begun already, or not ours (404) — the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from agent_console.auth.form_tokens import issue, read
from agent_console.auth.refusals import LINK_NOT_FOUND, PUBLIC_REFUSAL, ErrorPage
from agent_console.auth.rules import public_form, public_link
from agent_console.deps import Backend, BackendDep, ContextDep
from agent_console.templating import Layout, render
from agent_console.visit_form import (
    Confirmed,
    FormView,
    VisitForm,
    book_from_form,
    day_label,
    form_in_language,
    form_view,
    in_language,
    read_visit_form,
    refusal_field,
    with_errors,
    without_slot,
)
from models.calendar_store import load_calendar
from models.db import session_scope
from models.rules.visit_slots import BookingRefusal
from models.tables import Language, ReceptionPoint, VisitBooking, VisitChannel, VisitStatus
from models.user_sessions import SignedIn
from visits.links import CANCEL_PATH, find_booking_by_token
from visits.store import BookingError, cancel_refusal, cancel_visit

PATH: Final = "/public/visits"
ACTOR: Final = "public"
NO_STORE: Final = {"Cache-Control": "no-store"}
TITLES: Final = {
    Language.RU: ("Запись на личный приём", "Вы записаны", "Отмена записи на личный приём"),
    Language.EN: ("Booking a personal visit", "You are booked", "Cancelling a personal visit"),
}
TOO_MANY: Final = (
    "Слишком много запросов записи с Вашего адреса за последний час. Пожалуйста, попробуйте "
    "позже или запишитесь по телефону консультационной линии."
)
CANCEL_TEXTS: Final = {
    Language.RU: {
        "ask": "Отменить запись на личный приём?",
        "button": "Отменить запись",
        "done": "Запись отменена.",
        "already": "Эта запись уже отменена.",
        "late": "Приём уже начался или прошёл: отменить запись сейчас нельзя.",
        "when": "Когда",
        "where": "Где",
        "who": "Посетитель",
        "again": "Записаться снова",
    },
    Language.EN: {
        "ask": "Cancel your personal visit?",
        "button": "Cancel the booking",
        "done": "The booking is cancelled.",
        "already": "This booking has already been cancelled.",
        "late": "The visit has begun or is over: it cannot be cancelled now.",
        "when": "When",
        "where": "Where",
        "who": "Visitor",
        "again": "Book again",
    },
}


@dataclass(frozen=True, slots=True)
class BookingPage:
    view: FormView
    lang: str
    other_lang_href: str
    other_lang_label: str
    intro: str


@dataclass(frozen=True, slots=True)
class DonePage:
    lang: str
    confirmed: Confirmed
    lead: str
    cancel_hint: str


@dataclass(frozen=True, slots=True)
class CancelPage:
    lang: str
    words: dict[str, str]
    state: str  # ask, done, already, late
    when: str
    where: str
    name: str
    again_href: str


def _language(value: str) -> Language:
    return Language.EN if value == "en" else Language.RU


router = APIRouter(tags=["public-visits"])


@router.get(PATH, include_in_schema=False)
def booking_page(
    request: Request,
    backend: BackendDep,
    _viewer: Annotated[SignedIn | None, public_form],
    lang: str = "ru",
    day: str = "",
) -> Response:  # V1, V11
    language = _language(lang)
    form = VisitForm(day=day[:10], language=language)
    return _form(request, backend, form)


@router.post(PATH, include_in_schema=False)
async def booking_submit(
    request: Request, context: ContextDep, _viewer: Annotated[SignedIn | None, public_form]
) -> Response:  # V1, V5, V12
    backend = context.backend
    sent = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    language = _language(sent.get("lang", ""))
    form = read_visit_form(sent, language=language)
    if sent.get("step") == "day":  # another day chosen: the form again, nothing booked
        return _form(request, backend, without_slot(form))
    if not form.valid:
        return _form(request, backend, form, status=422)
    token = read(sent.get("csrf_token"), backend.form_key())
    assert token is not None  # the public_form rule let only valid tokens through
    where = request.client.host if request.client else "?"
    now = backend.clock()

    def book() -> Confirmed:
        with session_scope(backend.engine) as session:
            calendar = load_calendar(session=session, settings=backend.settings)
            return book_from_form(
                session=session,
                settings=backend.settings,
                calendar=calendar,
                form=form,
                channel=VisitChannel.WEB,
                actor=ACTOR,
                now=now,
            )

    try:
        confirmed = await run_in_threadpool(
            context.public_visits.submit, token.nonce, where, now, book
        )
    except BookingError as error:
        return _refused_booking(request, backend, form, error)
    if confirmed is None:
        shown = ErrorPage(TOO_MANY, PATH, "Вернуться к записи")
        title = TITLES[Language.RU][0]
        return _show(request, backend, PUBLIC_REFUSAL, title, shown, status=429, retry=True)
    english = language is Language.EN
    done = DonePage(
        lang=language.value,
        confirmed=confirmed,
        lead="Please tell or show this at the entrance:" if english else "Сохраните или запишите:",
        cancel_hint="Cancellation link (keep it):"
        if english
        else "Ссылка для отмены записи (сохраните её):",
    )
    return _show(request, backend, "public_visit_done.html", TITLES[language][1], done)


def _refused_booking(
    request: Request, backend: Backend, form: VisitForm, error: BookingError
) -> Response:
    place = refusal_field(error)
    if place:
        return _form(request, backend, with_errors(form, {place: str(error)}), status=422)
    taken = error.reason is BookingRefusal.TAKEN
    kept = without_slot(form)  # the slot is gone: the free time read anew
    message = in_language(str(error), form.language)
    return _form(request, backend, kept, message=message, status=409 if taken else 422)


def _form(
    request: Request,
    backend: Backend,
    form: VisitForm,
    *,
    message: str = "",
    status: int = 200,
) -> Response:
    language = form.language
    now = backend.clock()
    with session_scope(backend.engine) as session:
        calendar = load_calendar(session=session, settings=backend.settings)
        view = form_view(
            session,
            calendar=calendar,
            now=now,
            form=form_in_language(form, language),
            language=language,
            ask_language=False,
            message=message,
        )
    english = language is Language.EN
    page = BookingPage(
        view=view,
        lang=language.value,
        other_lang_href=PATH if english else f"{PATH}?lang=en",
        other_lang_label="Русский" if english else "English",
        intro="Choose a day and a free time, and leave your phone number: the confirmation "
        "shows where to come and how to get there. Fields marked * are required."
        if english
        else "Выберите день и свободное время и оставьте номер телефона: в подтверждении "
        "будет сказано, куда прийти и как добраться. Поля со звёздочкой (*) обязательны.",
    )
    token = issue(backend.form_key(), now)
    title = TITLES[language][0]
    return _show(request, backend, "public_visits.html", title, page, status=status, token=token)


@router.get(CANCEL_PATH + "/{token:path}", include_in_schema=False)
def cancel_page(
    request: Request,
    backend: BackendDep,
    token: str,
    _viewer: Annotated[SignedIn | None, public_link],
) -> Response:  # V6: a GET changes nothing (link scanners open links)
    now = backend.clock()
    with session_scope(backend.engine) as session:
        booking = find_booking_by_token(session, token)
        if booking is None:
            return _not_found(request, backend)
        shown = _cancel_page(session, booking, backend.settings.tz, _cancel_state(booking, now))
    return _cancel_render(request, backend, shown)


@router.post(CANCEL_PATH + "/{token:path}", include_in_schema=False)
def cancel_submit(
    request: Request,
    backend: BackendDep,
    token: str,
    _viewer: Annotated[SignedIn | None, public_link],
) -> Response:  # V6
    now = backend.clock()
    with session_scope(backend.engine) as session:
        booking = find_booking_by_token(session, token)
        if booking is None:
            return _not_found(request, backend)
        state = _cancel_state(booking, now)
        if state == "ask":
            result = cancel_visit(
                session=session, booking=booking, via=VisitChannel.WEB, actor=ACTOR, now=now
            )
            state = "already" if result.already else "done"
        shown = _cancel_page(session, booking, backend.settings.tz, state)
    return _cancel_render(request, backend, shown, status=409 if state == "late" else 200)


def _cancel_state(booking: VisitBooking, now: datetime) -> str:
    if booking.status is VisitStatus.CANCELLED:
        return "already"
    if cancel_refusal(booking, now) is not None:
        return "late"
    return "ask"


def _cancel_page(session: Session, booking: VisitBooking, tz: ZoneInfo, state: str) -> CancelPage:
    point = session.get(ReceptionPoint, booking.point_id)
    language = booking.language
    start = booking.starts_at.astimezone(tz)
    end = booking.ends_at.astimezone(tz)
    english = language is Language.EN
    where = ""
    if point is not None:
        name, address, room = (
            (point.name_en, point.address_en, point.room_en)
            if english
            else (point.name_ru, point.address_ru, point.room_ru)
        )
        where = ", ".join(part for part in (name, address, room) if part)
    return CancelPage(
        lang=language.value,
        words=CANCEL_TEXTS[language],
        state=state,
        when=f"{day_label(start.date(), language)} {start.year}, {start:%H:%M}–{end:%H:%M}",
        where=where,
        name=booking.name,
        again_href=f"{PATH}?lang=en" if english else PATH,
    )


def _cancel_render(
    request: Request, backend: Backend, shown: CancelPage, *, status: int = 200
) -> Response:
    title = TITLES[Language(shown.lang)][2]
    return _show(request, backend, "public_visit_cancel.html", title, shown, status=status)


def _not_found(request: Request, backend: Backend) -> Response:
    shown = ErrorPage(LINK_NOT_FOUND, "", "")
    return _show(request, backend, PUBLIC_REFUSAL, "Ссылка не найдена", shown, status=404)


def _show(
    request: Request,
    backend: Backend,
    template: str,
    title: str,
    shown: object,
    *,
    status: int = 200,
    token: str = "",
    retry: bool = False,
) -> Response:
    """A public page (never cached; ``token``: the form's, ``retry``: after the limit)."""
    layout = Layout.of(backend.settings.line_title, None, csrf_token=token)
    headers = NO_STORE | ({"Retry-After": "3600"} if retry else {})
    return render(
        request, template, layout=layout, title=title, page=shown, status=status, headers=headers
    )
