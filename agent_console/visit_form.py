"""The booking form of personal visits (V1–V2, V5, V11, V12), shared by the call card, the
staff page ``/visits`` and the public page ``/public/visits`` (``templates/visit_macros.html``).

:func:`read_visit_form` takes the submitted texts and returns them to be shown again with an
error per field; :func:`slot_picker` lists the next working days with free time and the free
slots of the chosen day; :func:`book_from_form` books through ``visits.store`` and returns the
confirmation, or the refusal with the form kept. The words of the public page come in Russian
and English (:data:`WORDS`, V11).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Final, TypeVar

from sqlmodel import Session, select

from call_card.lookup import employee_names
from models.emails import BAD_EMAIL, looks_like_email
from models.phones import format_phone, normalize_phone
from models.rules.calendar import ProductionCalendar
from models.rules.visit_slots import REFUSAL_RU, BookingRefusal, Slot
from models.settings import Settings
from models.tables import (
    Interpreter,
    Language,
    ReceptionPoint,
    VisitBooking,
    VisitChannel,
    VisitStatus,
)
from visits.confirmation import (
    INTERPRETER_EN,
    INTERPRETER_RU,
    MONTHS_EN,
    MONTHS_RU,
    WEEKDAYS_EN,
    WEEKDAYS_RU,
)
from visits.store import (
    BAD_PHONE,
    NO_EMAIL,
    BookingError,
    BookingRequest,
    book_visit,
    confirmation_for,
    list_free_slots,
)

DAYS_AHEAD: Final = 21  # how far ahead the free days are offered
FIELD_MAX: Final = 255
SLOT_SEPARATOR: Final = "~"
_E = TypeVar("_E", Language, Interpreter)

NO_PHONE = "Укажите номер телефона."
NO_SLOT = "Выберите свободное время."
BAD_DAY = "Дата не распознана: выберите день из списка."
WORDS_RU: Final = {
    "day": "День",
    "show": "Показать свободное время",
    "time": "Время",
    "no_time": "На этот день свободного времени нет: выберите другой день.",
    "no_days": "Свободного времени для записи в ближайшие недели нет.",
    "phone": "Телефон *",
    "name": "Фамилия, имя, отчество",
    "email": "E-mail (для подтверждения и напоминаний)",
    "language": "Язык общения",
    "interpreter": "Переводчик",
    "interpreter_none": "не нужен",
    "reminders": "Напомнить о записи",
    "day_before": "за сутки",
    "two_hours": "за 2 часа",
    "by_email": "письмом на e-mail",
    "by_call": "звонком консультационной линии",
    "book": "Записать",
    "errors": "Запись не сделана: исправьте отмеченные поля.",
}
WORDS_EN: Final = {
    "day": "Day",
    "show": "Show free time",
    "time": "Time",
    "no_time": "No free time on this day: please choose another day.",
    "no_days": "There is no free time for booking in the coming weeks.",
    "phone": "Phone *",
    "name": "Full name",
    "email": "E-mail (for the confirmation and reminders)",
    "language": "Language",
    "interpreter": "Interpreter",
    "interpreter_none": "not needed",
    "reminders": "Remind me",
    "day_before": "a day before",
    "two_hours": "2 hours before",
    "by_email": "by e-mail",
    "by_call": "by a call from the consultation line",
    "book": "Book",
    "errors": "Not booked: please correct the marked fields.",
}
WORDS: Final = {Language.RU: WORDS_RU, Language.EN: WORDS_EN}
# V11: the public page's errors in English (the store's Russian sentence is shown beside it).
ERRORS_EN: Final = {
    NO_PHONE: "Please give a phone number.",
    NO_SLOT: "Please choose a free time.",
    BAD_DAY: "The date is not recognised: choose a day from the list.",
    NO_EMAIL: "Please give an e-mail address for the reminder by e-mail.",
    BAD_PHONE: "The phone number is not recognised (example: +7 912 345-67-89).",
    BAD_EMAIL: "The e-mail address has a mistake (example: ivanova@example.ru).",
    REFUSAL_RU[BookingRefusal.PAST]: "This time has passed: please choose another.",
    REFUSAL_RU[BookingRefusal.NON_WORKING_DAY]: "The Ministry does not work on this day "
    "(a day off or a holiday): please choose another day.",
    REFUSAL_RU[BookingRefusal.NO_SUCH_SLOT]: "There is no reception at this time: please "
    "choose a time from the list.",
    REFUSAL_RU[BookingRefusal.AMBIGUOUS]: "Several employees receive at this time: please "
    "choose one.",
    REFUSAL_RU[BookingRefusal.TAKEN]: "This time is already taken: please choose another.",
}
LANGUAGE_LABELS: Final = {Language.RU: "русский", Language.EN: "английский (English)"}
STATUS_LABELS: Final = {
    VisitStatus.BOOKED: "записан",
    VisitStatus.CANCELLED: "отменена",
    VisitStatus.VISITED: "пришёл",
    VisitStatus.NO_SHOW: "не пришёл",
}
CHANNEL_LABELS: Final = {
    VisitChannel.LINE: "линия",
    VisitChannel.WEB: "сайт",
    VisitChannel.PORTAL: "портал госуслуг",
    VisitChannel.STAFF: "сотрудник",
}


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class VisitForm:
    """What was typed (shown again as it was) and what is wrong, by field name."""

    day: str = ""
    slot: str = ""
    phone: str = ""
    name: str = ""
    email: str = ""
    language: Language = Language.RU
    interpreter: Interpreter = Interpreter.NONE
    remind_day_before: bool = False
    remind_two_hours: bool = False
    remind_by_email: bool = False
    remind_by_call: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def chosen_day(self) -> date | None:
        try:
            return date.fromisoformat(self.day) if self.day else None
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class SlotPicker:
    days: list[Choice]  # the days with free time (the chosen one marked)
    slots: list[Choice]  # the chosen day's free slots
    day: str  # the chosen day, ISO


@dataclass(frozen=True, slots=True)
class FormView:
    """Everything the booking macro prints."""

    form: VisitForm
    picker: SlotPicker
    words: dict[str, str]
    interpreters: list[Choice]
    languages: list[Choice]  # empty: not asked (the public page asks by its own language)
    message: str = ""  # an error for the whole form (the slot taken, a refused time)


@dataclass(frozen=True, slots=True)
class Confirmed:
    booking_id: int
    text: str  # the confirmation to read out or show (V5)
    cancel_link: str


def read_visit_form(values: Mapping[str, str], *, language: Language | None = None) -> VisitForm:
    """The form as sent; ``language``: the page's language (the public page), else the field."""

    def text(name: str) -> str:
        return values.get(name, "").strip()[:FIELD_MAX]

    chosen_language = language or _enum(Language, values.get("language", ""), Language.RU)
    form = VisitForm(
        day=values.get("day", "").strip()[:10],
        slot=values.get("slot", "").strip()[:80],
        language=chosen_language,
        interpreter=_enum(Interpreter, values.get("interpreter", ""), Interpreter.NONE),
        remind_day_before=bool(values.get("remind_day_before")),
        remind_two_hours=bool(values.get("remind_two_hours")),
        remind_by_email=bool(values.get("remind_by_email")),
        remind_by_call=bool(values.get("remind_by_call")),
        phone=text("phone"),
        name=text("name"),
        email=text("email"),
    )
    errors: dict[str, str] = {}
    if form.day and form.chosen_day() is None:
        errors["day"] = BAD_DAY
    if not form.phone:
        errors["phone"] = NO_PHONE
    elif normalize_phone(form.phone) is None:
        errors["phone"] = BAD_PHONE
    if form.email and not looks_like_email(form.email):
        errors["email"] = BAD_EMAIL
    elif form.remind_by_email and not form.email:
        errors["email"] = NO_EMAIL
    if _slot_key(form.slot) is None:
        errors["slot"] = NO_SLOT
    return replace(form, errors=errors)


