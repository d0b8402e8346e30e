"""What a visitor is told or sent on booking (V5, V6, V11, V12): one pure function.

The call card reads it out, the public page shows it, the confirmation e-mail carries it: the
date and time, whom, the place and how to get there, the interpreter asked for, how to cancel
(the line's number and the link). In Russian, and in English when the booking's language is
English (V11).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from models.tables import Interpreter, Language, ReceptionPoint, VisitBooking

LINE_PHONE: Final = "+7 (8722) 67-80-91"
SITE: Final = "https://minpromdag.ru"
MONTHS_RU: Final = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
WEEKDAYS_RU: Final = (
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"
)  # fmt: skip
MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS_EN: Final = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
)  # fmt: skip
INTERPRETER_RU: Final = {
    Interpreter.NONE: "",
    Interpreter.SIGN_LANGUAGE: "сурдопереводчик (русский жестовый язык)",
    Interpreter.TACTILE: "тифлосурдопереводчик",
}
INTERPRETER_EN: Final = {
    Interpreter.NONE: "",
    Interpreter.SIGN_LANGUAGE: "a sign-language interpreter",
    Interpreter.TACTILE: "a tactile (deafblind) interpreter",
}


def confirmation_text(
    *,
    booking: VisitBooking,
    point: ReceptionPoint,
    employee_name: str,
    cancel_link: str | None,
    tz: ZoneInfo,
) -> str:
    """The confirmation, several lines of plain text; Russian, or English for ``en``."""
    start = booking.starts_at.astimezone(tz)
    end = booking.ends_at.astimezone(tz)
    if booking.language is Language.EN:
        return _english(booking, point, employee_name, cancel_link, start, end)
    return _russian(booking, point, employee_name, cancel_link, start, end)


def _russian(
    booking: VisitBooking,
    point: ReceptionPoint,
    employee: str,
    link: str | None,
    start: datetime,
    end: datetime,
) -> str:
    when = f"{when_text(start, Language.RU)}–{end:%H:%M}"
    lines = [
        f"Вы записаны на личный приём в {point.name_ru}.",
        f"Когда: {when} (по местному времени).",
        f"Принимает: {employee}.",
        f"Где: {point.address_ru}" + (f", {point.room_ru}." if point.room_ru else "."),
    ]
    if point.directions_ru:
        lines.append(f"Как добраться: {point.directions_ru}")
    if booking.interpreter is not Interpreter.NONE:
        lines.append(
            f"Вы просили обеспечить допуск: {INTERPRETER_RU[booking.interpreter]}. "
            "Сообщите его фамилию на входе."
        )
    lines.append("Возьмите с собой документ, удостоверяющий личность.")
    cancel = f"Отменить запись можно в любое время до начала приёма: по телефону {LINE_PHONE}"
    lines.append(f"{cancel} или по ссылке {link}" if link else f"{cancel} или на сайте {SITE}.")
    lines.append(f"Номер записи: {booking.id}.")
    return "\n".join(lines)


def _english(
    booking: VisitBooking,
    point: ReceptionPoint,
    employee: str,
    link: str | None,
    start: datetime,
    end: datetime,
) -> str:
    lines = [
        f"You are booked for a personal visit to {point.name_en}.",
        f"When: {when_text(start, Language.EN)}–{end:%H:%M} (local time).",
        f"Received by: {employee}.",
        f"Where: {point.address_en}" + (f", {point.room_en}." if point.room_en else "."),
    ]
    if point.directions_en:
        lines.append(f"How to get there: {point.directions_en}")
    if booking.interpreter is not Interpreter.NONE:
        lines.append(
            f"You asked for {INTERPRETER_EN[booking.interpreter]} to be admitted with you; "
            "please give their name at the entrance."
        )
    lines.append("Please bring an identity document.")
    cancel = f"You can cancel at any time before the visit: call {LINE_PHONE}"
    lines.append(f"{cancel} or open {link}" if link else f"{cancel} or use {SITE}.")
    lines.append(f"Booking number: {booking.id}.")
    return "\n".join(lines)


def when_text(start: datetime, language: Language) -> str:
    """The day and local start time of a visit, as the rating letter and page name it (V13):
    «12 марта 2026 г. (среда), 10:00» / "Wednesday, 12 March 2026, 10:00"."""
    if language is Language.EN:
        return (
            f"{WEEKDAYS_EN[start.weekday()]}, {start.day} {MONTHS_EN[start.month - 1]} "
            f"{start.year}, {start:%H:%M}"
        )
    return (
        f"{start.day} {MONTHS_RU[start.month - 1]} {start.year} г. "
        f"({WEEKDAYS_RU[start.weekday()]}), {start:%H:%M}"
    )