def without_slot(form: VisitForm) -> VisitForm:
    """What was typed, without the time and the errors: another day was chosen, or the time
    was taken meanwhile (the free time is read anew)."""
    return replace(form, slot="", errors={})


def with_errors(form: VisitForm, errors: dict[str, str]) -> VisitForm:
    return replace(form, errors=form.errors | errors)


def slot_value(slot: Slot) -> str:
    return f"{slot.starts_at.isoformat()}{SLOT_SEPARATOR}{slot.employee_id}"


def slot_picker(
    session: Session,
    *,
    calendar: ProductionCalendar,
    now: datetime,
    form: VisitForm,
    language: Language = Language.RU,
) -> SlotPicker:
    """The next working days with free time; the chosen day's slots (the first free day when
    none is chosen). A chosen day without free time is listed too, with no slots."""
    today = now.astimezone(calendar.tz).date()
    slots = list_free_slots(
        session=session,
        calendar=calendar,
        first=today,
        last=today + timedelta(days=DAYS_AHEAD),
        now=now,
    )
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.date(), []).append(slot)
    chosen = form.chosen_day()
    if chosen is None or not today <= chosen <= today + timedelta(days=DAYS_AHEAD):
        chosen = next(iter(by_day), None)
    days = sorted(set(by_day) | ({chosen} if chosen else set()))
    names = employee_names(session, {slot.employee_id for slot in slots})
    return SlotPicker(
        days=[Choice(d.isoformat(), day_label(d, language), d == chosen) for d in days],
        slots=[
            Choice(
                slot_value(slot),
                f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M} — {names.get(slot.employee_id, '')}",
                slot_value(slot) == form.slot,
            )
            for slot in (by_day.get(chosen, []) if chosen is not None else [])
        ],
        day=chosen.isoformat() if chosen else "",
    )


def form_view(
    session: Session,
    *,
    calendar: ProductionCalendar,
    now: datetime,
    form: VisitForm,
    language: Language = Language.RU,
    ask_language: bool = True,
    message: str = "",
) -> FormView:
    words = WORDS[language]
    labels = INTERPRETER_EN if language is Language.EN else INTERPRETER_RU
    return FormView(
        form=form,
        picker=slot_picker(session, calendar=calendar, now=now, form=form, language=language),
        words=words,
        interpreters=[
            Choice(i.value, labels[i] or words["interpreter_none"], i is form.interpreter)
            for i in Interpreter
        ],
        languages=[
            Choice(lang.value, LANGUAGE_LABELS[lang], lang is form.language) for lang in Language
        ]
        if ask_language
        else [],
        message=message,
    )


def book_from_form(
    *,
    session: Session,
    settings: Settings,
    calendar: ProductionCalendar,
    form: VisitForm,
    channel: VisitChannel,
    actor: str,
    now: datetime,
    booked_by_id: int | None = None,
) -> Confirmed:
    """Books the form's slot in the caller's session (the caller commits) and returns the
    confirmation; raises :class:`BookingError` with the store's reason."""
    key = _slot_key(form.slot)
    if key is None:
        raise BookingError(BookingRefusal.NO_SUCH_SLOT, NO_SLOT)
    starts_at, employee_id = key
    request = BookingRequest(
        starts_at=starts_at,
        phone=form.phone,
        channel=channel,
        name=form.name,
        email=form.email,
        language=form.language,
        interpreter=form.interpreter,
        remind_day_before=form.remind_day_before,
        remind_two_hours=form.remind_two_hours,
        remind_by_email=form.remind_by_email,
        remind_by_call=form.remind_by_call,
        employee_id=employee_id,
        booked_by_id=booked_by_id,
    )
    booked = book_visit(
        session=session,
        settings=settings,
        calendar=calendar,
        request=request,
        actor=actor,
        now=now,
    )
    assert booked.booking.id is not None
    text = confirmation_for(
        session=session,
        booking=booked.booking,
        cancel_link=booked.cancel_link,
        tz=calendar.tz,
    )
    return Confirmed(booked.booking.id, text, booked.cancel_link)


def refusal_field(error: BookingError) -> str:
    """Where the store's refusal belongs on the form: a field, or ``""`` for the whole form."""
    message = str(error)
    if error.reason is None:
        return "phone" if message == BAD_PHONE else "email"
    return ""


@dataclass(frozen=True, slots=True)
class BookingRow:
    """One booking as the lists show it."""

    id: int
    starts_at: datetime
    time: str
    day: str
    employee: str
    point: str
    name: str
    phone: str
    interpreter: str  # "" when none asked (V12: the reception arranges one)
    language: str
    channel: str
    status: VisitStatus
    status_label: str
    begun: bool


def booking_rows(
    session: Session, bookings: list[VisitBooking], *, calendar: ProductionCalendar, now: datetime
) -> list[BookingRow]:
    names = employee_names(session, {b.employee_id for b in bookings})
    points = {p.id: p.name_ru for p in session.exec(select(ReceptionPoint)).all()}
    rows = []
    for b in bookings:
        assert b.id is not None
        start = b.starts_at.astimezone(calendar.tz)
        end = b.ends_at.astimezone(calendar.tz)
        rows.append(
            BookingRow(
                id=b.id,
                starts_at=start,
                time=f"{start:%H:%M}–{end:%H:%M}",
                day=day_label(start.date(), Language.RU),
                employee=names.get(b.employee_id, ""),
                point=points.get(b.point_id, ""),
                name=b.name,
                phone=format_phone(b.phone_e164),
                interpreter=INTERPRETER_RU[b.interpreter],
                language=LANGUAGE_LABELS[b.language],
                channel=CHANNEL_LABELS[b.channel],
                status=b.status,
                status_label=STATUS_LABELS[b.status],
                begun=b.starts_at <= now,
            )
        )
    return rows


def day_label(day: date, language: Language) -> str:
    if language is Language.EN:
        return f"{WEEKDAYS_EN[day.weekday()]}, {day.day} {MONTHS_EN[day.month - 1]}"
    return f"{WEEKDAYS_RU[day.weekday()]}, {day.day} {MONTHS_RU[day.month - 1]}"


def in_language(message: str, language: Language) -> str:
    """A Russian error as the page's language has it (V11); unknown ones stay Russian."""
    return ERRORS_EN.get(message, message) if language is Language.EN else message


def form_in_language(form: VisitForm, language: Language) -> VisitForm:
    errors = {name: in_language(text, language) for name, text in form.errors.items()}
    return replace(form, errors=errors)


def _slot_key(value: str) -> tuple[datetime, int] | None:
    start, _, employee = value.partition(SLOT_SEPARATOR)
    try:
        starts_at = datetime.fromisoformat(start)
        employee_id = int(employee)
    except ValueError:
        return None
    if starts_at.tzinfo is None:
        return None
    return starts_at, employee_id


def _enum(kind: type[_E], value: str, default: _E) -> _E:
    try:
        return kind(value)
    except ValueError:
        return default
